//! Running vectors: one machine per variant, every receipt and the final state root compared.

use std::num::NonZeroUsize;
use std::path::Path;

use cid::Cid;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_interp::Engine;
use ifvm_kernel::{ApplyKind, EnginePool, ExecutionTrace, Executor, NetworkConfig};

use crate::bundles::BundleSet;
use crate::explain::{diff_states, ActorDiff};
use crate::externs::{ReplayExterns, Unrecorded};
use crate::machine::MachineParams;
use crate::prepared::PreparedVariant;
use crate::schema::{MessageVector, SchemaWarning, Variant, VectorError};
use crate::store::RunStore;

/// The miner actor's `DisputeWindowedPoSt` method, which succeeds only for an invalid proof.
const DISPUTE_WINDOWED_POST: u64 = 24;

/// How one variant ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every receipt and the state root matched.
    Passed,
    /// Something differed.
    Failed(Box<Mismatch>),
    /// Not run, for this reason.
    Skipped(String),
}

/// What differed, with what is needed to find out why.
#[derive(Debug, Clone, Default)]
pub struct Mismatch {
    /// Receipt fields that differ.
    pub receipts: Vec<ReceiptDiff>,
    /// The expected and actual state roots, if they differ.
    pub state_root: Option<(Cid, Cid)>,
    /// Actors whose state differs (sender, receiver, builtin actors).
    pub actors: Vec<ActorDiff>,
    /// An error that stopped the run.
    pub error: Option<String>,
    /// The execution trace of the first message whose receipt differs (when traced).
    pub exec_trace: ExecutionTrace,
}

/// One differing receipt field.
#[derive(Debug, Clone)]
pub struct ReceiptDiff {
    /// The message index.
    pub message: usize,
    /// `exit_code`, `return` or `gas_used`.
    pub field: &'static str,
    /// The expected value.
    pub expected: String,
    /// The actual value.
    pub actual: String,
}

/// The report of one vector file: what it lacks of the schema, and how each variant ended.
#[derive(Debug, Clone)]
pub struct VectorReport {
    /// What the vector lacks that the schema requires (a standard driver would reject it or
    /// have to guess); ifvm runs it anyway.
    pub warnings: Vec<SchemaWarning>,
    /// One report per variant.
    pub variants: Vec<VariantReport>,
}

/// The report of one variant.
#[derive(Debug, Clone)]
pub struct VariantReport {
    /// The variant's name.
    pub id: String,
    /// How it ended.
    pub outcome: Outcome,
}

/// A vector cannot be run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The vector cannot be read.
    #[error(transparent)]
    Vector(#[from] VectorError),
    /// The vector is not a message vector.
    #[error("unsupported vector class {0:?}")]
    Class(String),
}

/// How a runner runs vectors. The default is a conformance run as ref-fvm's runner does it.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunnerOptions {
    /// When wasmi translates actor code to its bytecode.
    pub compilation: ifvm_interp::Compilation,
    /// Refuse randomness a vector does not record, instead of returning ref-fvm's runner's
    /// fallback: a vector that passes this way records every randomness its messages draw.
    pub strict_randomness: bool,
    /// Run with the network version's default circulating supply instead of the vector's, as a
    /// driver that ignores the field does (not a conformance run: to find the vectors whose
    /// results depend on the field).
    pub ignore_circ_supply: bool,
}

/// Runs vectors with shared bundles and shared engines (one per engine configuration: ref-fvm
/// 2's network versions meter Wasm differently from later ones).
pub struct Runner {
    bundles: BundleSet,
    engines: EnginePool,
    options: RunnerOptions,
}

impl Runner {
    /// A runner taking bundles from `bundles`, running as ref-fvm's conformance runner does.
    pub fn new(bundles: BundleSet) -> Self {
        Self::with_options(bundles, RunnerOptions::default())
    }

    /// A runner with `options`.
    pub fn with_options(bundles: BundleSet, options: RunnerOptions) -> Self {
        Self {
            bundles,
            engines: EnginePool::new(NonZeroUsize::MIN),
            options,
        }
    }

    /// The engine (and its module cache) the runs of `network` share.
    fn engine(&self, network: &NetworkConfig) -> Engine {
        let mut config = network.engine_config();
        config.compilation = self.options.compilation;
        self.engines.engine(&config)
    }

    /// Runs every variant of the vector in `path`, and says what it lacks of the schema.
    pub fn run_file(&self, path: &Path, trace: bool) -> Result<VectorReport, RunError> {
        let vector = MessageVector::load(path)?;
        Ok(VectorReport {
            variants: self.run(&vector, trace)?,
            warnings: vector.schema_warnings(),
        })
    }

    /// Runs every variant of `vector`. With `trace`, a failing variant is run again with gas
    /// tracing to report the trace of its first differing message.
    pub fn run(&self, vector: &MessageVector, trace: bool) -> Result<Vec<VariantReport>, RunError> {
        if vector.class != "message" {
            return Err(RunError::Class(vector.class.clone()));
        }
        Ok(vector
            .preconditions
            .variants
            .iter()
            .map(|variant| {
                let mut outcome = self.run_variant(vector, variant, false);
                if let (true, Outcome::Failed(m)) = (trace, &outcome) {
                    if m.error.is_none() {
                        outcome = self.run_variant(vector, variant, true);
                    }
                }
                VariantReport {
                    id: variant.id.clone(),
                    outcome,
                }
            })
            .collect())
    }

    /// Decodes `variant` of `vector` with this runner's bundles (and, if the runner ignores
    /// the circulating supply, the network's default in its place; if it is strict about
    /// randomness, refusing what the vector does not record).
    pub fn prepare(
        &self,
        vector: &MessageVector,
        variant: &Variant,
    ) -> Result<PreparedVariant, String> {
        let mut prepared =
            PreparedVariant::new(&self.bundles, vector, variant).map_err(|e| e.to_string())?;
        if self.options.ignore_circ_supply {
            let p = &prepared.params;
            prepared.params.circ_supply = MachineParams::new(p.nv, p.epoch, p.state_root)
                .map_err(|e| e.to_string())?
                .circ_supply;
        }
        if self.options.strict_randomness {
            prepared.unrecorded = Unrecorded::Refuse;
        }
        Ok(prepared)
    }

    fn run_variant(&self, vector: &MessageVector, variant: &Variant, tracing: bool) -> Outcome {
        let network = match NetworkConfig::new(NetworkVersion::from(variant.nv)) {
            Ok(network) => network,
            Err(e) => return Outcome::Skipped(format!("{e} (ifvm runs nv17 to nv29)")),
        };
        let prepared = match self.prepare(vector, variant) {
            Ok(p) => p,
            Err(e) => return failed(e),
        };
        let mut exec = match prepared.ifvm_executor(&self.engine(&network), tracing) {
            Ok(e) => e,
            Err(e) => return failed(e.to_string()),
        };
        let mut mismatch = Mismatch::default();
        for (i, ((msg, raw_length), expected)) in prepared
            .messages
            .into_iter()
            .zip(&vector.postconditions.receipts)
            .enumerate()
        {
            if let Some(reason) = needs_real_proofs(&exec, &msg, expected.exit_code) {
                return Outcome::Skipped(reason);
            }
            let ret = match exec.execute_message(msg, ApplyKind::Explicit, raw_length) {
                Ok(ret) => ret,
                Err(e) => return failed(format!("message {i}: {e}")),
            };
            let r = &ret.msg_receipt;
            let before = mismatch.receipts.len();
            let mut diff = |field, expected: String, actual: String| {
                if expected != actual {
                    mismatch.receipts.push(ReceiptDiff {
                        message: i,
                        field,
                        expected,
                        actual,
                    });
                }
            };
            diff(
                "exit_code",
                expected.exit_code.to_string(),
                r.exit_code.value().to_string(),
            );
            diff(
                "return",
                hex(&expected.return_data),
                hex(r.return_data.bytes()),
            );
            diff(
                "gas_used",
                expected.gas_used.to_string(),
                r.gas_used.to_string(),
            );
            if let Some(events_root) = expected.events_root {
                let show =
                    |root: Option<Cid>| root.map_or_else(|| "none".into(), |c| c.to_string());
                diff("events_root", show(events_root), show(r.events_root));
            }
            if mismatch.receipts.len() > before {
                if let Some(f) = &ret.failure_info {
                    mismatch
                        .error
                        .get_or_insert_with(|| format!("message {i}: {f}"));
                }
                if mismatch.exec_trace.is_empty() {
                    mismatch.exec_trace = ret.exec_trace;
                }
            }
        }
        let root = match exec.flush() {
            Ok(root) => root,
            Err(e) => return failed(format!("flush: {e}")),
        };
        let expected_root = vector.postconditions.state_tree.root_cid;
        if root != expected_root {
            mismatch.state_root = Some((expected_root, root));
            mismatch.actors =
                diff_states(exec.machine().blockstore(), vector, &expected_root, &root);
        }
        if mismatch.receipts.is_empty() && mismatch.state_root.is_none() {
            Outcome::Passed
        } else {
            // A differing receipt explains itself; the error is only context.
            Outcome::Failed(Box::new(mismatch))
        }
    }
}

fn failed(error: String) -> Outcome {
    Outcome::Failed(Box::new(Mismatch {
        error: Some(error),
        ..Default::default()
    }))
}

/// A message whose expected outcome can only be reproduced with real proof verification:
/// `DisputeWindowedPoSt` on a miner succeeds only when the disputed proof is invalid, and runs
/// here treat every proof as valid.
fn needs_real_proofs(
    exec: &Executor<RunStore, ReplayExterns>,
    msg: &Message,
    expected_exit_code: u32,
) -> Option<String> {
    if msg.method_num != DISPUTE_WINDOWED_POST || expected_exit_code != 0 {
        return None;
    }
    let machine = exec.machine();
    let id = machine.state_tree().lookup_id(&msg.to).ok()??;
    let code = machine.state_tree().get_actor(id).ok()??.code;
    (machine.manifest().code_by_name("storageminer") == Some(&code)).then(|| {
        "outcome depends on real proof verification (a successful DisputeWindowedPoSt needs an \
         invalid PoSt; proofs are treated as valid)"
            .to_string()
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

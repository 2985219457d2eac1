//! Running vectors: for each variant, the messages (`message` class) or the tipsets (`tipset`
//! class, applied as a node does: see [`crate::tipset`]) on ifvm, and every receipt, every
//! tipset's receipts root and the final state root compared.

use std::num::NonZeroUsize;
use std::path::Path;

use cid::Cid;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_interp::Engine;
use ifvm_kernel::{ApplyKind, EnginePool, ExecutionTrace, Executor, NetworkConfig};

use crate::bundles::BundleSet;
use crate::chain::IfvmChain;
use crate::explain::{diff_states, ActorDiff};
use crate::externs::{ReplayExterns, Unrecorded};
use crate::machine::MachineParams;
use crate::prepared::PreparedVariant;
use crate::schema::{ExpectedReceipt, SchemaWarning, TestVector, Variant, VectorError};
use crate::store::RunStore;
use crate::tipset::{apply_tipset, decode_tipsets};

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
    /// Tipsets whose receipts root differs: (tipset index, expected, actual).
    pub receipts_roots: Vec<(usize, Cid, Cid)>,
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
    /// The message index (for tipsets: among every applied message, implicit ones included).
    pub message: usize,
    /// `exit_code`, `return`, `gas_used`, `events_root`, or `count` (how many receipts there
    /// are, at the first index one side lacks).
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
}

/// How a runner runs vectors. The default is a conformance run as ref-fvm's runner does it.
#[derive(Clone, Debug, Default)]
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
    /// Keep prepared actor code on disk too, so a later run skips preparing it (results are
    /// unchanged: the cache holds what preparation produces, verified on load).
    pub module_cache: Option<ifvm_interp::DiskCache>,
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
        let engines = match &options.module_cache {
            Some(disk) => EnginePool::with_disk_cache(NonZeroUsize::MIN, disk.clone()),
            None => EnginePool::new(NonZeroUsize::MIN),
        };
        Self {
            bundles,
            engines,
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
        let vector = TestVector::load(path)?;
        Ok(VectorReport {
            variants: self.run(&vector, trace)?,
            warnings: vector.schema_warnings(),
        })
    }

    /// Runs every variant of `vector`. With `trace`, a failing variant is run again with gas
    /// tracing to report the trace of its first differing message.
    pub fn run(&self, vector: &TestVector, trace: bool) -> Result<Vec<VariantReport>, RunError> {
        vector.check_shape()?;
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
        vector: &TestVector,
        variant: &Variant,
    ) -> Result<PreparedVariant, String> {
        let prepared = if vector.class == "tipset" {
            PreparedVariant::tipset_start(&self.bundles, vector, variant)
        } else {
            PreparedVariant::new(&self.bundles, vector, variant)
        };
        let mut prepared = prepared.map_err(with_causes)?;
        if self.options.ignore_circ_supply {
            let p = &prepared.params;
            prepared.params.circ_supply = MachineParams::new(p.nv, p.epoch, p.state_root)
                .map_err(with_causes)?
                .circ_supply;
        }
        if self.options.strict_randomness {
            prepared.unrecorded = Unrecorded::Refuse;
        }
        Ok(prepared)
    }

    fn run_variant(&self, vector: &TestVector, variant: &Variant, tracing: bool) -> Outcome {
        let network = match NetworkConfig::new(NetworkVersion::from(variant.nv)) {
            Ok(network) => network,
            Err(e) => return Outcome::Skipped(format!("{e} (ifvm runs nv17 to nv29)")),
        };
        let prepared = match self.prepare(vector, variant) {
            Ok(p) => p,
            Err(e) => return failed(e),
        };
        if vector.class == "tipset" {
            return self.run_tipsets(vector, variant, &prepared, &network);
        }
        let mut exec = match prepared.ifvm_executor(&self.engine(&network), tracing) {
            Ok(e) => e,
            Err(e) => return failed(with_causes(e)),
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
            let before = mismatch.receipts.len();
            compare_receipt(i, expected, &ret.msg_receipt, &mut mismatch.receipts);
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

impl Runner {
    /// Applies a tipset vector's tipsets on ifvm as a node does and compares every receipt
    /// (implicit messages' included), each tipset's receipts root and the final state root.
    fn run_tipsets(
        &self,
        vector: &TestVector,
        variant: &Variant,
        prepared: &PreparedVariant,
        network: &NetworkConfig,
    ) -> Outcome {
        let tipsets = match decode_tipsets(&vector.apply_tipsets, variant.epoch) {
            Ok(t) => t,
            Err(e) => return failed(e.to_string()),
        };
        let mut chain = IfvmChain::new(prepared, &self.engine(network));
        let mut mismatch = Mismatch::default();
        let expected = &vector.postconditions.receipts;
        let (mut root, mut parent, mut index) = (prepared.params.state_root, variant.epoch, 0);
        for (t, tipset) in tipsets.iter().enumerate() {
            let outcome = match apply_tipset(&mut chain, root, parent, tipset) {
                Ok(o) => o,
                Err(e) => return failed(format!("tipset {t}: {e}")),
            };
            for m in &outcome.messages {
                match expected.get(index) {
                    Some(e) => {
                        compare_receipt(index, e, &m.applied.receipt, &mut mismatch.receipts)
                    }
                    None => count_mismatch(index, expected.len(), &mut mismatch.receipts),
                }
                index += 1;
            }
            let expected_root = vector.postconditions.receipts_roots[t];
            if outcome.receipts_root != expected_root {
                mismatch
                    .receipts_roots
                    .push((t, expected_root, outcome.receipts_root));
            }
            (root, parent) = (outcome.state_root, tipset.epoch);
        }
        if index < expected.len() {
            count_mismatch(index, expected.len(), &mut mismatch.receipts);
        }
        let expected_root = vector.postconditions.state_tree.root_cid;
        if root != expected_root {
            mismatch.state_root = Some((expected_root, root));
            mismatch.actors = diff_states(chain.store(), vector, &expected_root, &root);
        }
        if mismatch.receipts.is_empty()
            && mismatch.receipts_roots.is_empty()
            && mismatch.state_root.is_none()
        {
            Outcome::Passed
        } else {
            Outcome::Failed(Box::new(mismatch))
        }
    }
}

/// Records how `actual` differs from `expected`, the receipt of message `index`, in `diffs`
/// (the events root only where the vector records it).
fn compare_receipt(
    index: usize,
    expected: &ExpectedReceipt,
    actual: &fvm_shared::receipt::Receipt,
    diffs: &mut Vec<ReceiptDiff>,
) {
    let mut diff = |field, expected: String, actual: String| {
        if expected != actual {
            diffs.push(ReceiptDiff {
                message: index,
                field,
                expected,
                actual,
            });
        }
    };
    diff(
        "exit_code",
        expected.exit_code.to_string(),
        actual.exit_code.value().to_string(),
    );
    diff(
        "return",
        hex(&expected.return_data),
        hex(actual.return_data.bytes()),
    );
    diff(
        "gas_used",
        expected.gas_used.to_string(),
        actual.gas_used.to_string(),
    );
    if let Some(events_root) = expected.events_root {
        let show = |root: Option<Cid>| root.map_or_else(|| "none".into(), |c| c.to_string());
        diff("events_root", show(events_root), show(actual.events_root));
    }
}

/// Records that the run applied a different number of messages than the vector has receipts,
/// at `index`, the first receipt one side lacks (once).
fn count_mismatch(index: usize, expected: usize, diffs: &mut Vec<ReceiptDiff>) {
    if diffs.iter().all(|d| d.field != "count") {
        diffs.push(ReceiptDiff {
            message: index,
            field: "count",
            expected: expected.to_string(),
            actual: if index < expected {
                index.to_string()
            } else {
                format!("at least {}", index + 1)
            },
        });
    }
}

/// `error` and its causes, outermost first (`a: b: c`).
fn with_causes(error: impl std::error::Error + Send + Sync + 'static) -> String {
    format!("{:#}", anyhow::Error::new(error))
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

//! Running vectors: one machine per variant, every receipt and the final state root compared.

use std::path::Path;
use std::sync::Arc;

use cid::Cid;
use fvm_ipld_encoding::from_slice;
use fvm_shared::address::Protocol;
use fvm_shared::crypto::signature::SECP_SIG_LEN;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_gas::GasCharge;
use ifvm_interp::Engine;
use ifvm_kernel::{AcceptAllProofs, ApplyKind, Executor, Machine, NetworkConfig, TOTAL_FILECOIN};

use crate::bundles::BundleSet;
use crate::explain::{diff_states, ActorDiff};
use crate::externs::ReplayExterns;
use crate::schema::{MessageVector, Variant, VectorError};
use crate::store::RunStore;

/// ref-fvm's conformance runner's base fee when a vector gives none.
const DEFAULT_BASE_FEE: u128 = 100;

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
    /// The gas trace of the first message whose receipt differs (when traced).
    pub gas_trace: Vec<GasCharge>,
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

/// Runs vectors with shared bundles and a shared engine.
pub struct Runner {
    bundles: BundleSet,
    engine: Engine,
}

impl Runner {
    /// A runner taking bundles from `bundles`.
    pub fn new(bundles: BundleSet) -> Self {
        Self::with_compilation(bundles, ifvm_interp::Compilation::default())
    }

    /// A runner whose engine translates Wasm as `compilation` says.
    pub fn with_compilation(bundles: BundleSet, compilation: ifvm_interp::Compilation) -> Self {
        let nc = NetworkConfig::new(NetworkVersion::V18).expect("nv18 is supported");
        let mut config = nc.engine_config();
        config.compilation = compilation;
        Self {
            bundles,
            engine: Engine::new(config),
        }
    }

    /// The engine (and its module cache) runs share.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs every variant of the vector in `path`.
    pub fn run_file(&self, path: &Path, trace: bool) -> Result<Vec<VariantReport>, RunError> {
        let vector = MessageVector::load(path)?;
        self.run(&vector, trace)
    }

    /// Runs every variant of `vector`. With `trace`, a failing variant is run again with gas
    /// tracing to report the trace of its first differing message.
    pub fn run(&self, vector: &MessageVector, trace: bool) -> Result<Vec<VariantReport>, RunError> {
        if vector.class != "message" {
            return Err(RunError::Class(vector.class.clone()));
        }
        let car = vector.car_bytes()?;
        Ok(vector
            .preconditions
            .variants
            .iter()
            .map(|variant| {
                let mut outcome = self.run_variant(vector, &car, variant, false);
                if let (true, Outcome::Failed(m)) = (trace, &outcome) {
                    if m.error.is_none() {
                        outcome = self.run_variant(vector, &car, variant, true);
                    }
                }
                VariantReport {
                    id: variant.id.clone(),
                    outcome,
                }
            })
            .collect())
    }

    /// Applies the vector's messages under `variant`, with gas tracing if `tracing`; returns
    /// each message's gas trace.
    pub fn trace(
        &self,
        vector: &MessageVector,
        variant: &Variant,
    ) -> Result<Vec<Vec<GasCharge>>, String> {
        let car = vector.car_bytes().map_err(|e| e.to_string())?;
        let mut exec = self.executor(vector, &car, variant, true)?;
        let mut traces = Vec::new();
        for m in &vector.apply_messages {
            let (msg, raw_length) = decode_message(&m.bytes)?;
            let ret = exec
                .execute_message(msg, ApplyKind::Explicit, raw_length)
                .map_err(|e| e.to_string())?;
            traces.push(ret.gas_trace);
        }
        Ok(traces)
    }

    fn executor(
        &self,
        vector: &MessageVector,
        car: &[u8],
        variant: &Variant,
        tracing: bool,
    ) -> Result<Executor<RunStore, ReplayExterns>, String> {
        let nv = NetworkVersion::from(variant.nv);
        let nc = NetworkConfig::new(nv).map_err(|e| e.to_string())?;
        let bundle = self
            .bundles
            .for_network(variant.nv)
            .map_err(|e| e.to_string())?;
        let store = RunStore::new(vec![bundle]);
        fvm_ipld_car::load_car_unchecked(&store, car)
            .map_err(|e| format!("invalid vector CAR: {e}"))?;
        let pre = &vector.preconditions;
        let mut mc = nc.for_epoch(
            variant.epoch,
            (variant.epoch * 30) as u64,
            pre.state_tree.root_cid,
        );
        mc.base_fee = TokenAmount::from_atto(pre.basefee.unwrap_or(DEFAULT_BASE_FEE));
        mc.circ_supply = pre
            .circ_supply
            .map(TokenAmount::from_atto)
            .unwrap_or_else(|| TokenAmount::from_whole(TOTAL_FILECOIN));
        mc.tracing = tracing;
        let externs = ReplayExterns::new(vector.randomness.clone());
        let machine = Machine::new(
            mc,
            store,
            externs,
            self.engine.clone(),
            Arc::new(AcceptAllProofs),
        )
        .map_err(|e| e.to_string())?;
        Ok(Executor::new(machine))
    }

    fn run_variant(
        &self,
        vector: &MessageVector,
        car: &[u8],
        variant: &Variant,
        tracing: bool,
    ) -> Outcome {
        if let Err(e) = NetworkConfig::new(NetworkVersion::from(variant.nv)) {
            return Outcome::Skipped(format!("{e} (ifvm runs nv18 to nv20)"));
        }
        let mut exec = match self.executor(vector, car, variant, tracing) {
            Ok(e) => e,
            Err(e) => return failed(e),
        };
        let mut mismatch = Mismatch::default();
        for (i, (m, expected)) in vector
            .apply_messages
            .iter()
            .zip(&vector.postconditions.receipts)
            .enumerate()
        {
            let (msg, raw_length) = match decode_message(&m.bytes) {
                Ok(v) => v,
                Err(e) => return failed(e),
            };
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
            if mismatch.receipts.len() > before {
                if let Some(f) = &ret.failure_info {
                    mismatch
                        .error
                        .get_or_insert_with(|| format!("message {i}: {f}"));
                }
                if mismatch.gas_trace.is_empty() {
                    mismatch.gas_trace = ret.gas_trace;
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

/// The message, and its length on chain: secp256k1 messages were signed, so ref-fvm's runner
/// adds the signature (65 bytes), its type byte and 3 bytes of framing.
pub fn decode_message(bytes: &[u8]) -> Result<(Message, usize), String> {
    let msg: Message = from_slice(bytes).map_err(|e| format!("invalid message: {e}"))?;
    let mut raw_length = bytes.len();
    if msg.from.protocol() == Protocol::Secp256k1 {
        raw_length += SECP_SIG_LEN + 4;
    }
    Ok((msg, raw_length))
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

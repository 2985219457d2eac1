//! Scenarios: a state and messages, run on ifvm with deterministic externs. The differential
//! harness runs the same scenarios on ref-fvm and compares every result.

use cid::Cid;
use fvm_ipld_encoding::to_vec;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_interp::Engine;
use ifvm_kernel::{ApplyKind, ExecutionEvent, ExecutionTrace, Executor, Ext, Externs, Store};
use multihash_codetable::{Code, MultihashDigest};

use crate::genesis::GenesisState;
use crate::machine::{timestamp, MachineParams};
use crate::message::decode_message;
use crate::store::RunStore;

/// A state and the messages to apply to it.
#[derive(Clone)]
pub struct Setup {
    /// The state.
    pub state: GenesisState,
    /// The network version.
    pub nv: u32,
    /// The epoch.
    pub epoch: ChainEpoch,
    /// The base fee.
    pub base_fee: TokenAmount,
    /// The circulating supply.
    pub circ_supply: TokenAmount,
    /// The chain ID.
    pub chain_id: u64,
    /// The messages, in order.
    pub messages: Vec<Message>,
}

/// The epoch the project's WAT scenarios and workloads run at (one of Hygge's, on mainnet).
pub const SCENARIO_EPOCH: ChainEpoch = 2_700_000;

impl Setup {
    /// `messages` on `state` at network version `nv`, with the machine of the project's WAT
    /// scenarios and workloads: epoch [`SCENARIO_EPOCH`], base fee 100 attoFIL, 400M FIL
    /// circulating, chain ID 314 (mainnet's).
    pub fn new(state: GenesisState, nv: u32, messages: Vec<Message>) -> Self {
        Self {
            state,
            nv,
            epoch: SCENARIO_EPOCH,
            base_fee: TokenAmount::from_atto(100),
            circ_supply: TokenAmount::from_whole(400_000_000),
            chain_id: 314,
            messages,
        }
    }

    /// The machine the messages run on.
    pub fn params(&self) -> MachineParams {
        MachineParams {
            nv: self.nv,
            chain_id: self.chain_id,
            epoch: self.epoch,
            timestamp: timestamp(self.epoch),
            state_root: self.state.root,
            base_fee: self.base_fee.clone(),
            circ_supply: self.circ_supply.clone(),
        }
    }

    /// Each message with its on-chain length.
    pub fn decoded_messages(&self) -> Vec<(Message, usize)> {
        self.messages
            .iter()
            .map(|m| {
                let bytes = to_vec(m).expect("messages serialize");
                decode_message(&bytes).expect("messages round-trip")
            })
            .collect()
    }
}

/// What applying one message produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageResult {
    /// Exit code.
    pub exit_code: u32,
    /// Return bytes.
    pub return_data: Vec<u8>,
    /// Gas used.
    pub gas_used: u64,
    /// Events AMT root.
    pub events_root: Option<Cid>,
    /// Each event's emitter and CBOR encoding.
    pub events: Vec<(u64, Vec<u8>)>,
    /// The state root after the message.
    pub state_root: Cid,
    /// Where the gas fee went.
    pub payouts: GasPayouts,
    /// The execution trace, without times (complete when the run traced; see
    /// `ifvm_kernel::trace`).
    pub trace: ExecutionTrace,
}

/// The [`GasPayouts`] of an `ApplyRet`: ifvm's, ref-fvm 3's or ref-fvm 4's (different types,
/// the same fields).
#[macro_export]
macro_rules! gas_payouts {
    ($ret:expr) => {
        $crate::GasPayouts {
            penalty: $ret.penalty.atto().to_string(),
            miner_tip: $ret.miner_tip.atto().to_string(),
            base_fee_burn: $ret.base_fee_burn.atto().to_string(),
            over_estimation_burn: $ret.over_estimation_burn.atto().to_string(),
            refund: $ret.refund.atto().to_string(),
            gas_refund: $ret.gas_refund,
            gas_burned: $ret.gas_burned,
        }
    };
}

/// Where a message's gas fee went: the outputs of ref-fvm's `ApplyRet` besides the receipt
/// (amounts in attoFIL, in decimal, so ref-fvm 3's and 4's token types compare alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasPayouts {
    /// What the block's miner is penalized.
    pub penalty: String,
    /// What the block's miner earns.
    pub miner_tip: String,
    /// Burnt at the base fee.
    pub base_fee_burn: String,
    /// Burnt for over-estimating the gas limit.
    pub over_estimation_burn: String,
    /// Refunded to the sender.
    pub refund: String,
    /// Gas refunded.
    pub gas_refund: u64,
    /// Gas burnt.
    pub gas_burned: u64,
}

/// Randomness and tipset CIDs as pure functions of the epoch, the same on every engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeterministicExterns;

impl DeterministicExterns {
    /// The randomness digest of `kind` at `epoch`.
    pub fn randomness(kind: &str, epoch: ChainEpoch) -> [u8; 32] {
        let mut input = kind.as_bytes().to_vec();
        input.extend_from_slice(&epoch.to_be_bytes());
        Code::Blake2b256
            .digest(&input)
            .digest()
            .try_into()
            .expect("32-byte digest")
    }

    /// The tipset CID at `epoch`.
    pub fn tipset_cid(epoch: ChainEpoch) -> Cid {
        Cid::new_v1(
            fvm_ipld_encoding::DAG_CBOR,
            Code::Blake2b256.digest(&epoch.to_be_bytes()),
        )
    }
}

impl Externs for DeterministicExterns {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(Self::randomness("chain", round))
    }
    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(Self::randomness("beacon", round))
    }
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<ConsensusFault>, i64)> {
        Ok((None, 0))
    }
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        Ok(Self::tipset_cid(epoch))
    }
}

impl Setup {
    /// An ifvm executor at the setup's state, on `engine` (whose module cache it shares); with
    /// `tracing`, receipts carry whole execution traces.
    pub fn ifvm_executor(
        &self,
        engine: &Engine,
        tracing: bool,
    ) -> Result<Executor<RunStore, DeterministicExterns>, String> {
        self.params()
            .executor(engine, self.state.store(), DeterministicExterns, tracing)
            .map_err(|e| e.to_string())
    }
}

/// Runs `setup` on ifvm with tracing on, flushing after every message.
pub fn run_ifvm(setup: &Setup, engine: &Engine) -> Result<Vec<MessageResult>, String> {
    apply_each(
        &mut setup.ifvm_executor(engine, true)?,
        setup.decoded_messages(),
    )
}

/// Applies `messages` (each with its on-chain length) as explicit messages on `exec`, flushing
/// after every one; an executor error stops the run.
pub fn apply_each<B: Store, E: Ext>(
    exec: &mut Executor<B, E>,
    messages: impl IntoIterator<Item = (Message, usize)>,
) -> Result<Vec<MessageResult>, String> {
    messages
        .into_iter()
        .map(|(msg, raw_length)| {
            let ret = exec
                .execute_message(msg, ApplyKind::Explicit, raw_length)
                .map_err(|e| e.to_string())?;
            let state_root = exec.flush().map_err(|e| e.to_string())?;
            Ok(result_of(&ret, state_root))
        })
        .collect()
}

/// What ifvm's `ret` and the state root after it say about a message.
pub fn result_of(ret: &ifvm_kernel::ApplyRet, state_root: Cid) -> MessageResult {
    MessageResult {
        exit_code: ret.msg_receipt.exit_code.value(),
        return_data: ret.msg_receipt.return_data.to_vec(),
        gas_used: ret.msg_receipt.gas_used,
        events_root: ret.msg_receipt.events_root,
        events: ret
            .events
            .iter()
            .map(|e| (e.emitter, to_vec(&e.event).expect("events serialize")))
            .collect(),
        state_root,
        payouts: crate::gas_payouts!(ret),
        trace: ret
            .exec_trace
            .iter()
            .cloned()
            .map(ExecutionEvent::without_elapsed)
            .collect(),
    }
}

/// The first event at which two traces differ, described with both events and the calls
/// around it, or `None` if they are identical.
pub fn trace_difference(a: &[ExecutionEvent], b: &[ExecutionEvent]) -> Option<String> {
    let at = a.iter().zip(b).position(|(x, y)| x != y);
    let at = match at {
        Some(at) => at,
        None if a.len() == b.len() => return None,
        None => a.len().min(b.len()),
    };
    let calls = a[..at]
        .iter()
        .filter(|e| matches!(e, ExecutionEvent::Call { .. }))
        .count();
    Some(format!(
        "trace event {at} (of {} vs {}; after {calls} calls): {:?} vs {:?}",
        a.len(),
        b.len(),
        a.get(at),
        b.get(at)
    ))
}

/// The first difference between two engines' results for the same messages: the message's
/// index and which fields differ, or `None` if they are identical.
pub fn first_difference(a: &[MessageResult], b: &[MessageResult]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} results against {}", a.len(), b.len()));
    }
    a.iter().zip(b).enumerate().find_map(|(i, (x, y))| {
        let mut fields = Vec::new();
        if x.exit_code != y.exit_code {
            fields.push(format!("exit code {} vs {}", x.exit_code, y.exit_code));
        }
        if x.return_data != y.return_data {
            fields.push("return bytes".to_string());
        }
        if x.gas_used != y.gas_used {
            fields.push(format!("gas used {} vs {}", x.gas_used, y.gas_used));
        }
        if x.events_root != y.events_root || x.events != y.events {
            fields.push(format!("events ({} vs {})", x.events.len(), y.events.len()));
        }
        if x.state_root != y.state_root {
            fields.push("state root".to_string());
        }
        if x.payouts != y.payouts {
            fields.push(format!("gas payouts {:?} vs {:?}", x.payouts, y.payouts));
        }
        if let Some(d) = trace_difference(&x.trace, &y.trace) {
            fields.push(d);
        }
        (!fields.is_empty()).then(|| format!("message {i}: {}", fields.join(", ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(s: &str) -> ExecutionEvent {
        ExecutionEvent::Log(s.into())
    }

    #[test]
    fn trace_difference_names_the_first_differing_event() {
        let a = [log("same"), log("ours")];
        assert_eq!(trace_difference(&a, &a), None);
        let d = trace_difference(&a, &[log("same"), log("theirs")]).expect("differs");
        assert!(d.starts_with("trace event 1 (of 2 vs 2"), "{d}");
        assert!(d.contains("ours") && d.contains("theirs"), "{d}");
        let d = trace_difference(&a, &a[..1]).expect("a shorter trace differs");
        assert!(d.starts_with("trace event 1 (of 2 vs 1"), "{d}");
    }
}

//! ref-fvm as the reference: runs scenarios and vector variants on ref-fvm 3.14 (nv18–nv20) and
//! ref-fvm 4.8 (nv21–nv29) through its public API, with the same externs as ifvm, so results can be compared field by
//! field and timed side by side. Used only by tests and benchmarks; no runtime crate depends on
//! it.

pub mod accept_proofs;
pub mod differential;
pub mod externs;
pub mod v3;
pub mod v4;

use std::sync::OnceLock;

use cid::Cid;
use fvm3::engine::MultiEngine;
use fvm3::executor::Executor as _;
use fvm4::executor::Executor as _;
use fvm_ipld_encoding::to_vec;
use fvm_shared::econ::TokenAmount;
use ifvm_vectors::prepared::PreparedVariant;
use ifvm_vectors::scenario::{MessageResult, Setup};

/// A [`MessageResult`] from a ref-fvm 3 or 4 `ApplyRet` (different types, the same fields).
macro_rules! result_of {
    ($ret:expr, $state_root:expr) => {
        MessageResult {
            exit_code: $ret.msg_receipt.exit_code.value(),
            return_data: $ret.msg_receipt.return_data.to_vec(),
            gas_used: $ret.msg_receipt.gas_used,
            events_root: $ret.msg_receipt.events_root,
            events: $ret
                .events
                .iter()
                .map(|e| (e.emitter, to_vec(&e.event).expect("events serialize")))
                .collect(),
            state_root: $state_root,
        }
    };
}

/// ref-fvm's engines, shared by every run so actors are compiled once.
pub fn shared_engines() -> &'static MultiEngine {
    static ENGINES: OnceLock<MultiEngine> = OnceLock::new();
    ENGINES.get_or_init(|| MultiEngine::new(1))
}

/// ref-fvm 4's engines, shared by every run so actors are compiled once.
pub fn shared_engines_v4() -> &'static fvm4::engine::MultiEngine {
    static ENGINES: OnceLock<fvm4::engine::MultiEngine> = OnceLock::new();
    ENGINES.get_or_init(|| fvm4::engine::MultiEngine::new(1))
}

/// What determines a machine, besides its store and externs.
pub(crate) struct MachineParams {
    pub(crate) nv: u32,
    /// `None`: ref-fvm's default, as its conformance runner uses.
    pub(crate) chain_id: Option<u64>,
    pub(crate) epoch: i64,
    pub(crate) timestamp: u64,
    pub(crate) root: Cid,
    pub(crate) base_fee: TokenAmount,
    pub(crate) circ_supply: TokenAmount,
}

impl MachineParams {
    fn of_setup(setup: &Setup) -> Self {
        Self {
            nv: setup.nv,
            chain_id: Some(setup.chain_id),
            epoch: setup.epoch,
            timestamp: (setup.epoch * 30) as u64,
            root: setup.state.root,
            base_fee: setup.base_fee.clone(),
            circ_supply: setup.circ_supply.clone(),
        }
    }

    fn of_variant(variant: &PreparedVariant) -> Self {
        Self {
            nv: variant.nv,
            chain_id: None,
            epoch: variant.epoch,
            timestamp: variant.timestamp,
            root: variant.state_root,
            base_fee: variant.base_fee.clone(),
            circ_supply: variant.circ_supply.clone(),
        }
    }
}

/// Applies each of `messages` with `apply` on `exec`, flushing after every one.
macro_rules! apply_each {
    ($exec:expr, $messages:expr, $apply:path) => {{
        let mut out = Vec::new();
        for (msg, raw_length) in $messages {
            let ret = $apply(&mut $exec, &msg, raw_length)?;
            let state_root = $exec.flush()?;
            out.push(result_of!(ret, state_root));
        }
        Ok(out)
    }};
}

/// Applies `variant`'s messages on ref-fvm (3.14 for nv18–nv20, 4.8 for nv21–nv29), flushing
/// after every message.
pub fn run_variant(variant: &PreparedVariant) -> anyhow::Result<Vec<MessageResult>> {
    let messages = variant.messages.iter().cloned();
    if variant.nv <= 20 {
        let mut exec = v3::variant_executor(variant, shared_engines())?;
        apply_each!(exec, messages, v3::apply)
    } else {
        let mut exec = v4::variant_executor(variant, shared_engines_v4())?;
        apply_each!(exec, messages, v4::apply)
    }
}

/// Runs `setup` on ref-fvm (3.14 for nv18–nv20, 4.8 for nv21–nv29), flushing after every
/// message.
pub fn run_ref_fvm(setup: &Setup) -> anyhow::Result<Vec<MessageResult>> {
    let messages = setup.decoded_messages();
    if setup.nv <= 20 {
        let mut exec = v3::setup_executor(setup, shared_engines())?;
        apply_each!(exec, messages, v3::apply)
    } else {
        let mut exec = v4::setup_executor(setup, shared_engines_v4())?;
        apply_each!(exec, messages, v4::apply)
    }
}

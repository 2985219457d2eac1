//! ref-fvm as the reference: runs scenarios and vector variants on ref-fvm 3.14 (nv18–nv20)
//! through its public API, with the same externs as ifvm, so results can be compared field by
//! field and timed side by side. Used only by tests and benchmarks; no runtime crate depends on
//! it.

pub mod accept_proofs;
pub mod externs;
pub mod v3;

use std::sync::OnceLock;

use fvm3::engine::MultiEngine;
use fvm3::executor::Executor;
use fvm_ipld_encoding::to_vec;
use ifvm_vectors::scenario::{MessageResult, Setup};

/// ref-fvm's engines, shared by every run so actors are compiled once.
pub fn shared_engines() -> &'static MultiEngine {
    static ENGINES: OnceLock<MultiEngine> = OnceLock::new();
    ENGINES.get_or_init(|| MultiEngine::new(1))
}

/// Runs `setup` on ref-fvm, flushing after every message.
pub fn run_ref_fvm(setup: &Setup) -> anyhow::Result<Vec<MessageResult>> {
    let mut exec = v3::setup_executor(setup, shared_engines())?;
    let mut out = Vec::new();
    for (msg, raw_length) in setup.decoded_messages() {
        let ret = v3::apply(&mut exec, &msg, raw_length)?;
        let state_root = exec.flush()?;
        out.push(MessageResult {
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
        });
    }
    Ok(out)
}

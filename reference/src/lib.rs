//! ref-fvm as the reference: runs scenarios and vector variants on ref-fvm 2.12 (nv17), 3.14
//! (nv18–nv20) and 4.8 (nv21–nv29) through its public API, and the simulated chain's tipsets on
//! 4.8 ([`simulation`]), with the same machine parameters ([`ifvm_vectors::MachineParams`]) and
//! externs as ifvm, so results can be compared field by field and timed side by side. Used only by tests and benchmarks; no runtime crate depends on
//! it.

pub mod accept_proofs;
pub mod differential;
pub mod externs;
pub mod mutation;
pub mod outcome;
pub mod simulation;
pub mod syscall_fuzz;
pub mod trace;
pub mod v2;
pub mod v3;
pub mod v4;

use std::sync::OnceLock;

use fvm3::engine::MultiEngine;
use fvm3::executor::Executor as _;
use fvm4::executor::Executor as _;
use fvm_ipld_encoding::to_vec;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::Abi;
use ifvm_vectors::{MessageResult, PreparedVariant, Setup};

/// A [`MessageResult`] from a ref-fvm 3 or 4 `ApplyRet` (different types, the same fields),
/// its trace converted by `$trace` ([`trace::from_v3`] or [`trace::from_v4`]).
macro_rules! result_of {
    ($ret:expr, $state_root:expr, $trace:path) => {
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
            payouts: ifvm_vectors::gas_payouts!($ret),
            trace: $trace(&$ret.exec_trace),
        }
    };
}

/// The version of the ref-fvm that is `abi`'s reference (`fvm2`, `fvm3` or `fvm4` in the
/// workspace's `Cargo.toml`), which generated vectors name as the source of their expected
/// values.
pub fn ref_fvm_version(abi: Abi) -> &'static str {
    match abi {
        Abi::V2 => "2.12.2",
        Abi::V3 => "3.14.2",
        Abi::V4 => "4.8.4",
    }
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

/// Applies each of `messages` with `apply` on `exec`, flushing after every one; traces are
/// converted by `$trace`.
macro_rules! apply_each {
    ($exec:expr, $messages:expr, $apply:path, $trace:path) => {{
        let mut out = Vec::new();
        for (msg, raw_length) in $messages {
            let ret = $apply(&mut $exec, &msg, raw_length)?;
            let state_root = $exec.flush()?;
            out.push(result_of!(ret, state_root, $trace));
        }
        Ok(out)
    }};
}

/// The ABI ifvm runs `nv` with, which says which ref-fvm is its reference (3.14 for
/// [`Abi::V3`], 4.8 for [`Abi::V4`]).
pub fn abi_of(nv: u32) -> anyhow::Result<Abi> {
    Abi::for_network(NetworkVersion::from(nv))
        .ok_or_else(|| anyhow::anyhow!("ifvm does not run nv{nv}, so it has no reference"))
}

/// Applies `variant`'s messages on the ref-fvm of its ABI with tracing on, flushing after
/// every message.
pub fn run_variant(variant: &PreparedVariant) -> anyhow::Result<Vec<MessageResult>> {
    run_variant_with(variant, Tracing::On)
}

/// Applies `variant`'s messages on the ref-fvm of its ABI with tracing off and says whether
/// every receipt (exit code, return bytes, gas used) and the final state root are those the
/// vector expects.
pub fn variant_matches(variant: &PreparedVariant) -> anyhow::Result<bool> {
    let results = run_variant_with(variant, Tracing::Off)?;
    let receipts = results
        .iter()
        .map(|r| (r.exit_code, r.return_data.as_slice(), r.gas_used));
    let expected = variant
        .expected
        .iter()
        .map(|(code, ret, gas)| (*code, ret.as_slice(), *gas));
    Ok(
        receipts.eq(expected)
            && results.last().map(|r| r.state_root) == Some(variant.expected_root),
    )
}

/// Applies `variant`'s messages on the ref-fvm of its ABI, flushing after every message.
fn run_variant_with(
    variant: &PreparedVariant,
    tracing: Tracing,
) -> anyhow::Result<Vec<MessageResult>> {
    let messages = variant.messages.iter().cloned();
    match abi_of(variant.params.nv)? {
        Abi::V2 => {
            let mut exec = v2::variant_executor(variant, tracing)?;
            v2::apply_each(&mut exec, messages)
        }
        Abi::V3 => {
            let mut exec = v3::variant_executor(variant, shared_engines(), tracing)?;
            apply_each!(exec, messages, v3::apply, trace::from_v3)
        }
        Abi::V4 => {
            let mut exec = v4::variant_executor(variant, shared_engines_v4(), tracing)?;
            apply_each!(exec, messages, v4::apply, trace::from_v4)
        }
    }
}

/// Runs `setup` on the ref-fvm of its ABI with tracing on, flushing after every message.
pub fn run_ref_fvm(setup: &Setup) -> anyhow::Result<Vec<MessageResult>> {
    let messages = setup.decoded_messages();
    match abi_of(setup.nv)? {
        Abi::V2 => {
            let mut exec = v2::setup_executor(setup, Tracing::On)?;
            v2::apply_each(&mut exec, messages)
        }
        Abi::V3 => {
            let mut exec = v3::setup_executor(setup, shared_engines(), Tracing::On)?;
            apply_each!(exec, messages, v3::apply, trace::from_v3)
        }
        Abi::V4 => {
            let mut exec = v4::setup_executor(setup, shared_engines_v4(), Tracing::On)?;
            apply_each!(exec, messages, v4::apply, trace::from_v4)
        }
    }
}

/// Whether a reference machine records execution traces (`MachineContext::tracing`). Runs
/// compared with ifvm trace; benchmarks do not, as nodes applying blocks do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracing {
    /// Record traces.
    On,
    /// Do not.
    Off,
}

#[cfg(test)]
mod tests {
    use ifvm_kernel::Abi;

    /// [`super::ref_fvm_version`] gives the versions the lock file resolves `fvm` 2, 3 and 4 to.
    #[test]
    fn ref_fvm_versions_are_the_linked_ones() {
        let lock = include_str!("../../Cargo.lock");
        for version in [Abi::V2, Abi::V3, Abi::V4].map(super::ref_fvm_version) {
            let entry = format!("name = \"fvm\"\nversion = \"{version}\"");
            assert!(lock.contains(&entry), "Cargo.lock has no {entry}");
        }
    }
}

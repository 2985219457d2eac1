//! ifvm behind ref-fvm 4.8's [`Executor`](fvm4::executor::Executor) trait, for nodes that already
//! link ref-fvm 4 (filecoin-ffi, Forest) and consume its types: [`IfvmExecutor`] applies
//! messages on ifvm and returns ref-fvm's own [`ApplyRet`] — receipt, penalty, miner tip,
//! burns, refund, gas refunded and burnt, failure info (the backtrace), events, return codec
//! and the execution trace — converted field by field ([`apply_ret`]).
//!
//! This crate depends on ref-fvm (and so on Wasmtime) only for its types; nothing of ref-fvm
//! runs. It is outside the no-JIT runtime graph of `crates/*`: embedders without ref-fvm use
//! `ifvm-kernel` directly.

use std::borrow::Cow;

use cid::Cid;
use fvm4::call_manager::backtrace;
use fvm4::executor::{ApplyFailure, ApplyKind, ApplyRet};
use fvm4::gas::{Gas, GasCharge};
use fvm4::kernel::SyscallError;
use fvm4::trace::{ExecutionEvent, ExecutionTrace, IpldOperation};
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::state::ActorState;
use ifvm_kernel::{Executor, Ext, Store};

/// An ifvm [`Executor`] that implements ref-fvm 4.8's executor trait.
pub struct IfvmExecutor<B: Store, E: Ext>(Executor<B, E>);

impl<B: Store, E: Ext> IfvmExecutor<B, E> {
    /// Wraps `executor` (build it as usual: machine, engine from an `EnginePool`, ...).
    pub fn new(executor: Executor<B, E>) -> Self {
        Self(executor)
    }

    /// The ifvm executor.
    pub fn inner(&self) -> &Executor<B, E> {
        &self.0
    }

    /// The ifvm executor, consuming the adapter.
    pub fn into_inner(self) -> Executor<B, E> {
        self.0
    }
}

/// The kernel type the trait's `Kernel` slot names: ref-fvm's default kernel over its default
/// machine. ifvm runs its own kernel; the trait requires a ref-fvm kernel type, which nothing in
/// [`IfvmExecutor`] uses.
pub type NominalKernel = fvm4::kernel::filecoin::DefaultFilecoinKernel<
    fvm4::call_manager::DefaultCallManager<
        fvm4::machine::DefaultMachine<MemoryBlockstore, NoExterns>,
    >,
>;

/// The externs of [`NominalKernel`]: never called (every call is an error).
pub struct NoExterns;

impl fvm4::externs::Externs for NoExterns {}

impl fvm4::externs::Rand for NoExterns {
    fn get_chain_randomness(&self, _: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        anyhow::bail!("NoExterns is a type placeholder")
    }
    fn get_beacon_randomness(&self, _: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        anyhow::bail!("NoExterns is a type placeholder")
    }
}

impl fvm4::externs::Consensus for NoExterns {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared::consensus::ConsensusFault>, i64)> {
        anyhow::bail!("NoExterns is a type placeholder")
    }
}

impl fvm4::externs::Chain for NoExterns {
    fn get_tipset_cid(&self, _: ChainEpoch) -> anyhow::Result<Cid> {
        anyhow::bail!("NoExterns is a type placeholder")
    }
}

impl<B: Store, E: Ext> fvm4::executor::Executor for IfvmExecutor<B, E> {
    type Kernel = NominalKernel;

    fn execute_message(
        &mut self,
        msg: fvm_shared::message::Message,
        apply_kind: ApplyKind,
        raw_length: usize,
    ) -> anyhow::Result<ApplyRet> {
        let kind = match apply_kind {
            ApplyKind::Explicit => ifvm_kernel::ApplyKind::Explicit,
            ApplyKind::Implicit => ifvm_kernel::ApplyKind::Implicit,
        };
        Ok(apply_ret(self.0.execute_message(msg, kind, raw_length)?))
    }

    fn flush(&mut self) -> anyhow::Result<Cid> {
        Ok(self.0.flush()?)
    }
}

/// ifvm's `ApplyRet` as ref-fvm 4.8's.
pub fn apply_ret(ret: ifvm_kernel::ApplyRet) -> ApplyRet {
    ApplyRet {
        msg_receipt: ret.msg_receipt,
        penalty: ret.penalty,
        miner_tip: ret.miner_tip,
        base_fee_burn: ret.base_fee_burn,
        over_estimation_burn: ret.over_estimation_burn,
        refund: ret.refund,
        gas_refund: ret.gas_refund,
        gas_burned: ret.gas_burned,
        failure_info: ret.failure_info.map(|f| match f {
            ifvm_kernel::ApplyFailure::MessageBacktrace(bt) => {
                ApplyFailure::MessageBacktrace(backtrace_of(bt))
            }
            ifvm_kernel::ApplyFailure::PreValidation(msg) => ApplyFailure::PreValidation(msg),
        }),
        exec_trace: exec_trace(ret.exec_trace),
        events: ret.events,
        return_codec: ret.return_codec,
    }
}

/// ifvm's backtrace as ref-fvm 4.8's (a fatal cause's Rust backtrace is empty).
pub fn backtrace_of(bt: ifvm_kernel::Backtrace) -> backtrace::Backtrace {
    backtrace::Backtrace {
        frames: bt
            .frames
            .into_iter()
            .map(|f| backtrace::Frame {
                source: f.source,
                method: f.method,
                code: f.code,
                message: f.message,
            })
            .collect(),
        cause: bt.cause.map(|c| match c {
            ifvm_kernel::Cause::Syscall {
                module,
                function,
                error,
                message,
            } => backtrace::Cause::Syscall {
                module,
                function,
                error,
                message,
            },
            ifvm_kernel::Cause::Fatal(error_msg) => backtrace::Cause::Fatal {
                error_msg,
                backtrace: String::new(),
            },
        }),
    }
}

/// ifvm's execution trace as ref-fvm 4.8's (charge times become ref-fvm's unset durations).
pub fn exec_trace(trace: ifvm_kernel::ExecutionTrace) -> ExecutionTrace {
    use ifvm_kernel::ExecutionEvent as E;
    trace
        .into_iter()
        .map(|event| match event {
            E::GasCharge { charge, .. } => ExecutionEvent::GasCharge(GasCharge::new(
                Cow::from(charge.name.into_owned()),
                Gas::from_milligas(charge.compute_gas.as_milligas()),
                Gas::from_milligas(charge.other_gas.as_milligas()),
            )),
            E::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => ExecutionEvent::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            },
            E::CallReturn { exit_code, value } => ExecutionEvent::CallReturn(exit_code, value),
            E::CallError(e) => ExecutionEvent::CallError(SyscallError(e.message, e.number)),
            E::InvokeActor { id, state } => ExecutionEvent::InvokeActor {
                id,
                state: ActorState {
                    code: state.code,
                    state: state.state,
                    sequence: state.sequence,
                    balance: state.balance,
                    delegated_address: state.delegated_address,
                },
            },
            E::Log(msg) => ExecutionEvent::Log(msg),
            E::Ipld { op, cid, size } => ExecutionEvent::Ipld {
                op: match op {
                    ifvm_kernel::IpldOperation::Get => IpldOperation::Get,
                    ifvm_kernel::IpldOperation::Put => IpldOperation::Put,
                },
                cid,
                size,
            },
        })
        .collect()
}

/// ref-fvm 4.8's execution trace as ifvm's, without times: the inverse of [`exec_trace`], for
/// comparing the two engines' traces in ifvm's terms. An event kind ifvm does not know
/// (ref-fvm's enum is non-exhaustive) becomes a `Log` line no ifvm trace holds.
pub fn ifvm_exec_trace(trace: &[ExecutionEvent]) -> ifvm_kernel::ExecutionTrace {
    use ifvm_kernel::ExecutionEvent as E;
    trace
        .iter()
        .map(|event| match event {
            ExecutionEvent::GasCharge(c) => E::GasCharge {
                charge: ifvm_gas::GasCharge::new(
                    c.name.to_string(),
                    ifvm_gas::Gas::from_milligas(c.compute_gas.as_milligas()),
                    ifvm_gas::Gas::from_milligas(c.other_gas.as_milligas()),
                ),
                elapsed: None,
            },
            ExecutionEvent::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => E::Call {
                from: *from,
                to: *to,
                method: *method,
                params: params.clone(),
                value: value.clone(),
                gas_limit: *gas_limit,
                read_only: *read_only,
            },
            ExecutionEvent::CallReturn(exit_code, value) => E::CallReturn {
                exit_code: *exit_code,
                value: value.clone(),
            },
            ExecutionEvent::CallError(e) => E::CallError(ifvm_kernel::SyscallError::new(e.1, &e.0)),
            ExecutionEvent::InvokeActor { id, state } => E::InvokeActor {
                id: *id,
                state: ifvm_kernel::ActorState {
                    code: state.code,
                    state: state.state,
                    sequence: state.sequence,
                    balance: state.balance.clone(),
                    delegated_address: state.delegated_address,
                },
            },
            ExecutionEvent::Log(msg) => E::Log(msg.clone()),
            ExecutionEvent::Ipld { op, cid, size } => E::Ipld {
                op: match op {
                    IpldOperation::Get => ifvm_kernel::IpldOperation::Get,
                    IpldOperation::Put => ifvm_kernel::IpldOperation::Put,
                },
                cid: *cid,
                size: *size,
            },
            other => E::Log(format!("unknown ref-fvm event: {other:?}")),
        })
        .collect()
}

//! ref-fvm's execution traces (`ApplyRet::exec_trace` of ref-fvm 3.14 and 4.8) as ifvm's
//! [`ExecutionEvent`]s, so both engines' traces compare event by event. Times (`elapsed`) are
//! left out: they are the one field that may differ. ref-fvm 4.8's conversion is the adapter
//! crate's (one place for ifvm ⇄ ref-fvm 4 conversions).

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use ifvm_gas::{Gas, GasCharge};
use ifvm_kernel::{ActorState, ExecutionEvent, ExecutionTrace, SyscallError};
use num_traits::FromPrimitive;

/// A ref-fvm 3 address (fvm_shared 3) as fvm_shared 4's.
fn address_v3(a: &fvm_shared3::address::Address) -> Address {
    Address::from_bytes(&a.to_bytes()).expect("addresses convert between fvm_shared versions")
}

/// A ref-fvm 3 token amount (fvm_shared 3) as fvm_shared 4's.
fn tokens_v3(t: &fvm_shared3::econ::TokenAmount) -> TokenAmount {
    TokenAmount::from_atto(t.atto().clone())
}

/// An error number of either fvm_shared version, by its value.
fn error_number(n: u32) -> ErrorNumber {
    ErrorNumber::from_u32(n).unwrap_or(ErrorNumber::AssertionFailed)
}

/// A gas charge, without its time.
fn charge(name: &str, compute_milligas: u64, other_milligas: u64) -> ExecutionEvent {
    ExecutionEvent::GasCharge {
        charge: GasCharge::new(
            name.to_string(),
            Gas::from_milligas(compute_milligas),
            Gas::from_milligas(other_milligas),
        ),
        elapsed: None,
    }
}

/// An event ifvm's type has no counterpart for (ref-fvm's enum is non-exhaustive): it shows in
/// a comparison as a log line no ifvm trace contains.
fn unknown(event: &impl std::fmt::Debug) -> ExecutionEvent {
    ExecutionEvent::Log(format!("unknown ref-fvm event: {event:?}"))
}

/// ref-fvm 3.14's trace.
pub fn from_v3(trace: &[fvm3::trace::ExecutionEvent]) -> ExecutionTrace {
    use fvm3::trace::ExecutionEvent as E;
    let block = |b: &Option<IpldBlock>| b.clone();
    trace
        .iter()
        .map(|event| match event {
            E::GasCharge(c) => charge(
                &c.name,
                c.compute_gas.as_milligas(),
                c.other_gas.as_milligas(),
            ),
            E::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => ExecutionEvent::Call {
                from: *from,
                to: address_v3(to),
                method: *method,
                params: block(params),
                value: tokens_v3(value),
                gas_limit: *gas_limit,
                read_only: *read_only,
            },
            E::CallReturn(code, value) => ExecutionEvent::CallReturn {
                exit_code: ExitCode::new(code.value()),
                value: block(value),
            },
            E::CallError(e) => {
                ExecutionEvent::CallError(SyscallError::new(error_number(e.1 as u32), &e.0))
            }
            E::InvokeActor { id, state } => ExecutionEvent::InvokeActor {
                id: *id,
                state: ActorState {
                    code: state.code,
                    state: state.state,
                    sequence: state.sequence,
                    balance: tokens_v3(&state.balance),
                    delegated_address: state.delegated_address.as_ref().map(address_v3),
                },
            },
            other => unknown(other),
        })
        .collect()
}

/// ref-fvm 4.8's trace (the adapter crate's conversion, which `IfvmExecutor` is tested with).
pub fn from_v4(trace: &[fvm4::trace::ExecutionEvent]) -> ExecutionTrace {
    ifvm_fvm4_adapter::ifvm_exec_trace(trace)
}

//! ref-fvm's execution traces (`ApplyRet::exec_trace` of ref-fvm 2.12, 3.14 and 4.8) as ifvm's
//! [`ExecutionEvent`]s, so both engines' traces compare event by event. Times (`elapsed`) are
//! left out: they are the one field that may differ. ref-fvm 4.8's conversion is the adapter
//! crate's (one place for ifvm ⇄ ref-fvm 4 conversions).

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

/// ref-fvm 3.14's trace, without times. An event kind ifvm does not know (ref-fvm's enum is
/// non-exhaustive) becomes a `Log` line no ifvm trace holds.
pub fn from_v3(trace: &[fvm3::trace::ExecutionEvent]) -> ExecutionTrace {
    use fvm3::trace::ExecutionEvent as E;
    trace
        .iter()
        .map(|event| match event {
            E::GasCharge(c) => ExecutionEvent::GasCharge {
                charge: GasCharge::new(
                    c.name.to_string(),
                    Gas::from_milligas(c.compute_gas.as_milligas()),
                    Gas::from_milligas(c.other_gas.as_milligas()),
                ),
                elapsed: None,
            },
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
                params: params.clone(),
                value: tokens_v3(value),
                gas_limit: *gas_limit,
                read_only: *read_only,
            },
            E::CallReturn(code, value) => ExecutionEvent::CallReturn {
                exit_code: ExitCode::new(code.value()),
                value: value.clone(),
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
            other => ExecutionEvent::Log(format!("unknown ref-fvm event: {other:?}")),
        })
        .collect()
}

/// A ref-fvm 2 block's bytes (empty for none) as a traced block: DAG-CBOR, the only codec
/// ref-fvm 2 registers.
fn block_v2(
    bytes: &fvm_ipld_encoding::RawBytes,
) -> Option<fvm_ipld_encoding::ipld_block::IpldBlock> {
    (!bytes.is_empty()).then(|| fvm_ipld_encoding::ipld_block::IpldBlock {
        codec: fvm_ipld_encoding::DAG_CBOR,
        data: bytes.to_vec(),
    })
}

/// ref-fvm 2.12's trace in ifvm's terms: calls carry no gas limit of their own (`u64::MAX`) and
/// are never read-only; a return is a successful `CallReturn`, an abort a `CallReturn` with its
/// exit code and no value. An event kind ifvm does not know becomes a `Log` line no ifvm trace
/// holds.
pub fn from_v2(trace: &[fvm2::trace::ExecutionEvent]) -> ExecutionTrace {
    use fvm2::trace::ExecutionEvent as E;
    trace
        .iter()
        .map(|event| match event {
            E::GasCharge(c) => ExecutionEvent::GasCharge {
                charge: GasCharge::new(
                    c.name.to_string(),
                    Gas::from_milligas(c.compute_gas.as_milligas().max(0) as u64),
                    Gas::from_milligas(c.storage_gas.as_milligas().max(0) as u64),
                ),
                elapsed: None,
            },
            E::Call {
                from,
                to,
                method,
                params,
                value,
            } => ExecutionEvent::Call {
                from: *from,
                to: Address::from_bytes(&to.to_bytes())
                    .expect("addresses convert between fvm_shared versions"),
                method: *method,
                params: block_v2(params),
                value: TokenAmount::from_atto(value.atto().clone()),
                gas_limit: u64::MAX,
                read_only: false,
            },
            E::CallReturn(bytes) => ExecutionEvent::CallReturn {
                exit_code: ExitCode::OK,
                value: block_v2(bytes),
            },
            E::CallAbort(code) => ExecutionEvent::CallReturn {
                exit_code: ExitCode::new(code.value()),
                value: None,
            },
            E::CallError(e) => {
                ExecutionEvent::CallError(SyscallError::new(error_number(e.1 as u32), &e.0))
            }
            E::Log(line) => ExecutionEvent::Log(line.clone()),
            other => ExecutionEvent::Log(format!("unknown ref-fvm event: {other:?}")),
        })
        .collect()
}

/// ref-fvm 4.8's trace (the adapter crate's conversion, which `IfvmExecutor` is tested with).
pub fn from_v4(trace: &[fvm4::trace::ExecutionEvent]) -> ExecutionTrace {
    ifvm_fvm4_adapter::ifvm_exec_trace(trace)
}

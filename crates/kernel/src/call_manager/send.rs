//! Sends: the call-depth limit, a sub-call's own gas limit, the per-call transaction (state,
//! events, state accesses, memory budget) that reverts unless the call succeeds, and resolving
//! the receiver, auto-creating accounts and placeholders for key and delegated addresses.

use fvm_ipld_encoding::{to_vec, CBOR, DAG_CBOR};
use fvm_shared::address::{Address, Payload};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::ActorID;
use ifvm_actors::{BuiltinActor, EAM_ACTOR_ID, SYSTEM_ACTOR_ID};
use ifvm_gas::Gas;

use super::{CallManager, InvocationResult};
use crate::blocks::Block;
use crate::entrypoint::Entrypoint;
use crate::error::{ExecutionError, Fatal, Result, SyscallError};
use crate::kernel::{Ext, Store};
use crate::state_tree::ActorState;
use crate::syscall_error;
use crate::trace::{traced_block, ExecutionEvent};

impl<B, E> CallManager<B, E>
where
    B: Store,
    E: Ext,
{
    /// Calls `entrypoint` of `to` from actor `from` within the current call stack: checks the
    /// depth, runs the call in its own transaction (state, events, accesses, memory budget, and
    /// `gas_limit` if given), and reverts it unless it exits successfully. When tracing, a
    /// method invocation is bracketed by `Call` and `CallReturn` or `CallError` events.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send(
        &mut self,
        from: ActorID,
        to: Address,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        gas_limit: Option<Gas>,
        read_only: bool,
    ) -> Result<InvocationResult> {
        let traced = self.tracing() && matches!(entrypoint, Entrypoint::Invoke(_));
        if traced {
            let limit = gas_limit.unwrap_or(Gas::from_milligas(u64::MAX)).round_up();
            let gas_limit = if self.abi().has_call_gas_limits() {
                limit.min(self.gas.available().round_up())
            } else {
                u64::MAX
            };
            self.trace_event(ExecutionEvent::Call {
                from,
                to,
                method: entrypoint.method_num(),
                params: params.as_ref().map(traced_block),
                value: value.clone(),
                gas_limit,
                read_only,
            });
        }
        let result = self.send_limited(from, to, entrypoint, params, value, gas_limit, read_only);
        if traced {
            self.trace_event(match &result {
                Ok(InvocationResult { exit_code, value }) => ExecutionEvent::CallReturn {
                    exit_code: *exit_code,
                    value: value.as_ref().map(traced_block),
                },
                Err(ExecutionError::OutOfGas) if !self.abi().has_call_gas_limits() => {
                    ExecutionEvent::CallError(SyscallError::new(
                        ErrorNumber::Forbidden,
                        "out of gas",
                    ))
                }
                Err(ExecutionError::OutOfGas) => ExecutionEvent::CallReturn {
                    exit_code: ExitCode::SYS_OUT_OF_GAS,
                    value: None,
                },
                Err(ExecutionError::Fatal(_)) => {
                    ExecutionEvent::CallError(SyscallError::new(ErrorNumber::Forbidden, "fatal"))
                }
                Err(ExecutionError::Syscall(e)) => ExecutionEvent::CallError(e.clone()),
            });
        }
        result
    }

    /// [`send`](Self::send) without its trace events.
    #[allow(clippy::too_many_arguments)]
    fn send_limited(
        &mut self,
        from: ActorID,
        to: Address,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        gas_limit: Option<Gas>,
        read_only: bool,
    ) -> Result<InvocationResult> {
        if let Some(limit) = gas_limit {
            self.gas.push_limit(limit);
        }
        let (depth, max) = (
            self.call_stack_depth,
            self.machine.context.network.max_call_depth,
        );
        let exceeded = if self.abi().allows_extra_call_frame() {
            depth > max
        } else {
            depth >= max
        };
        if exceeded {
            if gas_limit.is_some() && self.abi().pops_gas_limit_on_depth_error() {
                self.gas.pop_limit();
            }
            return Err(syscall_error!(LimitExceeded; "message execution exceeds call depth"));
        }
        let result = self.in_transaction(|cm| {
            cm.call_stack_depth += 1;
            let frame = cm.limiter.frame();
            let result = cm.send_unchecked(from, to, entrypoint, params, value, read_only);
            cm.limiter.restore(frame);
            cm.call_stack_depth -= 1;
            result
        });
        if gas_limit.is_some() && !self.gas.pop_limit() {
            return Err(Fatal::msg("no gas limits to pop").into());
        }
        // Running out of a sub-call's own limit is an exit code for the caller, not an abort.
        match result {
            Err(ExecutionError::OutOfGas) if !self.gas.available().is_zero() => {
                Ok(InvocationResult {
                    exit_code: ExitCode::SYS_OUT_OF_GAS,
                    value: None,
                })
            }
            other => other,
        }
    }

    /// Runs `f` in a transaction (state, events, accesses) that reverts unless it returns a
    /// successful exit. A failure to end the transaction (fatal) replaces `f`'s result.
    pub(crate) fn in_transaction(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<InvocationResult>,
    ) -> Result<InvocationResult> {
        self.machine.state_tree.begin_transaction();
        self.events.begin_transaction();
        self.access.begin_transaction();
        let result = f(self);
        let revert = !matches!(&result, Ok(r) if r.exit_code.is_success());
        self.machine.state_tree.end_transaction(revert)?;
        self.events.end_transaction(revert)?;
        self.access.end_transaction(revert)?;
        result
    }

    fn send_unchecked(
        &mut self,
        from: ActorID,
        to: Address,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        read_only: bool,
    ) -> Result<InvocationResult> {
        let to = match self.resolve_address(&to)? {
            Some(id) => id,
            None => match to.payload() {
                Payload::BLS(_) | Payload::Secp256k1(_) => {
                    if read_only {
                        return Err(
                            syscall_error!(ReadOnly; "cannot auto-create account {to} in read-only calls"),
                        );
                    }
                    self.create_account_actor_from_send(&to)?
                }
                Payload::Delegated(da)
                    if da.namespace() == EAM_ACTOR_ID && self.abi().has_delegated_addresses() =>
                {
                    if read_only {
                        return Err(
                            syscall_error!(ReadOnly; "cannot auto-create account {to} in read-only calls"),
                        );
                    }
                    let code = *self.machine.manifest.code(BuiltinActor::Placeholder);
                    self.create_actor_from_send(&to, ActorState::new_empty(code, Some(to)))?
                }
                _ => {
                    let message = self.abi().missing_receiver_message();
                    return Err(syscall_error!(NotFound; "{message}: {to}"));
                }
            },
        };
        self.call_stack.push((to, entrypoint.func_name()));
        let res = self.send_resolved(from, to, entrypoint, params, value, read_only);
        self.call_stack.pop();
        res
    }

    fn create_actor_from_send(&mut self, addr: &Address, actor: ActorState) -> Result<ActorID> {
        // ref-fvm 2 charges before checking the address (see create_account_actor_from_send).
        if !self.abi().charges_v2_forms() {
            self.charge_gas(self.price_list().on_create_actor(true))?;
        }
        let id = self.machine.state_tree.register_new_address(addr)?;
        self.access.record_address_resolved(addr);
        self.set_actor(id, actor)?;
        Ok(id)
    }

    fn create_account_actor_from_send(&mut self, addr: &Address) -> Result<ActorID> {
        let abi = self.abi();
        if abi.charges_v2_forms() {
            self.charge_gas(self.price_list().on_create_actor_v2())?;
        }
        if addr.is_bls_zero_address() {
            return Err(
                syscall_error!(IllegalArgument; "cannot create the bls zero address actor"),
            );
        }
        let code = *self.machine.manifest.code(BuiltinActor::Account);
        let id = self.create_actor_from_send(addr, ActorState::new_empty(code, None))?;
        let params = to_vec(addr)
            .map_err(|e| syscall_error!(IllegalArgument; "failed to serialize params: {e}"))?;
        let params_codec = if abi.uses_dag_cbor_params() {
            DAG_CBOR
        } else {
            CBOR
        };
        self.send_resolved(
            SYSTEM_ACTOR_ID,
            id,
            Entrypoint::ImplicitConstructor,
            Some(Block::new(params_codec, params)),
            &TokenAmount::default(),
            false,
        )?;
        Ok(id)
    }
}

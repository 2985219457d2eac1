//! Invoking a resolved receiver: the value transfer, the invocation charge, the parameters
//! registered in the callee's block registry, the callee's code run on a fresh kernel (which
//! owns this call manager until the code returns), and the charge for the returned value.

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{to_vec, CBOR};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, METHOD_SEND};
use ifvm_interp::{CallError, Invocation, LastError};

use super::ending::{abort_of, ending_of, returned_block};
use super::entry::EntrypointArgs;
use super::{Call, CallManager, InvocationResult};
use crate::backtrace::Frame;
use crate::blocks::{Block, BlockId, BlockRegistry, NO_DATA_BLOCK_ID};
use crate::entrypoint::Entrypoint;
use crate::error::{Abort, Fatal, Result};
use crate::kernel::{Ext, Kernel, Store};
use crate::syscall_error;
use crate::trace::ExecutionEvent;

/// How running an actor's code ended, and what it leaves behind.
struct Run<B: Store, E: Ext> {
    /// The returned block's handle, or why the code stopped.
    outcome: std::result::Result<BlockId, Abort>,
    /// The last syscall error the code saw (for the backtrace).
    last_error: Option<LastError>,
    /// The call manager, back from the callee's kernel.
    cm: CallManager<B, E>,
    /// The callee's blocks.
    blocks: BlockRegistry,
}

impl<B, E> CallManager<B, E>
where
    B: Store,
    E: Ext,
{
    /// Calls `entrypoint` of the existing actor `to`: transfers `value`, charges the
    /// invocation, and runs the code (a plain value send runs none).
    pub(super) fn send_resolved(
        &mut self,
        from: ActorID,
        to: ActorID,
        entrypoint: Entrypoint,
        params: Option<Block>,
        value: &TokenAmount,
        read_only: bool,
    ) -> Result<InvocationResult> {
        let state = self
            .get_actor(to)?
            .ok_or_else(|| syscall_error!(NotFound; "actor does not exist: {to}"))?;
        let abi = self.abi();
        if self.tracing()
            && abi.traces_invoke_actor()
            && (matches!(entrypoint, Entrypoint::Invoke(_)) || abi.traces_every_invocation())
        {
            self.trace_event(ExecutionEvent::InvokeActor {
                id: to,
                state: state.clone(),
            });
        }
        if abi.charges_v2_forms() {
            // One charge for the transfer and the invocation, plain sends included.
            let charge = self
                .price_list()
                .on_method_invocation_v2(!value.is_zero(), entrypoint.method_num());
            self.charge_gas(charge)?;
            if !value.is_zero() {
                self.transfer(from, to, value)?;
            }
            if entrypoint.invokes(METHOD_SEND) {
                return Ok(InvocationResult::default());
            }
        } else {
            if !value.is_zero() {
                self.charge_gas(self.price_list().on_value_transfer())?;
                self.transfer(from, to, value)?;
            }
            if entrypoint.invokes(METHOD_SEND) {
                return Ok(InvocationResult::default());
            }
        }
        if !abi.charges_v2_forms() {
            let charge = if abi.scans_ipld_links() {
                let links = params.as_ref().map_or(0, |p| p.links().len());
                self.price_list().on_method_invocation_v4(links)
            } else {
                self.price_list().on_method_invocation_v3()
            };
            self.charge_gas(charge)?;
        }
        self.check_native_stack()?;
        let mut blocks = BlockRegistry::new(abi);
        let params_id = match params {
            Some(block) => blocks.register(block)?,
            None => NO_DATA_BLOCK_ID,
        };
        // An upgrade also receives the upgrade info (CBOR, not DAG-CBOR: it links nothing).
        let upgrade_info_id = match entrypoint {
            Entrypoint::Upgrade(info) => {
                let info = to_vec(&info).map_err(|e| {
                    Fatal::with_source("failed to serialize upgrade params", e.to_string())
                })?;
                Some(blocks.register(Block::new(CBOR, info))?)
            }
            _ => None,
        };
        self.invocation_count += 1;
        let call = Call {
            from,
            to,
            method: entrypoint.method_num(),
            value: value.clone(),
            read_only,
        };
        let args = EntrypointArgs {
            entrypoint,
            params_id,
            upgrade_info_id,
        };
        self.map_mut(|cm| cm.invoke(call, state.code, blocks, args))
    }

    /// Runs the actor code `code` for `call` with its arguments in `blocks`; returns the
    /// result (a failed call records a backtrace frame) and the call manager.
    fn invoke(
        self,
        call: Call,
        code: Cid,
        blocks: BlockRegistry,
        args: EntrypointArgs,
    ) -> (Result<InvocationResult>, Self) {
        let (to, method) = (call.to, call.method);
        let Run {
            outcome,
            last_error,
            mut cm,
            blocks,
        } = self.run(call, code, blocks, &args);
        let outcome = outcome.and_then(|id| returned_block(&blocks, id));
        let mut ret = match outcome {
            Ok(value) => Ok(InvocationResult {
                exit_code: ExitCode::OK,
                value,
            }),
            Err(abort) => {
                let ending = ending_of(abort, &blocks);
                let frames = matches!(args.entrypoint, Entrypoint::Invoke(_))
                    || cm.abi().backtraces_implicit_constructors();
                if !ending.code.is_success() && frames {
                    cm.record_failure(
                        last_error,
                        Frame {
                            source: to,
                            method,
                            message: ending.message,
                            code: ending.code,
                        },
                    );
                }
                ending.result
            }
        };
        if let Err(e) = cm.charge_return(&ret) {
            ret = Err(e);
        }
        (ret, cm)
    }

    /// Prepares `code`, instantiates it on a kernel that owns this call manager and calls the
    /// entrypoint; takes the call manager back from the kernel.
    fn run(self, call: Call, code: Cid, blocks: BlockRegistry, args: &EntrypointArgs) -> Run<B, E> {
        let engine = self.machine.engine.clone();
        let syscalls = self.machine.syscalls.clone();
        let abi = self.abi();
        // A redirected actor runs other code (debug networks); the engine caches it under the
        // CID it was loaded from.
        let code = *self.machine.context.network.code_to_run(&code);
        let module = engine.prepare(&code, || self.machine.blockstore().get(&code));
        let kernel = Kernel::new(self, blocks, call);
        let mut inv = Invocation::new(&engine, kernel);
        let outcome = match module {
            Ok(Some(module)) => inv
                .instantiate(&module, &syscalls)
                .map_err(|e| match e {
                    CallError::Instantiation(msg) if abi.instantiation_failure_is_fatal() => {
                        Abort::Fatal(Fatal::with_source("failed to instantiate module", msg))
                    }
                    e => abort_of(e),
                })
                .and_then(|()| args.call(&mut inv, abi, &code)),
            Ok(None) => Err(Abort::Fatal(Fatal::msg(format!(
                "actor code {code} not found"
            )))),
            Err(e) => Err(Abort::Fatal(Fatal::with_source(
                format!("cannot load actor code {code}"),
                e.to_string(),
            ))),
        };
        let (kernel, last_error) = inv.into_parts();
        let (cm, blocks) = kernel.into_parts();
        Run {
            outcome,
            last_error,
            cm,
            blocks,
        }
    }

    /// Adds the frame of a failed call to the backtrace, starting it with the cause (the last
    /// failed syscall) if there is one.
    fn record_failure(&mut self, last_error: Option<LastError>, frame: Frame) {
        if let Some(cause) = last_error.and_then(super::ending::cause_of) {
            self.backtrace.begin(cause);
        }
        self.backtrace.push_frame(frame);
    }

    /// Charges, within this call's limit, for a returned value: storing it on chain (at depth
    /// 1) or (ref-fvm 4) tracking its links.
    fn charge_return(&mut self, ret: &Result<InvocationResult>) -> Result<()> {
        let Ok(InvocationResult {
            value: Some(block), ..
        }) = ret
        else {
            return Ok(());
        };
        let (depth, size) = (self.call_stack_depth, block.size());
        let abi = self.abi();
        let charge = if abi.charges_v2_forms() {
            // ref-fvm 2 charges the return value in the executor (`Executor::execute_message`).
            None
        } else if abi.scans_ipld_links() {
            Some(
                self.price_list()
                    .on_method_return_v4(depth, size, block.links().len()),
            )
        } else {
            self.price_list().on_method_return_v3(depth, size)
        };
        charge.map_or(Ok(()), |c| self.charge_gas(c))
    }
}

//! The kernel: what one running actor may ask of the VM. Each invocation gets its own kernel,
//! which owns the call manager while the actor runs; the syscall layer (`crate::syscalls`)
//! decodes guest arguments and calls these operations. Semantics, gas charges and error numbers
//! are ref-fvm's `DefaultKernel`'s.

mod actor;
mod crypto;
mod event;
mod ipld;
mod network;
mod sself;
mod upgrade;

use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};
use ifvm_gas::{Gas, GasTracker};
use ifvm_interp::{Host, InstructionProfile, MemoryLimiter};

use crate::blocks::{BlockId, BlockRegistry, BlockStat, NO_DATA_BLOCK_ID};
use crate::call_manager::{Call, CallManager, InvocationResult};
use crate::entrypoint::Entrypoint;
use crate::error::{Abort, Fatal, Result};
use crate::externs::Externs;
use crate::syscall_error;

pub use event::{EventEntryHeader, EventEntryHeaders};

/// A blockstore a machine can run on.
pub trait Store: Blockstore + Send + 'static {}
impl<T: Blockstore + Send + 'static> Store for T {}

/// Externs a machine can run with.
pub trait Ext: Externs + Send + 'static {}
impl<T: Externs + Send + 'static> Ext for T {}

/// The result of a send syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendResult {
    /// The handle of the returned block (0 for none).
    pub block_id: BlockId,
    /// Its codec and size.
    pub block_stat: BlockStat,
    /// The callee's exit code.
    pub exit_code: ExitCode,
}

/// One running actor's view of the VM.
pub struct Kernel<B: Store, E: Ext> {
    cm: CallManager<B, E>,
    blocks: BlockRegistry,
    caller: ActorID,
    actor_id: ActorID,
    method: MethodNum,
    value_received: TokenAmount,
    read_only: bool,
}

impl<B: Store, E: Ext> Host for Kernel<B, E> {
    type Abort = Abort;

    fn gas_tracker(&mut self) -> &mut GasTracker {
        &mut self.cm.gas
    }

    fn memory_limiter(&mut self) -> &mut MemoryLimiter {
        &mut self.cm.limiter
    }

    fn record_instructions(&mut self, profile: &InstructionProfile) {
        if let Some(total) = &mut self.cm.instructions {
            total.add(profile);
        }
    }
}

impl<B: Store, E: Ext> Kernel<B, E> {
    pub(crate) fn new(cm: CallManager<B, E>, blocks: BlockRegistry, call: Call) -> Self {
        Self {
            cm,
            blocks,
            caller: call.from,
            actor_id: call.to,
            method: call.method,
            value_received: call.value,
            read_only: call.read_only,
        }
    }

    pub(crate) fn into_parts(self) -> (CallManager<B, E>, BlockRegistry) {
        (self.cm, self.blocks)
    }

    /// The running actor.
    pub fn actor_id(&self) -> ActorID {
        self.actor_id
    }

    /// Gas still available to this call.
    pub fn gas_available(&self) -> Gas {
        self.cm.gas.available()
    }

    /// Charges `gas` of compute under `name` (the `gas::charge` syscall).
    pub fn charge_gas(&mut self, name: &str, gas: Gas) -> Result<()> {
        // The name is kept only in a trace: no allocation when not tracing.
        let name: std::borrow::Cow<'static, str> = if self.cm.gas.is_tracing() {
            name.to_owned().into()
        } else {
            "".into()
        };
        self.cm
            .gas
            .charge_gas(name, gas)
            .map_err(|_| crate::error::ExecutionError::OutOfGas)
    }

    /// Gives `gas` back to the message (ref-fvm 2's negative charges: `gas::charge` with a
    /// negative amount, `OnDeleteActor`). Gas used never drops below zero.
    pub fn refund_gas_v2(&mut self, name: impl Into<std::borrow::Cow<'static, str>>, gas: Gas) {
        self.cm.gas.refund(name, gas);
    }

    /// Sends a message from this actor.
    pub fn send(
        &mut self,
        recipient: &Address,
        method: MethodNum,
        params_id: BlockId,
        value: &TokenAmount,
        gas_limit: Option<Gas>,
        flags: SendFlags,
    ) -> Result<SendResult> {
        let read_only = self.read_only || flags.read_only();
        if read_only && !value.is_zero() {
            return Err(syscall_error!(ReadOnly; "cannot transfer value when read-only"));
        }
        let params = if params_id == NO_DATA_BLOCK_ID {
            None
        } else {
            Some(self.blocks.get(params_id)?.clone())
        };
        if self.blocks.is_full() {
            return Err(syscall_error!(LimitExceeded; "cannot store return block"));
        }
        let result = self.cm.send(
            self.actor_id,
            *recipient,
            Entrypoint::Invoke(method),
            params,
            value,
            gas_limit,
            read_only,
        )?;
        self.store_result(result)
    }

    /// Registers a callee's returned block (its links become reachable).
    fn store_result(&mut self, result: InvocationResult) -> Result<SendResult> {
        let InvocationResult { exit_code, value } = result;
        Ok(match value {
            Some(block) => {
                let block_stat = block.stat();
                let block_id = self.blocks.register(block).map_err(|e| {
                    Fatal::with_source("failed to store a valid return value", e.to_string())
                })?;
                SendResult {
                    block_id,
                    block_stat,
                    exit_code,
                }
            }
            None => SendResult {
                block_id: NO_DATA_BLOCK_ID,
                block_stat: BlockStat { codec: 0, size: 0 },
                exit_code,
            },
        })
    }

    /// Whether actor debugging is on.
    pub fn debug_enabled(&self) -> bool {
        self.cm.machine.context.network.actor_debugging
    }

    /// Records an actor's debug log line in the execution trace (with or without tracing, as
    /// ref-fvm 4 does; the `debug::log` syscall calls it only when debugging is on).
    pub fn log(&mut self, msg: String) {
        self.cm.trace_event(crate::trace::ExecutionEvent::Log(msg));
    }
}

impl<B: Store, E: Ext> Kernel<B, E> {
    /// The ABI this kernel runs.
    pub(crate) fn abi(&self) -> crate::abi::Abi {
        self.cm.abi()
    }
}

/// ref-fvm's rules for debug artifact names: 1 to 256 bytes, no path separators, not starting
/// with a dot. (ifvm validates the name but does not write artifacts.)
pub(crate) fn validate_artifact_name(name: &str) -> Result<()> {
    const MAX_ARTIFACT_NAME_LEN: usize = 256;
    let problem = if name.len() > MAX_ARTIFACT_NAME_LEN {
        Some("debug artifact name should not exceed 256 bytes")
    } else if name.chars().any(std::path::is_separator) {
        Some("debug artifact name should not include any path separators")
    } else if name.is_empty() {
        Some("debug artifact name should be at least one character")
    } else if name.starts_with('.') {
        Some("debug artifact name should not start with a decimal '.'")
    } else {
        None
    };
    match problem {
        Some(p) => Err(syscall_error!(IllegalArgument; "{p}")),
        None => Ok(()),
    }
}

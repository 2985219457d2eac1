//! The call manager: one message's call stack. It owns the machine while the message runs; a
//! nested send moves it into the callee's kernel and back (see `docs/ARCHITECTURE.md`). One job
//! per file:
//!
//! - this file: the call stack's state, creating it for a message and finishing it;
//! - [`state`]: reading and writing actors, with state-access charging;
//! - [`send`]: sends (the depth limit, sub-call gas limits, per-call transactions that revert
//!   exactly as ref-fvm's do, resolving and auto-creating receivers);
//! - [`invoke`]: running the callee's code on a fresh kernel, and its return-value charge;
//! - [`entry`]: calling an entrypoint export with its arguments;
//! - [`ending`]: how an aborted call ends (exit code, returned block, backtrace frame);
//! - [`native_stack`]: the guard that stops a message before it overflows the native stack.

mod ending;
mod entry;
mod invoke;
mod native_stack;
mod send;
mod state;

use std::ops::{Deref, DerefMut};

use cid::Cid;
use fvm_ipld_encoding::to_vec;
use fvm_shared::address::{Address, Payload};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;
use fvm_shared::{ActorID, MethodNum};
use ifvm_gas::{Gas, GasCharge, GasTracker, PriceList};
use ifvm_interp::{InstructionProfile, MemoryLimiter};

use crate::abi::Abi;
use crate::backtrace::Backtrace;
use crate::blocks::Block;
use crate::error::{ExecutionError, Fatal, Result};
use crate::events::EventsAccumulator;
use crate::kernel::{Ext, Store};
use crate::machine::Machine;
use crate::state_access::StateAccessTracker;
use crate::trace::{ExecutionEvent, ExecutionTrace, TraceRecorder};

pub use native_stack::{NativeStackExhausted, MESSAGE_THREAD_STACK_SIZE, NATIVE_STACK_RESERVE};

/// The outcome of a call that ran (successfully or not) to an exit code.
#[derive(Clone, Debug)]
pub struct InvocationResult {
    /// The exit code.
    pub exit_code: ExitCode,
    /// The returned block, if any.
    pub value: Option<Block>,
}

impl Default for InvocationResult {
    fn default() -> Self {
        Self {
            exit_code: ExitCode::OK,
            value: None,
        }
    }
}

/// What a message's call stack leaves behind.
pub struct FinishRet {
    /// Gas used, rounded up to whole gas.
    pub gas_used: u64,
    /// The backtrace of the failure, if any.
    pub backtrace: Backtrace,
    /// Events emitted by calls that did not revert.
    pub events: Vec<StampedEvent>,
    /// The root of the events AMT.
    pub events_root: Option<Cid>,
    /// The execution trace (see [`crate::trace`] for what it holds with and without tracing).
    pub exec_trace: ExecutionTrace,
    /// The Wasm instructions executed (if the engine profiles instructions).
    pub instructions: Option<InstructionProfile>,
    /// Set if the native stack ran short: the message has no result.
    pub native_stack_exhausted: Option<NativeStackExhausted>,
}

/// The state of one message's call stack.
pub struct Inner<B: Store, E: Ext> {
    pub(crate) machine: Machine<B, E>,
    pub(crate) gas: GasTracker,
    pub(crate) limiter: MemoryLimiter,
    /// Instructions executed, when the engine profiles them.
    pub(crate) instructions: Option<InstructionProfile>,
    access: StateAccessTracker,
    gas_premium: TokenAmount,
    origin: ActorID,
    origin_address: Address,
    nonce: u64,
    num_actors_created: u64,
    call_stack_depth: u32,
    invocation_count: u64,
    backtrace: Backtrace,
    events: EventsAccumulator,
    /// The trace's events other than gas charges.
    trace: TraceRecorder,
    /// The actors being called and the exports they run, outermost first.
    call_stack: Vec<(ActorID, &'static str)>,
    /// Set when the native-stack guard stopped the message.
    native_stack_exhausted: Option<NativeStackExhausted>,
}

/// The call manager. While an actor runs, its kernel owns the call manager; a nested send moves
/// it into the callee's kernel and back.
pub struct CallManager<B: Store, E: Ext>(Option<Box<Inner<B, E>>>);

impl<B: Store, E: Ext> Deref for CallManager<B, E> {
    type Target = Inner<B, E>;
    fn deref(&self) -> &Inner<B, E> {
        self.0
            .as_ref()
            .expect("call manager is in use by a nested call")
    }
}

impl<B: Store, E: Ext> DerefMut for CallManager<B, E> {
    fn deref_mut(&mut self) -> &mut Inner<B, E> {
        self.0
            .as_mut()
            .expect("call manager is in use by a nested call")
    }
}

/// The parameters of a message that a call stack needs.
pub struct MessageOrigin {
    /// The sender's ID.
    pub origin: ActorID,
    /// The sender's address as written in the message.
    pub origin_address: Address,
    /// The receiver's ID, if it exists.
    pub receiver: Option<ActorID>,
    /// The receiver's address as written in the message.
    pub receiver_address: Address,
    /// The message nonce.
    pub nonce: u64,
    /// The effective gas premium.
    pub gas_premium: TokenAmount,
}

impl<B, E> CallManager<B, E>
where
    B: Store,
    E: Ext,
{
    /// A call stack for one message with `gas_limit`.
    pub fn new(machine: Machine<B, E>, gas_limit: u64, msg: MessageOrigin) -> Self {
        let (limit, tracing) = (Gas::new(gas_limit), machine.context.tracing);
        let gas = if machine.context.timing {
            GasTracker::new_timed(limit, Gas::ZERO, crate::clock::monotonic)
        } else {
            GasTracker::new(limit, Gas::ZERO, tracing)
        };
        let instructions = machine
            .engine
            .config()
            .instruction_profile
            .then(InstructionProfile::default);
        let price_list = machine.context.network.price_list;
        let mut access = StateAccessTracker::new(price_list.preloaded_actors());
        access.record_actor_update(msg.origin);
        access.record_address_resolved(&msg.origin_address);
        if let Some(receiver) = msg.receiver {
            access.record_actor_read(receiver);
        }
        access.record_address_resolved(&msg.receiver_address);
        let limiter = match usize::try_from(machine.context.network.max_memory_bytes) {
            Ok(max) if machine.context.network.abi().prices_wasm_memory() => {
                MemoryLimiter::new(max)
            }
            _ => MemoryLimiter::unlimited(),
        };
        Self(Some(Box::new(Inner {
            machine,
            gas,
            limiter,
            instructions,
            access,
            gas_premium: msg.gas_premium,
            origin: msg.origin,
            origin_address: msg.origin_address,
            nonce: msg.nonce,
            num_actors_created: 0,
            call_stack_depth: 0,
            invocation_count: 0,
            backtrace: Backtrace::default(),
            events: EventsAccumulator::default(),
            trace: TraceRecorder::default(),
            call_stack: Vec::new(),
            native_stack_exhausted: None,
        })))
    }

    /// Ends the message, returning its results and the machine.
    pub fn finish(mut self) -> (Result<FinishRet>, Machine<B, E>) {
        let Inner {
            machine,
            backtrace,
            mut gas,
            events,
            instructions,
            native_stack_exhausted,
            trace,
            ..
        } = *self
            .0
            .take()
            .expect("call manager is in use by a nested call");
        let gas_used = gas.used().round_up();
        let exec_trace = trace.finish(gas.take_timed_trace());
        let res = events.finish().map(|(events, events_root)| FinishRet {
            gas_used,
            backtrace,
            events,
            events_root,
            exec_trace,
            instructions,
            native_stack_exhausted,
        });
        (res, machine)
    }

    /// The prices in force.
    pub fn price_list(&self) -> &'static PriceList {
        self.machine.context.network.price_list
    }

    /// The ABI in force.
    pub fn abi(&self) -> Abi {
        self.machine.context.network.abi()
    }

    /// The actors being called and the exports they run, outermost first.
    pub fn call_stack(&self) -> &[(ActorID, &'static str)] {
        &self.call_stack
    }

    /// Charges `charge` to the message's gas.
    pub fn charge_gas(&mut self, charge: GasCharge) -> Result<()> {
        self.gas
            .apply_charge(charge)
            .map_err(|_| ExecutionError::OutOfGas)
    }

    /// Whether calls and charges are traced (`MachineContext::tracing`, or `timing`, which
    /// implies it).
    pub fn tracing(&self) -> bool {
        self.machine.context.tracing || self.machine.context.timing
    }

    /// Adds `event` to the trace, after the charges made so far. Callers decide whether the
    /// event is recorded without tracing (see [`crate::trace`]).
    pub(crate) fn trace_event(&mut self, event: ExecutionEvent) {
        let charges_before = self.gas.charges_recorded();
        self.trace.record(charges_before, event);
    }

    /// The message's origin (sender).
    pub fn origin(&self) -> ActorID {
        self.origin
    }

    /// The message's nonce.
    pub fn nonce(&self) -> u64 {
        self.nonce
    }

    /// The message's effective gas premium.
    pub fn gas_premium(&self) -> &TokenAmount {
        &self.gas_premium
    }

    /// Appends an event to the current call.
    pub fn append_event(&mut self, event: StampedEvent) {
        self.events.append(event)
    }

    /// The robust address the next created actor gets: derived from the origin address, the
    /// nonce and the number of actors created so far.
    pub fn next_actor_address(&self) -> Address {
        actor_address(&self.origin_address, self.nonce, self.num_actors_created)
    }

    /// ref-fvm 2's `new_actor_address`: derived from the origin's key address, the nonce and
    /// the number of addresses handed out so far (which this call increments). An origin that
    /// is not an account is fatal.
    pub fn new_actor_address_v2(&mut self) -> Result<Address> {
        let origin = self.origin_address;
        let key = match origin.payload() {
            Payload::BLS(_) | Payload::Secp256k1(_) => origin,
            _ => self.account_key_address(&origin, false).map_err(|e| {
                Fatal::with_source("failed to resolve the origin's key address", e.to_string())
            })?,
        };
        let address = actor_address(&key, self.nonce, self.num_actors_created);
        self.num_actors_created += 1;
        Ok(address)
    }

    /// Moves the call manager out for the duration of `f` (which must hand it back).
    fn map_mut<T>(&mut self, f: impl FnOnce(Self) -> (T, Self)) -> T {
        let cm = Self(self.0.take());
        let (t, cm) = f(cm);
        self.0 = cm.0;
        t
    }
}

/// The robust (f2) address derived from `origin`, `nonce` and `index`.
fn actor_address(origin: &Address, nonce: u64, index: u64) -> Address {
    let mut b = to_vec(origin).expect("addresses always serialize");
    b.extend_from_slice(&nonce.to_be_bytes());
    b.extend_from_slice(&index.to_be_bytes());
    Address::new_actor(&b)
}

/// Who calls what, with which value.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub from: ActorID,
    pub to: ActorID,
    pub method: MethodNum,
    pub value: TokenAmount,
    pub read_only: bool,
}

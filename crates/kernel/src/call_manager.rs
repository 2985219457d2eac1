//! The call manager: one message's call stack. It owns the machine while the message runs, and
//! handles sends (resolving and auto-creating receivers, transferring value, invoking code),
//! per-call transactions that revert exactly as ref-fvm's do, state-access charging, the memory
//! budget and the backtrace.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{to_vec, CBOR};
use fvm_shared::address::{Address, Payload};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::StampedEvent;
use fvm_shared::{ActorID, MethodNum, METHOD_SEND};
use ifvm_actors::{BuiltinActor, EAM_ACTOR_ID, SYSTEM_ACTOR_ID};
use ifvm_gas::{Gas, GasCharge, GasTracker, PriceList};
use ifvm_interp::{
    CallError, FatalError, InstructionProfile, Invocation, LastError, MemoryLimiter, Val,
};

use crate::abi::Abi;
use crate::backtrace::{Backtrace, Cause, Frame};
use crate::blocks::{Block, BlockId, BlockRegistry, NO_DATA_BLOCK_ID};
use crate::entrypoint::{Entrypoint, INVOKE_FUNC_NAME};
use crate::error::{Abort, ExecutionError, Fatal, Result};
use crate::events::EventsAccumulator;
use crate::kernel::{Ext, Kernel, Store};
use crate::machine::Machine;
use crate::state_access::{ActorAccess, StateAccessTracker};
use crate::state_tree::ActorState;
use crate::syscall_error;

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
    /// Every gas charge, in order (if tracing).
    pub gas_trace: Vec<GasCharge>,
    /// The time of each charge of `gas_trace` (if timing; else empty).
    pub gas_timings: Vec<Option<Duration>>,
    /// The Wasm instructions executed (if the engine profiles instructions).
    pub instructions: Option<InstructionProfile>,
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
    /// The actors being called and the exports they run, outermost first.
    call_stack: Vec<(ActorID, &'static str)>,
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
        let limiter = MemoryLimiter::new(machine.context.network.max_memory_bytes as usize);
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
            call_stack: Vec::new(),
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
            ..
        } = *self
            .0
            .take()
            .expect("call manager is in use by a nested call");
        let gas_used = gas.used().round_up();
        let trace = gas.take_timed_trace();
        let res = events.finish().map(|(events, events_root)| FinishRet {
            gas_used,
            backtrace,
            events,
            events_root,
            gas_trace: trace.charges,
            gas_timings: trace.elapsed,
            instructions,
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
        let mut b = to_vec(&self.origin_address).expect("addresses always serialize");
        b.extend_from_slice(&self.nonce.to_be_bytes());
        b.extend_from_slice(&self.num_actors_created.to_be_bytes());
        Address::new_actor(&b)
    }

    /// Resolves an address to an ID, charging the first resolution of a non-ID address.
    pub fn resolve_address(&mut self, address: &Address) -> Result<Option<ActorID>> {
        if let Ok(id) = address.id() {
            return Ok(Some(id));
        }
        if !self.access.address_resolved(address) {
            self.charge_gas(self.price_list().on_resolve_address())?;
        }
        let id = self.machine.state_tree.lookup_id(address)?;
        if id.is_some() {
            self.access.record_address_resolved(address);
        }
        Ok(id)
    }

    /// Actor `id`, charging the first lookup.
    pub fn get_actor(&mut self, id: ActorID) -> Result<Option<ActorState>> {
        if self.access.actor(id).is_none() {
            self.charge_gas(self.price_list().on_actor_lookup())?;
        }
        let actor = self.machine.state_tree.get_actor(id)?;
        self.access.record_actor_read(id);
        Ok(actor)
    }

    fn charge_update(&mut self, id: ActorID) -> Result<()> {
        let access = self.access.actor(id);
        if access.is_none() {
            self.charge_gas(self.price_list().on_actor_lookup())?;
        }
        if access < Some(ActorAccess::Updated) {
            self.charge_gas(self.price_list().on_actor_update())?;
        }
        Ok(())
    }

    /// Writes actor `id`, charging the first lookup and update.
    pub fn set_actor(&mut self, id: ActorID, state: ActorState) -> Result<()> {
        self.charge_update(id)?;
        self.machine.state_tree.set_actor(id, state);
        self.access.record_actor_update(id);
        Ok(())
    }

    /// Deletes actor `id`, charging as an update.
    pub fn delete_actor(&mut self, id: ActorID) -> Result<()> {
        self.charge_update(id)?;
        self.machine.state_tree.delete_actor(id);
        self.access.record_actor_update(id);
        Ok(())
    }

    /// Moves `value` from `from` to `to`.
    pub fn transfer(&mut self, from: ActorID, to: ActorID, value: &TokenAmount) -> Result<()> {
        if value.is_negative() {
            return Err(syscall_error!(IllegalArgument;
                "attempted to transfer negative transfer value {value}"));
        }
        let mut from_actor = self.get_actor(from)?.ok_or_else(|| {
            syscall_error!(InsufficientFunds; "insufficient funds to transfer {value}FIL from {from} to {to})")
        })?;
        if &from_actor.balance < value {
            return Err(syscall_error!(InsufficientFunds;
                "sender does not have funds to transfer (balance {}, transfer {value})", from_actor.balance));
        }
        if from == to {
            return Ok(());
        }
        let mut to_actor = self.get_actor(to)?.ok_or_else(
            || syscall_error!(NotFound; "transfer recipient {to} does not exist in state-tree"),
        )?;
        from_actor.deduct_funds(value)?;
        to_actor.deposit_funds(value);
        self.set_actor(from, from_actor)?;
        self.set_actor(to, to_actor)?;
        Ok(())
    }

    /// Creates actor `actor_id` with `code` (for the init actor), or deploys code over a
    /// placeholder with the same delegated address.
    pub fn create_actor(
        &mut self,
        code: Cid,
        actor_id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<()> {
        let manifest = &self.machine.manifest;
        if manifest.is(&code, BuiltinActor::Placeholder) {
            return Err(
                syscall_error!(Forbidden; "cannot explicitly construct a placeholder actor"),
            );
        }
        let actor = match self.get_actor(actor_id)? {
            Some(mut act)
                if self
                    .machine
                    .manifest
                    .is(&act.code, BuiltinActor::Placeholder) =>
            {
                if act.delegated_address.is_none() {
                    return Err(Fatal::msg(format!(
                        "placeholder {actor_id} doesn't have a delegated address"
                    ))
                    .into());
                }
                if act.delegated_address != delegated_address {
                    return Err(
                        syscall_error!(Forbidden; "placeholder has a different delegated address"),
                    );
                }
                act.code = code;
                act
            }
            Some(_) => return Err(syscall_error!(Forbidden; "Actor address already exists")),
            None => {
                self.charge_gas(self.price_list().on_create_actor(false))?;
                ActorState::new_empty(code, delegated_address)
            }
        };
        self.set_actor(actor_id, actor)?;
        self.num_actors_created += 1;
        Ok(())
    }

    /// Calls `entrypoint` of `to` from actor `from` within the current call stack: checks the
    /// depth, runs the call in its own transaction (state, events, accesses, memory budget, and
    /// `gas_limit` if given), and reverts it unless it exits successfully.
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
        if let Some(limit) = gas_limit {
            self.gas.push_limit(limit);
        }
        if self.call_stack_depth >= self.machine.context.network.max_call_depth {
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
                Payload::Delegated(da) if da.namespace() == EAM_ACTOR_ID => {
                    if read_only {
                        return Err(
                            syscall_error!(ReadOnly; "cannot auto-create account {to} in read-only calls"),
                        );
                    }
                    let code = *self.machine.manifest.code(BuiltinActor::Placeholder);
                    self.create_actor_from_send(&to, ActorState::new_empty(code, Some(to)))?
                }
                _ => {
                    return Err(
                        syscall_error!(NotFound; "actor does not exist or cannot be created: {to}"),
                    )
                }
            },
        };
        self.call_stack.push((to, entrypoint.func_name()));
        let res = self.send_resolved(from, to, entrypoint, params, value, read_only);
        self.call_stack.pop();
        res
    }

    fn create_actor_from_send(&mut self, addr: &Address, actor: ActorState) -> Result<ActorID> {
        self.charge_gas(self.price_list().on_create_actor(true))?;
        let id = self.machine.state_tree.register_new_address(addr)?;
        self.access.record_address_resolved(addr);
        self.set_actor(id, actor)?;
        Ok(id)
    }

    fn create_account_actor_from_send(&mut self, addr: &Address) -> Result<ActorID> {
        if addr.is_bls_zero_address() {
            return Err(
                syscall_error!(IllegalArgument; "cannot create the bls zero address actor"),
            );
        }
        let code = *self.machine.manifest.code(BuiltinActor::Account);
        let id = self.create_actor_from_send(addr, ActorState::new_empty(code, None))?;
        let params = to_vec(addr)
            .map_err(|e| syscall_error!(IllegalArgument; "failed to serialize params: {e}"))?;
        self.send_resolved(
            SYSTEM_ACTOR_ID,
            id,
            Entrypoint::ImplicitConstructor,
            Some(Block::new(CBOR, params)),
            &TokenAmount::default(),
            false,
        )?;
        Ok(id)
    }

    fn send_resolved(
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
        if !value.is_zero() {
            self.charge_gas(self.price_list().on_value_transfer())?;
            self.transfer(from, to, value)?;
        }
        if entrypoint.invokes(METHOD_SEND) {
            return Ok(InvocationResult::default());
        }
        let mut blocks = BlockRegistry::new();
        let params_id = if self.abi().tracks_reachability() {
            let links = params.as_ref().map_or(0, |p| p.links().len());
            self.charge_gas(self.price_list().on_method_invocation(links))?;
            match params {
                Some(block) => blocks.put_reachable(block)?,
                None => NO_DATA_BLOCK_ID,
            }
        } else {
            self.charge_gas(self.price_list().on_method_invocation_v3())?;
            match params {
                Some(block) => blocks.put(block)?,
                None => NO_DATA_BLOCK_ID,
            }
        };
        // An upgrade also receives the upgrade info (CBOR, not DAG-CBOR: it links nothing).
        let upgrade_info_id = match entrypoint {
            Entrypoint::Upgrade(info) => {
                let info = to_vec(&info).map_err(|e| {
                    Fatal::with_source("failed to serialize upgrade params", e.to_string())
                })?;
                Some(blocks.put_reachable(Block::new(CBOR, info))?)
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

    /// Moves the call manager out for the duration of `f` (which must hand it back).
    fn map_mut<T>(&mut self, f: impl FnOnce(Self) -> (T, Self)) -> T {
        let cm = Self(self.0.take());
        let (t, cm) = f(cm);
        self.0 = cm.0;
        t
    }

    /// Runs the actor code `code` for `call`, calling the entrypoint with its arguments in
    /// `blocks`.
    fn invoke(
        self,
        call: Call,
        code: Cid,
        blocks: BlockRegistry,
        args: EntrypointArgs,
    ) -> (Result<InvocationResult>, Self) {
        let engine = self.machine.engine.clone();
        let syscalls = self.machine.syscalls.clone();
        let abi = self.abi();
        let module = engine.prepare(&code, || self.machine.blockstore().get(&code));
        let (to, method) = (call.to, call.method);
        let kernel = Kernel::new(self, blocks, call);
        let mut inv = Invocation::new(&engine, kernel);
        let outcome: std::result::Result<BlockId, Abort> = match module {
            Ok(Some(module)) => inv
                .instantiate(&module, &syscalls)
                .map_err(abort_of)
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
        let (mut cm, blocks) = kernel.into_parts();

        // Resolve the returned block; a missing one is an exit code.
        let outcome = outcome.and_then(|ret| match ret {
            NO_DATA_BLOCK_ID => Ok(None),
            id => blocks.get(id).map(|b| Some(b.clone())).map_err(|_| {
                Abort::Exit(
                    ExitCode::SYS_MISSING_RETURN,
                    "returned block does not exist".into(),
                    NO_DATA_BLOCK_ID,
                )
            }),
        });

        let mut ret = match outcome {
            Ok(value) => Ok(InvocationResult {
                exit_code: ExitCode::OK,
                value,
            }),
            Err(abort) => {
                let (code, message, res) = match abort {
                    Abort::Exit(code, message, NO_DATA_BLOCK_ID) => (
                        code,
                        message,
                        Ok(InvocationResult {
                            exit_code: code,
                            value: None,
                        }),
                    ),
                    Abort::Exit(code, message, id) => match blocks.get(id) {
                        Ok(block) => (
                            code,
                            message,
                            Ok(InvocationResult {
                                exit_code: code,
                                value: Some(block.clone()),
                            }),
                        ),
                        Err(_) => (
                            ExitCode::SYS_MISSING_RETURN,
                            "error getting exit data block".to_string(),
                            Err(Fatal::msg(format!("exit block {id} does not exist")).into()),
                        ),
                    },
                    Abort::OutOfGas => (
                        ExitCode::SYS_OUT_OF_GAS,
                        "out of gas".to_string(),
                        Err(ExecutionError::OutOfGas),
                    ),
                    Abort::Fatal(e) => (
                        ExitCode::SYS_ASSERTION_FAILED,
                        "fatal error".to_string(),
                        Err(ExecutionError::Fatal(e)),
                    ),
                };
                let frames = matches!(args.entrypoint, Entrypoint::Invoke(_))
                    || abi.backtraces_implicit_constructors();
                if !code.is_success() && frames {
                    if let Some(cause) = last_error.and_then(cause_of) {
                        cm.backtrace.begin(cause);
                    }
                    cm.backtrace.push_frame(Frame {
                        source: to,
                        method,
                        message,
                        code,
                    });
                }
                res
            }
        };

        // Charge for a value returned to the chain (at depth 1) or (ref-fvm 4) for tracking its
        // links, within this call's limit.
        if let Ok(InvocationResult {
            value: Some(block), ..
        }) = &ret
        {
            let (depth, size) = (cm.call_stack_depth, block.size());
            let charge = if abi.tracks_reachability() {
                Some(
                    cm.price_list()
                        .on_method_return(depth, size, block.links().len()),
                )
            } else {
                cm.price_list().on_method_return_v3(depth, size)
            };
            if let Some(Err(e)) = charge.map(|c| cm.charge_gas(c)) {
                ret = Err(e);
            }
        }
        (ret, cm)
    }
}

/// An entrypoint and the blocks it is called with.
struct EntrypointArgs {
    entrypoint: Entrypoint,
    params_id: BlockId,
    /// The upgrade info block of an upgrade.
    upgrade_info_id: Option<BlockId>,
}

impl EntrypointArgs {
    /// Calls the entrypoint of the instantiated `code`; returns the returned block handle.
    fn call<B: Store, E: Ext>(
        &self,
        inv: &mut Invocation<Kernel<B, E>>,
        abi: Abi,
        code: &Cid,
    ) -> std::result::Result<BlockId, Abort> {
        if !abi.missing_entrypoint_is_exit() {
            return inv.call(INVOKE_FUNC_NAME, self.params_id).map_err(abort_of);
        }
        let mut params = vec![Val::I32(self.params_id as i32)];
        params.extend(self.upgrade_info_id.map(|id| Val::I32(id as i32)));
        let mut results = [Val::I32(0)];
        match inv.call_raw(self.entrypoint.func_name(), &params, &mut results) {
            Ok(()) => match results[0] {
                Val::I32(ret) => Ok(ret as u32),
                _ => Err(Abort::Fatal(Fatal::msg("entrypoint returned a non-i32"))),
            },
            Err(CallError::Fatal(FatalError::MissingExport(_))) => Err(Abort::Exit(
                ExitCode::SYS_INVALID_RECEIVER,
                format!("cannot upgrade to {code}"),
                NO_DATA_BLOCK_ID,
            )),
            Err(e) => Err(abort_of(e)),
        }
    }
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

/// How a failed instantiation or call ends the actor.
fn abort_of(e: CallError<Abort>) -> Abort {
    match e {
        CallError::OutOfGas => Abort::OutOfGas,
        CallError::Trap(kind) => Abort::Exit(
            ExitCode::SYS_ILLEGAL_INSTRUCTION,
            kind.to_string(),
            NO_DATA_BLOCK_ID,
        ),
        CallError::Instantiation(msg) => Abort::Exit(
            ExitCode::SYS_ILLEGAL_INSTRUCTION,
            format!("failed to instantiate module: {msg}"),
            NO_DATA_BLOCK_ID,
        ),
        CallError::Host(abort) => abort,
        CallError::Fatal(e) => Abort::Fatal(Fatal::with_source("wasm engine", e.to_string())),
    }
}

/// The backtrace cause of the last failed syscall.
fn cause_of(e: LastError) -> Option<Cause> {
    Some(Cause::Syscall {
        module: e.module,
        function: e.name,
        error: error_number(e.code)?,
        message: e.message,
    })
}

/// The error number with value `code`.
pub(crate) fn error_number(code: u32) -> Option<ErrorNumber> {
    use ErrorNumber::*;
    Some(match code {
        1 => IllegalArgument,
        2 => IllegalOperation,
        3 => LimitExceeded,
        4 => AssertionFailed,
        5 => InsufficientFunds,
        6 => NotFound,
        7 => InvalidHandle,
        8 => IllegalCid,
        9 => IllegalCodec,
        10 => Serialization,
        11 => Forbidden,
        12 => BufferTooSmall,
        13 => ReadOnly,
        _ => return None,
    })
}

//! The executor: applies messages to a machine, as ref-fvm's `DefaultExecutor` does.

use cid::Cid;
use fvm_ipld_encoding::{RawBytes, CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::address::{Address, Payload, Protocol};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;
use fvm_shared::{ActorID, METHOD_SEND};
use ifvm_actors::{BuiltinActor, BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, REWARD_ACTOR_ID};
use ifvm_gas::{Gas, GasCharge};
use ifvm_interp::InstructionProfile;

use crate::backtrace::{Backtrace, Cause};
use crate::blocks::Block;
use crate::call_manager::{CallManager, InvocationResult, MessageOrigin, NativeStackExhausted};
use crate::engine_pool::EnginePool;
use crate::entrypoint::Entrypoint;
use crate::error::{ExecutionError, Fatal, Result};
use crate::gas_outputs::GasOutputs;
use crate::kernel::{Ext, Store};
use crate::machine::Machine;
use crate::trace::ExecutionTrace;

/// How a message is applied.
#[derive(Eq, PartialEq, Copy, Clone, Debug)]
pub enum ApplyKind {
    /// A message from a block: the sender pays inclusion gas and fees, and its nonce must match.
    Explicit,
    /// A system message (cron, rewards): free, no nonce or balance checks.
    Implicit,
}

/// Why a message failed, beyond its exit code.
#[derive(Debug, Clone)]
pub enum ApplyFailure {
    /// It failed during execution.
    MessageBacktrace(Backtrace),
    /// It was rejected before execution.
    PreValidation(String),
}

impl std::fmt::Display for ApplyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyFailure::MessageBacktrace(bt) => write!(f, "message failed with backtrace:\n{bt}"),
            ApplyFailure::PreValidation(msg) => writeln!(f, "pre-validation failed: {msg}"),
        }
    }
}

/// The result of applying a message (ref-fvm's `ApplyRet`).
#[derive(Clone, Debug)]
pub struct ApplyRet {
    /// The receipt.
    pub msg_receipt: Receipt,
    /// What the miner is penalized.
    pub penalty: TokenAmount,
    /// What the miner earns.
    pub miner_tip: TokenAmount,
    /// Burnt at the base fee.
    pub base_fee_burn: TokenAmount,
    /// Burnt for over-estimation.
    pub over_estimation_burn: TokenAmount,
    /// Refunded to the sender.
    pub refund: TokenAmount,
    /// Gas refunded.
    pub gas_refund: u64,
    /// Gas burnt.
    pub gas_burned: u64,
    /// Why it failed.
    pub failure_info: Option<ApplyFailure>,
    /// Events emitted.
    pub events: Vec<StampedEvent>,
    /// The IPLD codec of the returned block, if any (reported from nv21 on, as ref-fvm 4.8's
    /// `ApplyRet::return_codec`; always `None` before).
    pub return_codec: Option<u64>,
    /// The execution trace, ref-fvm's `exec_trace` (see [`crate::trace`]): calls, returns,
    /// invocations and every gas charge when the machine traces, blocks read and written and
    /// debug logs always. Charges carry the time of the work they paid for if the machine
    /// times ([`ifvm_gas::timing`]); times are not consensus, nothing else here depends on them.
    pub exec_trace: ExecutionTrace,
    /// The Wasm instructions executed by class, if the engine profiles instructions
    /// ([`ifvm_interp::profile`]); else `None`.
    pub instructions: Option<InstructionProfile>,
}

impl ApplyRet {
    fn prevalidation_fail(
        code: ExitCode,
        message: impl Into<String>,
        penalty: TokenAmount,
    ) -> Self {
        Self {
            msg_receipt: Receipt {
                exit_code: code,
                return_data: RawBytes::default(),
                gas_used: 0,
                events_root: None,
            },
            penalty,
            miner_tip: TokenAmount::default(),
            base_fee_burn: TokenAmount::default(),
            over_estimation_burn: TokenAmount::default(),
            refund: TokenAmount::default(),
            gas_refund: 0,
            gas_burned: 0,
            failure_info: Some(ApplyFailure::PreValidation(message.into())),
            events: vec![],
            return_codec: None,
            exec_trace: vec![],
            instructions: None,
        }
    }
}

/// An error that stops the executor itself (not a failed message): the state can no longer be
/// trusted. Except for [`ExecutorError::InvalidMessage`], which is returned before anything
/// changes (and [`ExecutorError::Thread`], which `ThreadedExecutor` returns before its executor
/// sees the message), the executor then applies and flushes nothing more ([`Unusable`]): the
/// message may be partly applied (its nonce bumped and its gas funds taken, as ref-fvm's executor leaves
/// it for its caller to discard). Nothing reaches the base blockstore before
/// [`Executor::flush`], so the last flushed state root stays whole.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The message is malformed (zero gas limit, or above `i64::MAX`, or an f4 address before
    /// nv18).
    #[error("invalid message: {0}")]
    InvalidMessage(&'static str),
    /// The state could not be read or written.
    #[error(transparent)]
    State(#[from] ExecutionError),
    /// The gas payout did not add up (a bug).
    #[error("gas handling math is wrong")]
    GasMath,
    /// The thread applying the message has too little native stack: the message has no
    /// result, and the executor's state must be discarded.
    #[error(transparent)]
    NativeStack(#[from] NativeStackExhausted),
    /// A `ThreadedExecutor` could not start the thread to apply the message on.
    #[error("cannot start a thread to apply the message on")]
    Thread(#[source] std::io::Error),
    /// An earlier message stopped with an executor error; this executor applies nothing more.
    #[error("the executor is unusable: {0}")]
    Unusable(Unusable),
}

/// Why an executor applies and flushes nothing more.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Unusable {
    /// A message stopped with [`ExecutorError::NativeStack`].
    #[error("an earlier message ran out of native stack: {0}")]
    NativeStack(NativeStackExhausted),
    /// A message stopped with another executor error (its state possibly partly applied).
    #[error(
        "message {sequence} from {from} failed with an executor error, its state possibly partly applied"
    )]
    Failed {
        /// The message's sender.
        from: Address,
        /// The message's nonce.
        sequence: u64,
    },
}

/// Applies messages to a machine one at a time.
pub struct Executor<B: Store, E: Ext> {
    machine: Option<Machine<B, E>>,
    /// Set when a message stopped with an executor error (see [`ExecutorError`]): its preflight
    /// changes (nonce, gas funds) may be in the state, so the executor refuses to apply or flush
    /// anything more.
    unusable: Option<Unusable>,
    /// The pool whose concurrency limit every message waits for, if any.
    pool: Option<EnginePool>,
}

impl<B: Store, E: Ext> Executor<B, E> {
    /// An executor over `machine`.
    pub fn new(machine: Machine<B, E>) -> Self {
        Self {
            machine: Some(machine),
            unusable: None,
            pool: None,
        }
    }

    /// An executor over `machine` (built on an engine of `pool`, see [`EnginePool::engine`])
    /// that applies each message only while holding one of `pool`'s slots, waiting for one if
    /// the pool's concurrency limit is reached (as ref-fvm's executor acquires from its engine
    /// pool).
    pub fn pooled(machine: Machine<B, E>, pool: EnginePool) -> Self {
        Self {
            pool: Some(pool),
            ..Self::new(machine)
        }
    }

    /// The machine.
    pub fn machine(&self) -> &Machine<B, E> {
        self.machine
            .as_ref()
            .expect("machine is present between messages")
    }

    /// The machine, mutably.
    pub fn machine_mut(&mut self) -> &mut Machine<B, E> {
        self.machine
            .as_mut()
            .expect("machine is present between messages")
    }

    /// The machine, consuming the executor.
    pub fn into_machine(self) -> Machine<B, E> {
        self.machine.expect("machine is present between messages")
    }

    /// Flushes the machine's state; returns the state root. Fails after an executor error
    /// (see [`ExecutorError`]): that state is not a consensus state. A flush that fails because
    /// the base blockstore does can be retried.
    pub fn flush(&mut self) -> Result<Cid> {
        if let Some(e) = &self.unusable {
            return Err(Fatal::with_source("not flushing", e.clone()).into());
        }
        self.machine_mut().flush()
    }

    /// Applies `msg`, whose signed encoding is `raw_length` bytes long. After an error other
    /// than [`ExecutorError::InvalidMessage`], the executor is [`Unusable`].
    pub fn execute_message(
        &mut self,
        msg: Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> std::result::Result<ApplyRet, ExecutorError> {
        if let Some(e) = &self.unusable {
            return Err(ExecutorError::Unusable(e.clone()));
        }
        let (from, sequence) = (msg.from, msg.sequence);
        let ret = self.apply(msg, kind, raw_length);
        match &ret {
            Ok(_) | Err(ExecutorError::InvalidMessage(_)) => {}
            Err(ExecutorError::NativeStack(e)) => {
                self.unusable = Some(Unusable::NativeStack(e.clone()));
            }
            Err(_) => self.unusable = Some(Unusable::Failed { from, sequence }),
        }
        ret
    }

    /// [`execute_message`](Self::execute_message) on a usable executor.
    fn apply(
        &mut self,
        msg: Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> std::result::Result<ApplyRet, ExecutorError> {
        let _slot = self.pool.as_ref().map(EnginePool::acquire);
        let (sender_id, gas_cost, inclusion_cost) = match self.preflight(&msg, kind, raw_length)? {
            Ok(v) => v,
            Err(ret) => return Ok(ret),
        };
        let machine = self
            .machine
            .take()
            .expect("machine is present between messages");
        let abi = machine.context.network.abi();
        let receiver = if abi.resolves_receiver_before_sending() {
            machine.state_tree.lookup_id(&msg.to)
        } else {
            Ok(None)
        };
        let receiver = match receiver {
            Ok(r) => r,
            Err(e) => {
                self.machine = Some(machine);
                return Err(e.into());
            }
        };
        let base_fee = machine.context.base_fee.clone();
        let effective_premium = msg
            .gas_premium
            .clone()
            .min(&msg.gas_fee_cap - &base_fee)
            .max(TokenAmount::default());
        let mut cm = CallManager::new(
            machine,
            msg.gas_limit,
            MessageOrigin {
                origin: sender_id,
                origin_address: msg.from,
                receiver,
                receiver_address: msg.to,
                nonce: msg.sequence,
                gas_premium: effective_premium,
            },
        );
        let result = match cm.charge_gas(inclusion_cost) {
            Ok(()) => {
                let params = (!msg.params.is_empty()).then(|| {
                    let codec = if abi.uses_dag_cbor_params() {
                        DAG_CBOR
                    } else if msg.method_num == METHOD_SEND {
                        IPLD_RAW
                    } else {
                        CBOR
                    };
                    Block::new(codec, msg.params.bytes())
                });
                let send = |cm: &mut CallManager<B, E>| {
                    cm.send(
                        sender_id,
                        msg.to,
                        Entrypoint::Invoke(msg.method_num),
                        params,
                        &msg.value,
                        None,
                        false,
                    )
                };
                if abi.charges_v2_forms() {
                    // ref-fvm 2 charges a successful call's return value after the call, in a
                    // transaction around both (running out of gas there reverts the call).
                    cm.in_transaction(|cm| {
                        let ret = send(cm)?;
                        if ret.exit_code.is_success() {
                            let size = ret.value.as_ref().map_or(0, |b| b.size() as usize);
                            cm.charge_gas(cm.price_list().on_chain_return_value_v2(size))?;
                        }
                        Ok(ret)
                    })
                } else {
                    send(&mut cm)
                }
            }
            Err(e) => Err(e),
        };
        let (finished, machine) = cm.finish();
        self.machine = Some(machine);
        let finished = finished?;
        if let Some(exhausted) = finished.native_stack_exhausted {
            return Err(exhausted.into());
        }
        let mut backtrace = finished.backtrace;
        let events_root = finished.events_root;
        let gas_used = finished.gas_used;
        let mut return_codec = None;
        let receipt = match result {
            Ok(InvocationResult { exit_code, value }) => {
                if exit_code.is_success() {
                    backtrace.clear();
                }
                if self.machine().context.network.abi().reports_return_codec() {
                    return_codec = value.as_ref().map(|b| b.codec());
                }
                Receipt {
                    exit_code,
                    return_data: value
                        .map(|b| RawBytes::from(b.data().to_vec()))
                        .unwrap_or_default(),
                    gas_used,
                    events_root,
                }
            }
            Err(ExecutionError::OutOfGas) => Receipt {
                exit_code: ExitCode::SYS_OUT_OF_GAS,
                return_data: RawBytes::default(),
                gas_used,
                events_root,
            },
            Err(ExecutionError::Syscall(err)) => {
                let exit_code = match err.number {
                    ErrorNumber::InsufficientFunds => ExitCode::SYS_INSUFFICIENT_FUNDS,
                    ErrorNumber::NotFound => ExitCode::SYS_INVALID_RECEIVER,
                    _ => ExitCode::SYS_ASSERTION_FAILED,
                };
                backtrace.begin(Cause::Syscall {
                    module: "send",
                    function: "send",
                    error: err.number,
                    message: err.message,
                });
                Receipt {
                    exit_code,
                    return_data: RawBytes::default(),
                    gas_used,
                    events_root,
                }
            }
            Err(ExecutionError::Fatal(err)) => {
                backtrace.set_cause(Cause::Fatal(format!(
                    "{err} [from={}, to={}, seq={}, m={}, h={}]",
                    msg.from,
                    msg.to,
                    msg.sequence,
                    msg.method_num,
                    self.machine().context.epoch
                )));
                Receipt {
                    exit_code: ExitCode::SYS_ASSERTION_FAILED,
                    return_data: RawBytes::default(),
                    gas_used: msg.gas_limit,
                    events_root,
                }
            }
        };
        let failure_info = (!backtrace.is_empty() && !receipt.exit_code.is_success())
            .then_some(ApplyFailure::MessageBacktrace(backtrace));
        match kind {
            ApplyKind::Explicit => self.finish_message(
                sender_id,
                &msg,
                receipt,
                failure_info,
                gas_cost,
                finished.events,
                return_codec,
                Observations {
                    exec_trace: finished.exec_trace,
                    instructions: finished.instructions,
                },
            ),
            ApplyKind::Implicit => Ok(ApplyRet {
                msg_receipt: receipt,
                penalty: TokenAmount::default(),
                miner_tip: TokenAmount::default(),
                base_fee_burn: TokenAmount::default(),
                over_estimation_burn: TokenAmount::default(),
                refund: TokenAmount::default(),
                gas_refund: 0,
                gas_burned: 0,
                failure_info,
                events: finished.events,
                return_codec,
                exec_trace: finished.exec_trace,
                instructions: finished.instructions,
            }),
        }
    }

    /// Validates the message and charges the sender for gas up front. `Ok(Err(ret))` is a
    /// message rejected before execution.
    #[allow(clippy::type_complexity)]
    fn preflight(
        &mut self,
        msg: &Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> std::result::Result<
        std::result::Result<(ActorID, TokenAmount, GasCharge), ApplyRet>,
        ExecutorError,
    > {
        let has_delegated = self
            .machine_mut()
            .context
            .network
            .abi()
            .has_delegated_addresses();
        let delegated = |a: &Address| a.protocol() == Protocol::Delegated;
        if !has_delegated && (delegated(&msg.from) || delegated(&msg.to)) {
            // ref-fvm 2 cannot even decode such a message.
            return Err(ExecutorError::InvalidMessage(
                "f4 addresses do not exist before nv18 (Unknown address protocol)",
            ));
        }
        if msg.gas_limit == 0 {
            return Err(ExecutorError::InvalidMessage(
                "Message has no gas limit set",
            ));
        }
        if msg.gas_limit > i64::MAX as u64 {
            return Err(ExecutorError::InvalidMessage("Message gas exceeds i64 max"));
        }
        let machine = self.machine_mut();
        let base_fee = machine.context.base_fee.clone();
        let price_list = machine.context.network.price_list;
        let (inclusion_cost, penalty) = match kind {
            ApplyKind::Implicit => (
                GasCharge::new("none", Gas::ZERO, Gas::ZERO),
                TokenAmount::default(),
            ),
            ApplyKind::Explicit => {
                let inclusion_cost = price_list.on_chain_message(raw_length);
                let inclusion_total = inclusion_cost.total().round_up();
                if inclusion_total > msg.gas_limit {
                    return Ok(Err(ApplyRet::prevalidation_fail(
                        ExitCode::SYS_OUT_OF_GAS,
                        format!("Out of gas ({inclusion_total} > {})", msg.gas_limit),
                        &base_fee * inclusion_total,
                    )));
                }
                (inclusion_cost, &base_fee * msg.gas_limit)
            }
        };
        let invalid_sender = |why: &str| {
            Ok(Err(ApplyRet::prevalidation_fail(
                ExitCode::SYS_SENDER_INVALID,
                why,
                penalty.clone(),
            )))
        };
        let Some(sender_id) = machine.state_tree.lookup_id(&msg.from)? else {
            return invalid_sender("Sender invalid");
        };
        if kind == ApplyKind::Implicit {
            return Ok(Ok((sender_id, TokenAmount::default(), inclusion_cost)));
        }
        let Some(mut sender) = machine.state_tree.get_actor(sender_id)? else {
            return invalid_sender("Sender invalid");
        };
        let manifest = &machine.manifest;
        let mut valid = manifest.is(&sender.code, BuiltinActor::Account)
            || manifest.is(&sender.code, BuiltinActor::EthAccount);
        // A placeholder that has never sent becomes an Ethereum account on its first message.
        if manifest.is(&sender.code, BuiltinActor::Placeholder)
            && sender.sequence == 0
            && sender.delegated_address.is_some_and(
                |a| matches!(a.payload(), Payload::Delegated(da) if da.namespace() == EAM_ACTOR_ID),
            )
        {
            valid = true;
            sender.code = *manifest.code(BuiltinActor::EthAccount);
        }
        if !valid {
            return invalid_sender("Send not from valid sender");
        }
        if msg.sequence != sender.sequence {
            return Ok(Err(ApplyRet::prevalidation_fail(
                ExitCode::SYS_SENDER_STATE_INVALID,
                format!(
                    "Actor sequence invalid: {} != {}",
                    msg.sequence, sender.sequence
                ),
                penalty,
            )));
        }
        sender.sequence += 1;
        let gas_cost = &msg.gas_fee_cap * msg.gas_limit;
        if sender.balance < gas_cost {
            return Ok(Err(ApplyRet::prevalidation_fail(
                ExitCode::SYS_SENDER_STATE_INVALID,
                format!(
                    "Actor balance less than needed: {} < {gas_cost}",
                    sender.balance
                ),
                penalty,
            )));
        }
        sender.deduct_funds(&gas_cost)?;
        machine.state_tree.set_actor(sender_id, sender);
        Ok(Ok((sender_id, gas_cost, inclusion_cost)))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_message(
        &mut self,
        sender_id: ActorID,
        msg: &Message,
        receipt: Receipt,
        failure_info: Option<ApplyFailure>,
        gas_cost: TokenAmount,
        events: Vec<StampedEvent>,
        return_codec: Option<u64>,
        observed: Observations,
    ) -> std::result::Result<ApplyRet, ExecutorError> {
        let machine = self.machine_mut();
        let o = GasOutputs::compute(
            receipt.gas_used,
            msg.gas_limit,
            &machine.context.base_fee,
            &msg.gas_fee_cap,
            &msg.gas_premium,
        );
        let mut deposit =
            |id: ActorID, amount: &TokenAmount| -> std::result::Result<(), ExecutorError> {
                if amount.is_negative() {
                    return Err(ExecutorError::GasMath);
                }
                if amount.is_zero() {
                    return Ok(());
                }
                Ok(machine.state_tree.mutate_actor(id, |a| {
                    a.deposit_funds(amount);
                    Ok(())
                })?)
            };
        deposit(BURNT_FUNDS_ACTOR_ID, &o.base_fee_burn)?;
        deposit(REWARD_ACTOR_ID, &o.miner_tip)?;
        deposit(BURNT_FUNDS_ACTOR_ID, &o.over_estimation_burn)?;
        deposit(sender_id, &o.refund)?;
        if &o.base_fee_burn + &o.over_estimation_burn + &o.refund + &o.miner_tip != gas_cost {
            return Err(ExecutorError::GasMath);
        }
        Ok(ApplyRet {
            msg_receipt: receipt,
            penalty: o.miner_penalty,
            miner_tip: o.miner_tip,
            base_fee_burn: o.base_fee_burn,
            over_estimation_burn: o.over_estimation_burn,
            refund: o.refund,
            gas_refund: o.gas_refund,
            gas_burned: o.gas_burned,
            failure_info,
            events,
            return_codec,
            exec_trace: observed.exec_trace,
            instructions: observed.instructions,
        })
    }
}

/// What research modes observed of a message, carried into its [`ApplyRet`].
struct Observations {
    exec_trace: ExecutionTrace,
    instructions: Option<InstructionProfile>,
}

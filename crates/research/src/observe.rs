//! Running messages in the research modes: timed gas traces, instruction profiles, and another
//! network version's prices. These observe (or, for prices, deliberately change) a run; none of
//! them is a conformance run. Machines are built as every run builds them
//! ([`ifvm_vectors::MachineParams`]), with the modes applied to the context.

use std::time::Duration;

use cid::Cid;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_gas::GasCharge;
use ifvm_interp::{Engine, EngineConfig, InstructionProfile};
use ifvm_kernel::{
    ApplyKind, ApplyRet, ExecutionEvent, ExecutionTrace, Ext, MachineContext, NetworkConfig, Store,
    UnsupportedNetworkVersion,
};
use ifvm_vectors::{executor, DeterministicExterns, MachineParams, PreparedVariant, Setup};

/// The network version research engines are configured at. nv18–nv29 have the same Wasm
/// prices and limits, so one engine serves runs of those versions; nv17 (ref-fvm 2's metering)
/// needs its own (see [`Modes::engine_config`]).
pub const ENGINE_NV: u32 = 18;

/// What to observe, and whether to re-price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modes {
    /// Time every gas charge.
    pub timing: bool,
    /// Count executed Wasm instructions by class (on an engine preparing modules for it).
    pub instructions: bool,
    /// Charge with this network version's price list instead of the run's own. **Not
    /// consensus**: results are not the chain's.
    pub price_nv: Option<u32>,
}

/// A research run cannot be set up or a message cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    /// The network version (the run's, or the price list's) is not supported.
    #[error("{0}")]
    Network(#[from] UnsupportedNetworkVersion),
    /// The machine cannot be built.
    #[error("cannot build the machine: {0}")]
    Machine(#[from] ifvm_kernel::MachineError),
    /// The state cannot be flushed after the messages.
    #[error("flushing the state: {0}")]
    Flush(String),
    /// The executor failed on a message (not a failed receipt: the state is unusable).
    #[error("message {index}: {source}")]
    Apply {
        /// The message's index.
        index: usize,
        /// Why.
        source: ifvm_kernel::ExecutorError,
    },
}

/// One applied message, as observed.
#[derive(Clone, Debug)]
pub struct Observation {
    /// The receipt's exit code.
    pub exit_code: u32,
    /// The receipt's gas used.
    pub gas_used: u64,
    /// The receipt's return bytes.
    pub return_data: Vec<u8>,
    /// The execution trace: calls, returns and every gas charge, each charge with its time
    /// when timing.
    pub trace: ExecutionTrace,
    /// Whether the charges were timed.
    pub timed: bool,
    /// The Wasm instructions executed, when profiling.
    pub instructions: Option<InstructionProfile>,
}

impl Observation {
    /// The observation of `ret`, applied with timing on if `timed`.
    pub fn new(ret: ApplyRet, timed: bool) -> Self {
        Self {
            exit_code: ret.msg_receipt.exit_code.value(),
            gas_used: ret.msg_receipt.gas_used,
            return_data: ret.msg_receipt.return_data.to_vec(),
            trace: ret.exec_trace,
            timed,
            instructions: ret.instructions,
        }
    }

    /// The trace's gas charges in order, each with its time (`None` when untimed).
    pub fn charges(&self) -> impl Iterator<Item = (&GasCharge, Option<Duration>)> + '_ {
        charges_of(&self.trace)
    }
}

/// The gas charges of `trace` in order, each with its time (`None` when untimed).
pub fn charges_of(
    trace: &[ExecutionEvent],
) -> impl Iterator<Item = (&GasCharge, Option<Duration>)> + '_ {
    trace.iter().filter_map(|e| match e {
        ExecutionEvent::GasCharge { charge, elapsed } => Some((charge, *elapsed)),
        _ => None,
    })
}

/// What a run left: each message's observation, and the state root after the last one.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// One observation per message, in order.
    pub messages: Vec<Observation>,
    /// The state root after the messages.
    pub state_root: Cid,
}

impl Modes {
    /// `nc`, re-priced if asked.
    fn repriced(&self, mut nc: NetworkConfig) -> Result<NetworkConfig, ObserveError> {
        if let Some(price_nv) = self.price_nv {
            nc.reprice_as(NetworkVersion::from(price_nv))?;
        }
        Ok(nc)
    }

    /// The network configuration of a run with `params`, re-priced if asked.
    pub fn network_config(&self, params: &MachineParams) -> Result<NetworkConfig, ObserveError> {
        self.repriced(params.network_config()?)
    }

    /// An engine for runs at `nv` (a version ifvm executes; see [`ENGINE_NV`]) in these modes,
    /// with the Wasm prices of the price list in force. Share it between runs of the same
    /// modes (it caches prepared code); never with normal runs when profiling instructions.
    pub fn engine(&self, nv: u32) -> Result<Engine, ObserveError> {
        Ok(Engine::new(self.engine_config(nv)?))
    }

    /// The configuration of [`engine`](Self::engine)`(nv)`: engines of equal configurations
    /// may be shared (an [`ifvm_kernel::EnginePool`] does).
    pub fn engine_config(&self, nv: u32) -> Result<EngineConfig, ObserveError> {
        let nc = self.repriced(NetworkConfig::new(NetworkVersion::from(nv))?)?;
        let mut config = nc.engine_config();
        config.instruction_profile = self.instructions;
        Ok(config)
    }

    /// The machine context of a run in these modes: tracing on (research runs observe every
    /// charge; set `tracing = false` for a plain run), timing if asked, re-priced if asked.
    pub fn context(&self, params: &MachineParams) -> Result<MachineContext, ObserveError> {
        let mut mc = params.context(&self.network_config(params)?);
        mc.tracing = true;
        mc.timing = self.timing;
        Ok(mc)
    }

    /// Applies `messages` (each with its on-chain length) as explicit messages on a fresh
    /// machine over `store`, observing each, then flushes the state.
    pub fn run<B: Store, E: Ext>(
        &self,
        engine: &Engine,
        params: &MachineParams,
        store: B,
        externs: E,
        messages: &[(Message, usize)],
    ) -> Result<RunOutcome, ObserveError> {
        let mut exec = executor(self.context(params)?, engine, store, externs)?;
        let messages = messages
            .iter()
            .enumerate()
            .map(|(index, (msg, len))| {
                exec.execute_message(msg.clone(), ApplyKind::Explicit, *len)
                    .map(|ret| Observation::new(ret, self.timing))
                    .map_err(|source| ObserveError::Apply { index, source })
            })
            .collect::<Result<_, _>>()?;
        let state_root = exec
            .flush()
            .map_err(|e| ObserveError::Flush(e.to_string()))?;
        Ok(RunOutcome {
            messages,
            state_root,
        })
    }

    /// [`run`](Self::run) on a vector variant's pre-state, with its recorded randomness.
    pub fn run_variant(
        &self,
        engine: &Engine,
        variant: &PreparedVariant,
    ) -> Result<RunOutcome, ObserveError> {
        self.run(
            engine,
            &variant.params,
            variant.store(),
            variant.externs(),
            &variant.messages,
        )
    }

    /// [`run`](Self::run) on a scenario, with its deterministic externs.
    pub fn run_setup(&self, engine: &Engine, setup: &Setup) -> Result<RunOutcome, ObserveError> {
        self.run(
            engine,
            &setup.params(),
            setup.state.store(),
            DeterministicExterns,
            &setup.decoded_messages(),
        )
    }
}

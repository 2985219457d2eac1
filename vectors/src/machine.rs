//! Building a machine: what determines one besides its store and externs ([`MachineParams`]),
//! the timestamp rule of test runs, and ifvm's executor over it. The one place where vector
//! runs, scenarios, the generator and the research tools set up a machine; the reference
//! builds ref-fvm's from the same [`MachineParams`].

use std::sync::Arc;

use cid::Cid;
use fvm_shared::chainid::ChainID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;
use ifvm_interp::Engine;
use ifvm_kernel::{
    AcceptAllProofs, Executor, Ext, Machine, MachineContext, MachineError, NetworkConfig, Store,
    UnsupportedNetworkVersion,
};

/// The seconds between epochs in test runs: ref-fvm's conformance runner stamps epoch `e`
/// with `e * 30`.
const EPOCH_DURATION_SECONDS: i64 = 30;

/// The timestamp of `epoch` in test runs (`epoch * 30`, as ref-fvm's conformance runner).
pub fn timestamp(epoch: ChainEpoch) -> u64 {
    (epoch * EPOCH_DURATION_SECONDS) as u64
}

/// What determines a machine, besides its store and externs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineParams {
    /// The network version (selects the ABI, the actors and the prices).
    pub nv: u32,
    /// The chain ID (0 in conformance runs, ref-fvm's default).
    pub chain_id: u64,
    /// The epoch.
    pub epoch: ChainEpoch,
    /// The epoch's timestamp.
    pub timestamp: u64,
    /// The state root before the messages.
    pub state_root: Cid,
    /// The base fee.
    pub base_fee: TokenAmount,
    /// The circulating supply.
    pub circ_supply: TokenAmount,
}

impl MachineParams {
    /// Parameters at `epoch` (stamped by [`timestamp`]) from `state_root` on network version
    /// `nv`, chain ID 0, with the machine's own defaults for the base fee (zero) and the
    /// circulating supply (the network version's: see `NetworkConfig::for_epoch`).
    pub fn new(
        nv: u32,
        epoch: ChainEpoch,
        state_root: Cid,
    ) -> Result<Self, UnsupportedNetworkVersion> {
        let context = NetworkConfig::new(NetworkVersion::from(nv))?.for_epoch(
            epoch,
            timestamp(epoch),
            state_root,
        );
        Ok(Self {
            nv,
            chain_id: 0,
            epoch,
            timestamp: context.timestamp,
            state_root,
            base_fee: context.base_fee,
            circ_supply: context.circ_supply,
        })
    }

    /// The same machine at `epoch` (stamped by [`timestamp`]) over `state_root` with
    /// `base_fee`: the next machine of a chain of tipsets.
    pub fn at(&self, epoch: ChainEpoch, state_root: Cid, base_fee: &TokenAmount) -> Self {
        Self {
            epoch,
            timestamp: timestamp(epoch),
            state_root,
            base_fee: base_fee.clone(),
            ..self.clone()
        }
    }

    /// The network configuration: network version `nv`'s, with the chain ID.
    pub fn network_config(&self) -> Result<NetworkConfig, UnsupportedNetworkVersion> {
        let mut nc = NetworkConfig::new(NetworkVersion::from(self.nv))?;
        nc.chain_id = ChainID::from(self.chain_id);
        Ok(nc)
    }

    /// The machine context on `network` (normally [`network_config`](Self::network_config);
    /// research runs may re-price it): tracing and timing off.
    pub fn context(&self, network: &NetworkConfig) -> MachineContext {
        let mut mc = network.for_epoch(self.epoch, self.timestamp, self.state_root);
        mc.base_fee = self.base_fee.clone();
        mc.circ_supply = self.circ_supply.clone();
        mc
    }

    /// The machine context on [`network_config`](Self::network_config): tracing and timing
    /// off.
    pub fn default_context(&self) -> Result<MachineContext, UnsupportedNetworkVersion> {
        Ok(self.context(&self.network_config()?))
    }

    /// An ifvm executor with these parameters over `store`, on `engine` (whose module cache it
    /// shares); with `tracing`, receipts carry whole execution traces.
    pub fn executor<B: Store, E: Ext>(
        &self,
        engine: &Engine,
        store: B,
        externs: E,
        tracing: bool,
    ) -> Result<Executor<B, E>, BuildError> {
        let mut context = self.default_context()?;
        context.tracing = tracing;
        Ok(executor(context, engine, store, externs)?)
    }
}

/// An engine configured for network version `nv` (its Wasm prices and limits). Share it: it
/// caches prepared actor code, for every machine of the same configuration.
pub fn engine(nv: u32) -> Result<Engine, UnsupportedNetworkVersion> {
    Ok(Engine::new(
        NetworkConfig::new(NetworkVersion::from(nv))?.engine_config(),
    ))
}

/// A machine cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// ifvm does not run the network version.
    #[error(transparent)]
    Network(#[from] UnsupportedNetworkVersion),
    /// The machine cannot be created over the store.
    #[error(transparent)]
    Machine(#[from] MachineError),
}

/// An ifvm executor on a fresh machine with `context` over `store`, on `engine`, with the
/// proofs of conformance runs: every proof is accepted (and charged).
pub fn executor<B: Store, E: Ext>(
    context: MachineContext,
    engine: &Engine,
    store: B,
    externs: E,
) -> Result<Executor<B, E>, MachineError> {
    let machine = Machine::new(
        context,
        store,
        externs,
        engine.clone(),
        Arc::new(AcceptAllProofs),
    )?;
    Ok(Executor::new(machine))
}

//! ref-fvm 4.8 (nv21–nv29): executors for vector variants, as Lotus builds it for mainnet
//! (`verify-signature` on) except that proofs are charged for and accepted, as ref-fvm's
//! conformance runner and ifvm's vector runs treat them (`AcceptProofsKernelV4`), and a chain
//! of its machines that applies tipsets ([`ChainV4`]).

use cid::Cid;
use fvm4::call_manager::DefaultCallManager;
use fvm4::engine::MultiEngine;
use fvm4::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm4::machine::{DefaultMachine, Machine as _, NetworkConfig};
use fvm_shared::chainid::ChainID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::Externs;
use ifvm_vectors::tipset::{Applied, ChainVm};
use ifvm_vectors::{
    DeterministicExterns, MachineParams, PreparedVariant, ReplayExterns, RunStore, Setup,
};

use crate::accept_proofs::v4::AcceptProofsKernelV4;
use crate::externs::RefExterns;
use crate::Tracing;

/// ref-fvm 4's executor over a [`RunStore`] with externs `E`.
pub type RefExecutor<E> = DefaultExecutor<
    AcceptProofsKernelV4<DefaultCallManager<DefaultMachine<RunStore, RefExterns<E>>>>,
>;

fn executor<E: Externs + 'static>(
    p: &MachineParams,
    store: RunStore,
    externs: E,
    engines: &MultiEngine,
    tracing: Tracing,
) -> anyhow::Result<RefExecutor<E>> {
    anyhow::ensure!(
        crate::abi_of(p.nv)? == ifvm_kernel::Abi::V4,
        "nv{} is not a ref-fvm 4 network version",
        p.nv
    );
    let mut nc = NetworkConfig::new(NetworkVersion::from(p.nv));
    nc.chain_id(ChainID::from(p.chain_id));
    let mut mc = nc.for_epoch(p.epoch, p.timestamp, p.state_root);
    if tracing == Tracing::On {
        mc.enable_tracing();
    }
    mc.set_base_fee(p.base_fee.clone());
    mc.set_circulating_supply(p.circ_supply.clone());
    let machine = DefaultMachine::new(&mc, store, RefExterns(externs))?;
    DefaultExecutor::new(engines.get(&nc)?, machine)
}

/// An executor at `setup`'s state, compiling actors with `engines`.
pub fn setup_executor(
    setup: &Setup,
    engines: &MultiEngine,
    tracing: Tracing,
) -> anyhow::Result<RefExecutor<DeterministicExterns>> {
    executor(
        &setup.params(),
        setup.state.store(),
        DeterministicExterns,
        engines,
        tracing,
    )
}

/// An executor at a vector variant's pre-state, compiling actors with `engines`.
pub fn variant_executor(
    variant: &PreparedVariant,
    engines: &MultiEngine,
    tracing: Tracing,
) -> anyhow::Result<RefExecutor<ReplayExterns>> {
    executor(
        &variant.params,
        variant.store(),
        variant.externs(),
        engines,
        tracing,
    )
}

/// Applies `msg` as an explicit message.
pub fn apply<E: Externs + 'static>(
    exec: &mut RefExecutor<E>,
    msg: &Message,
    raw_length: usize,
) -> anyhow::Result<ApplyRet> {
    exec.execute_message(msg.clone(), ApplyKind::Explicit, raw_length)
}

/// ref-fvm 4 as a [`ChainVm`]: tipsets applied on a chain of ref-fvm 4 machines over one store,
/// from a prepared variant's pre-state, with its randomness.
pub struct ChainV4<'a> {
    engines: &'a MultiEngine,
    variant: PreparedVariant,
    store: Option<RunStore>,
    exec: Option<RefExecutor<ReplayExterns>>,
}

impl<'a> ChainV4<'a> {
    /// A chain over `variant`'s blocks, compiling actors with `engines`.
    pub fn new(variant: &PreparedVariant, engines: &'a MultiEngine) -> Self {
        Self {
            engines,
            store: Some(variant.store()),
            variant: variant.clone(),
            exec: None,
        }
    }
}

impl ChainVm for ChainV4<'_> {
    fn open(
        &mut self,
        state_root: Cid,
        epoch: ChainEpoch,
        base_fee: &TokenAmount,
    ) -> anyhow::Result<()> {
        if let Some(exec) = self.exec.take() {
            let machine = exec
                .into_machine()
                .ok_or_else(|| anyhow::anyhow!("ref-fvm's executor lost its machine"))?;
            self.store = Some(machine.into_store().into_inner());
        }
        let store = self
            .store
            .take()
            .ok_or_else(|| anyhow::anyhow!("a failed machine took the store"))?;
        let params = self.variant.params.at(epoch, state_root, base_fee);
        let externs = self.variant.externs();
        self.exec = Some(executor(
            &params,
            store,
            externs,
            self.engines,
            Tracing::Off,
        )?);
        Ok(())
    }

    fn apply(
        &mut self,
        msg: &Message,
        implicit: bool,
        raw_length: usize,
    ) -> anyhow::Result<Applied> {
        let exec = self
            .exec
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("no machine is open"))?;
        let kind = if implicit {
            ApplyKind::Implicit
        } else {
            ApplyKind::Explicit
        };
        let ret = exec.execute_message(msg.clone(), kind, raw_length)?;
        Ok(Applied::new(
            ret.msg_receipt,
            &ret.events,
            ret.miner_tip,
            ret.penalty,
        ))
    }

    fn flush(&mut self) -> anyhow::Result<Cid> {
        self.exec
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("no machine is open"))?
            .flush()
    }
}

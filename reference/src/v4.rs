//! ref-fvm 4.8 (nv21–nv29): executors for vector variants, as Lotus builds it for mainnet
//! (`verify-signature` on; proofs verified for real, so generated traffic avoids proofs).

use fvm4::call_manager::DefaultCallManager;
use fvm4::engine::MultiEngine;
use fvm4::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm4::kernel::filecoin::DefaultFilecoinKernel;
use fvm4::machine::{DefaultMachine, NetworkConfig};
use fvm_shared::chainid::ChainID;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::Externs;
use ifvm_vectors::externs::ReplayExterns;
use ifvm_vectors::prepared::PreparedVariant;
use ifvm_vectors::scenario::{DeterministicExterns, Setup};
use ifvm_vectors::store::RunStore;

use crate::externs::RefExterns;
use crate::MachineParams;

/// ref-fvm 4's executor over a [`RunStore`] with externs `E`.
pub type RefExecutor<E> = DefaultExecutor<
    DefaultFilecoinKernel<DefaultCallManager<DefaultMachine<RunStore, RefExterns<E>>>>,
>;

fn executor<E: Externs + 'static>(
    p: MachineParams,
    store: RunStore,
    externs: E,
    engines: &MultiEngine,
) -> anyhow::Result<RefExecutor<E>> {
    anyhow::ensure!(
        (21..=29).contains(&p.nv),
        "ref-fvm 4 runs nv21-nv29, not nv{}",
        p.nv
    );
    let mut nc = NetworkConfig::new(NetworkVersion::from(p.nv));
    if let Some(id) = p.chain_id {
        nc.chain_id(ChainID::from(id));
    }
    let mut mc = nc.for_epoch(p.epoch, p.timestamp, p.root);
    mc.set_base_fee(p.base_fee);
    mc.set_circulating_supply(p.circ_supply);
    let machine = DefaultMachine::new(&mc, store, RefExterns(externs))?;
    DefaultExecutor::new(engines.get(&nc)?, machine)
}

/// An executor at `setup`'s state, compiling actors with `engines`.
pub fn setup_executor(
    setup: &Setup,
    engines: &MultiEngine,
) -> anyhow::Result<RefExecutor<DeterministicExterns>> {
    executor(
        MachineParams::of_setup(setup),
        setup.state.store(),
        DeterministicExterns,
        engines,
    )
}

/// An executor at a vector variant's pre-state, compiling actors with `engines`.
pub fn variant_executor(
    variant: &PreparedVariant,
    engines: &MultiEngine,
) -> anyhow::Result<RefExecutor<ReplayExterns>> {
    let externs = ReplayExterns::new(variant.randomness.clone());
    executor(
        MachineParams::of_variant(variant),
        variant.store(),
        externs,
        engines,
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

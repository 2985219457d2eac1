//! ref-fvm 4.8 (nv21–nv29): executors for vector variants, as Lotus builds it for mainnet
//! (`verify-signature` on; proofs verified for real, so generated traffic avoids proofs).

use fvm4::call_manager::DefaultCallManager;
use fvm4::engine::MultiEngine;
use fvm4::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm4::kernel::filecoin::DefaultFilecoinKernel;
use fvm4::machine::{DefaultMachine, NetworkConfig};
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::Externs;
use ifvm_vectors::externs::ReplayExterns;
use ifvm_vectors::prepared::PreparedVariant;
use ifvm_vectors::store::RunStore;

use crate::externs::RefExterns;

/// ref-fvm 4's executor over a [`RunStore`] with externs `E`.
pub type RefExecutor<E> = DefaultExecutor<
    DefaultFilecoinKernel<DefaultCallManager<DefaultMachine<RunStore, RefExterns<E>>>>,
>;

/// An executor at a vector variant's pre-state, compiling actors with `engines`.
pub fn variant_executor(
    variant: &PreparedVariant,
    engines: &MultiEngine,
) -> anyhow::Result<RefExecutor<ReplayExterns>> {
    anyhow::ensure!(
        (21..=29).contains(&variant.nv),
        "ref-fvm 4 runs nv21-nv29, not nv{}",
        variant.nv
    );
    let nc = NetworkConfig::new(NetworkVersion::from(variant.nv));
    let mut mc = nc.for_epoch(variant.epoch, variant.timestamp, variant.state_root);
    mc.set_base_fee(variant.base_fee.clone());
    mc.set_circulating_supply(variant.circ_supply.clone());
    let externs = RefExterns(ReplayExterns::new(variant.randomness.clone()));
    let machine = DefaultMachine::new(&mc, variant.store(), externs)?;
    DefaultExecutor::new(engines.get(&nc)?, machine)
}

/// Applies `msg` as an explicit message.
pub fn apply<E: Externs + 'static>(
    exec: &mut RefExecutor<E>,
    msg: &Message,
    raw_length: usize,
) -> anyhow::Result<ApplyRet> {
    exec.execute_message(msg.clone(), ApplyKind::Explicit, raw_length)
}

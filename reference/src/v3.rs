//! ref-fvm 3.14, the reference of `Abi::V3` (nv18–nv20): executors for scenarios and vector
//! variants.

use fvm3::engine::MultiEngine;
use fvm3::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm3::machine::{DefaultMachine, NetworkConfig};
use fvm_ipld_encoding::{from_slice, to_vec};
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_kernel::Externs;
use ifvm_vectors::{
    DeterministicExterns, MachineParams, PreparedVariant, ReplayExterns, RunStore, Setup,
};

use crate::accept_proofs::v3::AcceptProofsKernel;
use crate::externs::RefExterns;
use crate::Tracing;

/// ref-fvm 3's executor over a [`RunStore`] with externs `E`; proofs are accepted (see
/// [`AcceptProofsKernel`]), as in ref-fvm's conformance runner and ifvm's `AcceptAllProofs`.
pub type RefExecutor<E> = DefaultExecutor<
    AcceptProofsKernel<
        fvm3::call_manager::DefaultCallManager<DefaultMachine<RunStore, RefExterns<E>>>,
    >,
>;

fn tokens(t: &TokenAmount) -> fvm_shared3::econ::TokenAmount {
    fvm_shared3::econ::TokenAmount::from_atto(t.atto().clone())
}

fn executor<E: Externs + 'static>(
    p: &MachineParams,
    store: RunStore,
    externs: E,
    engines: &MultiEngine,
    tracing: Tracing,
) -> anyhow::Result<RefExecutor<E>> {
    anyhow::ensure!(
        crate::abi_of(p.nv)? == ifvm_kernel::Abi::V3,
        "nv{} is not a ref-fvm 3 network version",
        p.nv
    );
    let mut nc = NetworkConfig::new(fvm_shared3::version::NetworkVersion::from(p.nv));
    nc.chain_id(fvm_shared3::chainid::ChainID::from(p.chain_id));
    let mut mc = nc.for_epoch(p.epoch, p.timestamp, p.state_root);
    if tracing == Tracing::On {
        mc.enable_tracing();
    }
    mc.set_base_fee(tokens(&p.base_fee));
    mc.set_circulating_supply(tokens(&p.circ_supply));
    let machine = DefaultMachine::new(&mc, store, RefExterns(externs))?;
    let engine = engines.get(&nc)?;
    DefaultExecutor::new(engine, machine)
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

/// An executor at a vector variant's pre-state, compiling actors with `engines`. (ref-fvm's
/// executor compiles every builtin actor of the bundle when created, unless already cached.)
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
    let msg: fvm_shared3::message::Message = from_slice(&to_vec(msg)?)?;
    exec.execute_message(msg, ApplyKind::Explicit, raw_length)
}

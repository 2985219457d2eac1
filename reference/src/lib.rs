//! ref-fvm as the reference: runs a [`Setup`] on ref-fvm 3.14 (nv18–nv20) through its public
//! API, with the same externs as ifvm, so results can be compared field by field. Used only by
//! tests and benchmarks; no runtime crate depends on it.

use std::sync::OnceLock;

use cid::Cid;
use fvm3::engine::MultiEngine;
use fvm3::executor::{ApplyKind, DefaultExecutor, Executor};
use fvm3::machine::{DefaultMachine, NetworkConfig};
use fvm_ipld_encoding::{from_slice, to_vec};
use fvm_shared3::clock::ChainEpoch;
use ifvm_vectors::scenario::{DeterministicExterns, MessageResult, Setup};
use ifvm_vectors::store::RunStore;

/// ref-fvm's engines, shared by every run so actors are compiled once.
fn engines3() -> &'static MultiEngine {
    static ENGINES: OnceLock<MultiEngine> = OnceLock::new();
    ENGINES.get_or_init(|| MultiEngine::new(1))
}

/// [`DeterministicExterns`] in ref-fvm's terms.
struct Externs3;

impl fvm3::externs::Externs for Externs3 {}

impl fvm3::externs::Rand for Externs3 {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(DeterministicExterns::randomness("chain", round))
    }
    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(DeterministicExterns::randomness("beacon", round))
    }
}

impl fvm3::externs::Consensus for Externs3 {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared3::consensus::ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}

impl fvm3::externs::Chain for Externs3 {
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        Ok(DeterministicExterns::tipset_cid(epoch))
    }
}

type Kernel3 =
    fvm3::DefaultKernel<fvm3::call_manager::DefaultCallManager<DefaultMachine<RunStore, Externs3>>>;

fn tokens3(t: &fvm_shared::econ::TokenAmount) -> fvm_shared3::econ::TokenAmount {
    fvm_shared3::econ::TokenAmount::from_atto(t.atto().clone())
}

/// Runs `setup` on ref-fvm, flushing after every message.
pub fn run_ref_fvm(setup: &Setup) -> anyhow::Result<Vec<MessageResult>> {
    match setup.nv {
        18..=20 => run_v3(setup),
        nv => anyhow::bail!("no reference for nv{nv}"),
    }
}

fn run_v3(setup: &Setup) -> anyhow::Result<Vec<MessageResult>> {
    let mut nc = NetworkConfig::new(fvm_shared3::version::NetworkVersion::from(setup.nv));
    nc.chain_id(fvm_shared3::chainid::ChainID::from(setup.chain_id));
    let mut mc = nc.for_epoch(setup.epoch, (setup.epoch * 30) as u64, setup.state.root);
    mc.set_base_fee(tokens3(&setup.base_fee));
    mc.set_circulating_supply(tokens3(&setup.circ_supply));
    let machine = DefaultMachine::new(&mc, setup.state.store(), Externs3)?;
    let engine = engines3().get(&nc)?;
    let mut exec = DefaultExecutor::<Kernel3>::new(engine, machine)?;
    let mut out = Vec::new();
    for (bytes, raw_length) in setup.encoded_messages() {
        let msg: fvm_shared3::message::Message = from_slice(&bytes)?;
        let ret = exec.execute_message(msg, ApplyKind::Explicit, raw_length)?;
        let state_root = exec.flush()?;
        out.push(MessageResult {
            exit_code: ret.msg_receipt.exit_code.value(),
            return_data: ret.msg_receipt.return_data.to_vec(),
            gas_used: ret.msg_receipt.gas_used,
            events_root: ret.msg_receipt.events_root,
            events: ret
                .events
                .iter()
                .map(|e| (e.emitter, to_vec(&e.event).expect("events serialize")))
                .collect(),
            state_root,
        });
    }
    Ok(out)
}

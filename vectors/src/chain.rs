//! ifvm as a [`ChainVm`]: tipsets applied on a chain of ifvm machines over one store, each
//! machine with externs replaying the same recorded randomness, and every randomness served
//! collected across them (a generated tipset vector records it).

use std::collections::BTreeMap;

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_interp::Engine;
use ifvm_kernel::{ApplyKind, Executor};

use crate::externs::ReplayExterns;
use crate::prepared::PreparedVariant;
use crate::schema::{RandomnessKind, RandomnessMatch};
use crate::store::RunStore;
use crate::tipset::{Applied, ChainVm};

/// ifvm applying tipsets from a prepared variant's pre-state.
pub struct IfvmChain {
    engine: Engine,
    variant: PreparedVariant,
    store: Option<RunStore>,
    exec: Option<Executor<RunStore, ReplayExterns>>,
    served: BTreeMap<(RandomnessKind, ChainEpoch), Vec<u8>>,
}

impl IfvmChain {
    /// A chain over `variant`'s blocks, with its network version, chain ID, circulating supply
    /// and randomness, on `engine`.
    pub fn new(variant: &PreparedVariant, engine: &Engine) -> Self {
        Self {
            engine: engine.clone(),
            variant: variant.clone(),
            store: Some(variant.store()),
            exec: None,
            served: BTreeMap::new(),
        }
    }

    /// Every randomness served so far, by kind and epoch.
    pub fn served_randomness(&self) -> Vec<RandomnessMatch> {
        let mut served = self.served.clone();
        if let Some(exec) = &self.exec {
            for r in exec.machine().externs().served() {
                served.insert(r.on, r.ret);
            }
        }
        served
            .into_iter()
            .map(|(on, ret)| RandomnessMatch { on, ret })
            .collect()
    }

    /// The store (with every block written so far; flush first to include the open
    /// machine's state).
    pub fn store(&self) -> &RunStore {
        match (&self.exec, &self.store) {
            (Some(exec), _) => exec.machine().blockstore().base(),
            (None, Some(store)) => store,
            (None, None) => unreachable!("the store is either in the open machine or here"),
        }
    }

    /// Closes the open machine, keeping its store and the randomness it served.
    fn close(&mut self) {
        if let Some(exec) = self.exec.take() {
            for r in exec.machine().externs().served() {
                self.served.insert(r.on, r.ret);
            }
            self.store = Some(exec.into_machine().into_blockstore());
        }
    }
}

impl ChainVm for IfvmChain {
    fn open(
        &mut self,
        state_root: Cid,
        epoch: ChainEpoch,
        base_fee: &TokenAmount,
    ) -> anyhow::Result<()> {
        self.close();
        let store = self.store.take().expect("closed machines return the store");
        let params = self.variant.params.at(epoch, state_root, base_fee);
        self.exec = Some(params.executor(&self.engine, store, self.variant.externs(), false)?);
        Ok(())
    }

    fn apply(
        &mut self,
        msg: &Message,
        implicit: bool,
        raw_length: usize,
    ) -> anyhow::Result<Applied> {
        let exec = self.exec.as_mut().expect("a machine is open");
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
        Ok(self.exec.as_mut().expect("a machine is open").flush()?)
    }
}

//! The simulated chain ([`ifvm_vectors::generate::simulation`]) compared with ref-fvm 4.8
//! tipset by tipset: every tipset drawn from ifvm's state is applied on both engines as a node
//! does, and every applied message (rewards and cron included: receipt, events), the receipts
//! root and the state root must be identical. Windows of the run become `tipset`-class vectors.

use std::collections::BTreeSet;

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::MethodNum;
use ifvm_interp::Engine;
use ifvm_kernel::Abi;
use ifvm_vectors::generate::market::deal_messages;
use ifvm_vectors::generate::network::TestNetwork;
use ifvm_vectors::generate::sectors::{LIFECYCLE_METHODS, SUBMIT_WINDOWED_POST};
use ifvm_vectors::generate::simulation::Simulation;
use ifvm_vectors::generate::write::{reachable_blocks, tipset_vector_json, TipsetWindow};
use ifvm_vectors::schema::GenerationData;
use ifvm_vectors::tipset::{apply_tipset, tipset_difference, Role, Tipset, TipsetOutcome};
use ifvm_vectors::{GenesisState, IfvmChain, PreparedVariant};

use crate::v4::ChainV4;
use crate::{abi_of, shared_engines_v4};

/// One tipset of a simulation, applied on both engines with identical outcomes.
pub struct SimulatedTipset {
    /// The epoch of its parent.
    pub parent_epoch: ChainEpoch,
    /// The state before it.
    pub pre_root: Cid,
    /// The tipset.
    pub tipset: Tipset,
    /// Its outcome (the same on both engines).
    pub outcome: TipsetOutcome,
}

impl SimulatedTipset {
    /// Whether null rounds precede it.
    pub fn after_null_rounds(&self) -> bool {
        self.tipset.epoch > self.parent_epoch + 1
    }

    /// What its successful messages did of the providers' sector lifecycle and of the deals
    /// (the names of [`LIFECYCLE_METHODS`], then of [`deal_messages`], each once, in those
    /// lists' order). Only miners receive the lifecycle's method numbers in the simulation.
    pub fn lifecycle(&self) -> Vec<&'static str> {
        let done: BTreeSet<(Address, MethodNum)> = self
            .outcome
            .with_role(Role::Message)
            .filter(|m| m.applied.receipt.exit_code.is_success())
            .map(|m| (m.message.to, m.message.method_num))
            .collect();
        let methods: BTreeSet<MethodNum> = done.iter().map(|&(_, method)| method).collect();
        let lifecycle = LIFECYCLE_METHODS
            .iter()
            .filter(|(method, _)| methods.contains(method))
            .map(|&(_, name)| name);
        let deals = deal_messages()
            .into_iter()
            .filter(|&(to, method, _)| done.contains(&(Address::new_id(to), method)))
            .map(|(_, _, name)| name);
        lifecycle.chain(deals).collect()
    }

    /// Whether a message appears in more than one of its blocks.
    pub fn repeats_a_message(&self) -> bool {
        let listed: usize = self.tipset.blocks.iter().map(|b| b.messages.len()).sum();
        listed > self.outcome.with_role(Role::Message).count()
    }
}

/// A simulation run compared with ref-fvm: its tipsets, and the ifvm chain holding every state.
pub struct SimulationRun {
    /// The network.
    pub net: TestNetwork,
    /// The simulation's start.
    pub start: PreparedVariant,
    /// Every tipset, in order.
    pub tipsets: Vec<SimulatedTipset>,
    /// ifvm's chain (its store holds every state of the run).
    pub chain: IfvmChain,
}

/// The first difference of a simulation between ifvm and ref-fvm.
#[derive(Debug, thiserror::Error)]
#[error("nv{nv} seed {seed}, tipset at epoch {epoch}: {difference}")]
pub struct SimulationMismatch {
    /// The network version.
    pub nv: u32,
    /// The seed.
    pub seed: u64,
    /// The tipset's epoch.
    pub epoch: ChainEpoch,
    /// What differs.
    pub difference: String,
}

/// Simulates `epochs` epochs of `net` from `seed` on ifvm and ref-fvm 4.8 side by side; fails
/// at the first tipset whose outcomes differ (a [`SimulationMismatch`]).
pub fn simulate(
    net: &TestNetwork,
    engine: &Engine,
    seed: u64,
    epochs: ChainEpoch,
) -> anyhow::Result<SimulationRun> {
    anyhow::ensure!(
        abi_of(net.nv)? == Abi::V4,
        "the simulation's reference is ref-fvm 4 (nv21 on), not nv{}",
        net.nv
    );
    let mut sim = Simulation::new(net, engine, seed);
    let mut reference = ChainV4::new(sim.start(), shared_engines_v4());
    let end = sim.epoch() + epochs;
    let mut tipsets = Vec::new();
    while sim.epoch() < end {
        let (parent_epoch, pre_root) = (sim.epoch(), sim.root());
        let tipset = sim.next_tipset()?;
        let ours = sim.apply(&tipset)?;
        let theirs = apply_tipset(&mut reference, pre_root, parent_epoch, &tipset)?;
        if let Some(difference) = tipset_difference(&ours, &theirs) {
            return Err(SimulationMismatch {
                nv: net.nv,
                seed,
                epoch: tipset.epoch,
                difference,
            }
            .into());
        }
        tipsets.push(SimulatedTipset {
            parent_epoch,
            pre_root,
            tipset,
            outcome: ours,
        });
    }
    let start = sim.start().clone();
    Ok(SimulationRun {
        net: net.clone(),
        start,
        tipsets,
        chain: sim.into_chain(),
    })
}

/// How many tipsets a generated tipset vector applies.
pub const WINDOW: usize = 2;

/// The indices of the tipsets that start vector windows: the first (miners created, a reward
/// burnt), those after null rounds, with repeated messages, with failing messages, with the
/// heaviest cron ticks (deadline ends), with window PoSts and with the rest of the sector
/// lifecycle (proving, declarations, extensions, terminations), then evenly spaced ones up to
/// `count`, in order.
pub fn window_starts(run: &SimulationRun, count: usize) -> Vec<usize> {
    let last = run.tipsets.len().saturating_sub(WINDOW);
    let mut chosen = std::collections::BTreeSet::from([0]);
    let mut take = |indices: Vec<usize>, n: usize| {
        for i in indices.into_iter().filter(|&i| i <= last).take(n) {
            chosen.insert(i);
        }
    };
    let ts = &run.tipsets;
    let which = |f: &dyn Fn(&SimulatedTipset) -> bool| -> Vec<usize> {
        (0..ts.len()).filter(|&i| f(&ts[i])).collect()
    };
    let share = count / 7;
    take(which(&|t| t.after_null_rounds()), share);
    take(which(&|t| t.repeats_a_message()), share);
    take(which(&|t| t.outcome.failures() > 0), share);
    let mut by_cron: Vec<usize> = (0..ts.len()).collect();
    by_cron.sort_by_key(|&i| (std::cmp::Reverse(ts[i].outcome.cron_gas()), i));
    take(by_cron, share);
    let post = |t: &SimulatedTipset| {
        t.outcome.with_role(Role::Message).any(|m| {
            m.message.method_num == SUBMIT_WINDOWED_POST && m.applied.receipt.exit_code.is_success()
        })
    };
    take(which(&post), share);
    // Spread over the run: every other tipset has some lifecycle message.
    let lifecycle = which(&|t| !post(t) && t.lifecycle().len() >= 2);
    let stride = (lifecycle.len() / share.max(1)).max(1);
    take(lifecycle.into_iter().step_by(stride).collect(), share);
    let step = (last / count.max(1)).max(1);
    let mut i = 0;
    while chosen.len() < count && i <= last {
        chosen.insert(i);
        i += step;
    }
    chosen.into_iter().take(count).collect()
}

/// The vector of the window of [`WINDOW`] tipsets starting at tipset `first` of `run`,
/// replayed on ifvm from the window's own blocks (which must reproduce the outcomes: the
/// vector is self-contained) to record the randomness it draws.
pub fn window_vector(
    run: &SimulationRun,
    first: usize,
    engine: &Engine,
    gen: &[GenerationData],
) -> anyhow::Result<(String, String)> {
    let window = &run.tipsets[first..(first + WINDOW).min(run.tipsets.len())];
    let head = &window[0];
    let post_root = window
        .last()
        .expect("windows are not empty")
        .outcome
        .state_root;
    let bundle = &run.net.state.bundle;
    let blocks = reachable_blocks(run.chain.store(), &[head.pre_root, post_root], bundle)?;
    let state = GenesisState {
        root: head.pre_root,
        blocks: blocks.clone(),
        bundle: bundle.clone(),
    };
    let mut variant =
        PreparedVariant::from_state(run.net.nv, head.parent_epoch, &state, Vec::new());
    variant.params.circ_supply = run.start.params.circ_supply.clone();
    let mut replay = IfvmChain::new(&variant, engine);
    let (mut root, mut parent) = (head.pre_root, head.parent_epoch);
    for t in window {
        let outcome = apply_tipset(&mut replay, root, parent, &t.tipset)?;
        if let Some(d) = tipset_difference(&outcome, &t.outcome) {
            anyhow::bail!("replaying the window at tipset {first} from its own blocks: {d}");
        }
        (root, parent) = (outcome.state_root, t.tipset.epoch);
    }
    let epoch = head.tipset.epoch;
    let id = format!("chain-{epoch}-nv{}", run.net.nv);
    let features = [
        (first == 0, "the miners' creation (a reward burnt)"),
        (head.after_null_rounds(), "null rounds"),
        (head.repeats_a_message(), "a message in two blocks"),
        (head.outcome.failures() > 0, "failing messages"),
    ];
    let what: Vec<_> = features
        .iter()
        .filter(|f| f.0)
        .map(|f| f.1)
        .chain(head.lifecycle())
        .collect();
    let description = format!(
        "{} tipsets of the simulated chain on nv{} from epoch {epoch} (cron gas {}){}{}",
        window.len(),
        run.net.nv,
        head.outcome.cron_gas(),
        if what.is_empty() { "" } else { ": " },
        what.join(", ")
    );
    let tipsets: Vec<_> = window.iter().map(|t| t.tipset.clone()).collect();
    let expected: Vec<_> = window.iter().map(|t| t.outcome.clone()).collect();
    let randomness = replay.served_randomness();
    let json = tipset_vector_json(&TipsetWindow {
        id: id.clone(),
        description,
        gen,
        nv: run.net.nv,
        base_epoch: head.parent_epoch,
        pre_root: head.pre_root,
        tipsets: &tipsets,
        expected: &expected,
        blocks: &blocks,
        randomness: &randomness,
    });
    Ok((id, json))
}

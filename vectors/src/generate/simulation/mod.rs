//! A simulated chain on a genesis-like network, tipset by tipset: storage providers created in
//! the first tipset (whose block, mined before any miner exists, has its reward burnt) and
//! mining every tipset after it; each provider's sector business, decided from its state
//! ([`lifecycle`]: pre-commits, prove-commits in every form, NI-PoRep, window PoSts with missed
//! deadlines and skipped sectors, recoveries, faults, extensions, terminations, replica
//! updates, deal settlements); the clients' deals and verified allocations ([`clients`]),
//! put into sectors by the providers; ordinary
//! transfers between accounts, some failing (beyond the balance, below the inclusion gas, a
//! stale nonce); the providers' other messages (withdrawals, peer and address changes, market
//! escrow); EVM contracts deployed by Ethereum accounts and called by every kind of account;
//! null rounds and messages repeated across blocks; rewards and cron every epoch,
//! applied as a node does ([`crate::tipset`]). Proofs are made up and accepted, as in
//! conformance runs. Seeded: a run is reproduced from its network version, seed and length
//! alone.

mod clients;
mod lifecycle;
mod miner_state;

use std::collections::BTreeMap;

use cid::Cid;
use fvm_ipld_encoding::{from_slice, BytesDe};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{ActorID, MethodNum};
use ifvm_actors::{EAM_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID};
use ifvm_interp::Engine;
use ifvm_kernel::StateTree;

use super::driver::message;
use super::evm;
use super::keys::SecpKey;
use super::network::{Key, TestNetwork, EPOCH};
use super::params::{self, cbor, frc42_method};
use super::random::SplitMix64;
use super::sectors::{PreCommitSectorBatchParams2, PRE_COMMIT_SECTOR_BATCH2};
use crate::chain::IfvmChain;
use crate::prepared::PreparedVariant;
use crate::tipset::{
    apply_tipset, AppliedMessage, Block, Role, Tipset, TipsetError, TipsetOutcome,
};
use clients::Clients;
use lifecycle::{Context, Lifecycle, Recipient};
use miner_state::MinerView;

/// How many storage providers the first tipset creates.
pub const MINERS: usize = 3;

/// What each provider is funded with at creation (whole FIL): enough for the deposits and
/// pledges of its sectors on a young network.
const MINER_FUNDING_FIL: u64 = 5_000;

/// The base fee of the first tipset (attoFIL); later ones drift from it.
const INITIAL_BASE_FEE: u64 = 100;

/// A simulation cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// A tipset could not be applied.
    #[error(transparent)]
    Tipset(#[from] TipsetError),
    /// The state could not be read.
    #[error("reading the state at epoch {epoch}: {reason}")]
    State {
        /// The epoch.
        epoch: ChainEpoch,
        /// Why.
        reason: String,
    },
    /// The first tipset did not create the miners.
    #[error("the first tipset created {created} of {MINERS} miners")]
    Miners {
        /// How many it did create.
        created: usize,
    },
}

/// A chain being simulated on ifvm.
pub struct Simulation {
    net: TestNetwork,
    rng: SplitMix64,
    start: PreparedVariant,
    chain: IfvmChain,
    root: Cid,
    epoch: ChainEpoch,
    base_fee: u64,
    miners: Vec<Miner>,
    /// Each miner's sector business, in the order of `miners`.
    lifecycles: Vec<Lifecycle>,
    /// The storage clients.
    clients: Clients,
    /// EVM contracts deployed so far.
    contracts: Vec<Address>,
    /// The owner and worker of each miner the first tipset creates, in order.
    founders: Vec<(Address, Address)>,
}

/// A storage provider of the simulation.
#[derive(Clone, Copy)]
struct Miner {
    id: Address,
    owner: Address,
    worker: Address,
}

impl Simulation {
    /// A simulation from `net`'s genesis state at [`EPOCH`], drawing from `seed`. Its machines
    /// see no circulating supply, as a node's conformance driver runs tipsets (Lotus's).
    pub fn new(net: &TestNetwork, engine: &Engine, seed: u64) -> Self {
        let mut start = PreparedVariant::from_state(net.nv, EPOCH, &net.state, Vec::new());
        start.params.circ_supply = TokenAmount::default();
        Self {
            net: net.clone(),
            rng: SplitMix64::new(seed),
            chain: IfvmChain::new(&start, engine),
            root: start.params.state_root,
            start,
            epoch: EPOCH,
            base_fee: INITIAL_BASE_FEE,
            miners: Vec::new(),
            lifecycles: Vec::new(),
            clients: Clients::new(net),
            contracts: Vec::new(),
            founders: Vec::new(),
        }
    }

    /// The starting point: the genesis state, its blocks and the machine parameters every
    /// tipset's machines share (a reference replays the simulation from it).
    pub fn start(&self) -> &PreparedVariant {
        &self.start
    }

    /// The epoch of the last tipset applied ([`EPOCH`] before the first).
    pub fn epoch(&self) -> ChainEpoch {
        self.epoch
    }

    /// The state root after the last tipset applied.
    pub fn root(&self) -> Cid {
        self.root
    }

    /// The ifvm chain, every state of the simulation in its store.
    pub fn into_chain(self) -> IfvmChain {
        self.chain
    }

    /// Draws the next tipset from the current state.
    pub fn next_tipset(&mut self) -> Result<Tipset, SimulationError> {
        let state_error = |epoch, e: &dyn std::fmt::Display| SimulationError::State {
            epoch,
            reason: e.to_string(),
        };
        let state = StateTree::new_from_root(self.chain.store(), &self.root)
            .map_err(|e| state_error(self.epoch, &e))?;
        // Every sender is a genesis account: their nonces, from the state.
        let mut next = BTreeMap::new();
        for account in &self.net.accounts {
            let sequence = state
                .get_actor(account.id)
                .map_err(|e| SimulationError::State {
                    epoch: self.epoch,
                    reason: e.to_string(),
                })?
                .map_or(0, |a| a.sequence);
            next.insert(account.address(), sequence);
        }
        let mut nonces = Nonces { next };
        self.base_fee = (self.base_fee + self.rng.below(21))
            .saturating_sub(10)
            .max(1);
        if self.miners.is_empty() {
            return Ok(self.first_tipset(&mut nonces));
        }
        let null_rounds = if self.rng.chance(4) {
            1 + self.rng.below(2) as ChainEpoch
        } else {
            0
        };
        let blocks = 1 + self.rng.below(3) as usize;
        let mut tipset = Tipset {
            epoch: self.epoch + 1 + null_rounds,
            base_fee: TokenAmount::from_atto(self.base_fee),
            blocks: (0..blocks)
                .map(|_| Block {
                    miner: self.rng.pick(&self.miners).id,
                    win_count: 1 + self.rng.below(10).saturating_sub(7) as i64,
                    messages: Vec::new(),
                })
                .collect(),
        };
        // The providers' sector business first, in the first block: their workers' nonces
        // come before any traffic's.
        let externs = self.start.externs();
        for (miner, lifecycle) in self.miners.iter().zip(&mut self.lifecycles) {
            let id = miner.id.id().map_err(|e| state_error(self.epoch, &e))?;
            let head = actor_head(&state, id, self.epoch)?;
            let view = MinerView::load(self.chain.store(), &head)
                .map_err(|e| state_error(self.epoch, &e))?;
            let cx = Context {
                view: &view,
                epoch: tipset.epoch,
                externs: &externs,
            };
            for m in lifecycle.messages(&mut self.rng, &cx) {
                let to = match m.to {
                    Recipient::Miner => miner.id,
                    Recipient::Market => Address::new_id(STORAGE_MARKET_ACTOR_ID),
                };
                let msg =
                    nonces.message(miner.worker, to, TokenAmount::default(), m.method, m.params);
                tipset.blocks[0].messages.push(msg);
            }
        }
        let deals = self
            .clients
            .messages(&mut self.rng, tipset.epoch, &self.miners, &mut nonces);
        tipset.blocks[0].messages.extend(deals);
        for _ in 0..self.rng.below(7) {
            let msg = self.traffic(&mut nonces);
            let block = self.rng.below(blocks as u64) as usize;
            tipset.blocks[block].messages.push(msg.clone());
            if blocks > 1 && self.rng.chance(10) {
                let other = (block + 1) % blocks;
                tipset.blocks[other].messages.push(msg);
            }
        }
        Ok(tipset)
    }

    /// Applies `tipset` on ifvm; the first one's receipts name the miners.
    pub fn apply(&mut self, tipset: &Tipset) -> Result<TipsetOutcome, SimulationError> {
        let outcome = apply_tipset(&mut self.chain, self.root, self.epoch, tipset)?;
        if self.miners.is_empty() {
            self.record_miners(&outcome)?;
        }
        self.record_pre_commits(&outcome, tipset.epoch);
        for (provider, piece) in self.clients.agreed(&outcome) {
            if let Some(i) = self.miner_index(Address::new_id(provider)) {
                self.lifecycles[i].agreed(piece);
            }
        }
        self.record_contracts(&outcome);
        self.root = outcome.state_root;
        self.epoch = tipset.epoch;
        Ok(outcome)
    }

    /// The first tipset: one block, credited to an account (no miner exists yet, so its reward
    /// is burnt), creating the miners.
    fn first_tipset(&mut self, nonces: &mut Nonces) -> Tipset {
        let bls: Vec<_> = self.net.of_kind(|k| matches!(k, Key::Bls(_)));
        let messages = (0..MINERS)
            .map(|i| {
                let owner = bls[i % bls.len()].address();
                let worker = bls[(i + 1) % bls.len()].address();
                self.founders.push((owner, worker));
                let p = cbor(&params::CreateMinerParams {
                    owner,
                    worker,
                    window_post_proof_type: params::miner::window_post_32gib(self.net.nv),
                    peer: format!("peer-{i}").into_bytes(),
                    multiaddrs: vec![params::BytesParam(b"/ip4/127.0.0.1/tcp/1".to_vec())],
                });
                nonces.message(
                    owner,
                    Address::new_id(STORAGE_POWER_ACTOR_ID),
                    TokenAmount::from_whole(MINER_FUNDING_FIL),
                    params::power::CREATE_MINER,
                    p,
                )
            })
            .collect();
        Tipset {
            epoch: self.epoch + 1,
            base_fee: TokenAmount::from_atto(self.base_fee),
            blocks: vec![Block {
                miner: self.net.account(0).id_address(),
                win_count: 1,
                messages,
            }],
        }
    }

    /// The index in `miners` (and `lifecycles`) of the miner at `id`.
    fn miner_index(&self, id: Address) -> Option<usize> {
        self.miners.iter().position(|m| m.id == id)
    }

    /// Sectors the tipset's successful pre-commits pre-committed, for their miners to prove.
    fn record_pre_commits(&mut self, outcome: &TipsetOutcome, epoch: ChainEpoch) {
        for m in succeeded(outcome, PRE_COMMIT_SECTOR_BATCH2) {
            let (Some(i), Ok(params)) = (
                self.miner_index(m.message.to),
                from_slice::<PreCommitSectorBatchParams2>(m.message.params.bytes()),
            ) else {
                continue;
            };
            self.lifecycles[i].pre_committed(params.sectors.iter().map(|s| s.sector_number), epoch);
        }
    }

    fn record_miners(&mut self, outcome: &TipsetOutcome) -> Result<(), SimulationError> {
        for m in outcome.messages.iter().filter(|m| m.role == Role::Message) {
            let receipt = &m.applied.receipt;
            if !receipt.exit_code.is_success() {
                continue;
            }
            if let (Ok(ret), Some(&(owner, worker))) = (
                from_slice::<params::CreatedAddresses>(receipt.return_data.bytes()),
                self.founders.get(self.miners.len()),
            ) {
                self.miners.push(Miner {
                    id: ret.id_address,
                    owner,
                    worker,
                });
                if let Ok(id) = ret.id_address.id() {
                    let synthetic = self.lifecycles.len() % 2 == 1;
                    self.lifecycles
                        .push(Lifecycle::new(self.net.nv, id, synthetic));
                }
            }
        }
        if self.miners.len() != MINERS {
            return Err(SimulationError::Miners {
                created: self.miners.len(),
            });
        }
        Ok(())
    }

    /// One message of ordinary traffic or of a miner's business.
    fn traffic(&mut self, nonces: &mut Nonces) -> Message {
        let from = self.net.account(self.rng.below(64) as usize).address();
        let to = self.net.account(self.rng.below(64) as usize).id_address();
        let milli = |n: u64| TokenAmount::from_nano(n * 1_000_000);
        let miner = *self.rng.pick(&self.miners);
        match self.rng.below(15) {
            // A transfer to an address no actor has yet: an account is created.
            0 => {
                let fresh = SecpKey::from_seed(5000 + self.rng.below(1000)).address();
                nonces.message(from, fresh, milli(1 + self.rng.below(100)), 0, Vec::new())
            }
            // More than the sender has.
            1 => nonces.message(from, to, TokenAmount::from_whole(1_000_000), 0, Vec::new()),
            // A gas limit below the message's inclusion cost: refused before execution.
            2 => {
                let mut m = nonces.message(from, to, milli(1), 0, Vec::new());
                m.gas_limit = 1000;
                m
            }
            // A nonce already used.
            3 => {
                let mut m = nonces.message(from, to, milli(1), 0, Vec::new());
                m.sequence = m.sequence.saturating_sub(1 + self.rng.below(3));
                m
            }
            4 => nonces.message(
                miner.owner,
                miner.id,
                TokenAmount::from_whole(1 + self.rng.below(5)),
                0,
                Vec::new(),
            ),
            5 => nonces.message(
                miner.owner,
                miner.id,
                TokenAmount::default(),
                MINER_WITHDRAW_BALANCE,
                cbor(&(milli(self.rng.below(2000)),)),
            ),
            6 => nonces.message(
                miner.worker,
                miner.id,
                TokenAmount::default(),
                params::miner::CHANGE_PEER_ID,
                cbor(&params::ChangePeerIdParams {
                    new_id: self.rng.next_u64().to_be_bytes().to_vec(),
                }),
            ),
            7 => nonces.message(
                from,
                miner.id,
                TokenAmount::default(),
                params::miner::CONTROL_ADDRESSES,
                Vec::new(),
            ),
            8 => nonces.message(
                miner.owner,
                Address::new_id(STORAGE_MARKET_ACTOR_ID),
                milli(1 + self.rng.below(5000)),
                params::market::ADD_BALANCE,
                cbor(&miner.id),
            ),
            9 => nonces.message(
                miner.owner,
                Address::new_id(STORAGE_MARKET_ACTOR_ID),
                TokenAmount::default(),
                params::market::WITHDRAW_BALANCE,
                cbor(&params::WithdrawBalanceParams {
                    provider_or_client: miner.id,
                    amount: milli(self.rng.below(3000)),
                }),
            ),
            // An EVM contract deployed by an Ethereum account.
            12 => {
                let eth = self.net.of_kind(|k| matches!(k, Key::Eth(_)));
                let from = self.rng.pick(&eth).address();
                let runtimes = [evm::storage, evm::logger, evm::reverter, evm::prevrandao];
                let runtime = self.rng.pick(&runtimes)();
                nonces.message(
                    from,
                    Address::new_id(EAM_ACTOR_ID),
                    TokenAmount::default(),
                    params::eam::CREATE_EXTERNAL,
                    cbor(&params::BytesParam(evm::deploy(&runtime))),
                )
            }
            // A call into a deployed contract (with a word of calldata, some with value).
            13 | 14 if !self.contracts.is_empty() => {
                let contract = *self.rng.pick(&self.contracts);
                let calldata = self.rng.next_u64().to_be_bytes().repeat(4);
                let value = if self.rng.chance(20) {
                    milli(1)
                } else {
                    TokenAmount::default()
                };
                nonces.message(
                    from,
                    contract,
                    value,
                    frc42_method("InvokeEVM"),
                    cbor(&params::BytesParam(calldata)),
                )
            }
            _ => nonces.message(from, to, milli(1 + self.rng.below(1000)), 0, Vec::new()),
        }
    }

    /// Contracts the tipset's successful deployments created, for later traffic to call.
    fn record_contracts(&mut self, outcome: &TipsetOutcome) {
        let eam = Address::new_id(EAM_ACTOR_ID);
        for m in succeeded(outcome, params::eam::CREATE_EXTERNAL).filter(|m| m.message.to == eam) {
            // EAM's return: the actor ID, its robust address, its Ethereum address.
            if let Ok((id, _, _)) =
                from_slice::<(u64, Option<Address>, BytesDe)>(m.applied.receipt.return_data.bytes())
            {
                self.contracts.push(Address::new_id(id));
            }
        }
    }
}

/// How many deals the market holds as activated in the state at `root` of `chain`, the state
/// after the tipset at `epoch`.
pub fn activated_deals(
    chain: &IfvmChain,
    root: &Cid,
    epoch: ChainEpoch,
) -> Result<u64, SimulationError> {
    let error = |e: &dyn std::fmt::Display| SimulationError::State {
        epoch,
        reason: e.to_string(),
    };
    let state = StateTree::new_from_root(chain.store(), root).map_err(|e| error(&e))?;
    let market = actor_head(&state, STORAGE_MARKET_ACTOR_ID, epoch)?;
    miner_state::activated_deals(chain.store(), &market).map_err(|e| error(&e))
}

/// The state root of actor `id` in `state` (the state after the tipset at `epoch`).
fn actor_head<B: fvm_ipld_blockstore::Blockstore>(
    state: &StateTree<B>,
    id: ActorID,
    epoch: ChainEpoch,
) -> Result<Cid, SimulationError> {
    let error = |reason: String| SimulationError::State { epoch, reason };
    Ok(state
        .get_actor(id)
        .map_err(|e| error(e.to_string()))?
        .ok_or_else(|| error(format!("actor {id} is missing")))?
        .state)
}

/// The tipset's explicit messages of `method` that succeeded.
fn succeeded(outcome: &TipsetOutcome, method: MethodNum) -> impl Iterator<Item = &AppliedMessage> {
    outcome
        .with_role(Role::Message)
        .filter(move |m| m.message.method_num == method && m.applied.receipt.exit_code.is_success())
}

/// The miner actor's `WithdrawBalance`.
const MINER_WITHDRAW_BALANCE: MethodNum = 16;

/// Nonces for a tipset's messages: each sender's from the state, then one more per message.
struct Nonces {
    next: BTreeMap<Address, u64>,
}

impl Nonces {
    fn message(
        &mut self,
        from: Address,
        to: Address,
        value: TokenAmount,
        method_num: MethodNum,
        params: Vec<u8>,
    ) -> Message {
        let next = self.next.entry(from).or_default();
        let sequence = *next;
        *next += 1;
        message(from, to, sequence, value, method_num, params)
    }
}

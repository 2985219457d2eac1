//! Applying a tipset as a Filecoin node does (Lotus's `ApplyBlocks`, which its conformance driver
//! runs for `tipset`-class vectors), on any VM behind [`ChainVm`]: cron for every null round
//! since the parent, then each block's messages (BLS-signed and unsigned first, then secp256k1;
//! a message already applied in an earlier block skipped) followed by the block's reward, then
//! one cron tick; the receipts root is the AMT of the explicit messages' receipts. The one place
//! these rules live, for ifvm's runner and generator and for the reference alike.

use std::collections::BTreeSet;

use cid::Cid;
use fvm_ipld_amt::Amtv0;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes, DAG_CBOR};
use fvm_shared::address::{Address, Network, Protocol};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::{ActorEvent, StampedEvent};
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;
use fvm_shared::{ActorID, MethodNum};
use ifvm_actors::{CRON_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID};
use multihash_codetable::{Code, MultihashDigest};

use crate::message::decode_message;
use crate::schema::TipsetSpec;

/// The reward actor's `AwardBlockReward`.
const AWARD_BLOCK_REWARD: MethodNum = 2;
/// The cron actor's `EpochTick`.
const EPOCH_TICK: MethodNum = 2;
/// The gas limit of a reward message (Lotus's).
const REWARD_GAS_LIMIT: u64 = 1 << 30;
/// The gas limit of a cron tick: Lotus's block gas limit times 10,000 ("never too little").
const CRON_GAS_LIMIT: u64 = 10_000_000_000 * 10_000;

/// A block: the miner it rewards, its win count and its messages.
#[derive(Clone, Debug)]
pub struct Block {
    /// The miner the block's reward goes to.
    pub miner: Address,
    /// The block's election win count.
    pub win_count: i64,
    /// The messages, as the block lists them.
    pub messages: Vec<Message>,
}

/// A tipset to apply: its epoch, base fee and blocks.
#[derive(Clone, Debug)]
pub struct Tipset {
    /// The epoch.
    pub epoch: ChainEpoch,
    /// The base fee its messages pay.
    pub base_fee: TokenAmount,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// Why a message was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A block's message.
    Message,
    /// A block's reward (implicit, from the system actor).
    Reward,
    /// A cron tick (implicit, from the system actor), of the tipset or of a null round.
    Cron,
}

/// What a VM returns for one applied message: what consensus sees of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The receipt.
    pub receipt: Receipt,
    /// Each event's emitter and CBOR encoding.
    pub events: Vec<(ActorID, Vec<u8>)>,
    /// What the block's miner earns from the message.
    pub miner_tip: TokenAmount,
    /// What the block's miner is penalized for the message.
    pub penalty: TokenAmount,
}

impl Applied {
    /// What consensus sees of a message, from the parts of an `ApplyRet` (ifvm's and ref-fvm
    /// 4's have them alike).
    pub fn new(
        receipt: Receipt,
        events: &[StampedEvent],
        miner_tip: TokenAmount,
        penalty: TokenAmount,
    ) -> Self {
        Self {
            receipt,
            events: events
                .iter()
                .map(|e| (e.emitter, to_vec(&e.event).expect("events serialize")))
                .collect(),
            miner_tip,
            penalty,
        }
    }

    /// The `$type` of each of its events that has one (the builtin actors name every event
    /// they emit so, from actors v13): `deal-activated`, `claim`, `sector-updated`, ….
    pub fn event_types(&self) -> impl Iterator<Item = String> + '_ {
        self.events.iter().filter_map(|(_, bytes)| {
            let event: ActorEvent = from_slice(bytes).ok()?;
            let entry = event.entries.iter().find(|e| e.key == "$type")?;
            from_slice(&entry.value).ok()
        })
    }
}

/// One message of a tipset's application, in the order applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedMessage {
    /// The message (implicit ones included).
    pub message: Message,
    /// Why it was applied.
    pub role: Role,
    /// Its result.
    pub applied: Applied,
}

/// What applying a tipset produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TipsetOutcome {
    /// Every applied message, implicit ones included, in order.
    pub messages: Vec<AppliedMessage>,
    /// The AMT root of the explicit messages' receipts.
    pub receipts_root: Cid,
    /// The state root after the tipset.
    pub state_root: Cid,
}

impl TipsetOutcome {
    /// The gas its cron ticks used (the tipset's and its null rounds').
    pub fn cron_gas(&self) -> u64 {
        self.with_role(Role::Cron)
            .map(|m| m.applied.receipt.gas_used)
            .sum()
    }

    /// The gas every applied message used, implicit ones included.
    pub fn gas_used(&self) -> u64 {
        self.messages
            .iter()
            .map(|m| m.applied.receipt.gas_used)
            .sum()
    }

    /// How many explicit messages did not succeed.
    pub fn failures(&self) -> usize {
        self.with_role(Role::Message)
            .filter(|m| !m.applied.receipt.exit_code.is_success())
            .count()
    }

    /// The applied messages of `role`.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &AppliedMessage> {
        self.messages.iter().filter(move |m| m.role == role)
    }
}

/// A VM that applies tipsets: machines opened at an epoch over a state root, messages applied
/// on the machine opened last, its state flushed.
pub trait ChainVm {
    /// Opens a machine at `epoch` over `state_root` with `base_fee` (the previous one, flushed,
    /// is dropped).
    fn open(
        &mut self,
        state_root: Cid,
        epoch: ChainEpoch,
        base_fee: &TokenAmount,
    ) -> anyhow::Result<()>;

    /// Applies `msg` on the open machine: implicitly (no checks or fees) or as an explicit
    /// message of `raw_length` bytes on chain.
    fn apply(
        &mut self,
        msg: &Message,
        implicit: bool,
        raw_length: usize,
    ) -> anyhow::Result<Applied>;

    /// Flushes the open machine's state and returns its root.
    fn flush(&mut self) -> anyhow::Result<Cid>;
}

/// Where a tipset's application stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Opening a machine.
    Open,
    /// The explicit message with this index in the tipset.
    Message(usize),
    /// The reward of the block with this index.
    Reward(usize),
    /// A cron tick.
    Cron,
    /// Flushing the state.
    Flush,
    /// Building the receipts AMT.
    ReceiptsRoot,
}

/// A tipset cannot be applied (a node would reject it).
#[derive(Debug, thiserror::Error)]
pub enum TipsetError {
    /// The VM failed.
    #[error("{step:?} at epoch {epoch}: {reason}")]
    Vm {
        /// Where.
        step: Step,
        /// The epoch of the machine.
        epoch: ChainEpoch,
        /// The VM's error.
        reason: String,
    },
    /// A reward or cron message did not succeed, which invalidates the tipset.
    #[error("{step:?} at epoch {epoch} exited with code {exit_code}")]
    ImplicitFailed {
        /// Which implicit message.
        step: Step,
        /// The epoch.
        epoch: ChainEpoch,
        /// Its exit code.
        exit_code: u32,
    },
    /// The tipset is not after its parent.
    #[error("tipset at epoch {epoch} does not follow its parent at epoch {parent}")]
    NotAfterParent {
        /// The tipset's epoch.
        epoch: ChainEpoch,
        /// The parent's.
        parent: ChainEpoch,
    },
}

/// A tipset of a vector cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// A block's miner address does not parse.
    #[error("tipset {tipset}, block {block}: invalid miner address {address:?}: {reason}")]
    Miner {
        /// The tipset's index.
        tipset: usize,
        /// The block's index.
        block: usize,
        /// The address as written.
        address: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A block's message does not decode.
    #[error("tipset {tipset}, block {block}, message {message}: {reason}")]
    Message {
        /// The tipset's index.
        tipset: usize,
        /// The block's index.
        block: usize,
        /// The message's index in the block.
        message: usize,
        /// Why it does not decode.
        reason: String,
    },
}

/// The tipsets of a vector whose variant is at `base_epoch`, decoded.
pub fn decode_tipsets(
    specs: &[TipsetSpec],
    base_epoch: ChainEpoch,
) -> Result<Vec<Tipset>, DecodeError> {
    specs
        .iter()
        .enumerate()
        .map(|(tipset, spec)| {
            let blocks = spec
                .blocks
                .iter()
                .enumerate()
                .map(|(block, b)| {
                    let miner = parse_address(&b.miner_addr).map_err(|e| DecodeError::Miner {
                        tipset,
                        block,
                        address: b.miner_addr.clone(),
                        reason: e.to_string(),
                    })?;
                    let messages = b
                        .messages
                        .iter()
                        .enumerate()
                        .map(|(message, bytes)| {
                            decode_message(bytes).map(|(m, _)| m).map_err(|reason| {
                                DecodeError::Message {
                                    tipset,
                                    block,
                                    message,
                                    reason,
                                }
                            })
                        })
                        .collect::<Result<_, _>>()?;
                    Ok(Block {
                        miner,
                        win_count: b.win_count,
                        messages,
                    })
                })
                .collect::<Result<_, _>>()?;
            Ok(Tipset {
                epoch: base_epoch + spec.epoch_offset,
                base_fee: TokenAmount::from_atto(spec.basefee),
                blocks,
            })
        })
        .collect()
}

/// An address in text with either network's prefix (`f` or `t`), as vectors from either
/// network write them.
fn parse_address(text: &str) -> Result<Address, fvm_shared::address::Error> {
    Network::Mainnet
        .parse_address(text)
        .or_else(|_| Network::Testnet.parse_address(text))
}

/// Applies `tipset`, whose parent (the last non-null tipset) is at `parent_epoch` with state
/// `pre_root`, on `vm`.
pub fn apply_tipset<V: ChainVm>(
    vm: &mut V,
    pre_root: Cid,
    parent_epoch: ChainEpoch,
    tipset: &Tipset,
) -> Result<TipsetOutcome, TipsetError> {
    let epoch = tipset.epoch;
    if epoch < parent_epoch {
        return Err(TipsetError::NotAfterParent {
            epoch,
            parent: parent_epoch,
        });
    }
    let vm_err = |step, epoch| {
        move |e: anyhow::Error| TipsetError::Vm {
            step,
            epoch,
            reason: format!("{e:#}"),
        }
    };
    let mut messages = Vec::new();
    let mut root = pre_root;
    for null_round in parent_epoch + 1..epoch {
        vm.open(root, null_round, &tipset.base_fee)
            .map_err(vm_err(Step::Open, null_round))?;
        messages.push(cron(vm, null_round)?);
        root = vm.flush().map_err(vm_err(Step::Flush, null_round))?;
    }
    vm.open(root, epoch, &tipset.base_fee)
        .map_err(vm_err(Step::Open, epoch))?;
    let mut seen = BTreeSet::new();
    let mut receipts = Vec::new();
    for (b, block) in tipset.blocks.iter().enumerate() {
        let mut miner_tip = TokenAmount::default();
        let mut penalty = TokenAmount::default();
        for (msg, raw_length) in in_application_order(&block.messages) {
            if !seen.insert(message_cid(&msg)) {
                continue;
            }
            let applied = vm
                .apply(&msg, false, raw_length)
                .map_err(vm_err(Step::Message(receipts.len()), epoch))?;
            miner_tip += &applied.miner_tip;
            penalty += &applied.penalty;
            receipts.push(applied.receipt.clone());
            messages.push(AppliedMessage {
                message: msg,
                role: Role::Message,
                applied,
            });
        }
        let reward = implicit(
            REWARD_ACTOR_ID,
            AWARD_BLOCK_REWARD,
            epoch,
            REWARD_GAS_LIMIT,
            to_vec(&(block.miner, penalty, miner_tip, block.win_count))
                .expect("reward parameters serialize"),
        );
        messages.push(apply_implicit(
            vm,
            reward,
            Role::Reward,
            Step::Reward(b),
            epoch,
        )?);
    }
    messages.push(cron(vm, epoch)?);
    let receipts_root = Amtv0::new_from_iter(MemoryBlockstore::new(), receipts)
        .map_err(|e| vm_err(Step::ReceiptsRoot, epoch)(e.into()))?;
    let state_root = vm.flush().map_err(vm_err(Step::Flush, epoch))?;
    Ok(TipsetOutcome {
        messages,
        receipts_root,
        state_root,
    })
}

/// A block's messages in the order a node applies them, each with its on-chain length: those
/// not signed with secp256k1 (BLS, and senders no key signs, which a driver lists with both
/// kinds) first, then the secp256k1 ones, each group in the block's order.
fn in_application_order(messages: &[Message]) -> Vec<(Message, usize)> {
    let (secp, others): (Vec<_>, Vec<_>) = messages
        .iter()
        .partition(|m| m.from.protocol() == Protocol::Secp256k1);
    others
        .into_iter()
        .chain(secp)
        .map(|m| {
            decode_message(&to_vec(m).expect("messages serialize")).expect("a message round-trips")
        })
        .collect()
}

/// The CID of an unsigned message (what a node deduplicates a tipset's messages by).
pub fn message_cid(msg: &Message) -> Cid {
    let bytes = to_vec(msg).expect("messages serialize");
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&bytes))
}

/// An implicit message from the system actor at `epoch` (its nonce), as a node builds one.
fn implicit(
    to: ActorID,
    method: MethodNum,
    epoch: ChainEpoch,
    gas_limit: u64,
    params: Vec<u8>,
) -> Message {
    Message {
        version: 0,
        from: Address::new_id(SYSTEM_ACTOR_ID),
        to: Address::new_id(to),
        sequence: epoch as u64,
        value: TokenAmount::default(),
        method_num: method,
        params: RawBytes::new(params),
        gas_limit,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    }
}

fn cron<V: ChainVm>(vm: &mut V, epoch: ChainEpoch) -> Result<AppliedMessage, TipsetError> {
    let tick = implicit(CRON_ACTOR_ID, EPOCH_TICK, epoch, CRON_GAS_LIMIT, Vec::new());
    apply_implicit(vm, tick, Role::Cron, Step::Cron, epoch)
}

fn apply_implicit<V: ChainVm>(
    vm: &mut V,
    message: Message,
    role: Role,
    step: Step,
    epoch: ChainEpoch,
) -> Result<AppliedMessage, TipsetError> {
    let applied = vm.apply(&message, true, 0).map_err(|e| TipsetError::Vm {
        step,
        epoch,
        reason: format!("{e:#}"),
    })?;
    let exit_code = applied.receipt.exit_code.value();
    if exit_code != 0 {
        return Err(TipsetError::ImplicitFailed {
            step,
            epoch,
            exit_code,
        });
    }
    Ok(AppliedMessage {
        message,
        role,
        applied,
    })
}

/// The first difference between two engines' outcomes of the same tipset (every applied
/// message's role, receipt and events, the receipts root, the state root), or `None`.
pub fn tipset_difference(a: &TipsetOutcome, b: &TipsetOutcome) -> Option<String> {
    for (i, (x, y)) in a.messages.iter().zip(&b.messages).enumerate() {
        if x.role != y.role || x.message != y.message {
            return Some(format!("message {i}: {:?} against {:?}", x.role, y.role));
        }
        if x.applied != y.applied {
            return Some(format!(
                "message {i} ({:?}, to {} method {}): {:?} against {:?}",
                x.role, x.message.to, x.message.method_num, x.applied, y.applied
            ));
        }
    }
    if a.messages.len() != b.messages.len() {
        return Some(format!(
            "{} applied messages against {}",
            a.messages.len(),
            b.messages.len()
        ));
    }
    if a.receipts_root != b.receipts_root {
        return Some(format!(
            "receipts root {} against {}",
            a.receipts_root, b.receipts_root
        ));
    }
    (a.state_root != b.state_root)
        .then(|| format!("state root {} against {}", a.state_root, b.state_root))
}

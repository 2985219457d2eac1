//! A vector variant decoded once and ready to be applied any number of times, on ifvm or on any
//! other engine: the blocks (bundle and vector), the machine parameters and the messages.

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_interp::Engine;
use ifvm_kernel::{Executor, TOTAL_FILECOIN};

use crate::bundles::BundleSet;
use crate::externs::{ReplayExterns, Unrecorded};
use crate::genesis::GenesisState;
use crate::machine::{timestamp, MachineParams};
use crate::message::decode_message;
use crate::schema::{RandomnessMatch, TestVector, Variant};
use crate::store::{CollectingStore, RunStore, SharedBlocks};

/// ref-fvm's conformance runner's base fee when a vector gives none.
pub const DEFAULT_BASE_FEE: u128 = 100;

/// A variant cannot be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The vector's CAR or the bundle cannot be loaded.
    #[error("loading blocks: {0}")]
    Blocks(String),
    /// A message does not decode.
    #[error("message {index}: {reason}")]
    Message {
        /// The message's index.
        index: usize,
        /// Why it does not decode.
        reason: String,
    },
    /// ifvm cannot build a machine for the variant.
    #[error("machine: {0}")]
    Machine(String),
    /// The vector applies tipsets, not loose messages.
    #[error(
        "a tipset vector: its messages are applied in tipsets, with rewards and cron (the runner \
         applies them; this takes message vectors)"
    )]
    TipsetClass,
}

/// One variant of a vector, decoded: applying it never touches the shared blocks, so it can be
/// applied again and again (each machine gets its own [`RunStore`] over them).
#[derive(Clone)]
pub struct PreparedVariant {
    /// The machine the messages run on.
    pub params: MachineParams,
    /// The randomness the vector recorded.
    pub randomness: Vec<RandomnessMatch>,
    /// What the externs serve for randomness the vector does not record: ref-fvm's runner's
    /// fallback for a vector, the simulated chain's for a generated case.
    pub unrecorded: Unrecorded,
    /// Each message with its on-chain length.
    pub messages: Vec<(Message, usize)>,
    /// The expected state root after the messages.
    pub expected_root: Cid,
    /// The expected receipts' (exit code, return bytes, gas used), one per message.
    pub expected: Vec<(u32, Vec<u8>, u64)>,
    blocks: Vec<SharedBlocks>,
}

impl PreparedVariant {
    /// Decodes `variant` of the message vector `vector`, with the builtin actors of its
    /// network version from `bundles`; a tipset vector is refused
    /// ([`PrepareError::TipsetClass`]).
    pub fn new(
        bundles: &BundleSet,
        vector: &TestVector,
        variant: &Variant,
    ) -> Result<Self, PrepareError> {
        if !vector.apply_tipsets.is_empty() {
            return Err(PrepareError::TipsetClass);
        }
        Self::decode(bundles, vector, variant)
    }

    /// The starting point of `variant` of the tipset vector `vector` (no messages: they are in
    /// the vector's tipsets, which [`crate::tipset::decode_tipsets`] decodes).
    pub fn tipset_start(
        bundles: &BundleSet,
        vector: &TestVector,
        variant: &Variant,
    ) -> Result<Self, PrepareError> {
        Self::decode(bundles, vector, variant)
    }

    fn decode(
        bundles: &BundleSet,
        vector: &TestVector,
        variant: &Variant,
    ) -> Result<Self, PrepareError> {
        let car = vector
            .car_bytes()
            .map_err(|e| PrepareError::Blocks(e.to_string()))?;
        let bundle = bundles
            .for_network(variant.nv)
            .map_err(|e| PrepareError::Blocks(e.to_string()))?;
        let store = CollectingStore::default();
        fvm_ipld_car::load_car_unchecked(&store, car.as_slice())
            .map_err(|e| PrepareError::Blocks(format!("invalid vector CAR: {e}")))?;
        let messages = vector
            .apply_messages
            .iter()
            .enumerate()
            .map(|(index, m)| {
                decode_message(&m.bytes).map_err(|reason| PrepareError::Message { index, reason })
            })
            .collect::<Result<_, _>>()?;
        let pre = &vector.preconditions;
        Ok(Self {
            params: MachineParams {
                nv: variant.nv,
                chain_id: 0,
                epoch: variant.epoch,
                timestamp: timestamp(variant.epoch),
                state_root: pre.state_tree.root_cid,
                base_fee: TokenAmount::from_atto(pre.basefee.unwrap_or(DEFAULT_BASE_FEE)),
                circ_supply: pre
                    .circ_supply
                    .map(TokenAmount::from_atto)
                    .unwrap_or_else(|| TokenAmount::from_whole(TOTAL_FILECOIN)),
            },
            randomness: vector.randomness.clone(),
            unrecorded: Unrecorded::Fallback,
            messages,
            expected_root: vector.postconditions.state_tree.root_cid,
            expected: vector
                .postconditions
                .receipts
                .iter()
                .map(|r| (r.exit_code, r.return_data.clone(), r.gas_used))
                .collect(),
            blocks: vec![bundle, SharedBlocks::freeze(store)],
        })
    }

    /// A variant starting at a built `state` (expected results left empty, for a reference to
    /// fill), with the defaults of the runner: base fee 100, the whole supply circulating, and
    /// the simulated chain's randomness ([`Unrecorded::Derived`]).
    pub fn from_state(
        nv: u32,
        epoch: ChainEpoch,
        state: &GenesisState,
        messages: Vec<(Message, usize)>,
    ) -> Self {
        let own = CollectingStore::default();
        for (k, v) in &state.blocks {
            fvm_ipld_blockstore::Blockstore::put_keyed(&own, k, v).expect("memory store");
        }
        Self {
            params: MachineParams {
                nv,
                chain_id: 0,
                epoch,
                timestamp: timestamp(epoch),
                state_root: state.root,
                base_fee: TokenAmount::from_atto(DEFAULT_BASE_FEE),
                circ_supply: TokenAmount::from_whole(TOTAL_FILECOIN),
            },
            randomness: Vec::new(),
            unrecorded: Unrecorded::Derived,
            messages,
            expected_root: state.root,
            expected: Vec::new(),
            blocks: vec![state.bundle.clone(), SharedBlocks::freeze(own)],
        }
    }

    /// The CIDs of the vector's own blocks (its CAR's, not the bundle's), sorted.
    pub fn own_block_cids(&self) -> Vec<Cid> {
        self.blocks
            .last()
            .map(SharedBlocks::cids)
            .unwrap_or_default()
    }

    /// The variant with `bytes` served under `cid` in place of the block the vector has (the
    /// bytes need not hash to the CID: a corrupted store, for mutation tests).
    pub fn with_block_replaced(&self, cid: Cid, bytes: Vec<u8>) -> Self {
        let mut blocks = vec![SharedBlocks::single(cid, bytes)];
        blocks.extend(self.blocks.iter().cloned());
        Self {
            blocks,
            ..self.clone()
        }
    }

    /// A fresh blockstore over the bundle's and the vector's blocks.
    pub fn store(&self) -> RunStore {
        RunStore::new(self.blocks.clone())
    }

    /// Externs replaying the variant's recorded randomness, serving the rest as
    /// [`unrecorded`](Self::unrecorded) says.
    pub fn externs(&self) -> ReplayExterns {
        ReplayExterns::new(self.randomness.clone(), self.unrecorded)
    }

    /// An ifvm executor at the variant's pre-state, on `engine` (whose module cache it shares),
    /// with [`externs`](Self::externs); with `tracing`, receipts carry whole execution traces.
    pub fn ifvm_executor(
        &self,
        engine: &Engine,
        tracing: bool,
    ) -> Result<Executor<RunStore, ReplayExterns>, PrepareError> {
        self.params
            .executor(engine, self.store(), self.externs(), tracing)
            .map_err(|e| PrepareError::Machine(e.to_string()))
    }
}

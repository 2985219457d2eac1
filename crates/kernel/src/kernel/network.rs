//! The network, the message, randomness, circulating supply, events and debugging.

use std::io::Write;

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ErrorNumber;
use fvm_shared::event::{ActorEvent, StampedEvent};
use fvm_shared::randomness::RANDOMNESS_LENGTH;
use fvm_shared::IPLD_RAW;

use super::{Ext, Kernel, Store};
use crate::error::{Classify, Result};
use crate::syscall_error;

/// How far back `tipset_cid` may look.
const FINALITY: i64 = 900;

/// What `vm::message_context` returns.
#[derive(Debug, Clone)]
pub struct MessageContext {
    /// The message sender.
    pub origin: u64,
    /// The message nonce.
    pub nonce: u64,
    /// The calling actor.
    pub caller: u64,
    /// The running actor.
    pub receiver: u64,
    /// The method being run.
    pub method_number: u64,
    /// The value sent with the call.
    pub value_received: TokenAmount,
    /// The message's effective premium.
    pub gas_premium: TokenAmount,
    /// Whether the call is read-only.
    pub read_only: bool,
}

/// What `network::context` returns.
#[derive(Debug, Clone)]
pub struct NetworkContext {
    /// The epoch.
    pub epoch: ChainEpoch,
    /// The epoch's timestamp.
    pub timestamp: u64,
    /// The base fee.
    pub base_fee: TokenAmount,
    /// The chain ID.
    pub chain_id: u64,
    /// The network version.
    pub network_version: u32,
}

impl<B: Store, E: Ext> Kernel<B, E> {
    /// The message context.
    pub fn msg_context(&mut self) -> Result<MessageContext> {
        self.cm
            .charge_gas(self.cm.price_list().on_message_context())?;
        Ok(MessageContext {
            origin: self.cm.origin(),
            nonce: self.cm.nonce(),
            caller: self.caller,
            receiver: self.actor_id,
            method_number: self.method,
            value_received: self.value_received.clone(),
            gas_premium: self.cm.gas_premium().clone(),
            read_only: self.read_only,
        })
    }

    /// The network context.
    pub fn network_context(&mut self) -> Result<NetworkContext> {
        self.cm
            .charge_gas(self.cm.price_list().on_network_context())?;
        let ctx = &self.cm.machine.context;
        Ok(NetworkContext {
            epoch: ctx.epoch,
            timestamp: ctx.timestamp,
            base_fee: ctx.base_fee.clone(),
            chain_id: ctx.network.chain_id.into(),
            network_version: ctx.network.network_version.into(),
        })
    }

    /// The circulating supply.
    pub fn total_fil_circ_supply(&self) -> TokenAmount {
        self.cm.machine.context.circ_supply.clone()
    }

    /// The CID of the tipset at `epoch` (within finality, before the current epoch).
    pub fn tipset_cid(&mut self, epoch: ChainEpoch) -> Result<Cid> {
        if epoch < 0 {
            return Err(syscall_error!(IllegalArgument; "epoch is negative"));
        }
        let offset = self.cm.machine.context.epoch - epoch;
        if offset < 0 {
            return Err(syscall_error!(IllegalArgument; "epoch {epoch} is in the future"));
        }
        if offset == 0 {
            return Err(
                syscall_error!(IllegalArgument; "cannot lookup the tipset cid for the current epoch"),
            );
        }
        if offset >= FINALITY {
            return Err(syscall_error!(IllegalArgument; "epoch {epoch} is too far in the past"));
        }
        self.cm
            .charge_gas(self.cm.price_list().on_tipset_cid_v3(offset > 1))?;
        self.cm
            .machine
            .externs
            .get_tipset_cid(epoch)
            .or_fatal("failed to get tipset cid")
    }

    /// Chain randomness drawn for `personalization` at `round` with `entropy`.
    pub fn get_randomness_from_tickets(
        &mut self,
        personalization: i64,
        round: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.cm
            .charge_gas(self.cm.price_list().on_get_randomness_v3(entropy.len()))?;
        let digest = self
            .cm
            .machine
            .externs
            .get_chain_randomness(round)
            .or_illegal_argument()?;
        Ok(draw_randomness(&digest, personalization, round, entropy))
    }

    /// Beacon randomness drawn for `personalization` at `round` with `entropy`.
    pub fn get_randomness_from_beacon(
        &mut self,
        personalization: i64,
        round: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.cm
            .charge_gas(self.cm.price_list().on_get_randomness_v3(entropy.len()))?;
        let digest = self
            .cm
            .machine
            .externs
            .get_beacon_randomness(round)
            .or_illegal_argument()?;
        Ok(draw_randomness(&digest, personalization, round, entropy))
    }

    /// Emits an event (CBOR-encoded `ActorEvent`).
    pub fn emit_event(&mut self, raw: &[u8]) -> Result<()> {
        if self.read_only {
            return Err(syscall_error!(ReadOnly; "cannot emit events while read-only"));
        }
        self.cm
            .charge_gas(self.cm.price_list().on_actor_event_validate(raw.len()))?;
        const MAX_ENCODED_SIZE: usize = 1 << 20;
        if raw.len() > MAX_ENCODED_SIZE {
            return Err(syscall_error!(IllegalArgument; "event WAY too large"));
        }
        let event: ActorEvent = std::panic::catch_unwind(|| fvm_ipld_encoding::from_slice(raw))
            .map_err(
                |_| syscall_error!(IllegalArgument; "panic when decoding event cbor from actor"),
            )?
            .or_error(ErrorNumber::IllegalArgument)?;
        validate_event(&event)?;
        let (mut indexed_elements, mut indexed_bytes) = (0u32, 0usize);
        for entry in &event.entries {
            use fvm_shared::event::Flags;
            if entry.flags.contains(Flags::FLAG_INDEXED_KEY) {
                indexed_elements += 1;
                indexed_bytes += entry.key.len();
            }
            if entry.flags.contains(Flags::FLAG_INDEXED_VALUE) {
                indexed_elements += 1;
                indexed_bytes += entry.value.len();
            }
        }
        let charge =
            self.cm
                .price_list()
                .on_actor_event_accept(indexed_elements, indexed_bytes, raw.len());
        self.cm.charge_gas(charge)?;
        self.cm
            .append_event(StampedEvent::new(self.actor_id, event));
        Ok(())
    }
}

/// ref-fvm's event limits: at most 256 entries, keys of at most 32 bytes, raw values only, at
/// most 8 KiB of values.
fn validate_event(event: &ActorEvent) -> Result<()> {
    const MAX_ENTRIES: usize = 256;
    const MAX_DATA: usize = 8 << 10;
    const MAX_KEY_LEN: usize = 32;
    if event.entries.len() > MAX_ENTRIES {
        return Err(syscall_error!(IllegalArgument;
            "event exceeded max entries: {} > {MAX_ENTRIES}", event.entries.len()));
    }
    let mut total = 0usize;
    for entry in &event.entries {
        if entry.key.len() > MAX_KEY_LEN {
            return Err(syscall_error!(IllegalArgument;
                "event key exceeded max size: {} > {MAX_KEY_LEN}", entry.key.len()));
        }
        if entry.codec != IPLD_RAW {
            return Err(
                syscall_error!(IllegalCodec; "event codec must be IPLD_RAW, was: {}", entry.codec),
            );
        }
        total += entry.value.len();
    }
    if total > MAX_DATA {
        return Err(syscall_error!(IllegalArgument;
            "event total values exceeded max size: {total} > {MAX_DATA}"));
    }
    Ok(())
}

/// Blake2b-256 of `personalization || digest || round || entropy` (big-endian integers).
pub(crate) fn draw_randomness(
    digest: &[u8; 32],
    personalization: i64,
    round: ChainEpoch,
    entropy: &[u8],
) -> [u8; RANDOMNESS_LENGTH] {
    let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
    // Writing into a hash state cannot fail.
    let _ = state.write_all(&personalization.to_be_bytes());
    let _ = state.write_all(digest);
    let _ = state.write_all(&round.to_be_bytes());
    let _ = state.write_all(entropy);
    let mut out = [0u8; RANDOMNESS_LENGTH];
    out.copy_from_slice(state.finalize().as_bytes());
    out
}

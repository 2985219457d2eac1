//! The network, the message, randomness, circulating supply, events and debugging.

use std::io::Write;

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::randomness::RANDOMNESS_LENGTH;

use super::{Ext, Kernel, Store};
use crate::error::{Classify, Result};
use crate::syscall_error;

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

/// What ref-fvm 2's `vm::context` returns.
#[derive(Debug, Clone)]
pub struct InvocationContextV2 {
    /// The calling actor.
    pub caller: u64,
    /// The running actor.
    pub receiver: u64,
    /// The method being run.
    pub method_number: u64,
    /// The value sent with the call.
    pub value_received: TokenAmount,
    /// The epoch.
    pub epoch: ChainEpoch,
    /// The network version.
    pub network_version: u32,
}

impl<B: Store, E: Ext> Kernel<B, E> {
    /// ref-fvm 2's invocation context (free).
    pub fn invocation_context_v2(&self) -> InvocationContextV2 {
        let ctx = &self.cm.machine.context;
        InvocationContextV2 {
            caller: self.caller,
            receiver: self.actor_id,
            method_number: self.method,
            value_received: self.value_received.clone(),
            epoch: ctx.epoch,
            network_version: ctx.network.network_version().into(),
        }
    }

    /// ref-fvm 2's base fee (free).
    pub fn base_fee_v2(&self) -> TokenAmount {
        self.cm.machine.context.base_fee.clone()
    }

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
            network_version: ctx.network.network_version().into(),
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
        // ref-fvm 3 limits the lookback to finality and prices two tiers; ref-fvm 4 prices the
        // lookback (FIP-0075).
        let charge = match self.abi().tipset_lookback_limit() {
            Some(limit) if offset >= limit => {
                return Err(syscall_error!(IllegalArgument; "epoch {epoch} is too far in the past"))
            }
            Some(_) => self.cm.price_list().on_tipset_cid_v3(offset > 1),
            None => self.cm.price_list().on_tipset_cid_v4(offset),
        };
        self.cm.charge_gas(charge)?;
        self.cm
            .machine
            .externs
            .get_tipset_cid(epoch)
            .or_fatal("failed to get tipset cid")
    }

    /// Chain randomness drawn for `personalization` at `round` with `entropy`.
    pub fn chain_randomness_v3(
        &mut self,
        personalization: i64,
        round: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.charge_randomness_v3(entropy.len())?;
        let digest = self
            .cm
            .machine
            .externs
            .get_chain_randomness(round)
            .or_illegal_argument()?;
        Ok(draw_randomness(&digest, personalization, round, entropy))
    }

    /// Beacon randomness drawn for `personalization` at `round` with `entropy`.
    pub fn beacon_randomness_v3(
        &mut self,
        personalization: i64,
        round: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.charge_randomness_v3(entropy.len())?;
        let digest = self
            .cm
            .machine
            .externs
            .get_beacon_randomness(round)
            .or_illegal_argument()?;
        Ok(draw_randomness(&digest, personalization, round, entropy))
    }

    /// Charges for drawing randomness with `entropy_len` bytes of entropy (ref-fvm 2 and 3).
    fn charge_randomness_v3(&mut self, entropy_len: usize) -> Result<()> {
        let prices = self.cm.price_list();
        let charge = if self.abi().charges_v2_forms() {
            prices.on_get_randomness_v2(entropy_len)
        } else {
            prices.on_get_randomness_v3(entropy_len)
        };
        self.cm.charge_gas(charge)
    }

    /// The ticket randomness digest of `round` (ref-fvm 4: the actor draws from it itself).
    pub fn chain_randomness_v4(&mut self, round: ChainEpoch) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.charge_randomness_lookback(round)?;
        self.cm
            .machine
            .externs
            .get_chain_randomness(round)
            .or_illegal_argument()
    }

    /// The beacon randomness digest of `round` (ref-fvm 4).
    pub fn beacon_randomness_v4(&mut self, round: ChainEpoch) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.charge_randomness_lookback(round)?;
        self.cm
            .machine
            .externs
            .get_beacon_randomness(round)
            .or_illegal_argument()
    }

    /// Charges for looking `round` up: by lookback (FIP-0075). A future round is not an error
    /// (only an overflowing lookback is); its lookback prices as a huge number.
    fn charge_randomness_lookback(&mut self, round: ChainEpoch) -> Result<()> {
        let lookback = self
            .cm
            .machine
            .context
            .epoch
            .checked_sub(round)
            .ok_or_else(
                || syscall_error!(IllegalArgument; "randomness epoch {round} is in the future"),
            )?;
        self.cm
            .charge_gas(self.cm.price_list().on_get_randomness_v4(lookback))
    }
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

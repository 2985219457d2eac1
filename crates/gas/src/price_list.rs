//! Prices of every operation the VM charges for, per network version.
//!
//! One [`PriceList`] type serves every network version. Fields that only one generation of
//! ref-fvm has (3.x for nv18–nv20, 4.x for nv21+) are zero in the other, and the charge
//! functions of both generations are provided; the kernel calls the ones of the ABI it runs.
//! Charge names are ref-fvm's, so traces can be compared line by line.
//!
//! Naming: a charge function that only one ABI uses carries that ABI as a suffix (`_v3` for
//! ref-fvm 3's form, `_v4` for ref-fvm 4's, e.g. [`PriceList::on_block_create_v3`] and
//! [`PriceList::on_block_create_v4`]); a function without a suffix is charged by every ABI. The
//! kernel's operations and the syscall bindings follow the same rule.

mod hygge;
mod teep;
mod watermelon;

use crate::{Gas, GasCharge, HashFunction, SignatureKind, WasmGasPrices};

/// A cost of `flat + scale * n`, saturating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingCost {
    /// Charged once.
    pub flat: Gas,
    /// Charged per unit.
    pub scale: Gas,
}

impl ScalingCost {
    /// `flat + scale * n`, saturating.
    #[inline]
    pub fn apply(&self, n: u64) -> Gas {
        self.flat + self.scale * n
    }

    pub(crate) const fn fixed(flat: Gas) -> Self {
        Self {
            flat,
            scale: Gas::ZERO,
        }
    }

    pub(crate) const fn per_unit(scale: Gas) -> Self {
        Self {
            flat: Gas::ZERO,
            scale,
        }
    }

    pub(crate) const ZERO: Self = Self::fixed(Gas::ZERO);
}

/// One step of a [`StepCost`]: `cost` applies from `start` units upwards (until the next step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// First unit count this step applies to.
    pub start: u64,
    /// The cost at and above `start`.
    pub cost: Gas,
}

/// A step function: the cost of the last step whose start is at or below the input, or zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepCost(pub &'static [Step]);

impl StepCost {
    /// The cost for `n` units.
    pub fn lookup(&self, n: u64) -> Gas {
        self.0
            .iter()
            .rev()
            .find(|s| s.start <= n)
            .map(|s| s.cost)
            .unwrap_or(Gas::ZERO)
    }
}

/// Per-proof-type price of verifying an aggregate of seal proofs: a price per proof plus a step
/// cost on the number of proofs. Keys are `RegisteredSealProof` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AggregateSealPrice {
    pub seal_proof: i64,
    pub per_proof: Gas,
    pub steps: StepCost,
}

/// Per-proof-type price of verifying a window PoSt. Keys are `RegisteredPoStProof` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PostPrice {
    pub post_proof: i64,
    pub cost: ScalingCost,
}

/// `RegisteredSealProof::StackedDRG32GiBV1P1`, the fallback for aggregate prices.
const SEAL_32GIB_V1P1: i64 = 8;

// Size estimates ref-fvm 4 uses to price events.
const EVENT_OVERHEAD: u64 = 12;
const EVENT_ENTRY_OVERHEAD: u64 = 9;
// ref-fvm 3's estimate of the bytes a stamped event adds to an encoded event.
const STAMP_EXTRA_SIZE: u64 = 12;
// ref-fvm 3's bytes hashed, besides entropy, to draw randomness.
const RAND_INITIAL_HASH: u64 = 8 + 32 + 8;

/// The price of every operation the VM charges for, for one network version.
///
/// Obtain one with [`price_list_for`]. All amounts are identical to ref-fvm's price list for the
/// same network version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceList {
    pub(crate) on_chain_message_compute: ScalingCost,
    pub(crate) on_chain_message_storage: ScalingCost,
    pub(crate) on_chain_return_compute: ScalingCost,
    pub(crate) on_chain_return_storage: ScalingCost,
    pub(crate) send_transfer_funds: Gas,
    pub(crate) send_invoke_method: Gas,
    pub(crate) address_lookup: Gas,
    pub(crate) address_assignment: Gas,
    pub(crate) actor_lookup: Gas,
    pub(crate) actor_update: Gas,
    pub(crate) actor_create_storage: Gas,
    pub(crate) sig_secp256k1: ScalingCost,
    pub(crate) sig_bls: ScalingCost,
    pub(crate) secp256k1_recover_cost: Gas,
    pub(crate) bls_pairing_cost: Gas,
    pub(crate) bls_hashing_cost: ScalingCost,
    pub(crate) hashing_sha2_256: ScalingCost,
    pub(crate) hashing_blake2b_256: ScalingCost,
    pub(crate) hashing_blake2b_512: ScalingCost,
    pub(crate) hashing_keccak_256: ScalingCost,
    pub(crate) hashing_ripemd_160: ScalingCost,
    /// v3 only.
    pub(crate) tipset_cid_latest: Gas,
    /// v3 only.
    pub(crate) tipset_cid_historical: Gas,
    /// v3 only.
    pub(crate) get_randomness_seed: Gas,
    /// v4 only.
    pub(crate) lookback_cost: ScalingCost,
    pub(crate) compute_unsealed_sector_cid_base: Gas,
    pub(crate) verify_seal_base: Gas,
    pub(crate) verify_aggregate_seal: &'static [AggregateSealPrice],
    pub(crate) verify_post: &'static [PostPrice],
    /// The `RegisteredPoStProof` whose price applies to unlisted proof types.
    pub(crate) verify_post_fallback: i64,
    pub(crate) verify_consensus_fault: Gas,
    pub(crate) verify_replica_update: Gas,
    pub(crate) block_memcpy: ScalingCost,
    pub(crate) block_allocate: ScalingCost,
    pub(crate) block_memory_retention_minimum: ScalingCost,
    pub(crate) block_open: ScalingCost,
    pub(crate) block_persist_storage: ScalingCost,
    pub(crate) block_persist_compute: Gas,
    pub(crate) wasm_rules: WasmGasPrices,
    /// v3 only.
    pub(crate) event_validation_cost: ScalingCost,
    /// v3 only.
    pub(crate) event_accept_per_index_element: ScalingCost,
    /// v4 only.
    pub(crate) event_per_entry: ScalingCost,
    /// v4 only.
    pub(crate) utf8_validation: ScalingCost,
    pub(crate) builtin_actor_manifest_lookup: Gas,
    pub(crate) network_context: Gas,
    pub(crate) message_context: Gas,
    pub(crate) install_wasm_per_byte_cost: Gas,
    pub(crate) preloaded_actors: &'static [u64],
    pub(crate) ipld_cbor_scan_per_field: Gas,
    pub(crate) ipld_cbor_scan_per_cid: Gas,
    pub(crate) ipld_link_tracked: Gas,
    pub(crate) ipld_link_checked: Gas,
}

static HYGGE: PriceList = hygge::PRICES;
static WATERMELON: PriceList = watermelon::PRICES;
static TEEP: PriceList = teep::PRICES;

/// The price list of a network version, or `None` if ifvm does not support it (supported:
/// nv18–nv29).
pub fn price_list_for(network_version: u32) -> Option<&'static PriceList> {
    match network_version {
        18..=20 => Some(&HYGGE),
        21..=24 => Some(&WATERMELON),
        25..=29 => Some(&TEEP),
        _ => None,
    }
}

#[inline]
fn n(x: usize) -> u64 {
    x.try_into().unwrap_or(u64::MAX)
}

impl PriceList {
    /// The Wasm instruction rules and memory prices.
    #[inline]
    pub fn wasm_rules(&self) -> &WasmGasPrices {
        &self.wasm_rules
    }

    /// Actor IDs whose lookups and updates are free (FIP-0055 preloaded actors).
    #[inline]
    pub fn preloaded_actors(&self) -> &'static [u64] {
        self.preloaded_actors
    }

    /// Storing a message of `msg_size` bytes on chain, plus updating the sender's actor.
    pub fn on_chain_message(&self, msg_size: usize) -> GasCharge {
        GasCharge::new(
            "OnChainMessage",
            self.on_chain_message_compute.apply(n(msg_size)),
            self.actor_update + self.on_chain_message_storage.apply(n(msg_size)),
        )
    }

    /// Transferring funds.
    pub fn on_value_transfer(&self) -> GasCharge {
        GasCharge::new("OnValueTransfer", self.send_transfer_funds, Gas::ZERO)
    }

    /// Invoking a method (v3 ABI).
    pub fn on_method_invocation_v3(&self) -> GasCharge {
        GasCharge::new("OnMethodInvocation", self.send_invoke_method, Gas::ZERO)
    }

    /// Invoking a method whose parameters carry `param_links` links (v4 ABI).
    pub fn on_method_invocation_v4(&self, param_links: usize) -> GasCharge {
        GasCharge::new(
            "OnMethodInvocation",
            self.send_invoke_method + self.ipld_link_tracked * param_links,
            Gas::ZERO,
        )
    }

    /// Returning `return_size` bytes (v3 ABI): charged only at call depth 1, for storing the
    /// return value on chain.
    pub fn on_method_return_v3(&self, call_depth: u32, return_size: u32) -> Option<GasCharge> {
        (call_depth == 1).then(|| {
            GasCharge::new(
                "OnChainReturnValue",
                self.on_chain_return_compute.apply(return_size.into()),
                self.on_chain_return_storage.apply(return_size.into()),
            )
        })
    }

    /// Returning a value (v4 ABI): on-chain storage at depth 1, link tracking elsewhere.
    pub fn on_method_return_v4(
        &self,
        call_depth: u32,
        return_size: u32,
        return_links: usize,
    ) -> GasCharge {
        if call_depth == 1 {
            GasCharge::new(
                "OnChainReturnValue",
                self.on_chain_return_compute.apply(return_size.into()),
                self.on_chain_return_storage.apply(return_size.into()),
            )
        } else {
            GasCharge::new(
                "OnReturnValue",
                self.ipld_link_tracked * return_links,
                Gas::ZERO,
            )
        }
    }

    /// The fixed overhead of every call from Wasm into the host.
    pub fn on_syscall(&self) -> GasCharge {
        GasCharge::new("OnSyscall", self.wasm_rules.host_call_cost, Gas::ZERO)
    }

    /// Creating an actor; `new_address` when an address is also assigned to it.
    pub fn on_create_actor(&self, new_address: bool) -> GasCharge {
        let mut gas = self.actor_create_storage;
        if new_address {
            gas += self.address_assignment + self.address_lookup;
        }
        GasCharge::new("OnCreateActor", Gas::ZERO, gas)
    }

    /// Deleting an actor.
    pub fn on_delete_actor(&self) -> GasCharge {
        GasCharge::new("OnDeleteActor", Gas::ZERO, Gas::ZERO)
    }

    /// Verifying a signature over `data_len` bytes.
    pub fn on_verify_signature(&self, kind: SignatureKind, data_len: usize) -> GasCharge {
        let cost = match kind {
            SignatureKind::Secp256k1 => self.sig_secp256k1,
            SignatureKind::Bls => self.sig_bls,
        };
        GasCharge::new("OnVerifySignature", cost.apply(n(data_len)), Gas::ZERO)
    }

    /// Verifying a BLS aggregate of `num_sigs` signatures over `data_len` bytes in all (v4).
    pub fn on_verify_aggregate_signature_v4(&self, num_sigs: usize, data_len: usize) -> GasCharge {
        let pairings = self.bls_pairing_cost * (n(num_sigs).saturating_add(1));
        let hashing = self.bls_hashing_cost.apply(n(data_len));
        GasCharge::new(
            "OnVerifyBlsAggregateSignature",
            pairings + hashing,
            Gas::ZERO,
        )
    }

    /// Recovering a secp256k1 public key.
    pub fn on_recover_secp_public_key(&self) -> GasCharge {
        GasCharge::new(
            "OnRecoverSecpPublicKey",
            self.secp256k1_recover_cost,
            Gas::ZERO,
        )
    }

    fn hashing_cost(&self, hasher: HashFunction) -> ScalingCost {
        match hasher {
            HashFunction::Sha2_256 => self.hashing_sha2_256,
            HashFunction::Blake2b256 => self.hashing_blake2b_256,
            HashFunction::Blake2b512 => self.hashing_blake2b_512,
            HashFunction::Keccak256 => self.hashing_keccak_256,
            HashFunction::Ripemd160 => self.hashing_ripemd_160,
        }
    }

    /// Hashing `data_len` bytes.
    pub fn on_hashing(&self, hasher: HashFunction, data_len: usize) -> GasCharge {
        GasCharge::new(
            "OnHashing",
            self.hashing_cost(hasher).apply(n(data_len)),
            Gas::ZERO,
        )
    }

    /// Validating `len` bytes of UTF-8 (v4).
    pub fn on_utf8_validation_v4(&self, len: usize) -> GasCharge {
        GasCharge::new(
            "OnUtf8Validation",
            self.utf8_validation.apply(n(len)),
            Gas::ZERO,
        )
    }

    /// Computing an unsealed sector CID.
    pub fn on_compute_unsealed_sector_cid(&self) -> GasCharge {
        GasCharge::new(
            "OnComputeUnsealedSectorCid",
            self.compute_unsealed_sector_cid_base,
            Gas::ZERO,
        )
    }

    /// Verifying one seal.
    pub fn on_verify_seal(&self) -> GasCharge {
        GasCharge::new("OnVerifySeal", self.verify_seal_base, Gas::ZERO)
    }

    /// Verifying an aggregate of `num_proofs` seals of type `seal_proof` (a
    /// `RegisteredSealProof` code). Unlisted types are priced as `StackedDRG32GiBV1P1`.
    pub fn on_verify_aggregate_seals(&self, seal_proof: i64, num_proofs: usize) -> GasCharge {
        let find = |p: i64| {
            self.verify_aggregate_seal
                .iter()
                .find(|e| e.seal_proof == p)
        };
        let price = find(seal_proof)
            .or_else(|| find(SEAL_32GIB_V1P1))
            .expect("every price list prices StackedDRG32GiBV1P1 aggregates");
        let num = n(num_proofs);
        GasCharge::new(
            "OnVerifyAggregateSeals",
            price.per_proof * num + price.steps.lookup(num),
            Gas::ZERO,
        )
    }

    /// Verifying a replica update.
    pub fn on_verify_replica_update(&self) -> GasCharge {
        GasCharge::new(
            "OnVerifyReplicaUpdate",
            self.verify_replica_update,
            Gas::ZERO,
        )
    }

    /// Verifying a window PoSt over `challenged_sectors` sectors whose first proof has type
    /// `first_proof` (a `RegisteredPoStProof` code; `None` without proofs). Unlisted types are
    /// priced as the 512MiB window PoSt.
    pub fn on_verify_post(&self, first_proof: Option<i64>, challenged_sectors: usize) -> GasCharge {
        let proof = first_proof.unwrap_or(self.verify_post_fallback);
        let find = |p: i64| self.verify_post.iter().find(|e| e.post_proof == p);
        let price = find(proof)
            .or_else(|| find(self.verify_post_fallback))
            .expect("every price list prices its fallback PoSt type");
        GasCharge::new(
            "OnVerifyPost",
            price.cost.apply(n(challenged_sectors)),
            Gas::ZERO,
        )
    }

    /// Verifying a consensus fault.
    pub fn on_verify_consensus_fault(&self) -> GasCharge {
        GasCharge::new(
            "OnVerifyConsensusFault",
            Gas::ZERO,
            self.verify_consensus_fault,
        )
    }

    /// Drawing randomness with `entropy_size` bytes of entropy (v3).
    pub fn on_get_randomness_v3(&self, entropy_size: usize) -> GasCharge {
        let hashed = n(entropy_size).saturating_add(RAND_INITIAL_HASH);
        GasCharge::new(
            "OnGetRandomness",
            Gas::ZERO,
            self.get_randomness_seed + self.hashing_blake2b_256.apply(hashed),
        )
    }

    /// Drawing randomness `lookback` epochs back (v4).
    pub fn on_get_randomness_v4(&self, lookback: i64) -> GasCharge {
        GasCharge::new(
            "OnGetRandomness",
            Gas::ZERO,
            self.lookback_cost.apply(lookback as u64),
        )
    }

    /// Opening a block, independent of its size.
    pub fn on_block_open_base(&self) -> GasCharge {
        GasCharge::new(
            "OnBlockOpenBase",
            self.ipld_link_checked,
            self.block_open.flat,
        )
    }

    /// Opening a block of `data_size` bytes, per byte (v3).
    pub fn on_block_open_per_byte_v3(&self, data_size: usize) -> GasCharge {
        let size = n(data_size);
        let compute = self.block_allocate.apply(size) + self.block_memcpy.apply(size);
        let block_open = self.block_open.scale * size;
        let retention_min = self.block_memory_retention_minimum.apply(size);
        let surcharge = retention_min - (compute + block_open);
        GasCharge::new("OnBlockOpenPerByte", compute, block_open + surcharge)
    }

    /// Opening a block of `data_size` bytes with `links` links (v4).
    pub fn on_block_open_v4(&self, data_size: usize, links: usize) -> GasCharge {
        let size = n(data_size);
        let compute = self.ipld_link_tracked * links;
        let block_open = self.block_open.scale * size
            + self.block_allocate.apply(size)
            + self.block_memcpy.apply(size);
        let retention_min = self.block_memory_retention_minimum.apply(size);
        let surcharge = retention_min - (compute + block_open);
        GasCharge::new("OnBlockOpen", compute, block_open + surcharge)
    }

    /// Reading `data_size` bytes of an open block.
    pub fn on_block_read(&self, data_size: usize) -> GasCharge {
        GasCharge::new(
            "OnBlockRead",
            self.block_memcpy.apply(n(data_size)),
            Gas::ZERO,
        )
    }

    /// Creating a block of `data_size` bytes (v3).
    pub fn on_block_create_v3(&self, data_size: usize) -> GasCharge {
        self.on_block_create_v4(data_size, 0)
    }

    /// Creating a block of `data_size` bytes with `links` links (v4; v3 has no link charge).
    pub fn on_block_create_v4(&self, data_size: usize, links: usize) -> GasCharge {
        let size = n(data_size);
        let compute = self.block_memcpy.apply(size)
            + self.block_allocate.apply(size)
            + self.ipld_link_checked * links;
        let surcharge = self.block_memory_retention_minimum.apply(size) - compute;
        GasCharge::new("OnBlockCreate", compute, surcharge)
    }

    /// Linking (hashing and persisting) a block of `data_size` bytes.
    pub fn on_block_link(&self, hasher: HashFunction, data_size: usize) -> GasCharge {
        let size = n(data_size);
        let initial_compute = self.block_memcpy.apply(size)
            + self.block_allocate.apply(size)
            + self.hashing_cost(hasher).apply(size)
            + self.ipld_link_tracked;
        let storage = self.block_persist_storage.apply(size);
        GasCharge::new(
            "OnBlockLink",
            initial_compute,
            self.block_persist_compute + storage,
        )
    }

    /// Stat-ing a block.
    pub fn on_block_stat(&self) -> GasCharge {
        GasCharge::new("OnBlockStat", Gas::ZERO, Gas::ZERO)
    }

    /// Looking up an actor in the state tree.
    pub fn on_actor_lookup(&self) -> GasCharge {
        GasCharge::new("OnActorLookup", Gas::ZERO, self.actor_lookup)
    }

    /// Updating an actor in the state tree.
    pub fn on_actor_update(&self) -> GasCharge {
        GasCharge::new("OnActorUpdate", Gas::ZERO, self.actor_update)
    }

    /// Creating an actor in the state tree.
    pub fn on_actor_create(&self) -> GasCharge {
        GasCharge::new("OnActorCreate", Gas::ZERO, self.actor_create_storage)
    }

    /// Reading the current actor's balance.
    pub fn on_self_balance(&self) -> GasCharge {
        GasCharge::new("OnSelfBalance", Gas::ZERO, Gas::ZERO)
    }

    /// Reading another actor's balance.
    pub fn on_balance_of(&self) -> GasCharge {
        GasCharge::new("OnBalanceOf", Gas::ZERO, Gas::ZERO)
    }

    /// Resolving an address to an actor ID.
    pub fn on_resolve_address(&self) -> GasCharge {
        GasCharge::new("OnResolveAddress", Gas::ZERO, Gas::ZERO)
    }

    /// Looking up an actor's delegated address.
    pub fn on_lookup_delegated_address(&self) -> GasCharge {
        GasCharge::new("OnLookupAddress", Gas::ZERO, Gas::ZERO)
    }

    /// Reading an actor's code CID.
    pub fn on_get_actor_code_cid(&self) -> GasCharge {
        GasCharge::new("OnGetActorCodeCid", Gas::ZERO, Gas::ZERO)
    }

    /// Looking up a builtin actor's type by code CID.
    pub fn on_get_builtin_actor_type(&self) -> GasCharge {
        GasCharge::new(
            "OnGetBuiltinActorType",
            self.builtin_actor_manifest_lookup,
            Gas::ZERO,
        )
    }

    /// Looking up a builtin actor's code CID by type.
    pub fn on_get_code_cid_for_type(&self) -> GasCharge {
        GasCharge::new(
            "OnGetCodeCidForType",
            self.builtin_actor_manifest_lookup,
            Gas::ZERO,
        )
    }

    /// Looking up a tipset CID, `historical` if not the latest (v3).
    pub fn on_tipset_cid_v3(&self, historical: bool) -> GasCharge {
        let gas = if historical {
            self.tipset_cid_historical
        } else {
            self.tipset_cid_latest
        };
        GasCharge::new("OnTipsetCid", Gas::ZERO, gas)
    }

    /// Looking up a tipset CID `lookback` epochs back (v4).
    pub fn on_tipset_cid_v4(&self, lookback: i64) -> GasCharge {
        GasCharge::new(
            "OnTipsetCid",
            Gas::ZERO,
            self.lookback_cost.apply(lookback as u64),
        )
    }

    /// Reading the network context.
    pub fn on_network_context(&self) -> GasCharge {
        GasCharge::new("OnNetworkContext", self.network_context, Gas::ZERO)
    }

    /// Reading the message context.
    pub fn on_message_context(&self) -> GasCharge {
        GasCharge::new("OnMessageContext", self.message_context, Gas::ZERO)
    }

    /// Installing `wasm_size` bytes of actor code.
    pub fn on_install_actor(&self, wasm_size: usize) -> GasCharge {
        GasCharge::new(
            "OnInstallActor",
            self.install_wasm_per_byte_cost * wasm_size,
            Gas::ZERO,
        )
    }

    /// Validating an encoded event of `data_size` bytes (v3).
    pub fn on_actor_event_validate_v3(&self, data_size: usize) -> GasCharge {
        let size = n(data_size);
        let gas = self.block_memcpy.apply(size)
            + self.block_allocate.apply(size)
            + self.event_validation_cost.apply(size);
        GasCharge::new("OnActorEventValidate", gas, Gas::ZERO)
    }

    /// Accepting an event of `serialized_len` bytes with `indexed_elements` indexed keys/values
    /// totalling `indexed_bytes` bytes (v3).
    pub fn on_actor_event_accept_v3(
        &self,
        indexed_elements: u32,
        indexed_bytes: usize,
        serialized_len: usize,
    ) -> GasCharge {
        let stamped = n(serialized_len).saturating_add(STAMP_EXTRA_SIZE);
        let memcpy = self.block_memcpy.apply(stamped);
        let alloc = self.block_allocate.apply(stamped);
        let hash = self.hashing_blake2b_256.apply(stamped);
        GasCharge::new(
            "OnActorEventAccept",
            memcpy + alloc,
            self.event_accept_per_index_element.flat * indexed_elements
                + self.event_accept_per_index_element.scale * indexed_bytes
                + memcpy * 2u32
                + alloc
                + hash,
        )
    }

    /// Emitting an event with `entries` entries, `key_size` bytes of keys and `value_size` bytes
    /// of values (v4).
    pub fn on_actor_event_v4(
        &self,
        entries: usize,
        key_size: usize,
        value_size: usize,
    ) -> GasCharge {
        let validate_entries = self.event_per_entry.apply(n(entries));
        let validate_utf8 = self.utf8_validation.apply(n(key_size));
        let estimated_size = EVENT_OVERHEAD
            .saturating_add(EVENT_ENTRY_OVERHEAD.saturating_mul(n(entries)))
            .saturating_add(n(key_size))
            .saturating_add(n(value_size));
        let mem =
            self.block_memcpy.apply(estimated_size) + self.block_allocate.apply(estimated_size);
        let hash = self.hashing_blake2b_256.apply(estimated_size);
        GasCharge::new(
            "OnActorEvent",
            mem * 2u32 + validate_entries + validate_utf8,
            hash + mem,
        )
    }

    /// Reading the actor's state root (v4).
    pub fn on_get_root_v4(&self) -> GasCharge {
        GasCharge::new("OnActorGetRoot", self.ipld_link_tracked, Gas::ZERO)
    }

    /// Setting the actor's state root (v4).
    pub fn on_set_root_v4(&self) -> GasCharge {
        GasCharge::new("OnActorSetRoot", self.ipld_link_checked, Gas::ZERO)
    }

    /// Scanning CBOR for links: per field and per CID found (v4).
    pub fn on_ipld_scan_v4(&self, fields: usize, cids: usize) -> Gas {
        self.ipld_cbor_scan_per_field * fields + self.ipld_cbor_scan_per_cid * cids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_cost() {
        const STEPS: &[Step] = &[
            Step {
                start: 10,
                cost: Gas::new(1),
            },
            Step {
                start: 20,
                cost: Gas::new(2),
            },
        ];
        let c = StepCost(STEPS);
        assert_eq!(c.lookup(0), Gas::ZERO);
        assert_eq!(c.lookup(10), Gas::new(1));
        assert_eq!(c.lookup(19), Gas::new(1));
        assert_eq!(c.lookup(20), Gas::new(2));
        assert_eq!(c.lookup(u64::MAX), Gas::new(2));
        assert_eq!(StepCost(&[]).lookup(5), Gas::ZERO);
    }

    #[test]
    fn every_supported_version_has_prices() {
        for nv in 0..40 {
            assert_eq!(
                price_list_for(nv).is_some(),
                (18..=29).contains(&nv),
                "nv{nv}"
            );
        }
    }

    #[test]
    fn block_io_is_ten_gas_per_byte() {
        for nv in 18..=29 {
            let p = price_list_for(nv).unwrap();
            assert_eq!(p.on_block_create_v4(10, 0).total(), Gas::new(100));
            assert_eq!(p.on_block_open_per_byte_v3(10).total(), Gas::new(100));
            assert_eq!(p.on_block_open_v4(10, 0).total(), Gas::new(100));
        }
    }
}

//! Prices of every operation the VM charges for, per network version.
//!
//! One [`PriceList`] type serves every network version. Fields that only one generation of
//! ref-fvm has (2.x for nv16–nv17, 3.x for nv18–nv20, 4.x for nv21+) are zero in the others,
//! and the charge functions of every generation are provided; the kernel calls the ones of the
//! ABI it runs. Charge names are ref-fvm's, so traces can be compared line by line.
//!
//! Naming: a charge function that only one ABI uses carries that ABI as a suffix (`_v2` for
//! ref-fvm 2's form, `_v3` for ref-fvm 3's, `_v4` for ref-fvm 4's, e.g.
//! [`PriceList::on_block_create_v2`], [`PriceList::on_block_create_v3`] and
//! [`PriceList::on_block_create_v4`]); a function without a suffix is charged by every ABI. The
//! kernel's operations and the syscall bindings follow the same rule.

mod hygge;
mod skyr;
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
    /// v2 only: the price of every send.
    pub(crate) send_base: Gas,
    /// v2 only: added for a value transfer to method 0.
    pub(crate) send_transfer_only_premium: Gas,
    /// v2 only: added for a send to a method other than 0, in milligas; negative in Skyr.
    pub(crate) send_invoke_method_v2_milligas: i64,
    /// v2 only: the compute part of creating an actor.
    pub(crate) create_actor_compute: Gas,
    /// v2 only: what deleting an actor gives back.
    pub(crate) delete_actor_refund: Gas,
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
    /// v2 only: the flat price of hashing, whatever the function and length.
    pub(crate) hashing_base: Gas,
    pub(crate) hashing_sha2_256: ScalingCost,
    pub(crate) hashing_blake2b_256: ScalingCost,
    pub(crate) hashing_blake2b_512: ScalingCost,
    pub(crate) hashing_keccak_256: ScalingCost,
    pub(crate) hashing_ripemd_160: ScalingCost,
    /// v3 only.
    pub(crate) tipset_cid_latest: Gas,
    /// v3 only.
    pub(crate) tipset_cid_historical: Gas,
    /// v2 and v3.
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

static SKYR: PriceList = skyr::PRICES;
static HYGGE: PriceList = hygge::PRICES;
static WATERMELON: PriceList = watermelon::PRICES;
static TEEP: PriceList = teep::PRICES;

/// The price list of a network version, or `None` if ifvm does not support it (supported:
/// nv16–nv29; nv15's price list, ref-fvm 2's `OH_SNAP_PRICES`, is not provided).
pub fn price_list_for(network_version: u32) -> Option<&'static PriceList> {
    match network_version {
        16..=17 => Some(&SKYR),
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

    /// Storing a message of `msg_size` bytes on chain, plus updating the sender's actor (every
    /// ABI; ref-fvm 2 charges no actor update, its price is zero in Skyr).
    pub fn on_chain_message(&self, msg_size: usize) -> GasCharge {
        GasCharge::new(
            "OnChainMessage",
            self.on_chain_message_compute.apply(n(msg_size)),
            self.actor_update + self.on_chain_message_storage.apply(n(msg_size)),
        )
    }

    /// Storing the top-level return value of `return_size` bytes on chain (v2 ABI; charged by
    /// the executor, on success only).
    pub fn on_chain_return_value_v2(&self, return_size: usize) -> GasCharge {
        GasCharge::new(
            "OnChainReturnValue",
            self.on_chain_return_compute.apply(n(return_size)),
            self.on_chain_return_storage.apply(n(return_size)),
        )
    }

    /// Every send (v2 ABI), method 0 included: the send base, plus the transfer price (and, to
    /// method 0, the transfer-only premium) if value is transferred, plus the invocation price
    /// (negative in Skyr) if `method` is not 0. Computed in signed milligas as ref-fvm 2 does;
    /// the result is positive in every ref-fvm 2 price list (and would clamp at zero).
    pub fn on_method_invocation_v2(&self, value_is_nonzero: bool, method: u64) -> GasCharge {
        let mg = |g: Gas| i128::from(g.as_milligas());
        let mut milligas = mg(self.send_base);
        if value_is_nonzero {
            milligas += mg(self.send_transfer_funds);
            if method == 0 {
                milligas += mg(self.send_transfer_only_premium);
            }
        }
        if method != 0 {
            milligas += i128::from(self.send_invoke_method_v2_milligas);
        }
        let gas = Gas::from_milligas(u64::try_from(milligas.max(0)).unwrap_or(u64::MAX));
        GasCharge::new("OnMethodInvocation", gas, Gas::ZERO)
    }

    /// Creating an actor (v2 ABI): compute, and storage for the new actor's state-tree entry.
    pub fn on_create_actor_v2(&self) -> GasCharge {
        GasCharge::new(
            "OnCreateActor",
            self.create_actor_compute,
            self.actor_create_storage,
        )
    }

    /// The gas deleting an actor gives back (v2 ABI). ref-fvm 2 charges `OnDeleteActor` with a
    /// *negative* storage amount (−76 × 1300 = −98 800 gas in Skyr), which its signed gas
    /// tracker simply adds; this returns that amount's magnitude, for the kernel to subtract
    /// from the gas used. Zero in the price lists of ref-fvm 3 and 4.
    pub fn on_delete_actor_refund_v2(&self) -> Gas {
        self.delete_actor_refund
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

    /// Creating an actor; `new_address` when an address is also assigned to it (v3 and v4).
    pub fn on_create_actor(&self, new_address: bool) -> GasCharge {
        let mut gas = self.actor_create_storage;
        if new_address {
            gas += self.address_assignment + self.address_lookup;
        }
        GasCharge::new("OnCreateActor", Gas::ZERO, gas)
    }

    /// Deleting an actor (v3 and v4: free; see [`Self::on_delete_actor_refund_v2`] for v2).
    pub fn on_delete_actor(&self) -> GasCharge {
        GasCharge::new("OnDeleteActor", Gas::ZERO, Gas::ZERO)
    }

    /// Verifying a signature over `data_len` bytes (v3 and v4).
    pub fn on_verify_signature(&self, kind: SignatureKind, data_len: usize) -> GasCharge {
        let cost = match kind {
            SignatureKind::Secp256k1 => self.sig_secp256k1,
            SignatureKind::Bls => self.sig_bls,
        };
        GasCharge::new("OnVerifySignature", cost.apply(n(data_len)), Gas::ZERO)
    }

    /// Verifying a signature (v2 ABI): a flat price per scheme, whatever the data's length.
    pub fn on_verify_signature_v2(&self, kind: SignatureKind) -> GasCharge {
        let cost = match kind {
            SignatureKind::Secp256k1 => self.sig_secp256k1,
            SignatureKind::Bls => self.sig_bls,
        };
        GasCharge::new("OnVerifySignature", cost.flat, Gas::ZERO)
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

    /// Hashing `data_len` bytes (v3 and v4).
    pub fn on_hashing(&self, hasher: HashFunction, data_len: usize) -> GasCharge {
        GasCharge::new(
            "OnHashing",
            self.hashing_cost(hasher).apply(n(data_len)),
            Gas::ZERO,
        )
    }

    /// Hashing (v2 ABI): a flat price, whatever the hash function and the data's length.
    pub fn on_hashing_v2(&self) -> GasCharge {
        GasCharge::new("OnHashing", self.hashing_base, Gas::ZERO)
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

    /// Checking block headers for a consensus fault (v2 ABI): the extern cost plus the check,
    /// booked as compute gas as ref-fvm 2 books it.
    pub fn on_verify_consensus_fault_v2(&self) -> GasCharge {
        GasCharge::new(
            "OnVerifyConsensusFault",
            self.verify_consensus_fault,
            Gas::ZERO,
        )
    }

    /// Verifying a consensus fault (v3 and v4 ABIs: other gas).
    pub fn on_verify_consensus_fault(&self) -> GasCharge {
        GasCharge::new(
            "OnVerifyConsensusFault",
            Gas::ZERO,
            self.verify_consensus_fault,
        )
    }

    /// Drawing randomness with `entropy_len` bytes of entropy (v2 ABI): the extern cost. ref-fvm
    /// 2's per-byte randomness price is zero in every price list it has, so the length does not
    /// matter.
    pub fn on_get_randomness_v2(&self, _entropy_len: usize) -> GasCharge {
        GasCharge::new("OnGetRandomness", self.get_randomness_seed, Gas::ZERO)
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

    /// Opening a block, independent of its size (v3 and v4 ABIs: other gas).
    pub fn on_block_open_base(&self) -> GasCharge {
        GasCharge::new(
            "OnBlockOpenBase",
            self.ipld_link_checked,
            self.block_open.flat,
        )
    }

    /// Opening a block, independent of its size (v2 ABI): the extern cost plus the block-open
    /// base (135 617 gas in Skyr), booked as compute gas as ref-fvm 2 books it.
    pub fn on_block_open_base_v2(&self) -> GasCharge {
        GasCharge::new("OnBlockOpenBase", self.block_open.flat, Gas::ZERO)
    }

    /// Opening a block of `data_size` bytes, per byte (v2 ABI): memory retention plus copying,
    /// all compute (10.5 gas per byte in Skyr).
    pub fn on_block_open_per_byte_v2(&self, data_size: usize) -> GasCharge {
        let size = n(data_size);
        let compute =
            self.block_memory_retention_minimum.apply(size) + self.block_memcpy.apply(size);
        GasCharge::new("OnBlockOpenPerByte", compute, Gas::ZERO)
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

    /// Creating a block of `data_size` bytes (v2 ABI): memory retention plus copying, all
    /// compute (10.5 gas per byte in Skyr).
    pub fn on_block_create_v2(&self, data_size: usize) -> GasCharge {
        let size = n(data_size);
        let compute =
            self.block_memory_retention_minimum.apply(size) + self.block_memcpy.apply(size);
        GasCharge::new("OnBlockCreate", compute, Gas::ZERO)
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

    /// Linking (hashing and persisting) a block of `data_size` bytes (v2 ABI): a base price and
    /// two copies as compute, storage per byte.
    pub fn on_block_link_v2(&self, data_size: usize) -> GasCharge {
        let size = n(data_size);
        GasCharge::new(
            "OnBlockLink",
            self.block_persist_compute + self.block_memcpy.apply(size) * 2u32,
            self.block_persist_storage.apply(size),
        )
    }

    /// Linking (hashing and persisting) a block of `data_size` bytes (v3 and v4).
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
                (16..=29).contains(&nv),
                "nv{nv}"
            );
        }
    }

    /// Skyr's charges against ref-fvm 2.12's formulas evaluated by hand (fvm-2.12.2
    /// `gas/price_list.rs`, `SKYR_PRICES`).
    #[test]
    fn skyr_charges() {
        let g = Gas::new;
        for nv in [16, 17] {
            let p = price_list_for(nv).unwrap();
            let m = p.on_chain_message(100);
            assert_eq!(m.name, "OnChainMessage");
            assert_eq!(m.compute_gas, g(38863));
            assert_eq!(m.total(), g(85663 + 1300 * 100));
            assert_eq!(p.on_chain_message(0).total(), g(85663));
            let r = p.on_chain_return_value_v2(10);
            assert_eq!(
                (r.name.as_ref(), r.total()),
                ("OnChainReturnValue", g(13000))
            );
            for (value, method, gas) in [
                (false, 0, 29233),
                (false, 2, 23856),
                (true, 0, 216405),
                (true, 2, 51356),
            ] {
                let c = p.on_method_invocation_v2(value, method);
                assert_eq!(c.name, "OnMethodInvocation");
                assert_eq!(c.total(), g(gas), "value {value}, method {method}");
            }
            let c = p.on_create_actor_v2();
            assert_eq!(c.name, "OnCreateActor");
            assert_eq!((c.compute_gas, c.other_gas), (g(1108454), g(98800)));
            assert_eq!(p.on_delete_actor_refund_v2(), g(98800));
            let sig = |k| p.on_verify_signature_v2(k).total();
            assert_eq!(sig(SignatureKind::Bls), g(16598605));
            assert_eq!(sig(SignatureKind::Secp256k1), g(1637292));
            assert_eq!(p.on_recover_secp_public_key().total(), g(1637292));
            assert_eq!(p.on_hashing_v2().total(), g(31355));
            assert_eq!(p.on_compute_unsealed_sector_cid().total(), g(98647));
            assert_eq!(p.on_verify_seal().total(), g(2000));
            assert_eq!(
                p.on_verify_aggregate_seals(8, 4).total(),
                g(449900 * 4 + 103994170)
            );
            assert_eq!(
                p.on_verify_aggregate_seals(9, 410).total(),
                g(359272 * 410 + 509880640)
            );
            // Unknown seal types are priced as StackedDRG32GiBV1P1.
            assert_eq!(
                p.on_verify_aggregate_seals(3, 7).total(),
                g(449900 * 7 + 112356810)
            );
            assert_eq!(p.on_verify_replica_update().total(), g(36316136));
            assert_eq!(
                p.on_verify_post(Some(8), 3).total(),
                g(117680921 + 3 * 43780)
            );
            // V1P1 types are unknown to ref-fvm 2: priced as 512MiB V1, like no proof at all.
            assert_eq!(p.on_verify_post(Some(13), 1).total(), g(117680921 + 43780));
            assert_eq!(p.on_verify_post(None, 0).total(), g(117680921));
            assert_eq!(p.on_verify_consensus_fault_v2().total(), g(516422));
            assert_eq!(p.on_get_randomness_v2(32).total(), g(21000));
            assert_eq!(p.on_block_open_base_v2().total(), g(135617));
            let open = p.on_block_open_per_byte_v2(1);
            assert_eq!(open.name, "OnBlockOpenPerByte");
            assert_eq!(open.total(), Gas::from_milligas(10500));
            assert_eq!(p.on_block_open_per_byte_v2(1000).total(), g(10500));
            assert_eq!(p.on_block_read(3).total(), Gas::from_milligas(1500));
            assert_eq!(p.on_block_create_v2(2).total(), g(21));
            let link = p.on_block_link_v2(100);
            assert_eq!(link.name, "OnBlockLink");
            assert_eq!(
                (link.compute_gas, link.other_gas),
                (g(353640 + 100), g(130000))
            );
            assert_eq!(p.on_block_stat().total(), Gas::ZERO);
            assert_eq!(p.on_syscall().total(), g(14000));
            // No state-access charges in ref-fvm 2.
            assert_eq!(p.on_actor_update().total(), Gas::ZERO);
            assert_eq!(p.on_actor_lookup().total(), Gas::ZERO);
            let w = p.wasm_rules();
            assert_eq!(w.metering(), crate::Metering::Fvm2);
            assert_eq!(w.init_memory_gas(65536), Gas::ZERO);
            assert_eq!(w.grow_memory_gas(65536), Gas::ZERO);
            assert_eq!(w.init_table_gas(10), Gas::ZERO);
        }
        // The other ABIs' lists have no ref-fvm 2 prices.
        for nv in 18..=29 {
            let p = price_list_for(nv).unwrap();
            assert_eq!(p.on_delete_actor_refund_v2(), Gas::ZERO);
            assert_eq!(p.on_hashing_v2().total(), Gas::ZERO);
            assert_eq!(p.wasm_rules().metering(), crate::Metering::Fvm3);
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

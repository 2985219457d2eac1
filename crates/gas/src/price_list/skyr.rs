//! nv16–nv17 (Skyr, Shark): ref-fvm 2.12's `SKYR_PRICES`.
//!
//! ref-fvm 2's price list has a different shape from ref-fvm 3's: most charges are flat, the
//! extern cost (21 000) is folded into block opening, randomness and consensus faults, "storage"
//! amounts are multiplied by 1300, and two prices are negative (invoking a method and deleting an
//! actor). Here every amount is stored already multiplied out, in the field its charge function
//! (mostly the `_v2` functions of [`PriceList`]) reads; the fields only ref-fvm 3 and 4 use are
//! zero. The block-open base and the consensus fault, which ref-fvm 2 books as compute gas, are
//! charged through their `_v2` functions, which book them so.

use super::hygge::{AGGREGATE_SEALS, WINDOW_POST};
use super::{PostPrice, PriceList, ScalingCost};
use crate::{Gas, Metering, WasmGasPrices};

/// ref-fvm 2's `storage_gas_multiplier`.
const STORAGE_GAS_MULTIPLIER: u64 = 1300;

/// ref-fvm 2's `extern_cost`: a call out of the VM to the node.
const EXTERN_COST: u64 = 21000;

/// Window PoSt V1 (7, 8, 9) for 512MiB, 32GiB and 64GiB sectors (V1P1 does not exist in
/// ref-fvm 2). Unlisted types are priced as 512MiB (7), the fallback.
const POST: &[PostPrice] = &[
    PostPrice {
        post_proof: 7,
        cost: WINDOW_POST,
    },
    PostPrice {
        post_proof: 8,
        cost: WINDOW_POST,
    },
    PostPrice {
        post_proof: 9,
        cost: WINDOW_POST,
    },
];

/// ref-fvm 2's Wasm rules: 4 gas for every instruction but the free ones, instrumented by
/// `fvm-wasm-instrument` 0.2; no memory, table or bulk-memory prices.
const WASM_RULES: WasmGasPrices = WasmGasPrices {
    instruction_default: Gas::new(4),
    math_default: Gas::new(4),
    jump_unconditional: Gas::new(4),
    jump_conditional: Gas::new(4),
    jump_indirect: Gas::new(4),
    call: Gas::ZERO,
    memory_fill_base_cost: Gas::ZERO,
    memory_access_cost: Gas::ZERO,
    memory_copy_per_byte_cost: Gas::ZERO,
    memory_fill_per_byte_cost: Gas::ZERO,
    host_call_cost: Gas::new(14000),
    metering: Metering::Fvm2,
};

pub(super) const PRICES: PriceList = PriceList {
    on_chain_message_compute: ScalingCost::fixed(Gas::new(38863)),
    on_chain_message_storage: ScalingCost {
        flat: Gas::new(36 * STORAGE_GAS_MULTIPLIER),
        scale: Gas::new(STORAGE_GAS_MULTIPLIER),
    },
    on_chain_return_compute: ScalingCost::ZERO,
    on_chain_return_storage: ScalingCost::per_unit(Gas::new(STORAGE_GAS_MULTIPLIER)),
    send_base: Gas::new(29233),
    send_transfer_funds: Gas::new(27500),
    send_transfer_only_premium: Gas::new(159672),
    send_invoke_method: Gas::ZERO,
    send_invoke_method_v2_milligas: -5377 * 1000,
    create_actor_compute: Gas::new(1108454),
    delete_actor_refund: Gas::new((36 + 40) * STORAGE_GAS_MULTIPLIER),
    address_lookup: Gas::ZERO,
    address_assignment: Gas::ZERO,
    actor_lookup: Gas::ZERO,
    actor_update: Gas::ZERO,
    actor_create_storage: Gas::new((36 + 40) * STORAGE_GAS_MULTIPLIER),
    sig_secp256k1: ScalingCost::fixed(Gas::new(1637292)),
    sig_bls: ScalingCost::fixed(Gas::new(16598605)),
    secp256k1_recover_cost: Gas::new(1637292),
    bls_pairing_cost: Gas::ZERO,
    bls_hashing_cost: ScalingCost::ZERO,
    hashing_base: Gas::new(31355),
    hashing_sha2_256: ScalingCost::ZERO,
    hashing_blake2b_256: ScalingCost::ZERO,
    hashing_blake2b_512: ScalingCost::ZERO,
    hashing_keccak_256: ScalingCost::ZERO,
    hashing_ripemd_160: ScalingCost::ZERO,
    tipset_cid_latest: Gas::ZERO,
    tipset_cid_historical: Gas::ZERO,
    // The extern cost; ref-fvm 2's randomness base and per-byte prices are zero.
    get_randomness_seed: Gas::new(EXTERN_COST),
    lookback_cost: ScalingCost::ZERO,
    compute_unsealed_sector_cid_base: Gas::new(98647),
    verify_seal_base: Gas::new(2000),
    verify_aggregate_seal: AGGREGATE_SEALS,
    verify_post: POST,
    verify_post_fallback: 7,
    verify_consensus_fault: Gas::new(EXTERN_COST + 495422),
    verify_replica_update: Gas::new(36316136),
    block_memcpy: ScalingCost::per_unit(Gas::from_milligas(500)),
    block_allocate: ScalingCost::ZERO,
    // ref-fvm 2's `block_open_memret_per_byte_cost` and `block_create_memret_per_byte_cost`.
    block_memory_retention_minimum: ScalingCost::per_unit(Gas::new(10)),
    block_open: ScalingCost::fixed(Gas::new(EXTERN_COST + 114617)),
    block_persist_storage: ScalingCost::per_unit(Gas::new(STORAGE_GAS_MULTIPLIER)),
    // ref-fvm 2's `block_link_base`.
    block_persist_compute: Gas::new(353640),
    wasm_rules: WASM_RULES,
    event_validation_cost: ScalingCost::ZERO,
    event_accept_per_index_element: ScalingCost::ZERO,
    event_per_entry: ScalingCost::ZERO,
    utf8_validation: ScalingCost::ZERO,
    builtin_actor_manifest_lookup: Gas::ZERO,
    network_context: Gas::ZERO,
    message_context: Gas::ZERO,
    install_wasm_per_byte_cost: Gas::ZERO,
    preloaded_actors: &[],
    ipld_cbor_scan_per_field: Gas::ZERO,
    ipld_cbor_scan_per_cid: Gas::ZERO,
    ipld_link_tracked: Gas::ZERO,
    ipld_link_checked: Gas::ZERO,
};

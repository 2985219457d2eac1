//! nv21–nv24 (Watermelon, Dragon, Waffle, Tuk Tuk): ref-fvm 4.8's `WATERMELON_PRICES`.

use super::hygge::{AGGREGATE_SEALS, PRELOADED_ACTORS, WASM_RULES};
use super::{PostPrice, PriceList, ScalingCost};
use crate::Gas;

const WINDOW_POST: ScalingCost = ScalingCost {
    flat: Gas::new(117680921),
    scale: Gas::new(43780),
};

/// Window PoSt V1P1 (12, 13, 14) for 512MiB, 32GiB and 64GiB sectors.
const POST: &[PostPrice] = &[
    PostPrice {
        post_proof: 12,
        cost: WINDOW_POST,
    },
    PostPrice {
        post_proof: 13,
        cost: WINDOW_POST,
    },
    PostPrice {
        post_proof: 14,
        cost: WINDOW_POST,
    },
];

pub(super) const PRICES: PriceList = PriceList {
    on_chain_message_compute: ScalingCost::fixed(Gas::new(38863)),
    on_chain_message_storage: ScalingCost {
        flat: Gas::new(36 * 1300),
        scale: Gas::new(1300),
    },
    on_chain_return_compute: ScalingCost::ZERO,
    on_chain_return_storage: ScalingCost::per_unit(Gas::new(1300)),
    send_transfer_funds: Gas::new(6000),
    send_invoke_method: Gas::new(75000),
    send_base: Gas::ZERO,
    send_transfer_only_premium: Gas::ZERO,
    send_invoke_method_v2_milligas: 0,
    create_actor_compute: Gas::ZERO,
    delete_actor_refund: Gas::ZERO,
    address_lookup: Gas::new(1_050_000),
    address_assignment: Gas::new(1_000_000),
    actor_lookup: Gas::new(500_000),
    actor_update: Gas::new(475_000),
    actor_create_storage: Gas::new(650_000),
    sig_secp256k1: ScalingCost {
        flat: Gas::new(1637292),
        scale: Gas::new(10),
    },
    sig_bls: ScalingCost {
        flat: Gas::new(16598605),
        scale: Gas::new(26),
    },
    secp256k1_recover_cost: Gas::new(1637292),
    bls_pairing_cost: Gas::new(8299302),
    bls_hashing_cost: ScalingCost::per_unit(Gas::new(7)),
    hashing_base: Gas::ZERO,
    hashing_sha2_256: ScalingCost::per_unit(Gas::new(7)),
    hashing_blake2b_256: ScalingCost::per_unit(Gas::new(10)),
    hashing_blake2b_512: ScalingCost::per_unit(Gas::new(10)),
    hashing_keccak_256: ScalingCost::per_unit(Gas::new(33)),
    hashing_ripemd_160: ScalingCost::per_unit(Gas::new(35)),
    tipset_cid_latest: Gas::ZERO,
    tipset_cid_historical: Gas::ZERO,
    get_randomness_seed: Gas::ZERO,
    // Walking up the chain 20 epochs at a time (5800 * 19), the base operation (15000) and the
    // extern (21000).
    lookback_cost: ScalingCost {
        flat: Gas::new(5800 * 19 + 15000 + 21000),
        scale: Gas::new(75),
    },
    compute_unsealed_sector_cid_base: Gas::new(98647),
    verify_seal_base: Gas::new(2000),
    verify_aggregate_seal: AGGREGATE_SEALS,
    verify_post: POST,
    verify_post_fallback: 12,
    verify_consensus_fault: Gas::new(516422),
    verify_replica_update: Gas::new(36316136),
    block_memcpy: ScalingCost::per_unit(Gas::from_milligas(400)),
    block_allocate: ScalingCost::per_unit(Gas::new(2)),
    block_memory_retention_minimum: ScalingCost::per_unit(Gas::new(10)),
    block_open: ScalingCost::fixed(Gas::new(187440)),
    block_persist_storage: ScalingCost {
        flat: Gas::new(334000),
        scale: Gas::new(3340),
    },
    block_persist_compute: Gas::new(172000),
    wasm_rules: WASM_RULES,
    event_validation_cost: ScalingCost::ZERO,
    event_accept_per_index_element: ScalingCost::ZERO,
    event_per_entry: ScalingCost {
        flat: Gas::new(2000),
        scale: Gas::new(1400),
    },
    utf8_validation: ScalingCost {
        flat: Gas::new(500),
        scale: Gas::new(16),
    },
    builtin_actor_manifest_lookup: Gas::ZERO,
    network_context: Gas::ZERO,
    message_context: Gas::ZERO,
    install_wasm_per_byte_cost: Gas::ZERO,
    preloaded_actors: PRELOADED_ACTORS,
    ipld_cbor_scan_per_field: Gas::new(35),
    ipld_cbor_scan_per_cid: Gas::new(400),
    ipld_link_tracked: Gas::new(300),
    ipld_link_checked: Gas::new(300),
};

//! nv18–nv20 (Hygge, Lightning, Thunder): ref-fvm 3.14's `HYGGE_PRICES`.

use super::{AggregateSealPrice, PostPrice, PriceList, ScalingCost, Step, StepCost};
use crate::{Gas, Metering, WasmGasPrices};

pub(super) const STEPS_32GIB: &[Step] = &[
    Step {
        start: 4,
        cost: Gas::new(103994170),
    },
    Step {
        start: 7,
        cost: Gas::new(112356810),
    },
    Step {
        start: 13,
        cost: Gas::new(122912610),
    },
    Step {
        start: 26,
        cost: Gas::new(137559930),
    },
    Step {
        start: 52,
        cost: Gas::new(162039100),
    },
    Step {
        start: 103,
        cost: Gas::new(210960780),
    },
    Step {
        start: 205,
        cost: Gas::new(318351180),
    },
    Step {
        start: 410,
        cost: Gas::new(528274980),
    },
];

pub(super) const STEPS_64GIB: &[Step] = &[
    Step {
        start: 4,
        cost: Gas::new(102581240),
    },
    Step {
        start: 7,
        cost: Gas::new(110803030),
    },
    Step {
        start: 13,
        cost: Gas::new(120803700),
    },
    Step {
        start: 26,
        cost: Gas::new(134642130),
    },
    Step {
        start: 52,
        cost: Gas::new(157357890),
    },
    Step {
        start: 103,
        cost: Gas::new(203017690),
    },
    Step {
        start: 205,
        cost: Gas::new(304253590),
    },
    Step {
        start: 410,
        cost: Gas::new(509880640),
    },
];

/// Aggregate seal prices for `StackedDRG32GiBV1P1` (8) and `StackedDRG64GiBV1P1` (9).
pub(super) const AGGREGATE_SEALS: &[AggregateSealPrice] = &[
    AggregateSealPrice {
        seal_proof: 8,
        per_proof: Gas::new(449900),
        steps: StepCost(STEPS_32GIB),
    },
    AggregateSealPrice {
        seal_proof: 9,
        per_proof: Gas::new(359272),
        steps: StepCost(STEPS_64GIB),
    },
];

/// Verifying a window PoSt: the same price for every sector size (ref-fvm 2 to 4).
pub(super) const WINDOW_POST: ScalingCost = ScalingCost {
    flat: Gas::new(117680921),
    scale: Gas::new(43780),
};

/// Window PoSt V1 (7, 8, 9) and V1P1 (12, 13, 14) for 512MiB, 32GiB and 64GiB sectors.
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

/// The Wasm rules shared by every network version from nv18 on.
pub(super) const WASM_RULES: WasmGasPrices = WasmGasPrices {
    instruction_default: Gas::new(4),
    math_default: Gas::new(4),
    jump_unconditional: Gas::new(4),
    jump_conditional: Gas::new(4),
    jump_indirect: Gas::new(4),
    call: Gas::ZERO,
    memory_fill_base_cost: Gas::ZERO,
    memory_access_cost: Gas::ZERO,
    memory_copy_per_byte_cost: Gas::from_milligas(400),
    memory_fill_per_byte_cost: Gas::from_milligas(400),
    host_call_cost: Gas::new(14000),
    metering: Metering::Fvm3,
};

/// FIP-0055 preloaded actors.
pub(super) const PRELOADED_ACTORS: &[u64] = &[0, 1, 2, 3, 4, 5, 6, 7, 10, 99];

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
    bls_pairing_cost: Gas::ZERO,
    bls_hashing_cost: ScalingCost::ZERO,
    hashing_base: Gas::ZERO,
    hashing_sha2_256: ScalingCost::per_unit(Gas::new(7)),
    hashing_blake2b_256: ScalingCost::per_unit(Gas::new(10)),
    hashing_blake2b_512: ScalingCost::per_unit(Gas::new(10)),
    hashing_keccak_256: ScalingCost::per_unit(Gas::new(33)),
    hashing_ripemd_160: ScalingCost::per_unit(Gas::new(35)),
    tipset_cid_latest: Gas::new(50_000),
    tipset_cid_historical: Gas::new(215_000),
    get_randomness_seed: Gas::new(21000),
    lookback_cost: ScalingCost::ZERO,
    compute_unsealed_sector_cid_base: Gas::new(98647),
    verify_seal_base: Gas::new(2000),
    verify_aggregate_seal: AGGREGATE_SEALS,
    verify_post: POST,
    verify_post_fallback: 7,
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
    event_validation_cost: ScalingCost {
        flat: Gas::new(1750),
        scale: Gas::new(25),
    },
    event_accept_per_index_element: ScalingCost::ZERO,
    event_per_entry: ScalingCost::ZERO,
    utf8_validation: ScalingCost::ZERO,
    builtin_actor_manifest_lookup: Gas::ZERO,
    network_context: Gas::ZERO,
    message_context: Gas::ZERO,
    install_wasm_per_byte_cost: Gas::ZERO,
    preloaded_actors: PRELOADED_ACTORS,
    ipld_cbor_scan_per_field: Gas::ZERO,
    ipld_cbor_scan_per_cid: Gas::ZERO,
    ipld_link_tracked: Gas::ZERO,
    ipld_link_checked: Gas::ZERO,
};

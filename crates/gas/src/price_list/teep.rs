//! nv25–nv29 (Teep, Tock, Golden Week, Fire Horse, ...): ref-fvm 4.8's `TEEP_PRICES`, which
//! raise the single-seal base price and price NI-PoRep aggregates (FIP-0092).

use super::hygge::{STEPS_32GIB, STEPS_64GIB};
use super::{watermelon, AggregateSealPrice, PriceList, Step, StepCost};
use crate::Gas;

const STEPS_NI_32GIB: &[Step] = &[
    Step {
        start: 1,
        cost: Gas::new(112356810),
    },
    Step {
        start: 2,
        cost: Gas::new(122912610),
    },
    Step {
        start: 3,
        cost: Gas::new(137559930),
    },
    Step {
        start: 5,
        cost: Gas::new(162039100),
    },
    Step {
        start: 9,
        cost: Gas::new(210960780),
    },
    Step {
        start: 17,
        cost: Gas::new(318351180),
    },
    Step {
        start: 33,
        cost: Gas::new(528274980),
    },
];

const STEPS_NI_64GIB: &[Step] = &[
    Step {
        start: 1,
        cost: Gas::new(110803030),
    },
    Step {
        start: 2,
        cost: Gas::new(120803700),
    },
    Step {
        start: 3,
        cost: Gas::new(134642130),
    },
    Step {
        start: 5,
        cost: Gas::new(157357890),
    },
    Step {
        start: 9,
        cost: Gas::new(203017690),
    },
    Step {
        start: 17,
        cost: Gas::new(304253590),
    },
    Step {
        start: 33,
        cost: Gas::new(509880640),
    },
];

/// Adds `StackedDRG32GiBV1P2_Feat_NiPoRep` (18) and `StackedDRG64GiBV1P2_Feat_NiPoRep` (19).
const AGGREGATE_SEALS: &[AggregateSealPrice] = &[
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
    AggregateSealPrice {
        seal_proof: 18,
        per_proof: Gas::new(44990 * 126),
        steps: StepCost(STEPS_NI_32GIB),
    },
    AggregateSealPrice {
        seal_proof: 19,
        per_proof: Gas::new(35928 * 126),
        steps: StepCost(STEPS_NI_64GIB),
    },
];

pub(super) const PRICES: PriceList = PriceList {
    verify_seal_base: Gas::new(42_000_000),
    verify_aggregate_seal: AGGREGATE_SEALS,
    ..watermelon::PRICES
};

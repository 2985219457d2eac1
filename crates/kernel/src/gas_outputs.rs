//! How a message's gas is paid out: base-fee burn, over-estimation burn, miner tip, refund.

use fvm_shared::econ::TokenAmount;

/// The distribution of a message's gas fee (ref-fvm's `GasOutputs`).
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct GasOutputs {
    /// Burnt at the base fee for the gas used.
    pub base_fee_burn: TokenAmount,
    /// Burnt for over-estimating the gas limit.
    pub over_estimation_burn: TokenAmount,
    /// What the block's miner owes when the fee cap is below the base fee.
    pub miner_penalty: TokenAmount,
    /// Paid to the block's miner.
    pub miner_tip: TokenAmount,
    /// Returned to the sender.
    pub refund: TokenAmount,
    /// Gas refunded.
    pub gas_refund: u64,
    /// Gas burnt for over-estimation.
    pub gas_burned: u64,
}

impl GasOutputs {
    /// The outputs for a message that used `gas_used` of `gas_limit`.
    pub fn compute(
        gas_used: u64,
        gas_limit: u64,
        base_fee: &TokenAmount,
        fee_cap: &TokenAmount,
        gas_premium: &TokenAmount,
    ) -> Self {
        let mut out = GasOutputs::default();
        let mut base_fee_to_pay = base_fee;
        if base_fee > fee_cap {
            base_fee_to_pay = fee_cap;
            out.miner_penalty = (base_fee - fee_cap) * gas_used;
        }
        out.base_fee_burn = base_fee_to_pay * gas_used;
        let mut miner_tip = gas_premium.clone();
        if &(base_fee_to_pay + &miner_tip) > fee_cap {
            miner_tip = fee_cap - base_fee_to_pay;
        }
        out.miner_tip = &miner_tip * gas_limit;
        let (refund, burned) = over_estimation(gas_used, gas_limit);
        out.gas_refund = refund;
        out.gas_burned = burned;
        if burned != 0 {
            out.over_estimation_burn = base_fee_to_pay * burned;
            out.miner_penalty += (base_fee - base_fee_to_pay) * burned;
        }
        let required = fee_cap * gas_limit;
        out.refund = required - &out.base_fee_burn - &out.miner_tip - &out.over_estimation_burn;
        out
    }
}

/// (gas refunded, gas burnt): gas over 110% of what was used is partly burnt.
fn over_estimation(gas_used: u64, gas_limit: u64) -> (u64, u64) {
    const NUM: u128 = 11;
    const DENOM: u128 = 10;
    if gas_used == 0 {
        return (0, gas_limit);
    }
    let (used, limit) = (u128::from(gas_used), u128::from(gas_limit));
    let over = limit.saturating_sub(NUM * used / DENOM).min(used);
    let remaining = limit.saturating_sub(used);
    let burn = remaining * over / used;
    ((remaining.saturating_sub(burn)) as u64, burn as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_estimation_burn() {
        for (used, limit, refund, burn) in [
            (100, 200, 10, 90),
            (100, 150, 30, 20),
            (1_000, 1_300, 240, 60),
            (500, 700, 140, 60),
            (200, 200, 0, 0),
            (20_000, 21_000, 1_000, 0),
            (0, 2_000, 0, 2_000),
            (500, 651, 121, 30),
            (500, 5_000, 0, 4_500),
            (7_499_000_000, 7_500_000_000, 1_000_000, 0),
            (7_500_000_000 / 2, 7_500_000_000, 375_000_000, 3_375_000_000),
            (1, 7_500_000_000, 0, 7_499_999_999),
        ] {
            assert_eq!(
                over_estimation(used, limit),
                (refund, burn),
                "{used}/{limit}"
            );
        }
    }

    #[test]
    fn outputs_add_up_to_the_required_funds() {
        let t = TokenAmount::from_atto;
        for (used, limit, fee_cap, premium, base_fee) in [
            (100u64, 110u64, 11u64, 1u64, 10u64),
            (100, 130, 11, 1, 10),
            (100, 110, 10, 1, 10),
            (100, 110, 6, 1, 10),
            (0, 1000, 5, 5, 2),
        ] {
            let o = GasOutputs::compute(used, limit, &t(base_fee), &t(fee_cap), &t(premium));
            let total = &o.base_fee_burn + &o.over_estimation_burn + &o.miner_tip + &o.refund;
            assert_eq!(total, t(fee_cap) * limit);
        }
    }
}

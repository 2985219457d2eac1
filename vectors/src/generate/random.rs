//! Seeded random traffic: senders, receivers, values, methods, parameters, gas limits and nonces
//! drawn from a seed, so any mismatch is reproduced from the seed alone.

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use ifvm_actors::{
    BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID,
    REWARD_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID, SYSTEM_ACTOR_ID,
    VERIFIED_REGISTRY_ACTOR_ID,
};

use super::driver::{DriveError, Driver};
use super::keys::{BlsKey, SecpKey};
use super::params::{cbor, frc42_method};

/// A small deterministic generator (SplitMix64): the same seed gives the same traffic on every
/// platform and with every version of every dependency.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// 32 bytes (for made-up commitments).
    pub fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        out
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SINGLETONS: [u64; 10] = [
    SYSTEM_ACTOR_ID,
    INIT_ACTOR_ID,
    REWARD_ACTOR_ID,
    CRON_ACTOR_ID,
    STORAGE_POWER_ACTOR_ID,
    STORAGE_MARKET_ACTOR_ID,
    VERIFIED_REGISTRY_ACTOR_ID,
    DATACAP_ACTOR_ID,
    EAM_ACTOR_ID,
    BURNT_FUNDS_ACTOR_ID,
];

/// The f410 address of the secp256k1 key `seed` where the network has delegated addresses; on
/// earlier networks, whose messages cannot carry one (ref-fvm 2 does not decode f4), an actor
/// address from the same seed, so the draws stay the same.
fn delegated(d: &Driver, seed: u64) -> Address {
    if d.net().fevm {
        SecpKey::from_seed(seed).f4_address()
    } else {
        Address::new_actor(&seed.to_be_bytes())
    }
}

fn receiver(rng: &mut SplitMix64, d: &Driver) -> Address {
    let accounts = d.net().accounts.len() as u64;
    match rng.below(10) {
        0..=4 => d.net().account(rng.below(accounts) as usize).address(),
        5 => Address::new_id(d.net().account(rng.below(accounts) as usize).id),
        6 => Address::new_id(*rng.pick(&SINGLETONS)),
        7 => SecpKey::from_seed(10_000 + rng.below(8)).address(),
        8 => BlsKey::from_seed(10_000 + rng.below(8)).address(),
        _ => match rng.below(3) {
            0 => delegated(d, 20_000 + rng.below(8)),
            1 => Address::new_id(100 + rng.below(60)),
            _ => Address::new_actor(&rng.next_u64().to_be_bytes()),
        },
    }
}

fn sender(rng: &mut SplitMix64, d: &Driver) -> Address {
    let accounts = d.net().accounts.len() as u64;
    match rng.below(20) {
        0 => Address::new_id(*rng.pick(&SINGLETONS)),
        1 => SecpKey::from_seed(10_000 + rng.below(8)).address(),
        2 => delegated(d, 20_000 + rng.below(8)),
        3 => Address::new_id(d.net().account(rng.below(accounts) as usize).id),
        _ => d.net().account(rng.below(accounts) as usize).address(),
    }
}

fn value(rng: &mut SplitMix64) -> TokenAmount {
    match rng.below(6) {
        0 => TokenAmount::default(),
        1 => TokenAmount::from_atto(rng.below(1_000_000)),
        2 | 3 => TokenAmount::from_nano(rng.below(10_000_000_000)),
        4 => TokenAmount::from_whole(rng.below(1_000)),
        _ => TokenAmount::from_whole(1_000_000 + rng.below(1_000)),
    }
}

fn method(rng: &mut SplitMix64) -> u64 {
    match rng.below(10) {
        0..=4 => 0,
        5 => 1,
        6 | 7 => rng.below(30),
        8 => *rng.pick(&[
            frc42_method("AuthenticateMessage"),
            frc42_method("Receive"),
            frc42_method("Balance"),
            frc42_method("InvokeEVM"),
            frc42_method("Name"),
        ]),
        _ => rng.next_u64(),
    }
}

fn params(rng: &mut SplitMix64, d: &Driver) -> Vec<u8> {
    match rng.below(6) {
        0..=2 => Vec::new(),
        3 => (0..rng.below(64)).map(|_| rng.next_u64() as u8).collect(),
        4 => cbor(&receiver(rng, d)),
        _ => cbor(&(rng.next_u64(), vec![rng.below(5); rng.below(4) as usize])),
    }
}

/// Applies `count` random messages drawn from `seed` through `d`.
pub fn random_traffic(d: &mut Driver, seed: u64, count: usize) -> Result<(), DriveError> {
    let mut rng = SplitMix64::new(seed);
    for _ in 0..count {
        let from = sender(&mut rng, d);
        let to = receiver(&mut rng, d);
        let value = value(&mut rng);
        let method = method(&mut rng);
        let p = params(&mut rng, d);
        let mut m = d.message(from, to, value, method, p);
        m.gas_limit = match rng.below(10) {
            0 => 1 + rng.below(2_000_000),
            1 => 2_000_000 + rng.below(20_000_000),
            2 => 10_000_000_000 + rng.below(10),
            _ => m.gas_limit,
        };
        if rng.chance(5) {
            m.sequence = m.sequence.wrapping_add(rng.below(3)).wrapping_sub(1);
        }
        if rng.chance(5) {
            m.gas_fee_cap = TokenAmount::from_atto(rng.below(300));
            m.gas_premium = TokenAmount::from_atto(rng.below(300));
        }
        d.apply(m)?;
    }
    Ok(())
}

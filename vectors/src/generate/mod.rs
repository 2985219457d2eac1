//! Generated traffic for network versions without public vectors (nv21 on): genesis-like
//! networks built from the mainnet bundles ([`network`]), named scenarios ([`scenarios`]) and
//! seeded random traffic ([`random`]) recorded on ifvm ([`driver`], [`case`]), and the writer
//! that turns them into test vectors with a reference's results ([`write`]). The differential
//! harness that replays them on ref-fvm lives in the `ifvm-reference` crate.

pub mod case;
pub mod driver;
pub mod evm;
pub mod keys;
pub mod network;
pub mod params;
pub mod random;
pub mod scenarios;
pub mod write;

/// The address namespace of the Ethereum address manager (f410 addresses).
pub const EAM_NAMESPACE: u64 = ifvm_actors::EAM_ACTOR_ID;

/// The network versions generated vectors cover.
pub const GENERATED_NETWORK_VERSIONS: std::ops::RangeInclusive<u32> = 21..=28;

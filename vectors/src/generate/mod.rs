//! Generated traffic for nv17 (whose public vectors, Shark's, cover only the messages mainnet
//! happened to carry) and for the versions without public vectors (nv21 on): genesis-like
//! networks built from the mainnet bundles ([`network`]), named scenarios ([`scenarios`]) and
//! seeded random traffic ([`random`]) recorded on ifvm ([`driver`], [`case`]), and the writer
//! that turns them into test vectors with a reference's results ([`write`]). The differential
//! harness that replays them on ref-fvm lives in the `ifvm-reference` crate.

pub mod case;
pub mod driver;
pub mod evm;
pub mod keys;
pub mod market;
pub mod network;
pub mod params;
pub mod random;
pub mod scenarios;
pub mod sectors;
pub mod simulation;
pub mod write;

/// The address namespace of the Ethereum address manager (f410 addresses).
pub const EAM_NAMESPACE: u64 = ifvm_actors::EAM_ACTOR_ID;

/// The network versions generated vectors cover: nv17 (ref-fvm 2's ABI, actors v9, without the
/// Ethereum actors) and nv21–nv28 (ref-fvm 4's).
pub const GENERATED_NETWORK_VERSIONS: [u32; 9] = [17, 21, 22, 23, 24, 25, 26, 27, 28];

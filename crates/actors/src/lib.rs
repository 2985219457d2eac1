//! What ifvm's kernel must know of Filecoin's builtin actors, and nothing more:
//!
//! - [`bundle`]: loading a builtin-actors release (a `.tar.zst` of CARs, one per network, or a
//!   single CAR) into a blockstore;
//! - [`Manifest`]: the bundle manifest, mapping actor types to code CIDs and back;
//! - [`state`]: the states of the system, init and account actors that the VM itself reads
//!   and writes (the builtin-actors manifest, the address map, next actor ID);
//! - the well-known actor IDs.
//!
//! Builtin actors' Wasm code is never part of this crate: it comes from a bundle a user provides.

pub mod bundle;
mod manifest;
pub mod state;

pub use manifest::{bundle_manifest_cid, BuiltinActor, Manifest, ManifestError};

use fvm_shared::ActorID;

/// The system actor.
pub const SYSTEM_ACTOR_ID: ActorID = 0;
/// The init actor, which assigns actor IDs to addresses.
pub const INIT_ACTOR_ID: ActorID = 1;
/// The reward actor; receives miner tips.
pub const REWARD_ACTOR_ID: ActorID = 2;
/// The cron actor.
pub const CRON_ACTOR_ID: ActorID = 3;
/// The storage power actor.
pub const STORAGE_POWER_ACTOR_ID: ActorID = 4;
/// The storage market actor.
pub const STORAGE_MARKET_ACTOR_ID: ActorID = 5;
/// The verified registry actor.
pub const VERIFIED_REGISTRY_ACTOR_ID: ActorID = 6;
/// The datacap actor.
pub const DATACAP_ACTOR_ID: ActorID = 7;
/// The Ethereum address manager; the namespace of f4 Ethereum addresses.
pub const EAM_ACTOR_ID: ActorID = 10;
/// The burnt funds actor; receives burnt gas.
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;

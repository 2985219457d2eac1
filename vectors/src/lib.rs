//! Test vectors for ifvm: reading the standard test-vector schema, running vectors on ifvm and
//! comparing every receipt and the final state root, and explaining mismatches (which receipt
//! field, which actors and state fields, and the gas trace).
//!
//! What every runner of messages shares lives here, once:
//! - [`data`]: where the bundles and vectors are (`IFVM_ACTORS`, `IFVM_VECTORS`);
//! - [`MachineParams`] and [`executor`]: building a machine and ifvm's executor, and the
//!   [`timestamp`] rule of test runs;
//! - [`threads`]: the native stack of threads that apply messages, and [`deep_calls`], the
//!   deepest message, to measure and test it;
//! - [`BundleSet`] and the blockstores ([`RunStore`], [`SharedBlocks`]).
//!
//! For network versions without public vectors (nv21 on), [`generate`] builds genesis-like
//! networks from the mainnet bundles and records scenarios and seeded random traffic on them;
//! the `ifvm-reference` crate replays them on ref-fvm 4.8 and writes `vectors/generated/`.
//! The `ifvm` command line (`crates/cli`) and the gas-research tools (`crates/research`) are
//! built on this crate.

pub mod data;
pub mod deep_calls;
pub mod generate;
pub mod schema;
pub mod threads;
pub mod tipset;

mod bundles;
mod car;
mod chain;
mod explain;
mod externs;
mod genesis;
mod machine;
mod message;
mod prepared;
mod runner;
mod scenario;
mod store;

pub use bundles::{actors_version, BundleSet, BundlesError};
pub use car::{CarError, CarHeader};
pub use chain::IfvmChain;
pub use explain::ActorDiff;
pub use externs::{NotRecorded, ReplayExterns, Unrecorded};
pub use genesis::{Genesis, GenesisError, GenesisState};
pub use machine::{engine, executor, timestamp, BuildError, MachineParams};
pub use message::decode_message;
pub use prepared::{PrepareError, PreparedVariant};
pub use runner::{
    Mismatch, Outcome, ReceiptDiff, RunError, Runner, RunnerOptions, VariantReport, VectorReport,
};
pub use scenario::{
    apply_each, first_difference, result_of, run_ifvm, trace_difference, DeterministicExterns,
    GasPayouts, MessageResult, Setup, SCENARIO_EPOCH,
};
pub use store::{CollectingStore, RunStore, SharedBlocks};

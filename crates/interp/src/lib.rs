//! ifvm's Wasm backend: FVM actors on the [wasmi] interpreter, metered exactly as ref-fvm meters
//! them on Wasmtime. This crate knows Wasm, not Filecoin.
//!
//! - [`prepare`]: checks a module against FVM's Wasm feature set, applies `fvm-wasm-instrument`'s
//!   stack limiter and gas metering with ref-fvm's parameters (0.4 for ref-fvm 3 and 4, 0.2 for
//!   ref-fvm 2: see [`ifvm_gas::Metering`]), and builds the wasmi module. [`Engine`] caches
//!   prepared modules by code CID, in memory and (optionally, [`DiskCache`]) on disk.
//! - [`Invocation`]: one instance in its own store, with the instrumenter's gas global
//!   (`gas.gas_counter`, or ref-fvm 2's `gas.gas_couner`), memory and table limits
//!   ([`MemoryLimiter`]), and the gas handshake with the host's
//!   [`GasTracker`](ifvm_gas::GasTracker) at instantiation (ref-fvm 3 and 4 only), at every host
//!   call and at return.
//! - [`HostFunctions`]: typed host functions. Each receives a [`Caller`] with checked access to
//!   guest memory ([`GuestMemory`]); its result is written through an out-pointer and a status
//!   code returned, following the FVM syscall convention.
//! - [`CallError`] and [`TrapKind`]: how an invocation failed, for the host to map to exit codes.
//! - [`profile`]: an opt-in research mode counting executed instructions by class.
//!
//! Floats: wasmi is built with its `deterministic` profile, which canonicalizes the NaN results of
//! exactly the operations whose NaNs Cranelift canonicalizes under ref-fvm's
//! `cranelift_nan_canonicalization(true)` (arithmetic, `min`/`max`, `sqrt`, rounding, promotion
//! and demotion; not `neg`, `abs`, `copysign`, loads or reinterpretations). Results are
//! therefore bit-identical to ref-fvm's on every architecture, without rewriting modules.
//!
//! Speed: fuel metering is off (metering is by instrumentation), and the instrumenter's calls to
//! its gas-counter function are inlined after metering (a call costs an interpreter a frame;
//! gas is unchanged). Translation to wasmi bytecode is lazy by default ([`Compilation::Lazy`]):
//! validation stays eager, so acceptance is deterministic. Measured on the 151 Hygge vectors,
//! one thread, release build (`ifvm vectors run --jobs 1 --compilation lazy|eager`): the same
//! time (7.4 s both) with less memory (73 MB against 93 MB peak), so lazy it is.
//!
//! `no_std` + `alloc`: without the `std` feature, [`prepare`] is unavailable (the instrumenter
//! needs std); modules prepared elsewhere load with [`PreparedModule::from_instrumented`].
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

mod cache;
mod config;
#[cfg(feature = "std")]
mod disk_cache;
mod engine;
mod error;
mod growth;
#[cfg(feature = "std")]
mod growth_rewrite;
mod host;
#[cfg(feature = "std")]
mod inline_gas;
mod invocation;
mod limiter;
mod memory;
mod module;
#[cfg(feature = "std")]
pub mod prepare;
pub mod profile;
#[cfg(feature = "std")]
mod profile_pass;
#[cfg(feature = "std")]
mod section_order;

pub use config::{Compilation, EngineConfig};
#[cfg(feature = "std")]
pub use disk_cache::{
    DiskCache, DiskCacheError, DiskCacheStats, PruneReport, Rejection, FORMAT as DISK_CACHE_FORMAT,
};
pub use engine::{Engine, PrepareOrLoadError};
pub use error::{CallError, FatalError, TrapKind};
pub use host::{
    Caller, GuestValue, Host, HostError, HostFunctions, HostImport, HostParam, LastError, ValueType,
};
pub use invocation::Invocation;
pub use limiter::MemoryLimiter;
pub use memory::{GuestMemory, OutOfBounds};
pub use module::{PrepareError, PreparedModule};
pub use profile::{InstructionClass, InstructionProfile};

/// Wasm values, for [`Invocation::call_raw`].
pub use wasmi::Val;

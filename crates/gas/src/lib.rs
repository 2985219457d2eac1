//! Gas accounting for ifvm, identical to ref-fvm's.
//!
//! - [`Gas`]: an amount of gas stored in milligas, with saturating arithmetic and ref-fvm's
//!   rounding rules.
//! - [`GasCharge`] and [`GasTracker`]: named charges (compute and other gas) against a limit, with
//!   nested limits for sub-calls and an optional trace of every charge, optionally timed
//!   ([`timing`]: research only, never affects gas).
//! - [`PriceList`]: the price of every operation the VM charges for, for every network version
//!   from nv16 to nv29 ([`price_list_for`]). Values are those of ref-fvm 2.12 (nv16–nv17),
//!   ref-fvm 3.14 (nv18–nv20) and ref-fvm 4.8 (nv21–nv29).
//! - [`WasmGasPrices`]: the Wasm instruction rules, for one [`Metering`] generation; with the
//!   `std` feature it implements the `Rules` traits of `fvm_wasm_instrument` 0.4 (ref-fvm 3 and
//!   4) and 0.2 (ref-fvm 2), so the instrumenter charges what ref-fvm charges.
//!
//! The crate is `no_std` + `alloc`; the `std` feature (default) only adds the instrumenter rules.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

mod charge;
mod gas;
mod kinds;
mod price_list;
pub mod timing;
mod tracker;
mod wasm_rules;

pub use charge::GasCharge;
pub use gas::{Gas, MILLIGAS_PRECISION};
pub use kinds::{HashFunction, SignatureKind};
pub use price_list::{price_list_for, PriceList, ScalingCost, Step, StepCost};
pub use timing::{Clock, Span, TimedTrace};
pub use tracker::{GasTracker, OutOfGas};
pub use wasm_rules::{Metering, WasmGasPrices, TABLE_ELEMENT_SIZE, WASM_PAGE_SIZE};

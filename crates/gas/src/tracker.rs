//! The per-message gas tracker.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::{Gas, GasCharge};

/// The message ran out of gas: the tracker's used gas now equals its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfGas;

impl core::fmt::Display for OutOfGas {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("out of gas")
    }
}

impl core::error::Error for OutOfGas {}

#[derive(Clone, Copy, Debug)]
struct Snapshot {
    limit: Gas,
    used: Gas,
}

/// Tracks gas used against a limit, with nested limits for sub-calls.
///
/// Semantics are ref-fvm's: a limit above `i64::MAX` milligas is capped there; a charge that
/// would exceed the limit sets used gas to the limit and fails with [`OutOfGas`]; a nested limit
/// ([`push_limit`](Self::push_limit)) is the smaller of the requested limit and the gas still
/// available, and popping it adds what the sub-call used to the outer usage.
#[derive(Debug)]
pub struct GasTracker {
    limit: Gas,
    used: Gas,
    snapshots: Vec<Snapshot>,
    trace: Option<Vec<GasCharge>>,
}

impl GasTracker {
    /// The largest limit a tracker holds (the Wasm gas global is an `i64` of milligas).
    pub const MAX_LIMIT: Gas = Gas::from_milligas(i64::MAX as u64);

    /// A tracker with the given limit and gas already used (capped at the limit). With
    /// `trace`, every charge is recorded for [`take_trace`](Self::take_trace).
    pub fn new(limit: Gas, used: Gas, trace: bool) -> Self {
        let limit = limit.min(Self::MAX_LIMIT);
        Self {
            limit,
            used: used.min(limit),
            snapshots: Vec::new(),
            trace: trace.then(Vec::new),
        }
    }

    /// Charges `charge.total()`; on failure, all remaining gas is used and [`OutOfGas`] returned.
    /// The charge is traced (if tracing) whether or not it fits.
    #[inline]
    pub fn apply_charge(&mut self, charge: GasCharge) -> Result<(), OutOfGas> {
        let res = self.charge_inner(charge.total());
        if let Some(trace) = &mut self.trace {
            trace.push(charge);
        }
        res
    }

    /// Charges `gas` as compute gas under `name`; see [`apply_charge`](Self::apply_charge).
    #[inline]
    pub fn charge_gas(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        gas: Gas,
    ) -> Result<(), OutOfGas> {
        let res = self.charge_inner(gas);
        if let Some(trace) = &mut self.trace {
            trace.push(GasCharge::new(name, gas, Gas::ZERO));
        }
        res
    }

    #[inline]
    fn charge_inner(&mut self, gas: Gas) -> Result<(), OutOfGas> {
        let used = self.used + gas;
        if used > self.limit {
            self.used = self.limit;
            Err(OutOfGas)
        } else {
            self.used = used;
            Ok(())
        }
    }

    /// Starts a nested limit: `min(new_limit, available)`, with nothing used yet.
    pub fn push_limit(&mut self, new_limit: Gas) {
        self.snapshots.push(Snapshot {
            limit: self.limit,
            used: self.used,
        });
        self.limit = self.available().min(new_limit);
        self.used = Gas::ZERO;
    }

    /// Ends the innermost nested limit, adding its usage to the outer usage. Returns `false` (and
    /// changes nothing) if no nested limit is active.
    pub fn pop_limit(&mut self) -> bool {
        match self.snapshots.pop() {
            Some(snap) => {
                self.limit = snap.limit;
                self.used += snap.used;
                true
            }
            None => false,
        }
    }

    /// The current (innermost) limit.
    #[inline]
    pub fn limit(&self) -> Gas {
        self.limit
    }

    /// Gas used under the current limit.
    #[inline]
    pub fn used(&self) -> Gas {
        self.used
    }

    /// Gas still available under the current limit.
    #[inline]
    pub fn available(&self) -> Gas {
        self.limit - self.used
    }

    /// True if charges are being recorded.
    #[inline]
    pub fn is_tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// Takes the charges recorded so far (empty if not tracing).
    pub fn take_trace(&mut self) -> Vec<GasCharge> {
        self.trace.as_mut().map(core::mem::take).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_until_limit() {
        let mut t = GasTracker::new(Gas::new(20), Gas::new(10), false);
        t.charge_gas("a", Gas::new(5)).unwrap();
        assert_eq!(t.used(), Gas::new(15));
        t.charge_gas("b", Gas::new(5)).unwrap();
        assert_eq!(t.used(), Gas::new(20));
        assert_eq!(t.charge_gas("c", Gas::new(1)), Err(OutOfGas));
        assert_eq!(t.used(), Gas::new(20));
    }

    #[test]
    fn failed_charge_uses_everything() {
        let mut t = GasTracker::new(Gas::new(10), Gas::ZERO, false);
        assert_eq!(t.charge_gas("big", Gas::new(11)), Err(OutOfGas));
        assert_eq!(t.available(), Gas::ZERO);
    }

    #[test]
    fn limit_is_capped() {
        let t = GasTracker::new(
            Gas::from_milligas(u64::MAX),
            Gas::from_milligas(u64::MAX),
            false,
        );
        assert_eq!(t.limit(), GasTracker::MAX_LIMIT);
        assert_eq!(t.used(), GasTracker::MAX_LIMIT);
    }

    #[test]
    fn nested_limits() {
        let mut t = GasTracker::new(Gas::new(100), Gas::ZERO, false);
        t.charge_gas("outer", Gas::new(30)).unwrap();
        t.push_limit(Gas::new(1000));
        assert_eq!(t.limit(), Gas::new(70));
        assert_eq!(t.used(), Gas::ZERO);
        t.charge_gas("inner", Gas::new(20)).unwrap();
        t.push_limit(Gas::new(10));
        assert_eq!(t.charge_gas("too much", Gas::new(11)), Err(OutOfGas));
        assert!(t.pop_limit());
        assert_eq!(t.used(), Gas::new(30));
        assert!(t.pop_limit());
        assert_eq!(t.used(), Gas::new(60));
        assert!(!t.pop_limit());
    }

    #[test]
    fn trace_records_failed_charges_too() {
        let mut t = GasTracker::new(Gas::new(10), Gas::ZERO, true);
        t.charge_gas("ok", Gas::new(4)).unwrap();
        assert!(t.charge_gas("fails", Gas::new(40)).is_err());
        let trace = t.take_trace();
        assert_eq!(trace.len(), 2);
        assert_eq!(trace[1].name, "fails");
        assert!(t.take_trace().is_empty());
    }
}

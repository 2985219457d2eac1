//! The per-message gas tracker.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::timing::{Clock, Span, TimedTrace, Timer};
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

/// The recorded charges, and their timer when the trace is timed.
#[derive(Debug)]
struct Trace {
    charges: Vec<GasCharge>,
    timer: Option<Timer>,
}

impl Trace {
    #[inline]
    fn record(&mut self, charge: GasCharge, span: Span) {
        self.charges.push(charge);
        if let Some(timer) = &mut self.timer {
            timer.charged(span);
        }
    }
}

/// Tracks gas used against a limit, with nested limits for sub-calls.
///
/// Semantics are ref-fvm's: a limit above `i64::MAX` milligas is capped there; a charge that
/// would exceed the limit sets used gas to the limit and fails with [`OutOfGas`]; a nested limit
/// ([`push_limit`](Self::push_limit)) is the smaller of the requested limit and the gas still
/// available, and popping it adds what the sub-call used to the outer usage.
///
/// Tracing (recording every charge) and timing (also recording the time of the work each charge
/// pays for, see [`crate::timing`]) are observation only: they never change what is charged,
/// what fails or what is available. Without tracing, a charge costs one untaken branch more than
/// the arithmetic.
#[derive(Debug)]
pub struct GasTracker {
    limit: Gas,
    used: Gas,
    snapshots: Vec<Snapshot>,
    trace: Option<Trace>,
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
            trace: trace.then(|| Trace {
                charges: Vec::new(),
                timer: None,
            }),
        }
    }

    /// A tracing tracker that also times every charge with `clock` (see [`crate::timing`]);
    /// otherwise as [`new`](Self::new). Gas accounting is identical to an untimed tracker's.
    pub fn new_timed(limit: Gas, used: Gas, clock: Clock) -> Self {
        let mut tracker = Self::new(limit, used, false);
        tracker.trace = Some(Trace {
            charges: Vec::new(),
            timer: Some(Timer::new(clock)),
        });
        tracker
    }

    /// Charges `charge.total()`; on failure, all remaining gas is used and [`OutOfGas`] returned.
    /// The charge is traced (if tracing) whether or not it fits.
    /// When timing, the charge's time is that of the work following it ([`Span::Following`]).
    #[inline]
    pub fn apply_charge(&mut self, charge: GasCharge) -> Result<(), OutOfGas> {
        let res = self.charge_inner(charge.total());
        if let Some(trace) = &mut self.trace {
            trace.record(charge, Span::Following);
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
        self.charge_gas_spanning(name, gas, Span::Following)
    }

    /// Charges `gas` as compute gas under `name`, timed (when timing) over `span`; the charge
    /// itself is exactly [`charge_gas`](Self::charge_gas)'s.
    #[inline]
    pub fn charge_gas_spanning(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        gas: Gas,
        span: Span,
    ) -> Result<(), OutOfGas> {
        let res = self.charge_inner(gas);
        if let Some(trace) = &mut self.trace {
            trace.record(GasCharge::new(name, gas, Gas::ZERO), span);
        }
        res
    }

    /// Marks the guest resuming execution (when timing): the open charge's span ends and guest
    /// time starts (see [`Span::SinceGuestResumed`]). No effect on gas.
    #[inline]
    pub fn guest_resumed(&mut self) {
        if let Some(Trace {
            timer: Some(timer), ..
        }) = &mut self.trace
        {
            timer.guest_resumed();
        }
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

    /// Gives `gas` back under `name`: ref-fvm 2's negative charges (its gas is signed). Gas
    /// used saturates at zero, where ref-fvm 2's would go negative: `OnDeleteActor` never gets
    /// there (every explicit message first pays its inclusion, which exceeds that refund); a
    /// negative `gas::charge` could, from actor code other than the builtin actors, which nv17
    /// (the only network with refunds) does not run.
    /// Trace amounts are unsigned: a traced refund is a charge of zero under `name`, at ref-fvm
    /// 2's place for it; what it gave back shows in the gas used.
    pub fn refund(&mut self, name: impl Into<Cow<'static, str>>, gas: Gas) {
        self.used -= gas;
        if let Some(trace) = &mut self.trace {
            trace.record(GasCharge::new(name, Gas::ZERO, Gas::ZERO), Span::Untimed);
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

    /// How many charges have been recorded since the trace was last taken (0 if not tracing):
    /// the position in the trace at which the next charge will appear.
    #[inline]
    pub fn charges_recorded(&self) -> usize {
        self.trace.as_ref().map_or(0, |t| t.charges.len())
    }

    /// True if charges are being timed.
    #[inline]
    pub fn is_timing(&self) -> bool {
        matches!(self.trace, Some(Trace { timer: Some(_), .. }))
    }

    /// Takes the charges recorded so far (empty if not tracing), discarding their times.
    pub fn take_trace(&mut self) -> Vec<GasCharge> {
        self.take_timed_trace().charges
    }

    /// Takes the charges recorded so far with their times (see [`TimedTrace`]); the open
    /// charge's span ends now.
    pub fn take_timed_trace(&mut self) -> TimedTrace {
        match &mut self.trace {
            Some(trace) => TimedTrace {
                charges: core::mem::take(&mut trace.charges),
                elapsed: trace.timer.as_mut().map(Timer::take).unwrap_or_default(),
            },
            None => TimedTrace::default(),
        }
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
        assert_eq!(t.charges_recorded(), 2);
        let trace = t.take_trace();
        assert_eq!(trace.len(), 2);
        assert_eq!(trace[1].name, "fails");
        assert_eq!(
            t.charges_recorded(),
            0,
            "taking the trace restarts the count"
        );
        assert!(t.take_trace().is_empty());
    }

    /// A clock the test sets: `NOW` nanoseconds.
    static NOW: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

    fn test_clock() -> core::time::Duration {
        core::time::Duration::from_nanos(NOW.load(core::sync::atomic::Ordering::SeqCst))
    }

    fn at(ns: u64) {
        NOW.store(ns, core::sync::atomic::Ordering::SeqCst);
    }

    #[test]
    fn timed_trace_attributes_spans() {
        use core::time::Duration;
        let mut t = GasTracker::new_timed(Gas::new(1000), Gas::ZERO, test_clock);
        assert!(t.is_timing() && t.is_tracing());
        at(100);
        t.charge_gas("syscall", Gas::new(1)).unwrap(); // open until the next event
        at(130);
        t.charge_gas("block", Gas::new(2)).unwrap(); // closes "syscall" (30), opens
        at(180);
        t.guest_resumed(); // closes "block" (50); the guest runs from 180
        at(500);
        t.charge_gas_spanning("wasm", Gas::new(3), Span::SinceGuestResumed)
            .unwrap(); // 320
        t.charge_gas_spanning("grow", Gas::new(4), Span::Untimed)
            .unwrap();
        at(510);
        // No resume since the last guest charge: untimed.
        t.charge_gas_spanning("wasm", Gas::new(5), Span::SinceGuestResumed)
            .unwrap();
        t.apply_charge(GasCharge::new("last", Gas::new(6), Gas::new(7)))
            .unwrap(); // open until the trace is taken
        at(600);
        let trace = t.take_timed_trace();
        let names: Vec<_> = trace.charges.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(names, ["syscall", "block", "wasm", "grow", "wasm", "last"]);
        let ns = |n: u64| Some(Duration::from_nanos(n));
        assert_eq!(trace.elapsed, [ns(30), ns(50), ns(320), None, None, ns(90)]);
        // Taking restarts both lists together.
        t.charge_gas("again", Gas::new(1)).unwrap();
        let again = t.take_timed_trace();
        assert_eq!((again.charges.len(), again.elapsed.len()), (1, 1));
    }

    #[test]
    fn timing_never_changes_gas() {
        let run = |mut t: GasTracker| {
            let mut results = Vec::new();
            for (i, span) in [Span::Following, Span::SinceGuestResumed, Span::Untimed]
                .into_iter()
                .cycle()
                .take(12)
                .enumerate()
            {
                if i % 4 == 0 {
                    t.guest_resumed();
                    t.push_limit(Gas::new(40));
                }
                results.push(t.charge_gas_spanning("c", Gas::new(7 * i as u64), span));
                if i % 4 == 3 {
                    t.pop_limit();
                }
                assert!(t.used() <= t.limit());
            }
            (results, t.used(), t.limit(), t.take_trace())
        };
        let plain = run(GasTracker::new(Gas::new(300), Gas::new(5), false));
        let traced = run(GasTracker::new(Gas::new(300), Gas::new(5), true));
        let timed = run(GasTracker::new_timed(
            Gas::new(300),
            Gas::new(5),
            test_clock,
        ));
        assert_eq!(
            (&plain.0, plain.1, plain.2),
            (&traced.0, traced.1, traced.2)
        );
        assert_eq!(traced, timed);
        assert!(plain.3.is_empty());
        assert!(!plain.0.iter().all(Result::is_ok), "the limits are reached");
    }

    #[test]
    fn untimed_traces_have_no_times() {
        let mut t = GasTracker::new(Gas::new(10), Gas::ZERO, true);
        t.guest_resumed();
        t.charge_gas("a", Gas::new(1)).unwrap();
        assert!(!t.is_timing());
        let trace = t.take_timed_trace();
        assert_eq!(trace.charges.len(), 1);
        assert!(trace.elapsed.is_empty());
        let mut off = GasTracker::new(Gas::new(10), Gas::ZERO, false);
        off.charge_gas("a", Gas::new(1)).unwrap();
        assert_eq!(off.take_timed_trace(), TimedTrace::default());
    }
}

//! Timed traces: for each charge, the time of the operation it pays for.
//!
//! This is a research instrument, never part of consensus: the clock only ever writes into the
//! trace, and no charge, limit or result reads it. The crate stays `no_std` because the clock is
//! supplied by the embedder (the kernel passes one built on `std::time::Instant`).
//!
//! Attribution rule. Every charge has a [`Span`]:
//! - [`Span::Following`] (the default of [`GasTracker::charge_gas`](crate::GasTracker::charge_gas)
//!   and [`apply_charge`](crate::GasTracker::apply_charge)): the charge is made before the work it
//!   pays for, so its time runs from the charge until the next timed event: the next charge, the
//!   guest resuming ([`GasTracker::guest_resumed`](crate::GasTracker::guest_resumed)) or the end
//!   of the trace.
//! - [`Span::SinceGuestResumed`]: Wasm execution is charged after it ran, when the guest calls
//!   the host or returns; its time runs from the moment the guest last resumed until the charge.
//! - [`Span::Untimed`]: no time (the work is timed as part of another charge).
//!
//! Time between a `SinceGuestResumed` or `Untimed` charge and the next event belongs to no
//! charge.

use alloc::vec::Vec;
use core::time::Duration;

use crate::GasCharge;

/// A monotonic clock: the time elapsed since an arbitrary origin, fixed for the process. Called
/// only when timing is on.
pub type Clock = fn() -> Duration;

/// Which span of time a charge's elapsed time covers in a timed trace (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// From the charge until the next charge, guest resume or the end of the trace.
    Following,
    /// From the guest's last resume until the charge; untimed if the guest has not resumed since
    /// the previous such charge.
    SinceGuestResumed,
    /// Not timed.
    Untimed,
}

/// A trace's charges and, when it was timed, their times.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimedTrace {
    /// Every charge, in order.
    pub charges: Vec<GasCharge>,
    /// The elapsed time of each charge, index for index (`None`: untimed); empty if the trace
    /// was not timed.
    pub elapsed: Vec<Option<Duration>>,
}

/// The timing state of a timed trace.
#[derive(Debug)]
pub(crate) struct Timer {
    clock: Clock,
    elapsed: Vec<Option<Duration>>,
    /// The `Following` charge whose work is running, and when it was charged.
    open: Option<(usize, Duration)>,
    /// When the guest last resumed, until a `SinceGuestResumed` charge consumes it.
    guest_since: Option<Duration>,
}

impl Timer {
    pub(crate) fn new(clock: Clock) -> Self {
        Self {
            clock,
            elapsed: Vec::new(),
            open: None,
            guest_since: None,
        }
    }

    /// Times the charge just appended to the trace.
    pub(crate) fn charged(&mut self, span: Span) {
        let now = (self.clock)();
        self.close(now);
        let elapsed = match span {
            Span::Following => {
                self.open = Some((self.elapsed.len(), now));
                None
            }
            Span::SinceGuestResumed => self
                .guest_since
                .take()
                .map(|since| now.saturating_sub(since)),
            Span::Untimed => None,
        };
        self.elapsed.push(elapsed);
    }

    /// The guest resumes: the open charge's work is over, and guest execution starts.
    pub(crate) fn guest_resumed(&mut self) {
        let now = (self.clock)();
        self.close(now);
        self.guest_since = Some(now);
    }

    /// Ends the open charge's span and takes every elapsed time recorded so far.
    pub(crate) fn take(&mut self) -> Vec<Option<Duration>> {
        let now = (self.clock)();
        self.close(now);
        self.guest_since = None;
        core::mem::take(&mut self.elapsed)
    }

    fn close(&mut self, now: Duration) {
        if let Some((index, start)) = self.open.take() {
            if let Some(slot) = self.elapsed.get_mut(index) {
                *slot = Some(now.saturating_sub(start));
            }
        }
    }
}

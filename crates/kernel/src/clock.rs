//! The clock of timed gas traces ([`MachineContext::timing`](crate::MachineContext)).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Monotonic time since the first call in this process, for
/// [`GasTracker::new_timed`](ifvm_gas::GasTracker::new_timed). Only called when timing is on;
/// what it returns is only ever written into traces.
pub(crate) fn monotonic() -> Duration {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed()
}

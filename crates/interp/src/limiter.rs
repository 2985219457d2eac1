//! Memory accounting across a call stack.

/// Tracks the memory (linear memories and tables, 8 bytes per table element) used by all the
/// instances of one call stack against a total limit (ref-fvm's `max_memory_bytes`).
///
/// The host keeps one per call stack and brackets each nested call with
/// [`frame`](Self::frame) / [`restore`](Self::restore), so that memory returns to the budget
/// when the call's instance is dropped.
#[derive(Clone, Debug)]
pub struct MemoryLimiter {
    max_bytes: usize,
    used_bytes: usize,
}

impl MemoryLimiter {
    /// A limiter allowing `max_bytes` in all.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            used_bytes: 0,
        }
    }

    /// A limiter that never refuses: ref-fvm 2 ([`Metering::Fvm2`](ifvm_gas::Metering::Fvm2))
    /// limits no call stack's memory. Usage is still tracked.
    pub fn unlimited() -> Self {
        Self::new(usize::MAX)
    }

    /// Bytes in use across the call stack.
    #[inline]
    pub fn used(&self) -> usize {
        self.used_bytes
    }

    /// Reserves `delta` more bytes; `false` (and nothing reserved) if that exceeds the limit.
    pub fn grow(&mut self, delta: usize) -> bool {
        let desired = self.used_bytes.saturating_add(delta);
        if desired > self.max_bytes {
            return false;
        }
        self.used_bytes = desired;
        true
    }

    /// The current usage, to [`restore`](Self::restore) when a nested call returns.
    #[inline]
    pub fn frame(&self) -> usize {
        self.used_bytes
    }

    /// Releases everything reserved since `frame` was taken.
    #[inline]
    pub fn restore(&mut self, frame: usize) {
        self.used_bytes = frame;
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryLimiter;

    #[test]
    fn limits_the_whole_stack() {
        let mut l = MemoryLimiter::new(6);
        assert!(l.grow(1));
        let outer = l.frame();
        assert!(l.grow(3));
        let inner = l.frame();
        assert!(!l.grow(3));
        assert!(l.grow(2));
        assert_eq!(l.used(), 6);
        l.restore(inner);
        assert_eq!(l.used(), 4);
        l.restore(outer);
        assert_eq!(l.used(), 1);
    }
}

//! The [`Gas`] unit.

use core::fmt;
use core::ops::{Add, AddAssign, Mul, Sub, SubAssign};

/// Milligas per unit of gas.
pub const MILLIGAS_PRECISION: u64 = 1000;

/// An amount of gas, stored as milligas.
///
/// All arithmetic saturates (never wraps or panics), and gas can only be scaled by plain
/// integers, never multiplied by gas. Conversions to whole gas units round explicitly, up or
/// down, exactly as ref-fvm's `Gas` does.
#[derive(Hash, Eq, PartialEq, Ord, PartialOrd, Copy, Clone, Default)]
pub struct Gas(u64);

impl Gas {
    /// Zero gas.
    pub const ZERO: Gas = Gas(0);

    /// Gas from milligas, without conversion.
    #[inline]
    pub const fn from_milligas(milligas: u64) -> Gas {
        Gas(milligas)
    }

    /// Gas from whole gas units; saturates at `u64::MAX` milligas.
    #[inline]
    pub const fn new(gas: u64) -> Gas {
        Gas(gas.saturating_mul(MILLIGAS_PRECISION))
    }

    /// Whole gas units, rounding a fractional part up.
    #[inline]
    pub const fn round_up(&self) -> u64 {
        let whole = self.0 / MILLIGAS_PRECISION;
        if !self.0.is_multiple_of(MILLIGAS_PRECISION) {
            whole.saturating_add(1)
        } else {
            whole
        }
    }

    /// Whole gas units, truncating a fractional part.
    #[inline]
    pub const fn round_down(&self) -> u64 {
        self.0 / MILLIGAS_PRECISION
    }

    /// The exact amount in milligas.
    #[inline]
    pub const fn as_milligas(&self) -> u64 {
        self.0
    }

    /// True if this is zero gas.
    #[inline]
    pub const fn is_zero(&self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gas({self})")
    }
}

impl fmt::Display for Gas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            f.write_str("0")
        } else {
            let whole = self.0 / MILLIGAS_PRECISION;
            let frac = self.0 % MILLIGAS_PRECISION;
            write!(f, "{whole}.{frac:03}")
        }
    }
}

impl Add for Gas {
    type Output = Gas;
    #[inline]
    fn add(self, rhs: Gas) -> Gas {
        Gas(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Gas {
    #[inline]
    fn add_assign(&mut self, rhs: Gas) {
        self.0 = self.0.saturating_add(rhs.0)
    }
}

impl Sub for Gas {
    type Output = Gas;
    #[inline]
    fn sub(self, rhs: Gas) -> Gas {
        Gas(self.0.saturating_sub(rhs.0))
    }
}

impl SubAssign for Gas {
    #[inline]
    fn sub_assign(&mut self, rhs: Gas) {
        self.0 = self.0.saturating_sub(rhs.0)
    }
}

impl Mul<u64> for Gas {
    type Output = Gas;
    #[inline]
    fn mul(self, rhs: u64) -> Gas {
        Gas(self.0.saturating_mul(rhs))
    }
}

impl Mul<u32> for Gas {
    type Output = Gas;
    #[inline]
    fn mul(self, rhs: u32) -> Gas {
        Gas(self.0.saturating_mul(rhs.into()))
    }
}

impl Mul<usize> for Gas {
    type Output = Gas;
    #[inline]
    fn mul(self, rhs: usize) -> Gas {
        Gas(self.0.saturating_mul(rhs.try_into().unwrap_or(u64::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(Gas::from_milligas(100).round_down(), 0);
        assert_eq!(Gas::from_milligas(100).round_up(), 1);
        assert_eq!(Gas::from_milligas(0).round_up(), 0);
        assert_eq!(Gas::from_milligas(1000).round_up(), 1);
        assert_eq!(Gas::from_milligas(1000).round_down(), 1);
        assert_eq!(Gas::from_milligas(u64::MAX).round_up(), u64::MAX / 1000 + 1);
    }

    #[test]
    fn saturation() {
        assert_eq!(Gas::new(u64::MAX).as_milligas(), u64::MAX);
        assert_eq!(
            Gas::from_milligas(u64::MAX) + Gas::new(1),
            Gas::from_milligas(u64::MAX)
        );
        assert_eq!(Gas::new(1) - Gas::new(2), Gas::ZERO);
        assert_eq!(
            Gas::new(u64::MAX / 10) * 10_000u64,
            Gas::from_milligas(u64::MAX)
        );
        assert_eq!(
            Gas::from_milligas(3) * usize::MAX,
            Gas::from_milligas(u64::MAX)
        );
    }

    #[test]
    fn display() {
        extern crate alloc;
        use alloc::format;
        assert_eq!(format!("{}", Gas::from_milligas(1500)), "1.500");
        assert_eq!(format!("{}", Gas::ZERO), "0");
    }
}

//! A single named gas charge.

use alloc::borrow::Cow;

use crate::Gas;

/// One charge: what it pays for, and how much compute and other (storage, memory retention,
/// deferred work) gas it costs. The tracker charges the sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasCharge {
    /// What the charge pays for, with ref-fvm's name for it (e.g. `OnBlockOpenBase`).
    pub name: Cow<'static, str>,
    /// Gas for computation done now.
    pub compute_gas: Gas,
    /// Gas for storage, memory retention, deferred computation and extern costs.
    pub other_gas: Gas,
}

impl GasCharge {
    /// A charge with the given name and amounts.
    #[inline]
    pub fn new(name: impl Into<Cow<'static, str>>, compute_gas: Gas, other_gas: Gas) -> Self {
        Self {
            name: name.into(),
            compute_gas,
            other_gas,
        }
    }

    /// Compute plus other gas (saturating).
    #[inline]
    pub fn total(&self) -> Gas {
        self.compute_gas + self.other_gas
    }
}

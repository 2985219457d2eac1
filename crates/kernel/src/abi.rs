//! The one place where network versions select behaviour: which syscall ABI and semantics a
//! network version runs with.

use fvm_shared::version::NetworkVersion;

/// The syscall ABI and VM semantics of a range of network versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Abi {
    /// ref-fvm 3.x: nv18 (Hygge) to nv20 (Thunder); actors v10 and v11.
    V3,
}

impl Abi {
    /// The ABI of `nv`, or `None` if ifvm does not run it.
    pub fn for_network(nv: NetworkVersion) -> Option<Self> {
        match u32::from(nv) {
            18..=20 => Some(Self::V3),
            _ => None,
        }
    }

    /// Largest `RegisteredSealProof` code the ABI's types know (later codes decode as invalid).
    pub fn max_seal_proof(self) -> i64 {
        match self {
            // StackedDRG64GiBV1P1_Feat_SyntheticPoRep; NI-PoRep came with ref-fvm 4.
            Self::V3 => 14,
        }
    }
}

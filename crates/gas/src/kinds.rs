//! Small enums naming what some charges depend on, so the price list needs no Filecoin types.

/// A signature scheme whose verification is priced per scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureKind {
    /// secp256k1 (ECDSA) signatures.
    Secp256k1,
    /// BLS12-381 signatures.
    Bls,
}

/// A hash function the VM offers to actors, priced per byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashFunction {
    /// SHA2-256 (multihash code 0x12).
    Sha2_256,
    /// Blake2b-256 (multihash code 0xb220).
    Blake2b256,
    /// Blake2b-512 (multihash code 0xb240).
    Blake2b512,
    /// Keccak-256 (multihash code 0x1b).
    Keccak256,
    /// RIPEMD-160 (multihash code 0x1053).
    Ripemd160,
}

impl HashFunction {
    /// The hash function with the given multihash code, if the VM supports it.
    pub fn from_multihash_code(code: u64) -> Option<Self> {
        Some(match code {
            0x12 => Self::Sha2_256,
            0xb220 => Self::Blake2b256,
            0xb240 => Self::Blake2b512,
            0x1b => Self::Keccak256,
            0x1053 => Self::Ripemd160,
            _ => return None,
        })
    }

    /// This hash function's multihash code.
    pub fn multihash_code(self) -> u64 {
        match self {
            Self::Sha2_256 => 0x12,
            Self::Blake2b256 => 0xb220,
            Self::Blake2b512 => 0xb240,
            Self::Keccak256 => 0x1b,
            Self::Ripemd160 => 0x1053,
        }
    }
}

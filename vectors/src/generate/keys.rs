//! Deterministic keys for generated traffic: secp256k1 (f1 and Ethereum addresses) and BLS (f3),
//! each derived from a seed so that regenerated vectors are byte-identical.

use fvm_shared::address::Address;
use fvm_shared::crypto::signature::Signature;
use k256::ecdsa::SigningKey;
use multihash_codetable::{Code, MultihashDigest};

fn digest(code: Code, data: &[u8]) -> [u8; 32] {
    code.digest(data)
        .digest()
        .try_into()
        .expect("32-byte digest")
}

/// A secp256k1 key.
#[derive(Clone)]
pub struct SecpKey(SigningKey);

impl SecpKey {
    /// The key derived from `seed` (the same seed always gives the same key).
    pub fn from_seed(seed: u64) -> Self {
        let mut counter = 0u64;
        loop {
            let mut input = b"ifvm-secp256k1".to_vec();
            input.extend_from_slice(&seed.to_be_bytes());
            input.extend_from_slice(&counter.to_be_bytes());
            if let Ok(k) = SigningKey::from_slice(&digest(Code::Blake2b256, &input)) {
                return Self(k);
            }
            counter += 1;
        }
    }

    /// The uncompressed public key (65 bytes).
    pub fn public_key(&self) -> [u8; 65] {
        self.0
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .try_into()
            .expect("uncompressed points are 65 bytes")
    }

    /// The f1 address.
    pub fn address(&self) -> Address {
        Address::new_secp256k1(&self.public_key()).expect("65-byte public key")
    }

    /// The Ethereum address: the last 20 bytes of the Keccak-256 of the public key.
    pub fn eth_address(&self) -> [u8; 20] {
        digest(Code::Keccak256, &self.public_key()[1..])[12..]
            .try_into()
            .expect("20 bytes")
    }

    /// The f410 address of [`Self::eth_address`].
    pub fn f4_address(&self) -> Address {
        Address::new_delegated(crate::generate::EAM_NAMESPACE, &self.eth_address())
            .expect("20-byte subaddress")
    }

    /// A Filecoin signature of `message`: over its Blake2b-256, `r || s || v`.
    pub fn sign(&self, message: &[u8]) -> Signature {
        let (sig, recovery) = self
            .0
            .sign_prehash_recoverable(&digest(Code::Blake2b256, message))
            .expect("signing a 32-byte prehash");
        let mut bytes = sig.to_bytes().to_vec();
        bytes.push(recovery.to_byte());
        Signature::new_secp256k1(bytes)
    }
}

/// A BLS key.
#[derive(Clone)]
pub struct BlsKey(bls_signatures::PrivateKey);

impl BlsKey {
    /// The key derived from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        let mut input = b"ifvm-bls".to_vec();
        input.extend_from_slice(&seed.to_be_bytes());
        Self(bls_signatures::PrivateKey::new(digest(
            Code::Blake2b256,
            &input,
        )))
    }

    /// The f3 address.
    pub fn address(&self) -> Address {
        use bls_signatures::Serialize;
        Address::new_bls(&self.0.public_key().as_bytes()).expect("48-byte public key")
    }

    /// A BLS signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Signature {
        use bls_signatures::Serialize;
        Signature::new_bls(self.0.sign(message).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secp_signatures_recover_the_signing_key() {
        let key = SecpKey::from_seed(7);
        let sig = key.sign(b"hello");
        let bytes = sig.bytes();
        let recover = |message: &[u8]| {
            k256::ecdsa::VerifyingKey::recover_from_prehash(
                &digest(Code::Blake2b256, message),
                &k256::ecdsa::Signature::from_slice(&bytes[..64]).unwrap(),
                k256::ecdsa::RecoveryId::from_byte(bytes[64]).unwrap(),
            )
            .unwrap()
        };
        assert_eq!(&recover(b"hello"), key.0.verifying_key());
        assert_ne!(&recover(b"hellO"), key.0.verifying_key());
    }

    #[test]
    fn bls_signatures_verify() {
        use bls_signatures::Serialize;
        let key = BlsKey::from_seed(7);
        let sig = bls_signatures::Signature::from_bytes(key.sign(b"hello").bytes()).unwrap();
        let pk = key.0.public_key();
        assert!(bls_signatures::verify_messages(&sig, &[b"hello"], &[pk]));
        assert!(!bls_signatures::verify_messages(&sig, &[b"hellO"], &[pk]));
    }

    #[test]
    fn keys_are_deterministic_and_distinct() {
        assert_eq!(
            SecpKey::from_seed(1).address(),
            SecpKey::from_seed(1).address()
        );
        assert_ne!(
            SecpKey::from_seed(1).address(),
            SecpKey::from_seed(2).address()
        );
        assert_eq!(
            BlsKey::from_seed(1).address(),
            BlsKey::from_seed(1).address()
        );
        assert_ne!(
            BlsKey::from_seed(1).address(),
            BlsKey::from_seed(2).address()
        );
    }
}

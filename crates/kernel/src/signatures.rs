//! Signature verification and secp256k1 key recovery, with fvm_shared's exact semantics
//! (including the normalization of high-s secp256k1 signatures).

use bls_signatures::{PublicKey as BlsPublicKey, Serialize, Signature as BlsSignature};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::crypto::signature::{
    SignatureType, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN, SECP_SIG_MESSAGE_HASH_SIZE,
};
use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, VerifyingKey};

/// A signature, key or address that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SignatureError(String);

/// Checks that `signature` of type `sig_type` signs `data` for `addr`.
pub fn verify(
    sig_type: SignatureType,
    signature: &[u8],
    data: &[u8],
    addr: &Address,
) -> Result<(), SignatureError> {
    match sig_type {
        SignatureType::BLS => verify_bls(signature, data, addr),
        SignatureType::Secp256k1 => verify_secp256k1(signature, data, addr),
    }
}

fn verify_bls(signature: &[u8], data: &[u8], addr: &Address) -> Result<(), SignatureError> {
    if addr.protocol() != Protocol::BLS {
        return Err(SignatureError(format!(
            "cannot validate a BLS signature against a {} address",
            addr.protocol()
        )));
    }
    let key = BlsPublicKey::from_bytes(&addr.payload_bytes())
        .map_err(|e| SignatureError(e.to_string()))?;
    let sig = BlsSignature::from_bytes(signature).map_err(|e| SignatureError(e.to_string()))?;
    if bls_signatures::verify_messages(&sig, &[data], &[key]) {
        Ok(())
    } else {
        Err(SignatureError(format!(
            "bls signature verification failed for addr: {addr}"
        )))
    }
}

fn verify_secp256k1(signature: &[u8], data: &[u8], addr: &Address) -> Result<(), SignatureError> {
    if addr.protocol() != Protocol::Secp256k1 {
        return Err(SignatureError(format!(
            "cannot validate a secp256k1 signature against a {} address",
            addr.protocol()
        )));
    }
    let signature: &[u8; SECP_SIG_LEN] = signature.try_into().map_err(|_| {
        SignatureError(format!(
            "Invalid Secp256k1 signature length. Was {}, must be 65",
            signature.len()
        ))
    })?;
    let hash = blake2b_simd::Params::new().hash_length(32).hash(data);
    let hash: &[u8; 32] = hash.as_bytes().try_into().expect("32-byte hash");
    let key = recover_secp_public_key(hash, signature)?;
    let recovered = Address::new_secp256k1(&key).map_err(|e| SignatureError(e.to_string()))?;
    if &recovered == addr {
        Ok(())
    } else {
        Err(SignatureError("Secp signature verification failed".into()))
    }
}

/// True if `signature` aggregates signatures of each of `messages` by the matching key of
/// `pub_keys` (as fvm_shared's `verify_bls_aggregate`, with errors as `false`): true for no
/// signers; false for invalid points, duplicate messages or a wrong signature.
pub fn verify_bls_aggregate(
    signature: &[u8; BLS_SIG_LEN],
    pub_keys: &[[u8; BLS_PUB_LEN]],
    messages: &[&[u8]],
) -> bool {
    if pub_keys.len() != messages.len() {
        return false;
    }
    if pub_keys.is_empty() {
        return true;
    }
    let Ok(sig) = BlsSignature::from_bytes(signature) else {
        return false;
    };
    let Ok(keys) = pub_keys
        .iter()
        .map(|k| BlsPublicKey::from_bytes(k))
        .collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    bls_signatures::verify_messages(&sig, messages, &keys)
}

/// The uncompressed public key that produced `signature` over `hash`. High-s signatures are
/// normalized (flipping the recovery byte), as Ethereum requires.
pub fn recover_secp_public_key(
    hash: &[u8; SECP_SIG_MESSAGE_HASH_SIZE],
    signature: &[u8; SECP_SIG_LEN],
) -> Result<[u8; SECP_PUB_LEN], SignatureError> {
    let mut rec_byte = signature[64];
    let mut sig = EcdsaSignature::from_slice(&signature[..64])
        .map_err(|e| SignatureError(format!("Invalid signature: {e}")))?;
    if let Some(normalized) = sig.normalize_s() {
        sig = normalized;
        rec_byte ^= 1;
    }
    let recovery_id = RecoveryId::try_from(rec_byte)
        .map_err(|e| SignatureError(format!("Invalid recovery ID: {e}")))?;
    let key = VerifyingKey::recover_from_prehash(hash, &sig, recovery_id)
        .map_err(|e| SignatureError(format!("Failed to recover key: {e}")))?;
    key.to_encoded_point(false)
        .as_bytes()
        .try_into()
        .map_err(|_| SignatureError("recovered key is not 65 bytes".into()))
}

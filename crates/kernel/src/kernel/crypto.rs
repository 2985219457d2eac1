//! Cryptography: signatures, hashing, proofs.

use cid::Cid;
use fvm_shared::address::{Address, Payload};
use fvm_shared::consensus::ConsensusFault;
use fvm_shared::crypto::signature::{
    SignatureType, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN, SECP_SIG_MESSAGE_HASH_SIZE,
};
use fvm_shared::piece::PieceInfo;
use fvm_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use ifvm_gas::{HashFunction, SignatureKind};
use multihash_codetable::{Multihash, MultihashDigest};

use super::{Ext, Kernel, Store};
use crate::error::{Classify, Result};
use crate::proofs::compute_unsealed_sector_cid;
use crate::syscall_error;

/// The multihash code table entry of a supported hash function.
fn hasher_code(h: HashFunction) -> multihash_codetable::Code {
    use multihash_codetable::Code;
    match h {
        HashFunction::Sha2_256 => Code::Sha2_256,
        HashFunction::Blake2b256 => Code::Blake2b256,
        HashFunction::Blake2b512 => Code::Blake2b512,
        HashFunction::Keccak256 => Code::Keccak256,
        HashFunction::Ripemd160 => Code::Ripemd160,
    }
}

impl<B: Store, E: Ext> Kernel<B, E> {
    /// Verifies `signature` over `plaintext` by `signer`: an f1 or f3 address (ref-fvm 2 also
    /// takes the address of an account actor, whose key address it reads, paying for the block).
    pub fn verify_signature(
        &mut self,
        sig_type: SignatureType,
        signature: &[u8],
        signer: &Address,
        plaintext: &[u8],
    ) -> Result<bool> {
        let kind = match sig_type {
            SignatureType::Secp256k1 => SignatureKind::Secp256k1,
            SignatureType::BLS => SignatureKind::Bls,
        };
        let prices = self.cm.price_list();
        if self.abi().charges_v2_forms() {
            self.cm.charge_gas(prices.on_verify_signature_v2(kind))?;
        } else {
            self.cm
                .charge_gas(prices.on_verify_signature(kind, plaintext.len()))?;
        }
        let signer = match signer.payload() {
            Payload::BLS(_) | Payload::Secp256k1(_) => *signer,
            _ if self.abi().charges_v2_forms() => self.cm.account_key_address(signer, true)?,
            _ => {
                return Err(syscall_error!(IllegalArgument;
                    "address protocol {} not supported", signer.protocol()))
            }
        };
        catch_panic("verifying signature", || {
            Ok(crate::signatures::verify(sig_type, signature, plaintext, &signer).is_ok())
        })
    }

    /// Verifies a BLS aggregate signature of `pub_keys.len()` signers over the plaintexts
    /// `plaintexts` splits into by `plaintext_lens` (ref-fvm 4, FIP-0079). Invalid points,
    /// duplicate plaintexts and bad signatures are `false`; no signers is `true`.
    pub fn verify_bls_aggregate_v4(
        &mut self,
        signature: &[u8; BLS_SIG_LEN],
        pub_keys: &[[u8; BLS_PUB_LEN]],
        plaintexts: &[u8],
        plaintext_lens: &[u32],
    ) -> Result<bool> {
        if pub_keys.len() != plaintext_lens.len() {
            return Err(syscall_error!(IllegalArgument;
                "unequal numbers of bls public keys and plaintexts"));
        }
        let charge = self
            .cm
            .price_list()
            .on_verify_aggregate_signature_v4(pub_keys.len(), plaintexts.len());
        self.cm.charge_gas(charge)?;
        let mut offset = 0usize;
        let mut messages = Vec::with_capacity(plaintext_lens.len());
        for &len in plaintext_lens {
            let start = offset;
            offset = start
                .checked_add(len as usize)
                .ok_or_else(|| syscall_error!(IllegalArgument; "invalid bls plaintext length"))?;
            messages.push(plaintexts.get(start..offset).ok_or_else(
                || syscall_error!(IllegalArgument; "bls signature plaintext out of bounds"),
            )?);
        }
        if offset != plaintexts.len() {
            return Err(syscall_error!(IllegalArgument;
                "plaintexts buffer length doesn't match"));
        }
        Ok(crate::signatures::verify_bls_aggregate(
            signature, pub_keys, &messages,
        ))
    }

    /// Recovers the public key that signed `hash`.
    pub fn recover_secp_public_key(
        &mut self,
        hash: &[u8; SECP_SIG_MESSAGE_HASH_SIZE],
        signature: &[u8; SECP_SIG_LEN],
    ) -> Result<[u8; SECP_PUB_LEN]> {
        self.cm
            .charge_gas(self.cm.price_list().on_recover_secp_public_key())?;
        crate::signatures::recover_secp_public_key(hash, signature).or_illegal_argument()
    }

    /// Hashes `data` with the hash function of multihash code `code`.
    pub fn hash(&mut self, code: u64, data: &[u8]) -> Result<Multihash> {
        // ref-fvm 2 charges a flat price before it checks the code.
        if self.abi().charges_v2_forms() {
            self.cm.charge_gas(self.cm.price_list().on_hashing_v2())?;
        }
        let hasher = HashFunction::from_multihash_code(code)
            .ok_or_else(|| syscall_error!(IllegalArgument; "unsupported hash code {code}"))?;
        if !self.abi().charges_v2_forms() {
            self.cm
                .charge_gas(self.cm.price_list().on_hashing(hasher, data.len()))?;
        }
        Ok(hasher_code(hasher).digest(data))
    }

    /// The unsealed sector CID of `pieces` in a sector of `proof_type`.
    pub fn compute_unsealed_sector_cid(
        &mut self,
        proof_type: RegisteredSealProof,
        pieces: &[PieceInfo],
    ) -> Result<Cid> {
        self.cm
            .charge_gas(self.cm.price_list().on_compute_unsealed_sector_cid())?;
        compute_unsealed_sector_cid(proof_type, pieces).or_illegal_argument()
    }

    /// Verifies a window PoSt.
    pub fn verify_post(&mut self, info: &WindowPoStVerifyInfo) -> Result<bool> {
        let first = info.proofs.first().map(|p| i64::from(p.post_proof));
        let charge = self
            .cm
            .price_list()
            .on_verify_post(first, info.challenged_sectors.len());
        self.cm.charge_gas(charge)?;
        let proofs = self.cm.machine.proofs.clone();
        catch_panic("verifying post", || {
            proofs.verify_post(info).or_illegal_argument()
        })
    }

    /// Checks block headers for a consensus fault (the externs decide).
    pub fn verify_consensus_fault(
        &mut self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> Result<Option<ConsensusFault>> {
        let prices = self.cm.price_list();
        self.cm.charge_gas(if self.abi().charges_v2_forms() {
            prices.on_verify_consensus_fault_v2()
        } else {
            prices.on_verify_consensus_fault()
        })?;
        let (fault, _) = self
            .cm
            .machine
            .externs
            .verify_consensus_fault(h1, h2, extra)
            .or_illegal_argument()?;
        Ok(fault)
    }

    /// ref-fvm 2: verifies one seal.
    pub fn verify_seal_v2(&mut self, info: &SealVerifyInfo) -> Result<bool> {
        self.cm.charge_gas(self.cm.price_list().on_verify_seal())?;
        let proofs = self.cm.machine.proofs.clone();
        catch_panic("verifying seal", || {
            proofs.verify_seal(info).or_illegal_argument()
        })
    }

    /// Verifies seals in a batch; one result per seal, malformed ones are `false`. ref-fvm 2
    /// charges nothing (the power actor has paid in advance); later versions charge each seal.
    pub fn batch_verify_seals(&mut self, infos: &[SealVerifyInfo]) -> Result<Vec<bool>> {
        if !self.abi().charges_v2_forms() {
            for _ in infos {
                self.cm.charge_gas(self.cm.price_list().on_verify_seal())?;
            }
        }
        let proofs = self.cm.machine.proofs.clone();
        Ok(infos
            .iter()
            .map(|info| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| proofs.verify_seal(info)))
                    .ok()
                    .and_then(|r| r.ok())
                    .unwrap_or(false)
            })
            .collect())
    }

    /// Verifies an aggregate of seals.
    pub fn verify_aggregate_seals(
        &mut self,
        agg: &AggregateSealVerifyProofAndInfos,
    ) -> Result<bool> {
        let charge = self
            .cm
            .price_list()
            .on_verify_aggregate_seals(i64::from(agg.seal_proof), agg.infos.len());
        self.cm.charge_gas(charge)?;
        let proofs = self.cm.machine.proofs.clone();
        catch_panic("verifying aggregate seals", || {
            proofs.verify_aggregate_seals(agg).or_illegal_argument()
        })
    }

    /// Verifies a replica update.
    pub fn verify_replica_update(&mut self, info: &ReplicaUpdateInfo) -> Result<bool> {
        self.cm
            .charge_gas(self.cm.price_list().on_verify_replica_update())?;
        let proofs = self.cm.machine.proofs.clone();
        catch_panic("verifying replica update", || {
            proofs.verify_replica_update(info).or_illegal_argument()
        })
    }
}

/// Runs `f`, turning a panic into an `IllegalArgument` error, as ref-fvm does around crypto.
fn catch_panic<R>(what: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(syscall_error!(IllegalArgument; "caught panic when {what}")))
}

//! `crypto` syscalls.

use fvm_shared::crypto::signature::{
    SignatureType, BLS_PUB_LEN, BLS_SIG_LEN, SECP_PUB_LEN, SECP_SIG_LEN, SECP_SIG_MESSAGE_HASH_SIZE,
};
use fvm_shared::piece::PieceInfo;
use fvm_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use ifvm_interp::HostFunctions;

use super::memory::FilecoinMemory;
use super::out::VerifyConsensusFault;
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::{ExecutionError, Fatal};
use crate::kernel::{Ext, Kernel, Store};
use crate::syscall_error;

/// Links the `crypto` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    f.define("crypto", "verify_signature", verify_signature::<B, E>)
        .define(
            "crypto",
            "recover_secp_public_key",
            recover_secp_public_key::<B, E>,
        )
        .define("crypto", "hash", hash::<B, E>)
        .define(
            "crypto",
            "compute_unsealed_sector_cid",
            compute_unsealed_sector_cid::<B, E>,
        )
        .define("crypto", "verify_post", verify_post::<B, E>)
        .define(
            "crypto",
            "verify_consensus_fault",
            verify_consensus_fault::<B, E>,
        )
        .define(
            "crypto",
            "verify_aggregate_seals",
            verify_aggregate_seals::<B, E>,
        )
        .define(
            "crypto",
            "verify_replica_update",
            verify_replica_update::<B, E>,
        )
        .define("crypto", "batch_verify_seals", batch_verify_seals::<B, E>);
    if abi == Abi::V2 {
        f.define("crypto", "verify_seal", verify_seal_v2::<B, E>);
    }
    if abi == Abi::V4 {
        f.define(
            "crypto",
            "verify_bls_aggregate",
            verify_bls_aggregate_v4::<B, E>,
        );
    }
}

/// 0 for a valid proof or signature, -1 for an invalid one.
fn validity(valid: bool) -> i32 {
    if valid {
        0
    } else {
        -1
    }
}

#[allow(clippy::too_many_arguments)]
fn verify_signature<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    sig_type: u32,
    sig_off: u32,
    sig_len: u32,
    addr_off: u32,
    addr_len: u32,
    plaintext_off: u32,
    plaintext_len: u32,
) -> SysResult<i32> {
    let sig_type = match sig_type {
        1 => SignatureType::Secp256k1,
        2 => SignatureType::BLS,
        other => {
            return Err(syscall_error!(IllegalArgument; "unknown signature type {other}").into())
        }
    };
    let sig = c
        .memory
        .slice(sig_off, sig_len)
        .map_err(ExecutionError::from)?;
    let addr = c.memory.read_address(addr_off, addr_len, c.host.abi())?;
    let plaintext = c
        .memory
        .slice(plaintext_off, plaintext_len)
        .map_err(ExecutionError::from)?;
    Ok(validity(
        c.host.verify_signature(sig_type, sig, &addr, plaintext)?,
    ))
}

/// ref-fvm 4 (FIP-0079): `num_signers` public keys (48 bytes each), a 96-byte signature, and
/// the concatenated plaintexts with their `u32` lengths.
fn verify_bls_aggregate_v4<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    num_signers: u32,
    sig_off: u32,
    pub_keys_off: u32,
    plaintexts_off: u32,
    plaintext_lens_off: u32,
) -> SysResult<i32> {
    let pub_keys_len = num_signers.checked_mul(BLS_PUB_LEN as u32).ok_or_else(|| {
        syscall_error!(IllegalArgument;
            "number of signatures aggregated ({num_signers}) exceeds limit")
    })?;
    let sig = &c
        .memory
        .chunks::<BLS_SIG_LEN>(sig_off, BLS_SIG_LEN as u32)
        .map_err(ExecutionError::from)?[0];
    let pub_keys = c
        .memory
        .chunks::<BLS_PUB_LEN>(pub_keys_off, pub_keys_len)
        .map_err(ExecutionError::from)?;
    // num_signers * 48 fits in a u32, so num_signers * 4 does.
    let plaintext_lens: Vec<u32> = c
        .memory
        .chunks::<4>(plaintext_lens_off, num_signers * 4)
        .map_err(ExecutionError::from)?
        .iter()
        .map(|b| u32::from_le_bytes(*b))
        .collect();
    // ref-fvm sums the lengths in a u32, wrapping (as a release build does); a wrapped total
    // fails the kernel's bounds checks.
    let total = plaintext_lens
        .iter()
        .fold(0u32, |acc, &len| acc.wrapping_add(len));
    let plaintexts = c
        .memory
        .slice(plaintexts_off, total)
        .map_err(ExecutionError::from)?;
    Ok(validity(c.host.verify_bls_aggregate_v4(
        sig,
        pub_keys,
        plaintexts,
        &plaintext_lens,
    )?))
}

fn recover_secp_public_key<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    hash_off: u32,
    sig_off: u32,
) -> SysResult<[u8; SECP_PUB_LEN]> {
    let hash = c
        .memory
        .chunks::<SECP_SIG_MESSAGE_HASH_SIZE>(hash_off, SECP_SIG_MESSAGE_HASH_SIZE as u32)
        .map_err(ExecutionError::from)?[0];
    let sig = c
        .memory
        .chunks::<SECP_SIG_LEN>(sig_off, SECP_SIG_LEN as u32)
        .map_err(ExecutionError::from)?[0];
    Ok(c.host.recover_secp_public_key(&hash, &sig)?)
}

fn hash<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    code: u64,
    data_off: u32,
    data_len: u32,
    digest_off: u32,
    digest_len: u32,
) -> SysResult<u32> {
    c.memory
        .check_bounds(digest_off, digest_len)
        .map_err(ExecutionError::from)?;
    let digest = {
        let data = c
            .memory
            .slice(data_off, data_len)
            .map_err(ExecutionError::from)?;
        c.host.hash(code, data)?
    };
    let out = c
        .memory
        .slice_mut(digest_off, digest_len)
        .map_err(ExecutionError::from)?;
    let n = out.len().min(digest.digest().len());
    out[..n].copy_from_slice(&digest.digest()[..n]);
    Ok(n as u32)
}

fn compute_unsealed_sector_cid<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    proof_type: i64,
    pieces_off: u32,
    pieces_len: u32,
    cid_off: u32,
    cid_len: u32,
) -> SysResult<u32> {
    let proof = RegisteredSealProof::from(proof_type);
    if matches!(proof, RegisteredSealProof::Invalid(_))
        || proof_type > c.host.abi().max_seal_proof()
    {
        return Err(syscall_error!(IllegalArgument; "invalid proof type {proof_type}").into());
    }
    let pieces: Vec<PieceInfo> = c.memory.read_cbor(pieces_off, pieces_len)?;
    c.memory
        .check_bounds(cid_off, cid_len)
        .map_err(ExecutionError::from)?;
    let cid = c.host.compute_unsealed_sector_cid(proof, &pieces)?;
    Ok(c.memory.write_cid(&cid, cid_off, cid_len)?)
}

fn verify_post<B: Store, E: Ext>(c: Ctx<'_, B, E>, off: u32, len: u32) -> SysResult<i32> {
    let info: WindowPoStVerifyInfo = c.memory.read_cbor(off, len)?;
    Ok(validity(c.host.verify_post(&info)?))
}

#[allow(clippy::too_many_arguments)]
fn verify_consensus_fault<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    h1_off: u32,
    h1_len: u32,
    h2_off: u32,
    h2_len: u32,
    extra_off: u32,
    extra_len: u32,
) -> SysResult<VerifyConsensusFault> {
    let h1 = c
        .memory
        .slice(h1_off, h1_len)
        .map_err(ExecutionError::from)?;
    let h2 = c
        .memory
        .slice(h2_off, h2_len)
        .map_err(ExecutionError::from)?;
    let extra = c
        .memory
        .slice(extra_off, extra_len)
        .map_err(ExecutionError::from)?;
    Ok(match c.host.verify_consensus_fault(h1, h2, extra)? {
        Some(fault) => VerifyConsensusFault {
            fault: fault.fault_type as u32,
            epoch: fault.epoch,
            target: fault.target.id().map_err(|_| {
                ExecutionError::from(Fatal::msg("kernel returned non-id target address"))
            })?,
        },
        None => VerifyConsensusFault {
            fault: 0,
            epoch: 0,
            target: 0,
        },
    })
}

fn verify_aggregate_seals<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    off: u32,
    len: u32,
) -> SysResult<i32> {
    let agg: AggregateSealVerifyProofAndInfos = c.memory.read_cbor(off, len)?;
    Ok(validity(c.host.verify_aggregate_seals(&agg)?))
}

fn verify_replica_update<B: Store, E: Ext>(c: Ctx<'_, B, E>, off: u32, len: u32) -> SysResult<i32> {
    let info: ReplicaUpdateInfo = c.memory.read_cbor(off, len)?;
    Ok(validity(c.host.verify_replica_update(&info)?))
}

/// ref-fvm 2: verifies one seal proof.
fn verify_seal_v2<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    info_off: u32,
    info_len: u32,
) -> SysResult<i32> {
    let info: SealVerifyInfo = c.memory.read_cbor(info_off, info_len)?;
    Ok(validity(c.host.verify_seal_v2(&info)?))
}

fn batch_verify_seals<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    batch_off: u32,
    batch_len: u32,
    result_off: u32,
) -> SysResult<()> {
    let batch: Vec<SealVerifyInfo> = c.memory.read_cbor(batch_off, batch_len)?;
    c.memory
        .check_bounds(result_off, batch.len() as u32)
        .map_err(ExecutionError::from)?;
    let results = c.host.batch_verify_seals(&batch)?;
    let out = c
        .memory
        .slice_mut(result_off, batch.len() as u32)
        .map_err(ExecutionError::from)?;
    for (o, ok) in out.iter_mut().zip(results) {
        *o = u8::from(ok);
    }
    Ok(())
}

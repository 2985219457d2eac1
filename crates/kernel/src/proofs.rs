//! Proofs: verification behind [`ProofVerifier`], and the unsealed sector CID, which is computed
//! here (it is a pure function of the pieces, not a verification).

use cid::Cid;
use fvm_shared::commcid::{cid_to_piece_commitment_v1, data_commitment_v1_to_cid};
use fvm_shared::piece::{PaddedPieceSize, PieceInfo};
use fvm_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use sha2::{Digest, Sha256};

/// A proof could not be checked (malformed input); actors see `IllegalArgument`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ProofError(pub String);

/// Verifies seal, PoSt, aggregate and replica-update proofs. The kernel charges gas before
/// calling; implementations only decide validity.
pub trait ProofVerifier: Send + Sync {
    /// One seal (for `batch_verify_seals`).
    fn verify_seal(&self, info: &SealVerifyInfo) -> Result<bool, ProofError>;
    /// A window PoSt.
    fn verify_post(&self, info: &WindowPoStVerifyInfo) -> Result<bool, ProofError>;
    /// An aggregate of seals.
    fn verify_aggregate_seals(
        &self,
        aggregate: &AggregateSealVerifyProofAndInfos,
    ) -> Result<bool, ProofError>;
    /// A replica update.
    fn verify_replica_update(&self, info: &ReplicaUpdateInfo) -> Result<bool, ProofError>;
}

/// Accepts every proof, as conformance vectors require (they were produced with real proofs
/// that the vectors do not carry the parameters to check). Gas is charged as for real ones.
#[derive(Debug, Default, Clone, Copy)]
pub struct AcceptAllProofs;

impl ProofVerifier for AcceptAllProofs {
    fn verify_seal(&self, _: &SealVerifyInfo) -> Result<bool, ProofError> {
        Ok(true)
    }
    fn verify_post(&self, _: &WindowPoStVerifyInfo) -> Result<bool, ProofError> {
        Ok(true)
    }
    fn verify_aggregate_seals(
        &self,
        _: &AggregateSealVerifyProofAndInfos,
    ) -> Result<bool, ProofError> {
        Ok(true)
    }
    fn verify_replica_update(&self, _: &ReplicaUpdateInfo) -> Result<bool, ProofError> {
        Ok(true)
    }
}

/// Unpadded bytes per 128 padded bytes (Fr32 padding).
fn padded(unpadded: u64) -> u64 {
    unpadded + unpadded / 127
}

/// The unsealed sector CID (CommD) of a sector of type `proof` holding `pieces`, as
/// filecoin-proofs computes it: pieces are aligned with zero pieces, then hashed pairwise
/// (SHA-256 truncated to 254 bits) into a binary tree.
pub fn compute_unsealed_sector_cid(
    proof: RegisteredSealProof,
    pieces: &[PieceInfo],
) -> Result<Cid, ProofError> {
    let sector_size = proof.sector_size().map_err(ProofError)? as u64;
    let sector = PaddedPieceSize(sector_size);
    // (unpadded size, commitment) of every piece, zero pieces included, in order.
    let mut all = Vec::with_capacity(pieces.len() + 1);
    let pad_to = |all: &mut Vec<(u64, [u8; 32])>, sum: &mut u64, target: u64| {
        for size in required_padding(*sum, target)? {
            all.push((PaddedPieceSize(size).unpadded().0, zero_commitment(size)?));
            *sum += size;
        }
        Ok::<(), ProofError>(())
    };
    if pieces.is_empty() {
        all.push((sector.unpadded().0, zero_commitment(sector_size)?));
    } else {
        let mut sum = 0u64;
        for p in pieces {
            pad_to(&mut all, &mut sum, p.size.0)?;
            let comm = cid_to_piece_commitment_v1(&p.cid).map_err(|e| ProofError(e.into()))?;
            all.push((p.size.unpadded().0, comm));
            sum = sum.wrapping_add(p.size.0);
        }
        pad_to(&mut all, &mut sum, sector_size)?;
    }
    let comm_d = comm_d(sector_size, &all)?;
    data_commitment_v1_to_cid(&comm_d).map_err(|e| ProofError(e.into()))
}

/// The power-of-two zero pieces needed after `written` padded bytes to align a piece of
/// `piece` padded bytes.
fn required_padding(written: u64, piece: u64) -> Result<Vec<u64>, ProofError> {
    if piece == 0 {
        return Err(ProofError("piece of size zero".into()));
    }
    let mut to_fill = 0u64.wrapping_sub(written) % piece;
    let mut out = Vec::with_capacity(to_fill.count_ones() as usize);
    while to_fill != 0 {
        let size = 1u64 << to_fill.trailing_zeros();
        to_fill ^= size;
        out.push(size);
    }
    Ok(out)
}

/// SHA-256 of two nodes, truncated to a 254-bit field element.
fn piece_hash(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(a);
    h.update(b);
    let mut out: [u8; 32] = h.finalize().into();
    out[31] &= 0b0011_1111;
    out
}

/// The commitment of `padded_size` zero bytes (a power of two, at least 64).
fn zero_commitment(padded_size: u64) -> Result<[u8; 32], ProofError> {
    let mut comm = piece_hash(&[0; 32], &[0; 32]);
    let mut hashed = 64u64;
    while hashed < padded_size {
        comm = piece_hash(&comm, &comm);
        hashed = hashed.saturating_mul(2);
    }
    if hashed != padded_size {
        return Err(ProofError(format!(
            "zero piece of {padded_size} bytes is not a power of two"
        )));
    }
    Ok(comm)
}

/// filecoin-proofs' `compute_comm_d`: a stack machine joining equal-sized neighbours.
pub(crate) fn comm_d(sector_size: u64, pieces: &[(u64, [u8; 32])]) -> Result<[u8; 32], ProofError> {
    let err = |m: &str| ProofError(m.to_string());
    let unpadded_sector = PaddedPieceSize(sector_size).unpadded().0;
    // filecoin-proofs' minimum piece size in a fully aligned sector.
    const MINIMUM_PIECE_SIZE: u64 = 127;
    if pieces.len() as u64 > unpadded_sector / MINIMUM_PIECE_SIZE {
        return Err(err("Too many pieces"));
    }
    let total = pieces
        .iter()
        .fold(0u64, |acc, (s, _)| acc.wrapping_add(padded(*s)));
    if total > sector_size {
        return Err(err("Piece is larger than sector."));
    }
    let mut stack: Vec<(u64, [u8; 32])> = Vec::new();
    let push = |stack: &mut Vec<(u64, [u8; 32])>, piece: (u64, [u8; 32])| {
        stack.push(piece);
        while let [.., (ls, lc), (rs, rc)] = stack.as_slice() {
            if ls != rs {
                break;
            }
            // Sizes wrap as in release builds of filecoin-proofs.
            let joined = (ls.wrapping_add(*rs), piece_hash(lc, rc));
            stack.truncate(stack.len() - 2);
            stack.push(joined);
        }
    };
    for (i, &(size, comm)) in pieces.iter().enumerate() {
        if !padded(size).is_power_of_two() {
            return Err(ProofError(format!(
                "Piece size ({}) must be a power of 2.",
                padded(size)
            )));
        }
        if i > 0 {
            while stack.last().is_some_and(|(top, _)| *top < size) {
                let top = stack.last().map(|(s, _)| *s).unwrap_or_default();
                push(&mut stack, (top, zero_commitment(padded(top))?));
            }
        }
        push(&mut stack, (size, comm));
    }
    while stack.len() > 1 {
        let top = stack.last().map(|(s, _)| *s).unwrap_or_default();
        push(&mut stack, (top, zero_commitment(padded(top))?));
    }
    stack
        .pop()
        .map(|(_, c)| c)
        .ok_or_else(|| err("empty stack popped"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_fills_to_alignment_with_powers_of_two() {
        assert_eq!(required_padding(0, 1024).unwrap(), Vec::<u64>::new());
        assert_eq!(required_padding(128, 1024).unwrap(), vec![128, 256, 512]);
        assert_eq!(required_padding(1024, 2048).unwrap(), vec![1024]);
        assert!(required_padding(0, 0).is_err());
    }

    #[test]
    fn malformed_pieces_are_errors_not_panics() {
        let p = RegisteredSealProof::StackedDRG2KiBV1P1;
        let empty = compute_unsealed_sector_cid(p, &[]).unwrap();
        let piece = |size| PieceInfo {
            size: PaddedPieceSize(size),
            cid: empty,
        };
        assert!(compute_unsealed_sector_cid(p, &[piece(0)]).is_err());
        assert!(compute_unsealed_sector_cid(p, &[piece(100)]).is_err());
        assert!(compute_unsealed_sector_cid(p, &[piece(4096)]).is_err());
        assert!(compute_unsealed_sector_cid(p, &[piece(u64::MAX)]).is_err());
        // Sizes that overflow wrap (as in release builds of filecoin-proofs); no panic.
        let _ = compute_unsealed_sector_cid(p, &[piece(1 << 63), piece(1 << 63)]);
        assert!(compute_unsealed_sector_cid(RegisteredSealProof::Invalid(99), &[]).is_err());
        // A piece filling the sector is its own CommD.
        assert_eq!(
            compute_unsealed_sector_cid(p, &[piece(2048)]).unwrap(),
            empty
        );
    }
}

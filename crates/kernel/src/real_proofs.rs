//! Real proof verification with `filecoin-proofs-api` (feature `real-proofs`). Verifying keys
//! must be installed where filecoin-proofs looks for them (`FIL_PROOFS_PARAMETER_CACHE`, by
//! default `/var/tmp/filecoin-proof-parameters`); see the README.

use std::collections::BTreeMap;

use filecoin_proofs_api::{self as proofs, ProverId, PublicReplicaInfo, SectorId};
use fvm_ipld_encoding::bytes_32;
use fvm_shared::address::Address;
use fvm_shared::commcid;
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredPoStProof, ReplicaUpdateInfo, SealVerifyInfo,
    SectorInfo, WindowPoStVerifyInfo,
};

use crate::proofs::{ProofError, ProofVerifier};

/// Verifies proofs for real, as ref-fvm 4.x does.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealProofs;

fn err(e: impl std::fmt::Display) -> ProofError {
    ProofError(e.to_string())
}

/// The prover ID of miner `id`: its ID address payload, zero-padded to 32 bytes.
fn prover_id(id: u64) -> ProverId {
    let mut prover = ProverId::default();
    let bytes = Address::new_id(id).payload().to_raw_bytes();
    prover[..bytes.len()].copy_from_slice(&bytes);
    prover
}

fn replica_infos(
    sectors: &[SectorInfo],
    post: RegisteredPoStProof,
) -> Result<BTreeMap<SectorId, PublicReplicaInfo>, ProofError> {
    sectors
        .iter()
        .map(|s| {
            let commr = commcid::cid_to_replica_commitment_v1(&s.sealed_cid).map_err(err)?;
            if s.proof.registered_window_post_proof().ok() != Some(post) {
                return Err(err("invalid proof type"));
            }
            let replica = PublicReplicaInfo::new(post.try_into().map_err(err)?, commr);
            Ok((SectorId::from(s.sector_number), replica))
        })
        .collect()
}

impl ProofVerifier for RealProofs {
    fn verify_seal(&self, vi: &SealVerifyInfo) -> Result<bool, ProofError> {
        let commr = commcid::cid_to_replica_commitment_v1(&vi.sealed_cid).map_err(err)?;
        let commd = commcid::cid_to_data_commitment_v1(&vi.unsealed_cid).map_err(err)?;
        proofs::seal::verify_seal(
            vi.registered_proof.try_into().map_err(err)?,
            commr,
            commd,
            prover_id(vi.sector_id.miner),
            SectorId::from(vi.sector_id.number),
            bytes_32(&vi.randomness.0),
            bytes_32(&vi.interactive_randomness.0),
            &vi.proof,
        )
        .map_err(err)
    }

    fn verify_post(&self, info: &WindowPoStVerifyInfo) -> Result<bool, ProofError> {
        let Randomness(mut randomness) = info.randomness.clone();
        *randomness
            .get_mut(31)
            .ok_or_else(|| err("randomness shorter than 32 bytes"))? &= 0x3f;
        let proof_type = info
            .proofs
            .first()
            .ok_or_else(|| err("no proofs"))?
            .post_proof;
        if info.proofs.iter().any(|p| p.post_proof != proof_type) {
            return Err(err("all proof types must be the same"));
        }
        let replicas = replica_infos(&info.challenged_sectors, proof_type)?;
        let proofs: Vec<(proofs::RegisteredPoStProof, &[u8])> = info
            .proofs
            .iter()
            .map(|p| {
                Ok((
                    p.post_proof.try_into().map_err(err)?,
                    p.proof_bytes.as_slice(),
                ))
            })
            .collect::<Result<_, ProofError>>()?;
        proofs::post::verify_window_post(
            &bytes_32(&randomness),
            &proofs,
            &replicas,
            prover_id(info.prover),
        )
        .map_err(err)
    }

    fn verify_aggregate_seals(
        &self,
        agg: &AggregateSealVerifyProofAndInfos,
    ) -> Result<bool, ProofError> {
        if agg.infos.is_empty() {
            return Err(err("no seal verify infos"));
        }
        let spt: proofs::RegisteredSealProof = agg.seal_proof.try_into().map_err(err)?;
        let prover = prover_id(agg.miner);
        let mut inputs = Vec::new();
        let (mut commrs, mut seeds) = (Vec::new(), Vec::new());
        for info in &agg.infos {
            let commr = commcid::cid_to_replica_commitment_v1(&info.sealed_cid).map_err(err)?;
            let commd = commcid::cid_to_data_commitment_v1(&info.unsealed_cid).map_err(err)?;
            let seed = bytes_32(&info.interactive_randomness.0);
            inputs.extend(
                proofs::seal::get_seal_inputs(
                    spt,
                    commr,
                    commd,
                    prover,
                    SectorId::from(info.sector_number),
                    bytes_32(&info.randomness.0),
                    seed,
                )
                .map_err(err)?,
            );
            commrs.push(commr);
            seeds.push(seed);
        }
        proofs::seal::verify_aggregate_seal_commit_proofs(
            spt,
            agg.aggregate_proof.try_into().map_err(err)?,
            agg.proof.clone(),
            &commrs,
            &seeds,
            inputs,
        )
        .map_err(err)
    }

    fn verify_replica_update(&self, r: &ReplicaUpdateInfo) -> Result<bool, ProofError> {
        let up: proofs::RegisteredUpdateProof = r.update_proof_type.try_into().map_err(err)?;
        let old = commcid::cid_to_replica_commitment_v1(&r.old_sealed_cid).map_err(err)?;
        let new = commcid::cid_to_replica_commitment_v1(&r.new_sealed_cid).map_err(err)?;
        let commd = commcid::cid_to_data_commitment_v1(&r.new_unsealed_cid).map_err(err)?;
        proofs::update::verify_empty_sector_update_proof(up, &r.proof, old, new, commd).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use fvm_shared::sector::{PoStProof, RegisteredSealProof, SectorID};

    use super::*;

    fn params_installed() -> bool {
        let dir = std::env::var("FIL_PROOFS_PARAMETER_CACHE")
            .unwrap_or_else(|_| "/var/tmp/filecoin-proof-parameters".into());
        std::fs::read_dir(&dir)
            .map(|d| d.count() > 0)
            .unwrap_or(false)
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        let v = RealProofs;
        let post = WindowPoStVerifyInfo {
            randomness: Randomness(vec![1; 8]),
            proofs: vec![],
            challenged_sectors: vec![],
            prover: 1000,
        };
        assert!(v.verify_post(&post).is_err(), "no proofs");
        let post = WindowPoStVerifyInfo {
            proofs: vec![PoStProof {
                post_proof: RegisteredPoStProof::StackedDRGWindow2KiBV1P1,
                proof_bytes: vec![0; 192],
            }],
            ..post
        };
        assert!(v.verify_post(&post).is_err(), "short randomness");
        let seal = SealVerifyInfo {
            registered_proof: RegisteredSealProof::StackedDRG2KiBV1P1,
            sector_id: SectorID {
                miner: 1000,
                number: 1,
            },
            deal_ids: vec![],
            randomness: Randomness(vec![0; 32]),
            interactive_randomness: Randomness(vec![0; 32]),
            proof: vec![0; 192],
            sealed_cid: fvm_shared::EMPTY_ARR_CID,
            unsealed_cid: fvm_shared::EMPTY_ARR_CID,
        };
        assert!(v.verify_seal(&seal).is_err(), "not a commitment CID");
        let agg = AggregateSealVerifyProofAndInfos {
            miner: 1000,
            seal_proof: RegisteredSealProof::StackedDRG2KiBV1P1,
            aggregate_proof: fvm_shared::sector::RegisteredAggregateProof::SnarkPackV2,
            proof: vec![],
            infos: vec![],
        };
        assert!(v.verify_aggregate_seals(&agg).is_err(), "no infos");
    }

    #[test]
    fn garbage_proofs_do_not_verify() {
        if !params_installed() {
            eprintln!("SKIPPED: filecoin proof parameters are not installed (see the README)");
            return;
        }
        let sealed = commcid::replica_commitment_v1_to_cid(&[1; 32]).unwrap();
        let unsealed = commcid::data_commitment_v1_to_cid(&[2; 32]).unwrap();
        let seal = SealVerifyInfo {
            registered_proof: RegisteredSealProof::StackedDRG2KiBV1P1,
            sector_id: SectorID {
                miner: 1000,
                number: 1,
            },
            deal_ids: vec![],
            randomness: Randomness(vec![3; 32]),
            interactive_randomness: Randomness(vec![4; 32]),
            proof: vec![0; 192],
            sealed_cid: sealed,
            unsealed_cid: unsealed,
        };
        assert!(!RealProofs.verify_seal(&seal).unwrap_or(false));
    }
}

//! The storage provider's sector lifecycle as messages: the miner actor's method numbers, which
//! ways of proving a sector each network version's actors accept, and the methods' parameters
//! (tuple-encoded, written from the actors' published CBOR schemas, v12–v18).

use cid::multihash::Multihash;
use cid::Cid;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    PoStProof, RegisteredAggregateProof, RegisteredSealProof, RegisteredUpdateProof,
};
use fvm_shared::{ActorID, MethodNum};

/// `SubmitWindowedPoSt`.
pub const SUBMIT_WINDOWED_POST: MethodNum = 5;
/// `ProveCommitSector` (actors v12–v13: confirmed in the power actor's cron).
pub const PROVE_COMMIT_SECTOR: MethodNum = 7;
/// `TerminateSectors`.
pub const TERMINATE_SECTORS: MethodNum = 9;
/// `DeclareFaults`.
pub const DECLARE_FAULTS: MethodNum = 10;
/// `DeclareFaultsRecovered`.
pub const DECLARE_FAULTS_RECOVERED: MethodNum = 11;
/// `ProveCommitAggregate` (actors v12–v16).
pub const PROVE_COMMIT_AGGREGATE: MethodNum = 26;
/// `PreCommitSectorBatch2`.
pub const PRE_COMMIT_SECTOR_BATCH2: MethodNum = 28;
/// `ExtendSectorExpiration2`.
pub const EXTEND_SECTOR_EXPIRATION2: MethodNum = 32;
/// `ProveCommitSectors3` (actors v13 on).
pub const PROVE_COMMIT_SECTORS3: MethodNum = 34;
/// `ProveReplicaUpdates3` (actors v13 on).
pub const PROVE_REPLICA_UPDATES3: MethodNum = 35;
/// `ProveCommitSectorsNI` (actors v14 on).
pub const PROVE_COMMIT_SECTORS_NI: MethodNum = 36;

/// The lifecycle's methods with a short name each, for describing what a tipset did.
pub const LIFECYCLE_METHODS: [(MethodNum, &str); 11] = [
    (SUBMIT_WINDOWED_POST, "a window PoSt"),
    (PROVE_COMMIT_SECTOR, "ProveCommitSector"),
    (TERMINATE_SECTORS, "a termination"),
    (DECLARE_FAULTS, "a fault declaration"),
    (DECLARE_FAULTS_RECOVERED, "a recovery declaration"),
    (PROVE_COMMIT_AGGREGATE, "ProveCommitAggregate"),
    (PRE_COMMIT_SECTOR_BATCH2, "a pre-commit"),
    (EXTEND_SECTOR_EXPIRATION2, "an extension"),
    (PROVE_COMMIT_SECTORS3, "ProveCommitSectors3"),
    (PROVE_REPLICA_UPDATES3, "a replica update"),
    (PROVE_COMMIT_SECTORS_NI, "an NI-PoRep"),
];

/// The fewest sectors an aggregate seal proof may cover.
pub const MIN_AGGREGATED_SECTORS: usize = 4;
/// Epochs between a pre-commit and the earliest prove-commit (mainnet policy).
pub const PRE_COMMIT_CHALLENGE_DELAY: ChainEpoch = 150;
/// Epochs per day.
pub const EPOCHS_IN_DAY: ChainEpoch = 2880;
/// A sector's shortest commitment.
pub const MIN_SECTOR_EXPIRATION: ChainEpoch = 180 * EPOCHS_IN_DAY;
/// The latest a pre-committed (V1P1) sector may be proven, after its pre-commit.
pub const MAX_PROVE_COMMIT_DURATION: ChainEpoch = 30 * EPOCHS_IN_DAY + PRE_COMMIT_CHALLENGE_DELAY;

/// One way to prove pre-committed sectors (or, for NI-PoRep, to onboard them at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProveForm {
    /// `ProveCommitSector`, one sector, verified in the power actor's cron.
    Single,
    /// `ProveCommitAggregate`, at least [`MIN_AGGREGATED_SECTORS`].
    Aggregate,
    /// `ProveCommitSectors3` with one proof per sector.
    Sectors3,
    /// `ProveCommitSectors3` with one aggregate proof.
    Sectors3Aggregate,
}

/// The ways of proving pre-committed sectors that network version `nv`'s actors accept.
pub fn prove_forms(nv: u32) -> &'static [ProveForm] {
    use ProveForm::*;
    match nv {
        ..=21 => &[Single, Aggregate],
        22 => &[Single, Aggregate, Sectors3, Sectors3Aggregate],
        23..=26 => &[Aggregate, Sectors3, Sectors3Aggregate],
        _ => &[Sectors3, Sectors3Aggregate],
    }
}

/// Whether network version `nv`'s actors take data as pieces declared when a sector is proven
/// or updated (direct data onboarding: `ProveCommitSectors3`, `ProveReplicaUpdates3`), rather
/// than as deal IDs in its pre-commit.
pub fn has_direct_onboarding(nv: u32) -> bool {
    nv >= 22
}

/// Whether network version `nv`'s actors accept non-interactive PoRep.
pub fn has_ni_porep(nv: u32) -> bool {
    nv >= 23
}

/// A made-up CommR: the sealed-sector CID codec and hash, `seed`'s bytes as the digest.
pub fn sealed_cid(seed: [u8; 32]) -> Cid {
    const FIL_COMMITMENT_SEALED: u64 = 0xf102;
    const POSEIDON_BLS12_381_A1_FC1: u64 = 0xb401;
    commitment_cid(FIL_COMMITMENT_SEALED, POSEIDON_BLS12_381_A1_FC1, seed)
}

/// A commitment CID with `codec` and `hash`, `seed`'s bytes as its digest with the top two bits
/// cleared: 254 bits, a valid BLS12-381 scalar, as real commitments are.
pub(crate) fn commitment_cid(codec: u64, hash: u64, seed: [u8; 32]) -> Cid {
    let mut digest = seed;
    digest[31] &= 0x3f;
    Cid::new_v1(
        codec,
        Multihash::wrap(hash, &digest).expect("32-byte digest"),
    )
}

/// `PreCommitSectorBatch2`.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct PreCommitSectorBatchParams2 {
    /// The sectors.
    pub sectors: Vec<SectorPreCommitInfo>,
}

/// One sector of a pre-commit.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct SectorPreCommitInfo {
    /// Its seal proof type.
    pub seal_proof: RegisteredSealProof,
    /// Its number.
    pub sector_number: u64,
    /// CommR.
    pub sealed_cid: Cid,
    /// The epoch of the sealing ticket.
    pub seal_rand_epoch: ChainEpoch,
    /// The market deals it will hold (before direct data onboarding).
    pub deal_ids: Vec<u64>,
    /// Its expiration.
    pub expiration: ChainEpoch,
    /// CommD (`CompactCommD`: none for a committed-capacity sector).
    pub unsealed_cid: Option<Cid>,
}

/// `ProveCommitSector`.
#[derive(Serialize_tuple)]
pub struct ProveCommitSectorParams {
    /// The sector.
    pub sector_number: u64,
    /// Its proof.
    pub proof: RawBytes,
}

/// `ProveCommitAggregate`.
#[derive(Serialize_tuple)]
pub struct ProveCommitAggregateParams {
    /// The sectors.
    pub sector_numbers: BitField,
    /// Their aggregate proof.
    pub aggregate_proof: RawBytes,
}

/// `ProveCommitSectors3`.
#[derive(Serialize_tuple)]
pub struct ProveCommitSectors3Params {
    /// The sectors and their pieces.
    pub sector_activations: Vec<SectorActivationManifest>,
    /// One proof per sector, or none with an aggregate.
    pub sector_proofs: Vec<RawBytes>,
    /// The aggregate proof, or empty.
    pub aggregate_proof: RawBytes,
    /// The aggregate proof's type, with one.
    pub aggregate_proof_type: Option<RegisteredAggregateProof>,
    /// Whether one failed activation fails all.
    pub require_activation_success: bool,
    /// Whether one failed notification fails all.
    pub require_notification_success: bool,
}

/// One sector of `ProveCommitSectors3`.
#[derive(Serialize_tuple)]
pub struct SectorActivationManifest {
    /// The sector.
    pub sector_number: u64,
    /// Its pieces, in order (none: committed capacity).
    pub pieces: Vec<PieceActivationManifest>,
}

/// A piece of data in a sector being proven or updated.
#[derive(Clone, Serialize_tuple)]
pub struct PieceActivationManifest {
    /// Its commitment (CommP).
    pub cid: Cid,
    /// Its padded size.
    pub size: u64,
    /// The verified allocation it claims, if any.
    pub verified_allocation_key: Option<VerifiedAllocationKey>,
    /// Actors notified of its activation (the market, for a deal).
    pub notify: Vec<DataActivationNotification>,
}

/// A verified allocation: its client and ID.
#[derive(Clone, Serialize_tuple)]
pub struct VerifiedAllocationKey {
    /// The client.
    pub client: ActorID,
    /// The allocation.
    pub id: u64,
}

/// A notification of a piece's activation.
#[derive(Clone, Serialize_tuple)]
pub struct DataActivationNotification {
    /// The actor notified.
    pub address: Address,
    /// What it is told (the deal ID, for the market).
    pub payload: RawBytes,
}

/// `ProveReplicaUpdates3`.
#[derive(Serialize_tuple)]
pub struct ProveReplicaUpdates3Params {
    /// The sectors updated.
    pub sector_updates: Vec<SectorUpdateManifest>,
    /// One proof per sector.
    pub sector_proofs: Vec<RawBytes>,
    /// The aggregate proof (empty: per-sector proofs).
    pub aggregate_proof: RawBytes,
    /// The update proof type of the sectors' seal proof.
    pub update_proofs_type: RegisteredUpdateProof,
    /// The aggregate proof's type (none).
    pub aggregate_proof_type: Option<RegisteredAggregateProof>,
    /// Whether one failed activation fails all.
    pub require_activation_success: bool,
    /// Whether one failed notification fails all.
    pub require_notification_success: bool,
}

/// One sector of `ProveReplicaUpdates3`.
#[derive(Serialize_tuple)]
pub struct SectorUpdateManifest {
    /// The sector (committed capacity so far).
    pub sector: u64,
    /// Its deadline.
    pub deadline: u64,
    /// Its partition.
    pub partition: u64,
    /// The new CommR.
    pub new_sealed_cid: Cid,
    /// The data it now holds.
    pub pieces: Vec<PieceActivationManifest>,
}

/// `ProveCommitSectorsNI`.
#[derive(Serialize_tuple)]
pub struct ProveCommitSectorsNIParams {
    /// The sectors.
    pub sectors: Vec<SectorNIActivationInfo>,
    /// Their aggregate proof.
    pub aggregate_proof: RawBytes,
    /// The NI-PoRep seal proof type.
    pub seal_proof_type: RegisteredSealProof,
    /// The aggregate proof's type (SnarkPackV2).
    pub aggregate_proof_type: RegisteredAggregateProof,
    /// The deadline the sectors are assigned to.
    pub proving_deadline: u64,
    /// Whether one failed activation fails all.
    pub require_activation_success: bool,
}

/// One sector of `ProveCommitSectorsNI`.
#[derive(Serialize_tuple)]
pub struct SectorNIActivationInfo {
    /// The number the sector was sealed with.
    pub sealing_number: u64,
    /// The sealing miner (the receiving miner).
    pub sealer_id: ActorID,
    /// CommR.
    pub sealed_cid: Cid,
    /// The sector's number.
    pub sector_number: u64,
    /// The epoch of the sealing randomness.
    pub seal_rand_epoch: ChainEpoch,
    /// Its expiration.
    pub expiration: ChainEpoch,
}

/// `SubmitWindowedPoSt`.
#[derive(Serialize_tuple)]
pub struct SubmitWindowedPoStParams {
    /// The deadline.
    pub deadline: u64,
    /// The partitions proven.
    pub partitions: Vec<PoStPartition>,
    /// The proof.
    pub proofs: Vec<PoStProof>,
    /// The epoch of the chain randomness committed to.
    pub chain_commit_epoch: ChainEpoch,
    /// That randomness.
    pub chain_commit_rand: Randomness,
}

/// One partition of a window PoSt.
#[derive(Serialize_tuple)]
pub struct PoStPartition {
    /// Its index.
    pub index: u64,
    /// Sectors skipped (declared faulty by the proof).
    pub skipped: BitField,
}

/// Sectors of one partition: `DeclareFaults`, `DeclareFaultsRecovered` and `TerminateSectors`
/// take lists of these.
#[derive(Serialize_tuple)]
pub struct PartitionSectors {
    /// The deadline.
    pub deadline: u64,
    /// The partition.
    pub partition: u64,
    /// The sectors.
    pub sectors: BitField,
}

/// `ExtendSectorExpiration2`.
#[derive(Serialize_tuple)]
pub struct ExtendSectorExpiration2Params {
    /// The extensions.
    pub extensions: Vec<ExpirationExtension2>,
}

/// One extension of `ExtendSectorExpiration2`.
#[derive(Serialize_tuple)]
pub struct ExpirationExtension2 {
    /// The deadline.
    pub deadline: u64,
    /// The partition.
    pub partition: u64,
    /// The sectors without verified claims.
    pub sectors: BitField,
    /// The sectors with verified claims, and the claims they keep.
    pub sectors_with_claims: Vec<SectorClaim>,
    /// Their new expiration.
    pub new_expiration: ChainEpoch,
}

/// A sector with verified claims, in an extension.
#[derive(Serialize_tuple)]
pub struct SectorClaim {
    /// The sector.
    pub sector_number: u64,
    /// The claims it keeps.
    pub maintain_claims: Vec<u64>,
    /// The claims it drops.
    pub drop_claims: Vec<u64>,
}

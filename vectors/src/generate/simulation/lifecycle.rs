//! A storage provider's sector business, decided epoch by epoch from its state as a provider's
//! node would: pre-commit batches, prove-commits in every form the network version accepts
//! (one by one through the power actor's cron, aggregated, `ProveCommitSectors3` with per-sector
//! or aggregate proofs), NI-PoRep onboarding, a window PoSt for each deadline with live sectors
//! (some deadlines missed on purpose, some sectors skipped, so faults arise and cron detects
//! them), recoveries and fault declarations, extensions (keeping verified claims) and
//! terminations. Data it agreed to store — published deals, verified allocations
//! ([`super::clients`]) — goes into sectors: as deal IDs in pre-commits before direct data
//! onboarding, then as pieces declared when a sector is proven or a committed-capacity sector
//! is updated (`ProveReplicaUpdates3`), with the market notified and allocations claimed; deal
//! payments are settled now and then. Proofs are made-up bytes: both engines accept them, as in
//! conformance runs.

use std::collections::{BTreeMap, BTreeSet};

use cid::Cid;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::piece::{PaddedPieceSize, PieceInfo};
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    PoStProof, RegisteredAggregateProof, RegisteredPoStProof, RegisteredSealProof,
};
use fvm_shared::{ActorID, MethodNum};
use ifvm_actors::STORAGE_MARKET_ACTOR_ID;
use ifvm_kernel::{compute_unsealed_sector_cid, Externs};
use multihash_codetable::{Code, MultihashDigest};

use super::miner_state::{MinerView, DEADLINES};
use crate::generate::params::{cbor, frc42_method};
use crate::generate::random::SplitMix64;
use crate::generate::sectors::{self as s, ProveForm};

/// The most sectors a provider keeps live or pending.
const MAX_SECTORS: usize = 240;
/// Percent of deadline windows a provider proves (the rest are missed: faults).
const POST_PERCENT: u64 = 75;
/// The most pieces a provider puts in one sector.
const MAX_PIECES_PER_SECTOR: usize = 3;

/// Where a lifecycle message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// The provider's miner actor.
    Miner,
    /// The storage market.
    Market,
}

/// A message a provider's lifecycle sends (from its worker, no value).
pub struct LifecycleMessage {
    /// Its recipient.
    pub to: Recipient,
    /// The method.
    pub method: MethodNum,
    /// Its CBOR parameters.
    pub params: Vec<u8>,
}

impl LifecycleMessage {
    fn to_miner(method: MethodNum, params: Vec<u8>) -> Self {
        Self {
            to: Recipient::Miner,
            method,
            params,
        }
    }
}

/// Data a provider agreed to store: a published deal's piece or a verified allocation's.
#[derive(Clone, Debug)]
pub struct Piece {
    /// Its commitment.
    pub cid: Cid,
    /// Its padded size (a power of two, at most 8 GiB).
    pub size: u64,
    /// The market deal it belongs to.
    pub deal: Option<u64>,
    /// The verified allocation (client, ID) it claims.
    pub allocation: Option<(ActorID, u64)>,
    /// The earliest epoch its sector may expire (a deal's end; none for an allocation, whose
    /// term the sector's expiration already meets).
    pub end: ChainEpoch,
    /// The last epoch it may be activated at (a deal's start, an allocation's expiration).
    pub activate_by: ChainEpoch,
}

impl Piece {
    /// The piece as a sector declares it when it is proven or updated.
    fn manifest(&self) -> s::PieceActivationManifest {
        s::PieceActivationManifest {
            cid: self.cid,
            size: self.size,
            verified_allocation_key: self
                .allocation
                .map(|(client, id)| s::VerifiedAllocationKey { client, id }),
            notify: self
                .deal
                .map(|deal| s::DataActivationNotification {
                    address: Address::new_id(STORAGE_MARKET_ACTOR_ID),
                    payload: RawBytes::new(cbor(&deal)),
                })
                .into_iter()
                .collect(),
        }
    }
}

/// A pre-committed sector not yet proven.
#[derive(Clone)]
struct Pending {
    number: u64,
    epoch: ChainEpoch,
    /// The data it was pre-committed with (none: committed capacity).
    pieces: Vec<Piece>,
}

/// One provider's sector business.
pub struct Lifecycle {
    nv: u32,
    miner_id: u64,
    /// The interactive seal proof of every sector it pre-commits (proofs of one type are
    /// verified together).
    seal_proof: RegisteredSealProof,
    next_sector: u64,
    pending: Vec<Pending>,
    /// The pieces each pre-commit sent put in its sectors, until the pre-commit lands.
    planned: BTreeMap<u64, Vec<Piece>>,
    /// Data agreed and not yet in a sector.
    waiting: Vec<Piece>,
    /// Each onboarded sector's expiration, as last requested.
    expirations: BTreeMap<u64, ChainEpoch>,
    /// Sectors holding data (so not to be updated).
    with_data: BTreeSet<u64>,
    /// The verified claims of each sector (a claim has its allocation's ID).
    claims: BTreeMap<u64, Vec<u64>>,
    /// Deals activated (their payments to settle).
    deals: Vec<u64>,
    /// The window (its opening epoch) last decided, and whether it is proven.
    window: Option<(ChainEpoch, bool)>,
}
/// What a provider's node knows when it decides: its state, the epoch of the tipset being
/// built, and the chain randomness a PoSt commits to.
pub struct Context<'a> {
    /// The provider's state before the tipset.
    pub view: &'a MinerView,
    /// The tipset's epoch.
    pub epoch: ChainEpoch,
    /// The machines' externs (the chain randomness a PoSt commits to).
    pub externs: &'a dyn Externs,
}

impl Lifecycle {
    /// The business of miner `miner_id` on network version `nv`, with no sectors yet, sealing
    /// with synthetic PoRep or not.
    pub fn new(nv: u32, miner_id: u64, synthetic: bool) -> Self {
        Self {
            nv,
            miner_id,
            seal_proof: if synthetic {
                RegisteredSealProof::StackedDRG32GiBV1P1_Feat_SyntheticPoRep
            } else {
                RegisteredSealProof::StackedDRG32GiBV1P1
            },
            next_sector: 0,
            pending: Vec::new(),
            planned: BTreeMap::new(),
            waiting: Vec::new(),
            expirations: BTreeMap::new(),
            with_data: BTreeSet::new(),
            claims: BTreeMap::new(),
            deals: Vec::new(),
            window: None,
        }
    }

    /// Records sectors a successful `PreCommitSectorBatch2` at `epoch` pre-committed.
    pub fn pre_committed(&mut self, numbers: impl IntoIterator<Item = u64>, epoch: ChainEpoch) {
        for number in numbers {
            let pieces = self.planned.remove(&number).unwrap_or_default();
            self.pending.push(Pending {
                number,
                epoch,
                pieces,
            });
        }
    }

    /// Data the provider agreed to store: a deal it published or an allocation made to it.
    pub fn agreed(&mut self, piece: Piece) {
        self.waiting.push(piece);
    }

    /// This epoch's messages.
    pub fn messages(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> Vec<LifecycleMessage> {
        let mut out = Vec::new();
        out.extend(self.window_post(rng, cx));
        if rng.chance(12) {
            out.extend(self.declare_recoveries(rng, cx));
        }
        if rng.chance(3) {
            out.extend(self.partition_action(rng, cx, s::DECLARE_FAULTS));
        }
        if rng.chance(2) {
            out.extend(self.partition_action(rng, cx, s::TERMINATE_SECTORS));
        }
        if rng.chance(4) {
            out.extend(self.extend(rng, cx));
        }
        let live = cx
            .view
            .deadlines
            .iter()
            .flat_map(|d| &d.partitions)
            .map(|p| p.live().len() as usize)
            .sum::<usize>();
        if live + self.pending.len() < MAX_SECTORS {
            if rng.chance(15) {
                out.push(self.pre_commit(rng, cx));
            }
            if s::has_ni_porep(self.nv) && rng.chance(3) {
                out.push(self.ni_porep(rng, cx));
            }
        }
        if rng.chance(30) {
            out.extend(self.prove(rng, cx));
        }
        if s::has_direct_onboarding(self.nv) {
            if rng.chance(8) {
                out.extend(self.update(rng, cx));
            }
            if rng.chance(5) {
                out.extend(self.settle(rng));
            }
        }
        out
    }

    /// A window PoSt for the open deadline's live, unproven partitions, in windows chosen to be
    /// proven (decided once per window).
    fn window_post(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<LifecycleMessage> {
        let dl = cx.view.deadline_at(cx.epoch);
        let deadline = &cx.view.deadlines[dl.index as usize];
        let due: Vec<u64> = (0..deadline.partitions.len() as u64)
            .filter(|&i| {
                !deadline.partitions[i as usize].live().is_empty() && !deadline.posted.get(i)
            })
            .collect();
        if due.is_empty() {
            return None;
        }
        let prove = match self.window {
            Some((open, prove)) if open == dl.open => prove,
            _ => {
                let prove = rng.chance(POST_PERCENT);
                self.window = Some((dl.open, prove));
                prove
            }
        };
        if !prove {
            return None;
        }
        let partitions = due
            .iter()
            .map(|&index| {
                let active = deadline.partitions[index as usize].active();
                let mut skipped = BitField::new();
                if rng.chance(10) {
                    if let Some(sector) = pick_bit(rng, &active) {
                        skipped.set(sector);
                    }
                }
                s::PoStPartition { index, skipped }
            })
            .collect();
        let commit_epoch = cx.epoch - 1;
        let digest = cx.externs.get_chain_randomness(commit_epoch).ok()?;
        Some(LifecycleMessage::to_miner(
            s::SUBMIT_WINDOWED_POST,
            cbor(&s::SubmitWindowedPoStParams {
                deadline: dl.index,
                partitions,
                proofs: vec![PoStProof {
                    post_proof: RegisteredPoStProof::StackedDRGWindow32GiBV1P1,
                    proof_bytes: proof_bytes(rng, 192),
                }],
                chain_commit_epoch: commit_epoch,
                chain_commit_rand: Randomness(post_chain_commit(&digest, commit_epoch).to_vec()),
            }),
        ))
    }

    /// Declares the faults of one partition recovered.
    fn declare_recoveries(
        &self,
        rng: &mut SplitMix64,
        cx: &Context<'_>,
    ) -> Option<LifecycleMessage> {
        let faulty: Vec<(u64, u64, BitField)> = partitions(cx.view)
            .filter(|&(d, _)| cx.view.accepts_declarations(d, cx.epoch))
            .filter_map(|(d, p)| {
                let faults =
                    cx.view.deadlines[d as usize].partitions[p as usize].unrecovered_faults();
                (!faults.is_empty()).then_some((d, p, faults))
            })
            .collect();
        if faulty.is_empty() {
            return None;
        }
        let (deadline, partition, sectors) = rng.pick(&faulty).clone();
        Some(LifecycleMessage::to_miner(
            s::DECLARE_FAULTS_RECOVERED,
            cbor(&(vec![s::PartitionSectors {
                deadline,
                partition,
                sectors,
            }],)),
        ))
    }

    /// Declares one active sector faulty, or terminates one (`method`), in a partition whose
    /// deadline may change.
    fn partition_action(
        &self,
        rng: &mut SplitMix64,
        cx: &Context<'_>,
        method: MethodNum,
    ) -> Option<LifecycleMessage> {
        let (deadline, partition, sector) = self.pick_active(rng, cx)?;
        if method == s::DECLARE_FAULTS && !cx.view.accepts_declarations(deadline, cx.epoch) {
            return None;
        }
        Some(LifecycleMessage::to_miner(
            method,
            cbor(&(vec![s::PartitionSectors {
                deadline,
                partition,
                sectors: BitField::try_from_bits([sector]).ok()?,
            }],)),
        ))
    }

    /// Extends one active sector's commitment, keeping its verified claims.
    fn extend(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<LifecycleMessage> {
        let (deadline, partition, sector) = self.pick_active(rng, cx)?;
        let days = 200 + rng.below(300) as ChainEpoch;
        let new_expiration = cx.epoch + days * s::EPOCHS_IN_DAY;
        let (sectors, sectors_with_claims) = match self.claims.get(&sector) {
            Some(claims) => (
                BitField::new(),
                vec![s::SectorClaim {
                    sector_number: sector,
                    maintain_claims: claims.clone(),
                    drop_claims: Vec::new(),
                }],
            ),
            None => (BitField::try_from_bits([sector]).ok()?, Vec::new()),
        };
        self.expirations.insert(sector, new_expiration);
        Some(LifecycleMessage::to_miner(
            s::EXTEND_SECTOR_EXPIRATION2,
            cbor(&s::ExtendSectorExpiration2Params {
                extensions: vec![s::ExpirationExtension2 {
                    deadline,
                    partition,
                    sectors,
                    sectors_with_claims,
                    new_expiration,
                }],
            }),
        ))
    }

    /// A batch of 1–8 sectors, the first holding waiting data now and then: as deal IDs
    /// before direct data onboarding, otherwise as a CommD its pieces are declared against
    /// when it is proven.
    fn pre_commit(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> LifecycleMessage {
        let count = 1 + rng.below(8);
        let mut sectors = Vec::new();
        for i in 0..count {
            let number = self.take_number();
            let pieces = if i == 0 && rng.chance(50) {
                let direct = s::has_direct_onboarding(self.nv);
                // Proven after the challenge delay, and a little later.
                let activation = cx.epoch + s::PRE_COMMIT_CHALLENGE_DELAY + 50;
                self.take_pieces(rng, cx.epoch, activation, ChainEpoch::MAX, |p| {
                    direct || p.deal.is_some()
                })
            } else {
                Vec::new()
            };
            let end = pieces.iter().map(|p| p.end).max().unwrap_or(0);
            let expiration = self
                .expiration(rng, cx.epoch)
                .max(end + (1 + rng.below(10) as ChainEpoch) * s::EPOCHS_IN_DAY);
            let unsealed_cid = (!pieces.is_empty()).then(|| self.comm_d(&pieces)).flatten();
            let deal_ids = if s::has_direct_onboarding(self.nv) {
                Vec::new()
            } else {
                pieces.iter().filter_map(|p| p.deal).collect()
            };
            self.expirations.insert(number, expiration);
            if !pieces.is_empty() {
                self.planned.insert(number, pieces);
            }
            sectors.push(s::SectorPreCommitInfo {
                seal_proof: self.seal_proof,
                sector_number: number,
                sealed_cid: s::sealed_cid(rng.bytes32()),
                seal_rand_epoch: cx.epoch - 1 - rng.below(200) as ChainEpoch,
                deal_ids,
                expiration,
                unsealed_cid,
            });
        }
        LifecycleMessage::to_miner(
            s::PRE_COMMIT_SECTOR_BATCH2,
            cbor(&s::PreCommitSectorBatchParams2 { sectors }),
        )
    }

    /// Proves sectors whose challenge delay has passed, in a form the version accepts (sectors
    /// with data, under direct data onboarding, only in a form that declares their pieces).
    fn prove(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<LifecycleMessage> {
        let mut form = *rng.pick(s::prove_forms(self.nv));
        let declares_pieces = matches!(form, ProveForm::Sectors3 | ProveForm::Sectors3Aggregate);
        let direct = s::has_direct_onboarding(self.nv);
        let ready: Vec<Pending> = self
            .pending
            .iter()
            .filter(|p| p.epoch + s::PRE_COMMIT_CHALLENGE_DELAY < cx.epoch)
            .filter(|p| p.pieces.is_empty() || declares_pieces || !direct)
            .cloned()
            .collect();
        if ready.is_empty() {
            return None;
        }
        let aggregated = matches!(form, ProveForm::Aggregate | ProveForm::Sectors3Aggregate);
        if aggregated && ready.len() < s::MIN_AGGREGATED_SECTORS {
            form = if s::prove_forms(self.nv).contains(&ProveForm::Sectors3) {
                ProveForm::Sectors3
            } else {
                ProveForm::Single
            };
        }
        let chosen: Vec<Pending> = match form {
            ProveForm::Single => vec![ready[rng.below(ready.len() as u64) as usize].clone()],
            _ => ready.into_iter().take(12).collect(),
        };
        self.pending
            .retain(|p| !chosen.iter().any(|c| c.number == p.number));
        for sector in &chosen {
            self.activated(sector.number, &sector.pieces);
        }
        let numbers = || chosen.iter().map(|p| p.number);
        let params = match form {
            ProveForm::Single => cbor(&s::ProveCommitSectorParams {
                sector_number: chosen[0].number,
                proof: RawBytes::new(proof_bytes(rng, 1920)),
            }),
            ProveForm::Aggregate => cbor(&s::ProveCommitAggregateParams {
                sector_numbers: BitField::try_from_bits(numbers()).ok()?,
                aggregate_proof: RawBytes::new(proof_bytes(rng, 4096)),
            }),
            ProveForm::Sectors3 | ProveForm::Sectors3Aggregate => {
                let aggregate = form == ProveForm::Sectors3Aggregate;
                cbor(&s::ProveCommitSectors3Params {
                    sector_activations: chosen
                        .iter()
                        .map(|p| s::SectorActivationManifest {
                            sector_number: p.number,
                            pieces: p.pieces.iter().map(Piece::manifest).collect(),
                        })
                        .collect(),
                    sector_proofs: if aggregate {
                        Vec::new()
                    } else {
                        numbers()
                            .map(|_| RawBytes::new(proof_bytes(rng, 1920)))
                            .collect()
                    },
                    aggregate_proof: RawBytes::new(if aggregate {
                        proof_bytes(rng, 4096)
                    } else {
                        Vec::new()
                    }),
                    aggregate_proof_type: aggregate
                        .then_some(RegisteredAggregateProof::SnarkPackV2),
                    require_activation_success: rng.chance(50),
                    require_notification_success: rng.chance(50),
                })
            }
        };
        let method = match form {
            ProveForm::Single => s::PROVE_COMMIT_SECTOR,
            ProveForm::Aggregate => s::PROVE_COMMIT_AGGREGATE,
            ProveForm::Sectors3 | ProveForm::Sectors3Aggregate => s::PROVE_COMMIT_SECTORS3,
        };
        Some(LifecycleMessage::to_miner(method, params))
    }

    /// Puts waiting data into one active committed-capacity sector (`ProveReplicaUpdates3`):
    /// deals ending before the sector expires, allocations.
    fn update(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<LifecycleMessage> {
        let candidates: Vec<(u64, u64, u64, ChainEpoch)> = partitions(cx.view)
            .filter(|&(d, _)| cx.view.is_mutable(d, cx.epoch))
            .flat_map(|(d, p)| {
                let active = cx.view.deadlines[d as usize].partitions[p as usize].active();
                active
                    .iter()
                    .filter_map(|sector| {
                        let expiration = *self.expirations.get(&sector)?;
                        (!self.with_data.contains(&sector)).then_some((d, p, sector, expiration))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let (deadline, partition, sector, expiration) = *rng.pick(&candidates);
        let pieces = self.take_pieces(rng, cx.epoch, cx.epoch, expiration, |_| true);
        if pieces.is_empty() {
            return None;
        }
        self.activated(sector, &pieces);
        let update_proofs_type = self.seal_proof.registered_update_proof().ok()?;
        Some(LifecycleMessage::to_miner(
            s::PROVE_REPLICA_UPDATES3,
            cbor(&s::ProveReplicaUpdates3Params {
                sector_updates: vec![s::SectorUpdateManifest {
                    sector,
                    deadline,
                    partition,
                    new_sealed_cid: s::sealed_cid(rng.bytes32()),
                    pieces: pieces.iter().map(Piece::manifest).collect(),
                }],
                sector_proofs: vec![RawBytes::new(proof_bytes(rng, 1920))],
                aggregate_proof: RawBytes::default(),
                update_proofs_type,
                aggregate_proof_type: None,
                require_activation_success: true,
                require_notification_success: rng.chance(50),
            }),
        ))
    }

    /// Settles the payments of up to eight of the provider's activated deals.
    fn settle(&self, rng: &mut SplitMix64) -> Option<LifecycleMessage> {
        if self.deals.is_empty() {
            return None;
        }
        let ids = (0..1 + rng.below(8)).map(|_| *rng.pick(&self.deals));
        Some(LifecycleMessage {
            to: Recipient::Market,
            method: frc42_method("SettleDealPayments"),
            params: cbor(&BitField::try_from_bits(ids).ok()?),
        })
    }

    /// Records what proving or updating `sector` with `pieces` is meant to do: data stored,
    /// claims made, deals activated.
    fn activated(&mut self, sector: u64, pieces: &[Piece]) {
        if pieces.is_empty() {
            return;
        }
        self.with_data.insert(sector);
        let claims: Vec<u64> = pieces
            .iter()
            .filter_map(|p| p.allocation)
            .map(|a| a.1)
            .collect();
        if !claims.is_empty() {
            self.claims.insert(sector, claims);
        }
        self.deals.extend(pieces.iter().filter_map(|p| p.deal));
    }

    /// Up to [`MAX_PIECES_PER_SECTOR`] waiting pieces that `fits`, may still be activated at
    /// `activation` and end by `expiration`, largest first (so each starts aligned). Pieces
    /// that can no longer be activated at `epoch` are dropped (the market or the registry
    /// cleans them up).
    fn take_pieces(
        &mut self,
        rng: &mut SplitMix64,
        epoch: ChainEpoch,
        activation: ChainEpoch,
        expiration: ChainEpoch,
        fits: impl Fn(&Piece) -> bool,
    ) -> Vec<Piece> {
        self.waiting.retain(|p| p.activate_by > epoch);
        let want = 1 + rng.below(MAX_PIECES_PER_SECTOR as u64) as usize;
        let mut taken = Vec::new();
        self.waiting.retain(|p| {
            let take =
                taken.len() < want && p.activate_by >= activation && p.end <= expiration && fits(p);
            if take {
                taken.push(p.clone());
            }
            !take
        });
        taken.sort_by_key(|p| std::cmp::Reverse(p.size));
        taken
    }

    /// The unsealed CID (CommD) of a sector holding `pieces`.
    fn comm_d(&self, pieces: &[Piece]) -> Option<Cid> {
        let infos: Vec<PieceInfo> = pieces
            .iter()
            .map(|p| PieceInfo {
                size: PaddedPieceSize(p.size),
                cid: p.cid,
            })
            .collect();
        compute_unsealed_sector_cid(self.seal_proof, &infos).ok()
    }

    /// 1–4 sectors onboarded at once with a non-interactive PoRep, into a deadline that may
    /// change.
    fn ni_porep(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> LifecycleMessage {
        let open = cx.view.deadline_at(cx.epoch).index;
        let proving_deadline = (open + 2 + rng.below(DEADLINES - 2)) % DEADLINES;
        let sectors = (0..1 + rng.below(4))
            .map(|_| {
                let number = self.take_number();
                let expiration = self.expiration(rng, cx.epoch);
                self.expirations.insert(number, expiration);
                s::SectorNIActivationInfo {
                    sealing_number: number,
                    sealer_id: self.miner_id,
                    sealed_cid: s::sealed_cid(rng.bytes32()),
                    sector_number: number,
                    seal_rand_epoch: cx.epoch - 1 - rng.below(500) as ChainEpoch,
                    expiration,
                }
            })
            .collect();
        LifecycleMessage::to_miner(
            s::PROVE_COMMIT_SECTORS_NI,
            cbor(&s::ProveCommitSectorsNIParams {
                sectors,
                aggregate_proof: RawBytes::new(proof_bytes(rng, 4096)),
                seal_proof_type: RegisteredSealProof::StackedDRG32GiBV1P2_Feat_NiPoRep,
                aggregate_proof_type: RegisteredAggregateProof::SnarkPackV2,
                proving_deadline,
                require_activation_success: true,
            }),
        )
    }

    /// An active sector in a partition whose deadline may change at the tipset's epoch.
    fn pick_active(&self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<(u64, u64, u64)> {
        let candidates: Vec<(u64, u64, BitField)> = partitions(cx.view)
            .filter(|&(d, _)| cx.view.is_mutable(d, cx.epoch))
            .filter_map(|(d, p)| {
                let active = cx.view.deadlines[d as usize].partitions[p as usize].active();
                (!active.is_empty()).then_some((d, p, active))
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let (d, p, active) = rng.pick(&candidates);
        Some((*d, *p, pick_bit(rng, active)?))
    }

    fn take_number(&mut self) -> u64 {
        let n = self.next_sector;
        self.next_sector += 1;
        n
    }

    /// An expiration 1–30 days past the shortest commitment counted from the latest activation
    /// a pre-commit allows (the actors check it so).
    fn expiration(&self, rng: &mut SplitMix64, epoch: ChainEpoch) -> ChainEpoch {
        epoch
            + s::MAX_PROVE_COMMIT_DURATION
            + s::MIN_SECTOR_EXPIRATION
            + (1 + rng.below(30) as ChainEpoch) * s::EPOCHS_IN_DAY
    }
}

/// Every (deadline, partition) of a miner.
fn partitions(view: &MinerView) -> impl Iterator<Item = (u64, u64)> + '_ {
    view.deadlines
        .iter()
        .enumerate()
        .flat_map(|(d, dl)| (0..dl.partitions.len() as u64).map(move |p| (d as u64, p)))
}

/// A random set bit of `bits`.
fn pick_bit(rng: &mut SplitMix64, bits: &BitField) -> Option<u64> {
    let count = bits.len();
    if count == 0 {
        return None;
    }
    bits.iter().nth(rng.below(count) as usize)
}

fn proof_bytes(rng: &mut SplitMix64, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// The randomness a window PoSt commits to: the actors' draw (Blake2b-256 over the domain tag
/// `PoStChainCommit`, the chain randomness digest, the epoch, no entropy) at `epoch`.
fn post_chain_commit(digest: &[u8; 32], epoch: ChainEpoch) -> [u8; 32] {
    const POST_CHAIN_COMMIT: i64 = 9;
    let input = [
        &POST_CHAIN_COMMIT.to_be_bytes()[..],
        digest,
        &epoch.to_be_bytes(),
    ]
    .concat();
    Code::Blake2b256
        .digest(&input)
        .digest()
        .try_into()
        .expect("blake2b-256 digests are 32 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::market::piece_cid;

    fn piece(size: u64, end: ChainEpoch, deal: Option<u64>) -> Piece {
        Piece {
            cid: piece_cid([size.trailing_zeros() as u8; 32]),
            size,
            deal,
            allocation: None,
            end,
            activate_by: 50,
        }
    }

    #[test]
    fn pieces_are_taken_largest_first_and_only_if_they_end_and_start_in_time() {
        let mut lifecycle = Lifecycle::new(28, 1000, false);
        let late = Piece {
            activate_by: 20,
            ..piece(1 << 22, 100, Some(4))
        };
        for p in [
            piece(1 << 20, 100, Some(1)),
            piece(1 << 30, 100, Some(2)),
            piece(1 << 25, 500, Some(3)),
            late,
        ] {
            lifecycle.agreed(p);
        }
        let mut rng = SplitMix64::new(1);
        let mut taken = Vec::new();
        while taken.len() < 2 {
            taken = lifecycle.take_pieces(&mut rng, 10, 30, 200, |_| true);
            for p in taken.iter().rev() {
                lifecycle.agreed(p.clone());
            }
        }
        assert_eq!(taken.len(), 2, "{taken:?}");
        assert!(taken[0].size > taken[1].size);
        assert!(
            taken.iter().all(|p| p.end <= 200),
            "the deal ending at 500 stays"
        );
        assert_eq!(lifecycle.waiting.len(), 4, "the late deal waits");
        lifecycle.take_pieces(&mut rng, 20, 30, 0, |_| true);
        assert_eq!(lifecycle.waiting.len(), 3, "the late deal has expired");
    }

    #[test]
    fn a_sector_filled_by_one_piece_has_the_piece_as_its_comm_d() {
        let lifecycle = Lifecycle::new(28, 1000, false);
        let whole = piece(32 << 30, 0, None);
        assert_eq!(
            lifecycle.comm_d(std::slice::from_ref(&whole)),
            Some(whole.cid)
        );
        let half = piece(16 << 30, 0, None);
        assert_ne!(
            lifecycle.comm_d(std::slice::from_ref(&half)),
            Some(half.cid)
        );
    }

    #[test]
    fn a_deal_piece_notifies_the_market_and_an_allocation_piece_claims() {
        let mut p = piece(1 << 20, 0, Some(7));
        let deal = p.manifest();
        assert_eq!(deal.notify.len(), 1);
        assert_eq!(
            deal.notify[0].address,
            Address::new_id(STORAGE_MARKET_ACTOR_ID)
        );
        assert_eq!(deal.notify[0].payload.bytes(), cbor(&7u64));
        assert!(deal.verified_allocation_key.is_none());
        p.deal = None;
        p.allocation = Some((100, 3));
        let claim = p.manifest();
        assert!(claim.notify.is_empty());
        let key = claim.verified_allocation_key.expect("a claim");
        assert_eq!((key.client, key.id), (100, 3));
    }
}

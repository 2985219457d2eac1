//! A storage provider's sector business, decided epoch by epoch from its state as a provider's
//! node would: pre-commit batches, prove-commits in every form the network version accepts
//! (one by one through the power actor's cron, aggregated, `ProveCommitSectors3` with per-sector
//! or aggregate proofs), NI-PoRep onboarding, a window PoSt for each deadline with live sectors
//! (some deadlines missed on purpose, some sectors skipped, so faults arise and cron detects
//! them), recoveries and fault declarations, extensions and terminations. Proofs are made-up
//! bytes: both engines accept them, as in conformance runs.

use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    PoStProof, RegisteredAggregateProof, RegisteredPoStProof, RegisteredSealProof,
};
use fvm_shared::MethodNum;
use ifvm_kernel::Externs;
use multihash_codetable::{Code, MultihashDigest};

use super::miner_state::{MinerView, DEADLINES};
use crate::generate::params::cbor;
use crate::generate::random::SplitMix64;
use crate::generate::sectors::{self as s, ProveForm};

/// The most sectors a provider keeps live or pending.
const MAX_SECTORS: usize = 240;
/// Percent of deadline windows a provider proves (the rest are missed: faults).
const POST_PERCENT: u64 = 75;

/// A message a provider's lifecycle sends (from its worker, to the miner, no value).
pub struct LifecycleMessage {
    /// The method.
    pub method: MethodNum,
    /// Its CBOR parameters.
    pub params: Vec<u8>,
}

/// A pre-committed sector not yet proven.
#[derive(Clone, Copy)]
struct Pending {
    number: u64,
    epoch: ChainEpoch,
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
            window: None,
        }
    }

    /// Records sectors a successful `PreCommitSectorBatch2` at `epoch` pre-committed.
    pub fn pre_committed(&mut self, numbers: impl IntoIterator<Item = u64>, epoch: ChainEpoch) {
        self.pending
            .extend(numbers.into_iter().map(|number| Pending { number, epoch }));
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
        Some(LifecycleMessage {
            method: s::SUBMIT_WINDOWED_POST,
            params: cbor(&s::SubmitWindowedPoStParams {
                deadline: dl.index,
                partitions,
                proofs: vec![PoStProof {
                    post_proof: RegisteredPoStProof::StackedDRGWindow32GiBV1P1,
                    proof_bytes: proof_bytes(rng, 192),
                }],
                chain_commit_epoch: commit_epoch,
                chain_commit_rand: Randomness(post_chain_commit(&digest, commit_epoch).to_vec()),
            }),
        })
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
        Some(LifecycleMessage {
            method: s::DECLARE_FAULTS_RECOVERED,
            params: cbor(&(vec![s::PartitionSectors {
                deadline,
                partition,
                sectors,
            }],)),
        })
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
        Some(LifecycleMessage {
            method,
            params: cbor(&(vec![s::PartitionSectors {
                deadline,
                partition,
                sectors: BitField::try_from_bits([sector]).ok()?,
            }],)),
        })
    }

    /// Extends one active sector's commitment.
    fn extend(&self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<LifecycleMessage> {
        let (deadline, partition, sector) = self.pick_active(rng, cx)?;
        let days = 200 + rng.below(300) as ChainEpoch;
        Some(LifecycleMessage {
            method: s::EXTEND_SECTOR_EXPIRATION2,
            params: cbor(&s::ExtendSectorExpiration2Params {
                extensions: vec![s::ExpirationExtension2 {
                    deadline,
                    partition,
                    sectors: BitField::try_from_bits([sector]).ok()?,
                    sectors_with_claims: Vec::new(),
                    new_expiration: cx.epoch + days * s::EPOCHS_IN_DAY,
                }],
            }),
        })
    }

    /// A batch of 1–8 committed-capacity sectors.
    fn pre_commit(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> LifecycleMessage {
        let count = 1 + rng.below(8);
        let sectors = (0..count)
            .map(|_| s::SectorPreCommitInfo {
                seal_proof: self.seal_proof,
                sector_number: self.take_number(),
                sealed_cid: s::sealed_cid(seed32(rng)),
                seal_rand_epoch: cx.epoch - 1 - rng.below(200) as ChainEpoch,
                deal_ids: Vec::new(),
                expiration: self.expiration(rng, cx.epoch),
                unsealed_cid: None,
            })
            .collect();
        LifecycleMessage {
            method: s::PRE_COMMIT_SECTOR_BATCH2,
            params: cbor(&s::PreCommitSectorBatchParams2 { sectors }),
        }
    }

    /// Proves sectors whose challenge delay has passed, in a form the version accepts.
    fn prove(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> Option<LifecycleMessage> {
        let ready: Vec<u64> = self
            .pending
            .iter()
            .filter(|p| p.epoch + s::PRE_COMMIT_CHALLENGE_DELAY < cx.epoch)
            .map(|p| p.number)
            .collect();
        if ready.is_empty() {
            return None;
        }
        let mut form = *rng.pick(s::prove_forms(self.nv));
        let aggregated = matches!(form, ProveForm::Aggregate | ProveForm::Sectors3Aggregate);
        if aggregated && ready.len() < s::MIN_AGGREGATED_SECTORS {
            form = if s::prove_forms(self.nv).contains(&ProveForm::Sectors3) {
                ProveForm::Sectors3
            } else {
                ProveForm::Single
            };
        }
        let chosen: Vec<u64> = match form {
            ProveForm::Single => vec![ready[rng.below(ready.len() as u64) as usize]],
            _ => ready.iter().copied().take(12).collect(),
        };
        self.pending.retain(|p| !chosen.contains(&p.number));
        let params = match form {
            ProveForm::Single => cbor(&s::ProveCommitSectorParams {
                sector_number: chosen[0],
                proof: RawBytes::new(proof_bytes(rng, 1920)),
            }),
            ProveForm::Aggregate => cbor(&s::ProveCommitAggregateParams {
                sector_numbers: BitField::try_from_bits(chosen.iter().copied()).ok()?,
                aggregate_proof: RawBytes::new(proof_bytes(rng, 4096)),
            }),
            ProveForm::Sectors3 | ProveForm::Sectors3Aggregate => {
                let aggregate = form == ProveForm::Sectors3Aggregate;
                cbor(&s::ProveCommitSectors3Params {
                    sector_activations: chosen
                        .iter()
                        .map(|&sector_number| s::SectorActivationManifest {
                            sector_number,
                            pieces: Vec::new(),
                        })
                        .collect(),
                    sector_proofs: if aggregate {
                        Vec::new()
                    } else {
                        chosen
                            .iter()
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
                    require_notification_success: false,
                })
            }
        };
        let method = match form {
            ProveForm::Single => s::PROVE_COMMIT_SECTOR,
            ProveForm::Aggregate => s::PROVE_COMMIT_AGGREGATE,
            ProveForm::Sectors3 | ProveForm::Sectors3Aggregate => s::PROVE_COMMIT_SECTORS3,
        };
        Some(LifecycleMessage { method, params })
    }

    /// 1–4 sectors onboarded at once with a non-interactive PoRep, into a deadline that may
    /// change.
    fn ni_porep(&mut self, rng: &mut SplitMix64, cx: &Context<'_>) -> LifecycleMessage {
        let open = cx.view.deadline_at(cx.epoch).index;
        let proving_deadline = (open + 2 + rng.below(DEADLINES - 2)) % DEADLINES;
        let sectors = (0..1 + rng.below(4))
            .map(|_| {
                let number = self.take_number();
                s::SectorNIActivationInfo {
                    sealing_number: number,
                    sealer_id: self.miner_id,
                    sealed_cid: s::sealed_cid(seed32(rng)),
                    sector_number: number,
                    seal_rand_epoch: cx.epoch - 1 - rng.below(500) as ChainEpoch,
                    expiration: self.expiration(rng, cx.epoch),
                }
            })
            .collect();
        LifecycleMessage {
            method: s::PROVE_COMMIT_SECTORS_NI,
            params: cbor(&s::ProveCommitSectorsNIParams {
                sectors,
                aggregate_proof: RawBytes::new(proof_bytes(rng, 4096)),
                seal_proof_type: RegisteredSealProof::StackedDRG32GiBV1P2_Feat_NiPoRep,
                aggregate_proof_type: RegisteredAggregateProof::SnarkPackV2,
                proving_deadline,
                require_activation_success: true,
            }),
        }
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

fn seed32(rng: &mut SplitMix64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for chunk in out.chunks_exact_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    out
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

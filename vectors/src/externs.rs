//! Externs for vector runs: randomness replayed from the vector.

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;
use ifvm_kernel::Externs;

use crate::schema::{RandomnessKind, RandomnessMatch};

/// What ref-fvm's conformance runner returns for randomness a vector did not record.
const FALLBACK_RANDOMNESS: [u8; 32] = *b"i_am_random_____i_am_random_____";

/// Replays a vector's recorded randomness; consensus faults are never found (as in ref-fvm's
/// conformance runs); tipset CIDs are not recorded, so asking for one fails.
pub struct ReplayExterns {
    recorded: Vec<RandomnessMatch>,
}

/// The vector does not record what was asked.
#[derive(Debug, thiserror::Error)]
#[error("test vectors do not record tipset CIDs (asked for epoch {0})")]
pub struct NotRecorded(ChainEpoch);

impl ReplayExterns {
    /// Externs replaying `recorded`.
    pub fn new(recorded: Vec<RandomnessMatch>) -> Self {
        Self { recorded }
    }

    fn randomness(&self, kind: RandomnessKind, epoch: ChainEpoch) -> [u8; 32] {
        self.recorded
            .iter()
            .find(|r| r.on == (kind, epoch))
            .and_then(|r| r.ret.as_slice().try_into().ok())
            .unwrap_or(FALLBACK_RANDOMNESS)
    }
}

impl Externs for ReplayExterns {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(self.randomness(RandomnessKind::Chain, round))
    }

    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        Ok(self.randomness(RandomnessKind::Beacon, round))
    }

    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<ConsensusFault>, i64)> {
        Ok((None, 0))
    }

    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        Err(NotRecorded(epoch).into())
    }
}

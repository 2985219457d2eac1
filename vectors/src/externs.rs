//! Externs for vector runs: randomness replayed from the vector (and, for what it does not
//! record, the policy of [`Unrecorded`]), and a record of what was served.

use std::collections::BTreeMap;
use std::sync::Mutex;

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;
use ifvm_kernel::Externs;
use multihash_codetable::{Code, MultihashDigest};

use crate::schema::{RandomnessKind, RandomnessMatch};

/// What ref-fvm's conformance runner returns for randomness a vector did not record.
const FALLBACK_RANDOMNESS: [u8; 32] = *b"i_am_random_____i_am_random_____";

/// The domain tag of [`Unrecorded::Derived`] randomness.
const DERIVED_RANDOMNESS_TAG: &[u8] = b"ifvm generated chain randomness";

/// What the externs serve for randomness the vector does not record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unrecorded {
    /// ref-fvm's conformance runner's constant, as conformance runs serve it.
    #[default]
    Fallback,
    /// An error, to check that a vector records every randomness its messages draw.
    Refuse,
    /// The randomness of the generator's simulated chain: blake2b-256 of a domain tag, the kind
    /// and the epoch, so each draw differs from the others and from the fallback (a driver that
    /// ignored a vector's record would get other results). The same on every architecture.
    Derived,
}

/// Replays a vector's recorded randomness, serves what it does not record as [`Unrecorded`]
/// says, and records every randomness it served; consensus faults are never found (as in
/// ref-fvm's conformance runs); tipset CIDs are not recorded, so asking for one fails.
pub struct ReplayExterns {
    recorded: Vec<RandomnessMatch>,
    unrecorded: Unrecorded,
    served: Mutex<BTreeMap<(RandomnessKind, ChainEpoch), [u8; 32]>>,
}

/// The vector does not record what was asked.
#[derive(Debug, thiserror::Error)]
pub enum NotRecorded {
    /// Test vectors do not record tipset CIDs.
    #[error("test vectors do not record tipset CIDs (asked for epoch {0})")]
    TipsetCid(ChainEpoch),
    /// A replay that refuses unrecorded randomness was asked for randomness the vector lacks.
    #[error("the vector records no {0:?} randomness for epoch {1}")]
    Randomness(RandomnessKind, ChainEpoch),
}

impl ReplayExterns {
    /// Externs replaying `recorded`, and serving anything else as `unrecorded` says.
    pub fn new(recorded: Vec<RandomnessMatch>, unrecorded: Unrecorded) -> Self {
        Self {
            recorded,
            unrecorded,
            served: Mutex::default(),
        }
    }

    /// Every randomness served so far (recorded or fallback), by kind and epoch.
    pub fn served(&self) -> Vec<RandomnessMatch> {
        self.served
            .lock()
            .expect("no panic while recording")
            .iter()
            .map(|(&on, ret)| RandomnessMatch {
                on,
                ret: ret.to_vec(),
            })
            .collect()
    }

    fn randomness(&self, kind: RandomnessKind, epoch: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        let recorded = self
            .recorded
            .iter()
            .find(|r| r.on == (kind, epoch))
            .and_then(|r| r.ret.as_slice().try_into().ok());
        let value = match recorded {
            Some(value) => value,
            None => match self.unrecorded {
                Unrecorded::Fallback => FALLBACK_RANDOMNESS,
                Unrecorded::Refuse => return Err(NotRecorded::Randomness(kind, epoch).into()),
                Unrecorded::Derived => derived_randomness(kind, epoch),
            },
        };
        self.served
            .lock()
            .expect("no panic while recording")
            .insert((kind, epoch), value);
        Ok(value)
    }
}

/// [`Unrecorded::Derived`]'s value for `kind` at `epoch`.
fn derived_randomness(kind: RandomnessKind, epoch: ChainEpoch) -> [u8; 32] {
    let kind_tag: &[u8] = match kind {
        RandomnessKind::Chain => b"chain",
        RandomnessKind::Beacon => b"beacon",
    };
    let input = [DERIVED_RANDOMNESS_TAG, kind_tag, &epoch.to_be_bytes()].concat();
    Code::Blake2b256
        .digest(&input)
        .digest()
        .try_into()
        .expect("blake2b-256 digests are 32 bytes")
}

impl Externs for ReplayExterns {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.randomness(RandomnessKind::Chain, round)
    }

    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.randomness(RandomnessKind::Beacon, round)
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
        Err(NotRecorded::TipsetCid(epoch).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(kind: RandomnessKind, epoch: ChainEpoch, byte: u8) -> RandomnessMatch {
        RandomnessMatch {
            on: (kind, epoch),
            ret: vec![byte; 32],
        }
    }

    #[test]
    fn replays_recorded_randomness_and_records_what_it_served() {
        let e = ReplayExterns::new(
            vec![recorded(RandomnessKind::Beacon, 7, 1)],
            Unrecorded::Fallback,
        );
        assert_eq!(e.get_beacon_randomness(7).unwrap(), [1; 32]);
        assert_eq!(e.get_chain_randomness(7).unwrap(), FALLBACK_RANDOMNESS);
        assert_eq!(e.get_beacon_randomness(7).unwrap(), [1; 32]);
        let served: Vec<_> = e.served().into_iter().map(|r| (r.on, r.ret)).collect();
        assert_eq!(
            served,
            vec![
                ((RandomnessKind::Chain, 7), FALLBACK_RANDOMNESS.to_vec()),
                ((RandomnessKind::Beacon, 7), vec![1; 32]),
            ]
        );
    }

    #[test]
    fn a_refusing_replay_refuses_unrecorded_randomness() {
        let e = ReplayExterns::new(
            vec![recorded(RandomnessKind::Chain, 3, 2)],
            Unrecorded::Refuse,
        );
        assert_eq!(e.get_chain_randomness(3).unwrap(), [2; 32]);
        let err = e.get_chain_randomness(4).unwrap_err();
        assert!(matches!(
            err.downcast_ref::<NotRecorded>(),
            Some(NotRecorded::Randomness(RandomnessKind::Chain, 4))
        ));
        assert!(e.get_beacon_randomness(3).is_err());
        assert_eq!(e.served().len(), 1, "refused requests are not served");
    }

    #[test]
    fn derived_randomness_differs_by_kind_and_epoch_and_from_the_fallback() {
        let e = ReplayExterns::new(
            vec![recorded(RandomnessKind::Chain, 5, 3)],
            Unrecorded::Derived,
        );
        assert_eq!(
            e.get_chain_randomness(5).unwrap(),
            [3; 32],
            "recorded first"
        );
        let values = [
            e.get_chain_randomness(6).unwrap(),
            e.get_beacon_randomness(6).unwrap(),
            e.get_beacon_randomness(7).unwrap(),
            FALLBACK_RANDOMNESS,
        ];
        let distinct: std::collections::BTreeSet<_> = values.iter().collect();
        assert_eq!(distinct.len(), values.len());
        assert_eq!(
            ReplayExterns::new(Vec::new(), Unrecorded::Derived)
                .get_beacon_randomness(7)
                .unwrap(),
            values[2],
            "derived from kind and epoch alone"
        );
    }
}

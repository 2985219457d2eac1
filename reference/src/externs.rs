//! Any ifvm [`Externs`] in ref-fvm 2's, 3's and 4's terms, so every engine sees the same
//! randomness, faults and tipset CIDs.

use cid::Cid;
use fvm_ipld_encoding::{from_slice, to_vec};
use fvm_shared3::clock::ChainEpoch;
use ifvm_kernel::Externs;

/// Wraps an ifvm [`Externs`] for ref-fvm 2, 3 and 4.
pub struct RefExterns<E>(pub E);

impl<E: Externs> fvm3::externs::Externs for RefExterns<E> {}

impl<E: Externs> fvm3::externs::Rand for RefExterns<E> {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.0.get_chain_randomness(round)
    }
    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.0.get_beacon_randomness(round)
    }
}

impl<E: Externs> fvm3::externs::Consensus for RefExterns<E> {
    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared3::consensus::ConsensusFault>, i64)> {
        let (fault, gas) = self.0.verify_consensus_fault(h1, h2, extra)?;
        let fault = match fault {
            Some(f) => Some(fvm_shared3::consensus::ConsensusFault {
                target: from_slice(&to_vec(&f.target)?)?,
                epoch: f.epoch,
                fault_type: num_traits::FromPrimitive::from_u8(f.fault_type as u8)
                    .ok_or_else(|| anyhow::anyhow!("unknown fault type"))?,
            }),
            None => None,
        };
        Ok((fault, gas))
    }
}

impl<E: Externs> fvm3::externs::Chain for RefExterns<E> {
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        self.0.get_tipset_cid(epoch)
    }
}

impl<E: Externs> fvm4::externs::Externs for RefExterns<E> {}

impl<E: Externs> fvm4::externs::Rand for RefExterns<E> {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.0.get_chain_randomness(round)
    }
    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.0.get_beacon_randomness(round)
    }
}

/// ref-fvm 4 and ifvm share `fvm_shared` 4, so faults pass through unchanged.
impl<E: Externs> fvm4::externs::Consensus for RefExterns<E> {
    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared::consensus::ConsensusFault>, i64)> {
        self.0.verify_consensus_fault(h1, h2, extra)
    }
}

impl<E: Externs> fvm4::externs::Chain for RefExterns<E> {
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid> {
        self.0.get_tipset_cid(epoch)
    }
}

impl<E: Externs> fvm2::externs::Externs for RefExterns<E> {}

impl<E: Externs> fvm2::externs::Rand for RefExterns<E> {
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.0.get_chain_randomness(round)
    }
    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        self.0.get_beacon_randomness(round)
    }
}

impl<E: Externs> fvm2::externs::Consensus for RefExterns<E> {
    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<(Option<fvm_shared2::consensus::ConsensusFault>, i64)> {
        let (fault, gas) = self.0.verify_consensus_fault(h1, h2, extra)?;
        let fault = match fault {
            Some(f) => Some(fvm_shared2::consensus::ConsensusFault {
                target: from_slice(&to_vec(&f.target)?)?,
                epoch: f.epoch,
                fault_type: num_traits::FromPrimitive::from_u8(f.fault_type as u8)
                    .ok_or_else(|| anyhow::anyhow!("unknown fault type"))?,
            }),
            None => None,
        };
        Ok((fault, gas))
    }
}

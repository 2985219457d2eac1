//! What the VM needs from the node it runs in.

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;

/// The chain and consensus services a node provides (as ref-fvm's `Externs`). Errors are
/// reported to actors as illegal arguments (randomness, consensus faults) or treated as fatal
/// (tipset CIDs), as in ref-fvm.
pub trait Externs {
    /// The ticket randomness digest for `round`.
    fn get_chain_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]>;

    /// The beacon randomness digest for `round`.
    fn get_beacon_randomness(&self, round: ChainEpoch) -> anyhow::Result<[u8; 32]>;

    /// Checks two block headers (and an optional extra one) for a consensus fault; returns the
    /// fault, if any, and the gas the check cost the node.
    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> anyhow::Result<(Option<ConsensusFault>, i64)>;

    /// The CID of the tipset at `epoch`.
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> anyhow::Result<Cid>;
}

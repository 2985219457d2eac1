//! What the simulation reads of a storage provider's state to decide its next messages, as a
//! provider's node reads it: the proving-period offset, and per deadline the partitions' sectors,
//! faults, recoveries and terminations, and which partitions have been proven. The miner
//! state's layout (the fields read here) is the same in actors v12–v18; fields are read by
//! position from the generic IPLD form, so no actors crate is needed. The market's count of
//! activated deals is read the same way.

use cid::Cid;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{from_slice, to_vec};
use fvm_shared::clock::ChainEpoch;
use ipld_core::ipld::Ipld;

/// The miner state's `proving_period_start` (its field 10).
const STATE_PROVING_PERIOD_START: usize = 10;
/// The miner state's `deadlines` (field 12): the CID of `Deadlines { due: [Cid; 48] }`.
const STATE_DEADLINES: usize = 12;
/// A deadline's `partitions` (field 0): an AMT of partitions.
const DEADLINE_PARTITIONS: usize = 0;
/// A deadline's `partitions_posted` (field 2).
const DEADLINE_PARTITIONS_POSTED: usize = 2;
/// A partition's `sectors`, `unproven`, `faults`, `recoveries` and `terminated` (fields 0–4).
const PARTITION_SECTORS: usize = 0;
const PARTITION_UNPROVEN: usize = 1;
const PARTITION_FAULTS: usize = 2;
const PARTITION_RECOVERIES: usize = 3;
const PARTITION_TERMINATED: usize = 4;

/// The market state's `states` (field 1): an AMT of the activated deals' states.
const MARKET_STATE_DEAL_STATES: usize = 1;

/// Epochs per proving period (mainnet policy: a day).
pub const PROVING_PERIOD: ChainEpoch = 2880;
/// Deadlines per proving period.
pub const DEADLINES: u64 = 48;
/// Epochs per deadline (its challenge window).
pub const CHALLENGE_WINDOW: ChainEpoch = PROVING_PERIOD / DEADLINES as ChainEpoch;
/// How long before a deadline opens faults and recoveries may no longer be declared for it.
pub const FAULT_DECLARATION_CUTOFF: ChainEpoch = 70;

/// The miner state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MinerStateError {
    /// A block is missing.
    #[error("block {0} is missing")]
    Missing(Cid),
    /// A block or field does not have the expected shape.
    #[error("unexpected miner state: {0}")]
    Shape(String),
}

/// One partition, as far as the simulation needs it.
#[derive(Clone, Debug, Default)]
pub struct PartitionView {
    /// Every sector assigned to it (terminated ones included).
    pub sectors: BitField,
    /// Sectors activated but not yet proven by a window PoSt.
    pub unproven: BitField,
    /// Faulty sectors.
    pub faults: BitField,
    /// Faulty sectors declared recovering.
    pub recoveries: BitField,
    /// Terminated sectors.
    pub terminated: BitField,
}

impl PartitionView {
    /// Sectors proven, and neither terminated nor faulty.
    pub fn active(&self) -> BitField {
        &(&(&self.sectors - &self.terminated) - &self.faults) - &self.unproven
    }

    /// Faulty sectors not yet declared recovering (and not terminated).
    pub fn unrecovered_faults(&self) -> BitField {
        &(&self.faults - &self.recoveries) - &self.terminated
    }

    /// Its live (unterminated) sectors.
    pub fn live(&self) -> BitField {
        &self.sectors - &self.terminated
    }
}

/// One deadline's partitions.
#[derive(Clone, Debug, Default)]
pub struct DeadlineView {
    /// Its partitions, by index.
    pub partitions: Vec<PartitionView>,
    /// Partitions proven in the current window.
    pub posted: BitField,
}

/// A miner's deadlines and proving-period offset.
#[derive(Clone, Debug)]
pub struct MinerView {
    /// The proving period start the state records (its offset within a period is fixed).
    pub proving_period_start: ChainEpoch,
    /// The 48 deadlines.
    pub deadlines: Vec<DeadlineView>,
}

/// Where `epoch` falls in a miner's proving period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadlineInfo {
    /// The deadline's index.
    pub index: u64,
    /// The epoch its window opens.
    pub open: ChainEpoch,
}

impl MinerView {
    /// Reads the state whose root is `head`.
    pub fn load(store: &impl Blockstore, head: &Cid) -> Result<Self, MinerStateError> {
        let state = block(store, head)?;
        let state = list(&state)?;
        let proving_period_start = int(field(state, STATE_PROVING_PERIOD_START)?)?;
        let deadlines_root = link(field(state, STATE_DEADLINES)?)?;
        let deadlines = block(store, &deadlines_root)?;
        let due = list(field(list(&deadlines)?, 0)?)?;
        let deadlines = due
            .iter()
            .map(|d| deadline(store, &link(d)?))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            proving_period_start: proving_period_start as ChainEpoch,
            deadlines,
        })
    }

    /// The deadline open at `epoch` (as the actor computes it from the period's offset, which
    /// holds whether or not the miner's deadline cron runs).
    pub fn deadline_at(&self, epoch: ChainEpoch) -> DeadlineInfo {
        let offset = self.proving_period_start.rem_euclid(PROVING_PERIOD);
        let period_start = epoch - (epoch - offset).rem_euclid(PROVING_PERIOD);
        let index = ((epoch - period_start) / CHALLENGE_WINDOW) as u64;
        DeadlineInfo {
            index,
            open: period_start + index as ChainEpoch * CHALLENGE_WINDOW,
        }
    }

    /// Whether faults and recoveries may still be declared at `epoch` for deadline `index`
    /// (its next window opens after the cutoff).
    pub fn accepts_declarations(&self, index: u64, epoch: ChainEpoch) -> bool {
        let current = self.deadline_at(epoch);
        let mut open =
            current.open + (index as ChainEpoch - current.index as ChainEpoch) * CHALLENGE_WINDOW;
        if open + CHALLENGE_WINDOW <= epoch {
            open += PROVING_PERIOD;
        }
        epoch < open - FAULT_DECLARATION_CUTOFF
    }

    /// Whether deadline `index` may be changed at `epoch`: neither the open one nor the next.
    pub fn is_mutable(&self, index: u64, epoch: ChainEpoch) -> bool {
        let current = self.deadline_at(epoch).index;
        index != current && index != (current + 1) % DEADLINES
    }
}

/// How many deals the market whose state root is `head` holds as activated.
pub fn activated_deals(store: &impl Blockstore, head: &Cid) -> Result<u64, MinerStateError> {
    let state = block(store, head)?;
    let root = link(field(list(&state)?, MARKET_STATE_DEAL_STATES)?)?;
    let amt = Amt::<Ipld, _>::load(&root, store)
        .map_err(|e| MinerStateError::Shape(format!("deal states AMT {root}: {e}")))?;
    Ok(amt.count())
}

fn deadline(store: &impl Blockstore, cid: &Cid) -> Result<DeadlineView, MinerStateError> {
    let fields = block(store, cid)?;
    let fields = list(&fields)?;
    let root = link(field(fields, DEADLINE_PARTITIONS)?)?;
    let amt = Amt::<Ipld, _>::load(&root, store)
        .map_err(|e| MinerStateError::Shape(format!("partitions AMT {root}: {e}")))?;
    let mut partitions = Vec::new();
    amt.for_each(|index, p| {
        let fields = list(p).map_err(|e| anyhow::anyhow!(e))?;
        let view = PartitionView {
            sectors: bitfield(field(fields, PARTITION_SECTORS)?)?,
            unproven: bitfield(field(fields, PARTITION_UNPROVEN)?)?,
            faults: bitfield(field(fields, PARTITION_FAULTS)?)?,
            recoveries: bitfield(field(fields, PARTITION_RECOVERIES)?)?,
            terminated: bitfield(field(fields, PARTITION_TERMINATED)?)?,
        };
        partitions.resize(index as usize, PartitionView::default());
        partitions.push(view);
        Ok(())
    })
    .map_err(|e| MinerStateError::Shape(format!("partitions of deadline {cid}: {e}")))?;
    Ok(DeadlineView {
        partitions,
        posted: bitfield(field(fields, DEADLINE_PARTITIONS_POSTED)?)?,
    })
}

fn block(store: &impl Blockstore, cid: &Cid) -> Result<Ipld, MinerStateError> {
    let bytes = store
        .get(cid)
        .map_err(|e| MinerStateError::Shape(format!("reading {cid}: {e}")))?
        .ok_or(MinerStateError::Missing(*cid))?;
    from_slice(&bytes).map_err(|e| MinerStateError::Shape(format!("decoding {cid}: {e}")))
}

fn list(ipld: &Ipld) -> Result<&[Ipld], MinerStateError> {
    match ipld {
        Ipld::List(items) => Ok(items),
        other => Err(MinerStateError::Shape(format!(
            "expected a list, got {other:?}"
        ))),
    }
}

fn field(fields: &[Ipld], index: usize) -> Result<&Ipld, MinerStateError> {
    fields
        .get(index)
        .ok_or_else(|| MinerStateError::Shape(format!("no field {index}")))
}

fn int(ipld: &Ipld) -> Result<i128, MinerStateError> {
    match ipld {
        Ipld::Integer(i) => Ok(*i),
        other => Err(MinerStateError::Shape(format!(
            "expected an integer, got {other:?}"
        ))),
    }
}

fn link(ipld: &Ipld) -> Result<Cid, MinerStateError> {
    match ipld {
        Ipld::Link(cid) => Ok(*cid),
        other => Err(MinerStateError::Shape(format!(
            "expected a link, got {other:?}"
        ))),
    }
}

fn bitfield(ipld: &Ipld) -> Result<BitField, MinerStateError> {
    let bytes = to_vec(ipld).map_err(|e| MinerStateError::Shape(e.to_string()))?;
    from_slice(&bytes).map_err(|e| MinerStateError::Shape(format!("bitfield: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A miner whose proving period starts at `start`, its deadlines empty.
    fn miner(start: ChainEpoch) -> MinerView {
        MinerView {
            proving_period_start: start,
            deadlines: vec![DeadlineView::default(); DEADLINES as usize],
        }
    }

    #[test]
    fn deadlines_follow_the_proving_period_offset() {
        // Any period start with the same offset within a period gives the same deadlines.
        for start in [125, 125 + PROVING_PERIOD, 125 - 2 * PROVING_PERIOD] {
            let m = miner(start);
            let at = |epoch| m.deadline_at(epoch);
            let info = |index, open| DeadlineInfo { index, open };
            assert_eq!(at(125), info(0, 125));
            assert_eq!(at(125 + CHALLENGE_WINDOW - 1), info(0, 125));
            assert_eq!(at(125 + CHALLENGE_WINDOW), info(1, 125 + CHALLENGE_WINDOW));
            assert_eq!(at(124), info(DEADLINES - 1, 125 - CHALLENGE_WINDOW));
            assert_eq!(
                at(125 + 3 * PROVING_PERIOD + 61),
                info(1, 125 + 3 * PROVING_PERIOD + 60)
            );
        }
    }

    #[test]
    fn the_open_and_the_next_deadline_are_immutable() {
        let m = miner(0);
        let epoch = 47 * CHALLENGE_WINDOW + 5;
        assert!(!m.is_mutable(47, epoch));
        assert!(!m.is_mutable(0, epoch), "the next deadline wraps around");
        assert!(m.is_mutable(1, epoch));
        assert!(m.is_mutable(46, epoch));
    }

    #[test]
    fn declarations_close_at_the_cutoff_before_a_window_opens() {
        let m = miner(0);
        let open = 10 * CHALLENGE_WINDOW;
        assert!(m.accepts_declarations(10, open - FAULT_DECLARATION_CUTOFF - 1));
        assert!(!m.accepts_declarations(10, open - FAULT_DECLARATION_CUTOFF));
        // While the window is open, still too late; once it closed, the declaration is for the
        // next period's window.
        assert!(!m.accepts_declarations(10, open));
        assert!(m.accepts_declarations(10, open + CHALLENGE_WINDOW));
        assert!(!m.accepts_declarations(9, open - FAULT_DECLARATION_CUTOFF + CHALLENGE_WINDOW - 1));
    }
}

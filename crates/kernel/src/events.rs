//! Events emitted during a message, kept in layers that revert with their call.

use cid::Cid;
use fvm_ipld_amt::Amt;
use fvm_shared::event::StampedEvent;

use crate::error::{Classify, Fatal, Result};

/// The bit width of the events AMT in receipts.
const EVENTS_AMT_BITWIDTH: u32 = 5;

/// Events of the current message, with one layer per active call.
#[derive(Default)]
pub struct EventsAccumulator {
    events: Vec<StampedEvent>,
    layers: Vec<usize>,
}

impl EventsAccumulator {
    /// Appends an event to the current call's layer.
    pub fn append(&mut self, event: StampedEvent) {
        self.events.push(event)
    }

    /// Starts a call's layer.
    pub fn begin_transaction(&mut self) {
        self.layers.push(self.events.len());
    }

    /// Ends a call's layer, dropping its events (and those of its sub-calls) if `revert`.
    pub fn end_transaction(&mut self, revert: bool) -> Result<()> {
        let idx = self.layers.pop().ok_or_else(|| {
            Fatal::msg("no index in the event accumulator when ending a transaction")
        })?;
        if revert {
            self.events.truncate(idx);
        }
        Ok(())
    }

    /// The message's events and the root of their AMT (none if there are no events).
    pub fn finish(self) -> Result<(Vec<StampedEvent>, Option<Cid>)> {
        if !self.layers.is_empty() {
            return Err(Fatal::msg("events accumulator finished inside a transaction").into());
        }
        let root = if self.events.is_empty() {
            None
        } else {
            // The AMT's blocks are not stored: only its root goes into the receipt.
            Some(
                Amt::new_from_iter_with_bit_width(
                    DiscardBlockstore,
                    EVENTS_AMT_BITWIDTH,
                    self.events.iter(),
                )
                .or_fatal("failed to construct events AMT")?,
            )
        };
        Ok((self.events, root))
    }
}

/// A blockstore that stores nothing.
struct DiscardBlockstore;

impl fvm_ipld_blockstore::Blockstore for DiscardBlockstore {
    fn get(&self, _: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(None)
    }

    fn put_keyed(&self, _: &Cid, _: &[u8]) -> anyhow::Result<()> {
        Ok(())
    }
}

//! Which actors and addresses a message has already paid to access (FIP-0057): the first lookup
//! of an actor costs `OnActorLookup`, the first update `OnActorUpdate`; preloaded actors are free.

use fvm_shared::address::{Address, Protocol};
use fvm_shared::ActorID;

use crate::error::{Fatal, Result};
use crate::history_map::HistoryMap;

/// How much of an actor has been paid for.
#[derive(Debug, Eq, PartialEq, Copy, Clone, PartialOrd, Ord)]
pub enum ActorAccess {
    /// Looked up.
    Read,
    /// Looked up and updated.
    Updated,
}

/// Transactional record of paid-for accesses: a reverted call forgets what it paid for.
pub struct StateAccessTracker {
    actors: HistoryMap<ActorID, ActorAccess>,
    addresses: HistoryMap<Address, ()>,
    layers: Vec<(usize, usize)>,
}

impl StateAccessTracker {
    /// A tracker where `preloaded` actors count as already updated.
    pub fn new(preloaded: &[ActorID]) -> Self {
        let mut actors = HistoryMap::default();
        for &id in preloaded {
            actors.insert(id, ActorAccess::Updated);
        }
        actors.discard_history();
        Self {
            actors,
            addresses: HistoryMap::default(),
            layers: Vec::new(),
        }
    }

    /// Starts a nested transaction.
    pub fn begin_transaction(&mut self) {
        self.layers
            .push((self.actors.history_len(), self.addresses.history_len()));
    }

    /// Ends the innermost transaction, forgetting its accesses if `revert`.
    pub fn end_transaction(&mut self, revert: bool) -> Result<()> {
        let (actors, addresses) = self
            .layers
            .pop()
            .ok_or_else(|| Fatal::msg("state access tracker not in a transaction"))?;
        if revert {
            self.actors.rollback(actors);
            self.addresses.rollback(addresses);
        }
        Ok(())
    }

    /// What has been paid for actor `id`.
    pub fn actor(&self, id: ActorID) -> Option<ActorAccess> {
        self.actors.get(&id).copied()
    }

    /// Records a lookup of `id` (an update stays an update).
    pub fn record_actor_read(&mut self, id: ActorID) {
        if self.actors.get(&id).is_none() {
            self.actors.insert(id, ActorAccess::Read)
        }
    }

    /// Records an update of `id`.
    pub fn record_actor_update(&mut self, id: ActorID) {
        self.actors.insert(id, ActorAccess::Updated)
    }

    /// True if resolving `addr` is already paid for (ID addresses always are).
    pub fn address_resolved(&self, addr: &Address) -> bool {
        addr.protocol() == Protocol::ID || self.addresses.get(addr).is_some()
    }

    /// Records a resolution of `addr`.
    pub fn record_address_resolved(&mut self, addr: &Address) {
        if addr.protocol() != Protocol::ID {
            self.addresses.insert(*addr, ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverted_accesses_are_forgotten() {
        let mut t = StateAccessTracker::new(&[7]);
        assert_eq!(t.actor(7), Some(ActorAccess::Updated));
        t.begin_transaction();
        t.record_actor_read(101);
        t.record_actor_update(101);
        t.record_actor_read(101);
        assert_eq!(t.actor(101), Some(ActorAccess::Updated));
        t.begin_transaction();
        t.record_actor_read(102);
        let addr = Address::new_secp256k1(&[1; 65]).unwrap();
        t.record_address_resolved(&addr);
        assert!(t.address_resolved(&addr));
        t.end_transaction(true).unwrap();
        assert_eq!(t.actor(102), None);
        assert!(!t.address_resolved(&addr));
        assert!(t.address_resolved(&Address::new_id(5)));
        t.end_transaction(false).unwrap();
        assert_eq!(t.actor(101), Some(ActorAccess::Updated));
        assert!(t.end_transaction(false).is_err());
    }
}

//! The state tree: actors by ID in a HAMT (state-tree version 5, or 4 for ref-fvm 2's networks),
//! with a transactional cache.

use std::cell::RefCell;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_hamt::Hamt;
use fvm_shared::address::{Address, Payload};
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::{StateInfo0, StateRoot, StateTreeVersion};
use fvm_shared::{ActorID, HAMT_BIT_WIDTH};
use ifvm_actors::state::InitState;
use ifvm_actors::INIT_ACTOR_ID;
use multihash_codetable::Code;

use crate::error::{Classify, ExecutionError, Fatal, Result};
use crate::history_map::HistoryMap;
use crate::syscall_error;

/// An actor's entry in the state tree.
#[derive(PartialEq, Eq, Clone, Debug, Serialize_tuple, Deserialize_tuple)]
pub struct ActorState {
    /// The actor's code CID.
    pub code: Cid,
    /// The root of the actor's state.
    pub state: Cid,
    /// The number of messages the actor has sent (accounts) or created (EVM contracts).
    pub sequence: u64,
    /// The actor's balance.
    pub balance: TokenAmount,
    /// The actor's f4 address, if it has one.
    pub delegated_address: Option<Address>,
}

impl ActorState {
    /// A new actor with empty state, no balance and sequence 0.
    pub fn new_empty(code: Cid, delegated_address: Option<Address>) -> Self {
        Self {
            code,
            state: fvm_shared::EMPTY_ARR_CID,
            sequence: 0,
            balance: TokenAmount::default(),
            delegated_address,
        }
    }

    /// Subtracts `amount` (`InsufficientFunds` if the balance is lower).
    pub fn deduct_funds(&mut self, amount: &TokenAmount) -> Result<()> {
        if &self.balance < amount {
            return Err(syscall_error!(InsufficientFunds;
                "when deducting funds ({amount}) from balance ({})", self.balance));
        }
        self.balance -= amount;
        Ok(())
    }

    /// Adds `amount`.
    pub fn deposit_funds(&mut self, amount: &TokenAmount) {
        self.balance += amount;
    }
}

/// An actor as the HAMT stores it: the 5-tuple of state-tree version 5, or the 4-tuple of
/// version 4 (no delegated address).
#[derive(PartialEq, Eq, Clone, Debug)]
struct StoredActor {
    actor: ActorState,
    without_delegated_address: bool,
}

impl serde::Serialize for StoredActor {
    fn serialize<Ser: serde::Serializer>(
        &self,
        s: Ser,
    ) -> std::result::Result<Ser::Ok, Ser::Error> {
        use serde::ser::SerializeTuple;
        if !self.without_delegated_address {
            return self.actor.serialize(s);
        }
        let a = &self.actor;
        let mut t = s.serialize_tuple(4)?;
        t.serialize_element(&a.code)?;
        t.serialize_element(&a.state)?;
        t.serialize_element(&a.sequence)?;
        t.serialize_element(&a.balance)?;
        t.end()
    }
}

impl<'de> serde::Deserialize<'de> for StoredActor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = StoredActor;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an actor: a list of 4 or 5 fields")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<StoredActor, A::Error> {
                use serde::de::Error;
                let missing = || A::Error::invalid_length(0, &self);
                let code = seq.next_element()?.ok_or_else(missing)?;
                let state = seq.next_element()?.ok_or_else(missing)?;
                let sequence = seq.next_element()?.ok_or_else(missing)?;
                let balance = seq.next_element()?.ok_or_else(missing)?;
                let delegated: Option<Option<Address>> = seq.next_element()?;
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::invalid_length(6, &self));
                }
                Ok(StoredActor {
                    without_delegated_address: delegated.is_none(),
                    actor: ActorState {
                        code,
                        state,
                        sequence,
                        balance,
                        delegated_address: delegated.flatten(),
                    },
                })
            }
        }
        d.deserialize_seq(Visitor)
    }
}

#[derive(PartialEq, Eq, Clone, Debug)]
struct CacheEntry {
    dirty: bool,
    actor: Option<ActorState>,
}

struct Layer {
    actors: usize,
    resolved: usize,
}

/// The actor HAMT behind a cache of read and written actors. Writes go to the cache; nested
/// transactions roll the cache back; [`flush`](Self::flush) writes dirty entries to the HAMT.
pub struct StateTree<S> {
    hamt: Hamt<S, StoredActor>,
    version: StateTreeVersion,
    info: Cid,
    actors: RefCell<HistoryMap<ActorID, CacheEntry>>,
    resolved: RefCell<HistoryMap<Address, ActorID>>,
    layers: Vec<Layer>,
}

impl<S: Blockstore> StateTree<S> {
    /// An empty version-5 state tree.
    pub fn new(store: S) -> Result<Self> {
        Self::new_with_version(store, StateTreeVersion::V5)
    }

    /// An empty state tree of `version` (4 or 5).
    pub fn new_with_version(store: S, version: StateTreeVersion) -> Result<Self> {
        if !matches!(version, StateTreeVersion::V4 | StateTreeVersion::V5) {
            return Err(Fatal::msg(format!("unsupported state tree version {version:?}")).into());
        }
        let info = store
            .put_cbor(&StateInfo0::default(), Code::Blake2b256)
            .or_fatal("failed to put state info")?;
        Ok(Self {
            hamt: Hamt::new_with_bit_width(store, HAMT_BIT_WIDTH),
            version,
            info,
            actors: RefCell::default(),
            resolved: RefCell::default(),
            layers: Vec::new(),
        })
    }

    /// The state tree rooted at `root` (versions 4 and 5).
    pub fn new_from_root(store: S, root: &Cid) -> Result<Self> {
        let StateRoot {
            version,
            info,
            actors,
        } = store
            .get_cbor(root)
            .or_fatal("failed to load state tree")?
            .ok_or_else(|| Fatal::msg(format!("failed to find state tree {root}")))?;
        if !matches!(version, StateTreeVersion::V4 | StateTreeVersion::V5) {
            return Err(Fatal::msg(format!("unsupported state tree version {version:?}")).into());
        }
        let hamt = Hamt::load_with_bit_width(&actors, store, HAMT_BIT_WIDTH)
            .or_fatal("failed to load state tree")?;
        Ok(Self {
            hamt,
            version,
            info,
            actors: RefCell::default(),
            resolved: RefCell::default(),
            layers: Vec::new(),
        })
    }

    /// The state-tree version.
    pub fn version(&self) -> StateTreeVersion {
        self.version
    }

    /// The blockstore.
    pub fn store(&self) -> &S {
        self.hamt.store()
    }

    /// The actor with ID `id`, if it exists.
    pub fn get_actor(&self, id: ActorID) -> Result<Option<ActorState>> {
        let mut actors = self.actors.borrow_mut();
        let entry = actors.get_or_try_insert_with(id, || -> Result<CacheEntry> {
            let actor = self
                .hamt
                .get(&Address::new_id(id).to_bytes())
                .map_err(|e| {
                    Fatal::with_source(format!("failed to lookup actor {id}"), e.to_string())
                })?
                .map(|stored| stored.actor.clone());
            Ok(CacheEntry {
                dirty: false,
                actor,
            })
        })?;
        Ok(entry.actor.clone())
    }

    /// Sets (creates or replaces) actor `id`.
    pub fn set_actor(&mut self, id: ActorID, actor: ActorState) {
        self.actors.get_mut().insert(
            id,
            CacheEntry {
                dirty: true,
                actor: Some(actor),
            },
        )
    }

    /// Deletes actor `id`.
    pub fn delete_actor(&mut self, id: ActorID) {
        self.actors.get_mut().insert(
            id,
            CacheEntry {
                dirty: true,
                actor: None,
            },
        )
    }

    /// Applies `mutate` to actor `id` (fatal if it does not exist).
    pub fn mutate_actor(
        &mut self,
        id: ActorID,
        mutate: impl FnOnce(&mut ActorState) -> Result<()>,
    ) -> Result<()> {
        let mut actor = self
            .get_actor(id)?
            .ok_or_else(|| Fatal::msg(format!("failed to lookup actor {id}")))?;
        mutate(&mut actor)?;
        self.set_actor(id, actor);
        Ok(())
    }

    /// The actor ID of `addr`, through the init actor's address map.
    pub fn lookup_id(&self, addr: &Address) -> Result<Option<ActorID>> {
        if let &Payload::ID(id) = addr.payload() {
            return Ok(Some(id));
        }
        if let Some(&id) = self.resolved.borrow().get(addr) {
            return Ok(Some(id));
        }
        let (init, _) = self.load_init()?;
        let Some(id) = init
            .resolve_address(self.store(), addr)
            .or_fatal("failed to resolve address")?
        else {
            return Ok(None);
        };
        self.resolved.borrow_mut().insert(*addr, id);
        Ok(Some(id))
    }

    /// Assigns a new actor ID to `addr` in the init actor and returns it.
    pub fn register_new_address(&mut self, addr: &Address) -> Result<ActorID> {
        let (mut init, mut actor) = self.load_init()?;
        let id = init
            .map_address_to_new_id(self.store(), addr)
            .or_fatal("failed to register address")?;
        actor.state = self
            .store()
            .put_cbor(&init, Code::Blake2b256)
            .or_fatal("failed to store init actor state")?;
        self.set_actor(INIT_ACTOR_ID, actor);
        self.resolved.get_mut().insert(*addr, id);
        Ok(id)
    }

    fn load_init(&self) -> Result<(InitState, ActorState)> {
        let actor = self
            .get_actor(INIT_ACTOR_ID)?
            .ok_or_else(|| Fatal::msg("init actor address could not be resolved"))?;
        let state = self
            .store()
            .get_cbor(&actor.state)
            .or_fatal("failed to load init actor state")?
            .ok_or_else(|| Fatal::msg("init actor state not found"))?;
        Ok((state, actor))
    }

    /// Starts a nested transaction.
    pub fn begin_transaction(&mut self) {
        self.layers.push(Layer {
            actors: self.actors.get_mut().history_len(),
            resolved: self.resolved.get_mut().history_len(),
        })
    }

    /// Ends the innermost transaction, undoing its changes if `revert`.
    pub fn end_transaction(&mut self, revert: bool) -> Result<()> {
        let layer = self
            .layers
            .pop()
            .ok_or_else(|| Fatal::msg("state snapshots empty"))?;
        if revert {
            self.actors.get_mut().rollback(layer.actors);
            self.resolved.get_mut().rollback(layer.resolved);
        }
        if self.layers.is_empty() {
            self.actors.get_mut().discard_history();
            self.resolved.get_mut().discard_history();
        }
        Ok(())
    }

    /// True inside a transaction.
    pub fn in_transaction(&self) -> bool {
        !self.layers.is_empty()
    }

    /// Writes dirty actors to the HAMT and returns the new state root.
    pub fn flush(&mut self) -> Result<Cid> {
        if self.in_transaction() {
            return Err(Fatal::msg("cannot flush while inside of a transaction").into());
        }
        for (&id, entry) in self.actors.get_mut().iter_mut() {
            if !entry.dirty {
                continue;
            }
            entry.dirty = false;
            let key = Address::new_id(id).to_bytes();
            match &entry.actor {
                None => {
                    self.hamt.delete(&key).or_fatal("failed to delete actor")?;
                }
                Some(state) => {
                    let stored = StoredActor {
                        actor: state.clone(),
                        without_delegated_address: self.version == StateTreeVersion::V4,
                    };
                    self.hamt
                        .set(key.into(), stored)
                        .or_fatal("failed to set actor")?;
                }
            }
        }
        let actors = self.hamt.flush().or_fatal("failed to flush actors")?;
        let root = StateRoot {
            version: self.version,
            actors,
            info: self.info,
        };
        self.store()
            .put_cbor(&root, Code::Blake2b256)
            .or_fatal("failed to store state root")
    }

    /// Visits every actor in the HAMT (unflushed changes are not visible).
    pub fn for_each(
        &self,
        mut f: impl FnMut(Address, &ActorState) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.hamt
            .for_each(|k, v| f(Address::from_bytes(&k.0)?, &v.actor))?;
        Ok(())
    }

    /// The blockstore, consuming the tree.
    pub fn into_store(self) -> S {
        self.hamt.into_store()
    }
}

impl From<fvm_ipld_hamt::Error> for ExecutionError {
    fn from(e: fvm_ipld_hamt::Error) -> Self {
        Fatal::with_source("state tree HAMT", e.to_string()).into()
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_blockstore::MemoryBlockstore;

    use super::*;

    fn actor(seq: u64) -> ActorState {
        let mut a = ActorState::new_empty(Cid::default(), None);
        a.sequence = seq;
        a
    }

    #[test]
    fn transactions_revert_exactly() {
        let mut tree = StateTree::new(MemoryBlockstore::new()).unwrap();
        tree.set_actor(100, actor(1));
        tree.begin_transaction();
        tree.set_actor(100, actor(2));
        tree.begin_transaction();
        tree.set_actor(101, actor(3));
        tree.delete_actor(100);
        tree.end_transaction(true).unwrap();
        assert_eq!(tree.get_actor(100).unwrap(), Some(actor(2)));
        assert_eq!(tree.get_actor(101).unwrap(), None);
        tree.end_transaction(true).unwrap();
        assert_eq!(tree.get_actor(100).unwrap(), Some(actor(1)));
        assert!(tree.end_transaction(false).is_err());
    }

    #[test]
    fn version_4_trees_store_actors_without_delegated_addresses() {
        let store = MemoryBlockstore::new();
        let mut tree = StateTree::new_with_version(&store, StateTreeVersion::V4).unwrap();
        tree.set_actor(100, actor(7));
        let root = tree.flush().unwrap();
        let StateRoot {
            version, actors, ..
        } = store.get_cbor(&root).unwrap().unwrap();
        assert_eq!(version, StateTreeVersion::V4);
        // The HAMT's one value is the 4-tuple ref-fvm 2 writes.
        let four: Hamt<_, (Cid, Cid, u64, TokenAmount)> =
            Hamt::load_with_bit_width(&actors, &store, HAMT_BIT_WIDTH).unwrap();
        let stored = four.get(&Address::new_id(100).to_bytes()).unwrap().unwrap();
        assert_eq!(stored.2, 7);
        let reloaded = StateTree::new_from_root(&store, &root).unwrap();
        assert_eq!(reloaded.version(), StateTreeVersion::V4);
        assert_eq!(reloaded.get_actor(100).unwrap(), Some(actor(7)));
        assert!(StateTree::new_with_version(&store, StateTreeVersion::V3).is_err());
    }

    #[test]
    fn flush_roots_are_independent_of_write_order() {
        let roots: Vec<Cid> = [[100u64, 5, 1000], [1000, 100, 5]]
            .iter()
            .map(|order| {
                let mut tree = StateTree::new(MemoryBlockstore::new()).unwrap();
                for &id in order {
                    tree.set_actor(id, actor(id));
                }
                tree.flush().unwrap()
            })
            .collect();
        assert_eq!(roots[0], roots[1]);
        let mut tree = StateTree::new(MemoryBlockstore::new()).unwrap();
        assert!(tree.flush().is_ok());
        tree.begin_transaction();
        assert!(tree.flush().is_err(), "no flush inside a transaction");
    }
}

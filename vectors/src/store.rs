//! Blockstores for vector runs: shared, read-only bundle blocks under a per-run writable store.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;

/// Immutable blocks shared by every run (builtin-actors bundles). Cheap to clone, `Sync`.
#[derive(Clone, Default)]
pub struct SharedBlocks(Arc<HashMap<Cid, Vec<u8>>>);

impl SharedBlocks {
    /// The blocks collected in `store`.
    pub fn freeze(store: CollectingStore) -> Self {
        Self(Arc::new(store.0.into_inner()))
    }

    /// Whether the block `cid` is here.
    pub fn contains(&self, cid: &Cid) -> bool {
        self.0.contains_key(cid)
    }

    /// Every block's CID, sorted.
    pub fn cids(&self) -> Vec<Cid> {
        let mut cids: Vec<Cid> = self.0.keys().copied().collect();
        cids.sort();
        cids
    }

    /// One block, `bytes`, stored under `cid` whether or not they hash to it (a corrupted
    /// store, for mutation tests).
    pub fn single(cid: Cid, bytes: Vec<u8>) -> Self {
        Self(Arc::new(HashMap::from([(cid, bytes)])))
    }
}

/// A blockstore that only collects blocks (to build [`SharedBlocks`]).
#[derive(Default)]
pub struct CollectingStore(RefCell<HashMap<Cid, Vec<u8>>>);

impl Blockstore for CollectingStore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.borrow().get(k).cloned())
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.0.borrow_mut().insert(*k, block.to_vec());
        Ok(())
    }
}

/// A run's blockstore: its own blocks over the shared ones.
pub struct RunStore {
    shared: Vec<SharedBlocks>,
    own: RefCell<HashMap<Cid, Vec<u8>>>,
}

impl RunStore {
    /// An empty store over `shared`.
    pub fn new(shared: Vec<SharedBlocks>) -> Self {
        Self {
            shared,
            own: RefCell::default(),
        }
    }
}

impl RunStore {
    /// The blocks written to this store (not the shared ones).
    pub fn into_own(self) -> Vec<(Cid, Vec<u8>)> {
        let mut blocks: Vec<_> = self.own.into_inner().into_iter().collect();
        blocks.sort_by_key(|b| b.0);
        blocks
    }
}

impl Blockstore for RunStore {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(b) = self.own.borrow().get(k) {
            return Ok(Some(b.clone()));
        }
        Ok(self.shared.iter().find_map(|s| s.0.get(k).cloned()))
    }

    fn has(&self, k: &Cid) -> anyhow::Result<bool> {
        Ok(self.own.borrow().contains_key(k) || self.shared.iter().any(|s| s.0.contains_key(k)))
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        self.own.borrow_mut().insert(*k, block.to_vec());
        Ok(())
    }
}

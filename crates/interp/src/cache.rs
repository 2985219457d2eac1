//! A bounded, thread-safe cache of prepared modules keyed by code CID.

use alloc::collections::BTreeMap;

use cid::Cid;
use spin::Mutex;

use crate::PreparedModule;

/// Least-recently-used cache. Lookups and inserts take a short lock; preparation happens outside
/// it, so a slow preparation never blocks other threads' lookups.
pub(crate) struct ModuleCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    tick: u64,
    entries: BTreeMap<Cid, (PreparedModule, u64)>,
}

impl ModuleCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                tick: 0,
                entries: BTreeMap::new(),
            }),
        }
    }

    pub fn get(&self, key: &Cid) -> Option<PreparedModule> {
        let mut inner = self.inner.lock();
        inner.tick += 1;
        let tick = inner.tick;
        inner.entries.get_mut(key).map(|(m, used)| {
            *used = tick;
            m.clone()
        })
    }

    pub fn insert(&self, key: Cid, module: PreparedModule) {
        let mut inner = self.inner.lock();
        inner.tick += 1;
        let tick = inner.tick;
        inner.entries.insert(key, (module, tick));
        if inner.entries.len() > self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                inner.entries.remove(&k);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }
}

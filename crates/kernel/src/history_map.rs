//! A map that can roll back to earlier points.

use std::collections::BTreeMap;

/// A `BTreeMap` recording every change so it can be rolled back to any earlier history length.
#[derive(Debug)]
pub struct HistoryMap<K, V> {
    map: BTreeMap<K, V>,
    history: Vec<(K, Option<V>)>,
}

impl<K, V> Default for HistoryMap<K, V> {
    fn default() -> Self {
        Self {
            map: BTreeMap::new(),
            history: Vec::new(),
        }
    }
}

impl<K: Ord + Clone, V: PartialEq> HistoryMap<K, V> {
    /// Sets `k` to `v`, recording the previous value (nothing is recorded for a no-op).
    pub fn insert(&mut self, k: K, v: V) {
        match self.map.get_mut(&k) {
            Some(old) if *old == v => {}
            Some(old) => {
                let prev = std::mem::replace(old, v);
                self.history.push((k, Some(prev)));
            }
            None => {
                self.map.insert(k.clone(), v);
                self.history.push((k, None));
            }
        }
    }

    /// The value of `k`.
    pub fn get(&self, k: &K) -> Option<&V> {
        self.map.get(k)
    }

    /// The value of `k`, inserting (and recording) `f()` if absent.
    pub fn get_or_try_insert_with<E>(
        &mut self,
        k: K,
        f: impl FnOnce() -> Result<V, E>,
    ) -> Result<&V, E> {
        if !self.map.contains_key(&k) {
            let v = f()?;
            self.history.push((k.clone(), None));
            self.map.insert(k.clone(), v);
        }
        Ok(&self.map[&k])
    }

    /// Undoes every change after history length `height`.
    pub fn rollback(&mut self, height: usize) {
        while self.history.len() > height {
            let Some((k, v)) = self.history.pop() else {
                break;
            };
            match v {
                Some(v) => {
                    self.map.insert(k, v);
                }
                None => {
                    self.map.remove(&k);
                }
            }
        }
    }

    /// The number of recorded changes.
    pub fn history_len(&self) -> usize {
        self.history.len()
    }

    /// Forgets the history (keeping the values).
    pub fn discard_history(&mut self) {
        self.history.clear();
    }

    /// Every entry, mutably, in key order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.map.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::HistoryMap;

    #[test]
    fn rollback_restores_every_layer() {
        let mut m = HistoryMap::default();
        m.insert(1, "a");
        let h = m.history_len();
        m.insert(1, "b");
        m.insert(2, "c");
        m.insert(2, "c");
        assert_eq!(m.history_len(), h + 2);
        m.rollback(h);
        assert_eq!(m.get(&1), Some(&"a"));
        assert_eq!(m.get(&2), None);
        m.rollback(0);
        assert_eq!(m.get(&1), None);
    }
}

//! The engine pool a node keeps (ref-fvm's `MultiEngine` and `EnginePool`): one engine per
//! engine configuration, shared by every machine of that configuration so actor code is
//! prepared once; a limit on how many messages run at once across every executor of the pool;
//! and preparing a whole bundle ahead of use, in parallel.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use ifvm_interp::{DiskCache, Engine, EngineConfig, PrepareError};

/// Engines by configuration, and the pool's concurrency limit. Cheap to clone (clones share
/// the engines and the limit); `Send + Sync`.
#[derive(Clone)]
pub struct EnginePool(Arc<Shared>);

struct Shared {
    /// One engine per distinct configuration, in the order they were first asked for.
    engines: Mutex<Vec<Engine>>,
    /// Where every engine of the pool keeps prepared modules across processes, if anywhere.
    disk: Option<DiskCache>,
    /// Bytes of instrumented Wasm an engine may build before the pool replaces it.
    code_budget: AtomicUsize,
    /// How many messages may run at once.
    concurrency: NonZeroUsize,
    /// How many run now.
    running: Mutex<usize>,
    /// Signalled when a message ends.
    released: Condvar,
}

/// Holding one of the pool's concurrency slots: a message may run. The slot is freed when this
/// is dropped.
pub struct ExecutionSlot(Arc<Shared>);

impl Drop for ExecutionSlot {
    fn drop(&mut self) {
        *lock(&self.0.running) -= 1;
        self.0.released.notify_one();
    }
}

/// A bundle's actor code cannot be prepared ahead of use.
#[derive(Debug, thiserror::Error)]
pub enum PreloadError {
    /// The code is not in the blockstore.
    #[error("actor code {0} is not in the blockstore")]
    Missing(Cid),
    /// The blockstore failed to read it.
    #[error("cannot read actor code {code}")]
    Load {
        /// The code CID.
        code: Cid,
        /// The blockstore's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// It is not a valid FVM actor.
    #[error("cannot prepare actor code {code}")]
    Prepare {
        /// The code CID.
        code: Cid,
        /// Why.
        #[source]
        source: Box<PrepareError>,
    },
}

/// The default code budget of a pool's engines: 64 MiB of instrumented Wasm, about four
/// bundles' worth of actors (a bundle's actors instrument to 13–15 MB), so a node running one
/// or two bundles never replaces an engine, while a process running every network version
/// (the main job) stays bounded. Measured on the 1,064 generated vectors other than the
/// 1,024-deep EVM calls (`benches/RESULTS.md`, memory): peak RSS 368 MB unbounded, 298 MB at
/// 64 MiB, 208 MB at 32 MiB, in the same time.
pub const DEFAULT_CODE_BUDGET: usize = 64 << 20;

/// The data behind `mutex`, even if a thread panicked while holding it (the pool's counters and
/// engine list stay consistent: every update is a single step).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl EnginePool {
    /// A pool letting at most `concurrency` messages run at once.
    pub fn new(concurrency: NonZeroUsize) -> Self {
        Self::build(concurrency, None)
    }

    /// A pool like [`EnginePool::new`]'s whose engines keep prepared modules in `disk` too, so
    /// a new process skips preparing code an earlier one prepared.
    pub fn with_disk_cache(concurrency: NonZeroUsize, disk: DiskCache) -> Self {
        Self::build(concurrency, Some(disk))
    }

    fn build(concurrency: NonZeroUsize, disk: Option<DiskCache>) -> Self {
        Self(Arc::new(Shared {
            engines: Mutex::new(Vec::new()),
            disk,
            code_budget: AtomicUsize::new(DEFAULT_CODE_BUDGET),
            concurrency,
            running: Mutex::new(0),
            released: Condvar::new(),
        }))
    }

    /// How many messages may run at once.
    pub fn concurrency(&self) -> NonZeroUsize {
        self.0.concurrency
    }

    /// How many messages hold a slot now.
    pub fn running(&self) -> usize {
        *lock(&self.0.running)
    }

    /// The pool's engine for `config`, created on first use; every call with an equal
    /// configuration returns the same engine (one cache of prepared code) until that engine
    /// has built more than the code budget ([`EnginePool::set_code_budget`]): then it is
    /// replaced by a fresh one, and the old one's code is freed when the last machine holding
    /// it is dropped. Machines never mix engines (each prepares and instantiates through its
    /// own), so a replacement changes no result; it costs preparing again what the new engine
    /// needs (from the disk cache, if the pool has one).
    pub fn engine(&self, config: &EngineConfig) -> Engine {
        let budget = self.0.code_budget.load(Ordering::Relaxed);
        let fresh = || match &self.0.disk {
            Some(disk) => Engine::with_disk_cache(config.clone(), disk.clone()),
            None => Engine::new(config.clone()),
        };
        let mut engines = lock(&self.0.engines);
        match engines.iter().position(|e| e.config() == config) {
            Some(i) if engines[i].built_bytes() <= budget => engines[i].clone(),
            Some(i) => {
                engines[i] = fresh();
                engines[i].clone()
            }
            None => {
                engines.push(fresh());
                engines[engines.len() - 1].clone()
            }
        }
    }

    /// Sets how many bytes of instrumented Wasm an engine of the pool may build before
    /// [`EnginePool::engine`] replaces it (default [`DEFAULT_CODE_BUDGET`]): the bound on the
    /// memory prepared code takes, per configuration, in a process that runs many bundles.
    pub fn set_code_budget(&self, bytes: usize) {
        self.0.code_budget.store(bytes, Ordering::Relaxed);
    }

    /// How many distinct engines the pool holds.
    pub fn engines(&self) -> usize {
        lock(&self.0.engines).len()
    }

    /// Waits for a free slot and takes it (see [`ExecutionSlot`]).
    pub fn acquire(&self) -> ExecutionSlot {
        let mut running = lock(&self.0.running);
        while *running >= self.0.concurrency.get() {
            running = self
                .0
                .released
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        ExecutionSlot(self.0.clone())
    }

    /// Takes a free slot if there is one, without waiting.
    pub fn try_acquire(&self) -> Option<ExecutionSlot> {
        let mut running = lock(&self.0.running);
        (*running < self.0.concurrency.get()).then(|| {
            *running += 1;
            ExecutionSlot(self.0.clone())
        })
    }
}

/// Prepares every module of `codes` (e.g. a bundle's manifest entries) into `engine`'s cache,
/// preparing on up to `threads` threads at once (the code is read from `store` on the calling
/// thread, so the store need not be shared between threads); returns how many were prepared or
/// loaded from the engine's disk cache (those in its memory already are skipped). Fails with the first failure in the order of `codes`,
/// before preparing anything if code is missing or unreadable; modules prepared before a
/// preparation failure stay cached. Preparation is deterministic, so preloading changes no
/// result.
pub fn preload_all<B: Blockstore>(
    engine: &Engine,
    store: &B,
    codes: &[Cid],
    threads: NonZeroUsize,
) -> Result<usize, PreloadError> {
    let mut pending: Vec<(Cid, Vec<u8>)> = Vec::new();
    for code in codes {
        if engine.cached(code).is_some() || pending.iter().any(|(c, _)| c == code) {
            continue;
        }
        let wasm = store
            .get(code)
            .map_err(|e| PreloadError::Load {
                code: *code,
                source: e.into(),
            })?
            .ok_or(PreloadError::Missing(*code))?;
        pending.push((*code, wasm));
    }
    let chunk = pending.len().div_ceil(threads.get()).max(1);
    let results: Vec<Result<usize, PreloadError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = pending
            .chunks(chunk)
            .map(|modules| scope.spawn(move || prepare_each(engine, modules)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.into_iter().sum()
}

/// Prepares `modules` one after another into `engine`'s cache.
fn prepare_each(engine: &Engine, modules: &[(Cid, Vec<u8>)]) -> Result<usize, PreloadError> {
    for (code, wasm) in modules {
        engine
            .prepare_code(code, wasm)
            .map_err(|source| PreloadError::Prepare {
                code: *code,
                source: Box::new(source),
            })?;
    }
    Ok(modules.len())
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use fvm_ipld_blockstore::MemoryBlockstore;
    use multihash_codetable::{Code, MultihashDigest};

    use super::*;

    const IPLD_RAW: u64 = 0x55;

    fn n(v: usize) -> NonZeroUsize {
        NonZeroUsize::new(v).expect("non-zero")
    }

    fn config() -> EngineConfig {
        crate::NetworkConfig::new(fvm_shared::version::NetworkVersion::V21)
            .expect("nv21 runs")
            .engine_config()
    }

    /// Stores `wasm` under its raw CID.
    fn put(store: &MemoryBlockstore, wasm: &[u8]) -> Cid {
        let cid = Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm));
        store.put_keyed(&cid, wasm).expect("stored");
        cid
    }

    fn actor(result: i32) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module (memory (export "memory") 1)
                 (func (export "invoke") (param i32) (result i32) (i32.const {result})))"#
        ))
        .expect("valid WAT")
    }

    #[test]
    fn one_engine_per_configuration() {
        let pool = EnginePool::new(n(1));
        let a = pool.engine(&config());
        let b = pool.engine(&config());
        let mut other = config();
        other.max_wasm_stack /= 2;
        let c = pool.engine(&other);
        assert_eq!(pool.engines(), 2);
        let store = MemoryBlockstore::new();
        let code = put(&store, &actor(0));
        preload_all(&a, &store, &[code], n(1)).expect("prepares");
        assert!(
            b.cached(&code).is_some(),
            "equal configurations share a cache"
        );
        assert!(c.cached(&code).is_none(), "other configurations do not");
    }

    #[test]
    fn an_engine_past_the_code_budget_is_replaced() {
        let pool = EnginePool::new(n(1));
        let store = MemoryBlockstore::new();
        let (first, second) = (put(&store, &actor(1)), put(&store, &actor(2)));
        let old = pool.engine(&config());
        preload_all(&old, &store, &[first], n(1)).expect("prepares");
        pool.set_code_budget(old.built_bytes());
        assert!(
            pool.engine(&config()).cached(&first).is_some(),
            "within the budget: the same engine"
        );
        preload_all(&old, &store, &[second], n(1)).expect("prepares");
        let new = pool.engine(&config());
        assert_eq!(pool.engines(), 1, "replaced, not added");
        assert_eq!(new.built_bytes(), 0);
        assert!(new.cached(&first).is_none(), "a fresh engine");
        // A machine still holding the old engine keeps using it.
        assert!(old.cached(&second).is_some());
        assert!(pool.engine(&config()).cached(&first).is_none());
        preload_all(&new, &store, &[first], n(1)).expect("prepares again");
        assert!(pool.engine(&config()).cached(&first).is_some());
    }

    #[test]
    fn slots_limit_how_many_messages_run() {
        let pool = EnginePool::new(n(2));
        let (a, b) = (pool.acquire(), pool.acquire());
        assert_eq!(pool.running(), 2);
        assert!(pool.try_acquire().is_none(), "the limit is reached");
        let (tx, rx) = mpsc::channel();
        let waiter = {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let slot = pool.acquire();
                tx.send(()).expect("the test listens");
                drop(slot);
            })
        };
        assert!(rx.try_recv().is_err(), "no slot while both are held");
        drop(a);
        rx.recv().expect("a released slot lets the waiter run");
        waiter.join().expect("the waiter ends");
        drop(b);
        assert_eq!(pool.running(), 0);
        assert!(pool.try_acquire().is_some());
    }

    #[test]
    fn preload_prepares_everything_once_in_parallel() {
        let engine = EnginePool::new(n(1)).engine(&config());
        let store = MemoryBlockstore::new();
        let codes: Vec<Cid> = (0..7).map(|i| put(&store, &actor(i))).collect();
        assert_eq!(
            preload_all(&engine, &store, &codes, n(3)).expect("prepares"),
            7
        );
        assert!(codes.iter().all(|c| engine.cached(c).is_some()));
        assert_eq!(
            preload_all(&engine, &store, &codes, n(3)).expect("cached"),
            0,
            "cached modules are not prepared again"
        );
    }

    #[test]
    fn preload_reports_missing_and_invalid_code() {
        let engine = EnginePool::new(n(1)).engine(&config());
        let store = MemoryBlockstore::new();
        let missing = Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(b"absent"));
        assert!(matches!(
            preload_all(&engine, &store, &[missing], n(2)),
            Err(PreloadError::Missing(c)) if c == missing
        ));
        let garbage = put(&store, b"\0asm\x01\0\0\0garbage");
        assert!(matches!(
            preload_all(&engine, &store, &[garbage], n(2)),
            Err(PreloadError::Prepare { code, .. }) if code == garbage
        ));
    }
}

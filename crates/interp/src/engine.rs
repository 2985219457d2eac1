//! The engine: wasmi configured for FVM, plus the prepared-module cache.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

use cid::Cid;

use crate::cache::ModuleCache;
use crate::{EngineConfig, PrepareError, PreparedModule};

/// A wasmi engine configured for FVM actors, with a bounded cache of prepared modules keyed by
/// code CID. Cheap to clone, `Send + Sync`: one engine can serve many machines and threads.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

struct Inner {
    wasmi: wasmi::Engine,
    config: EngineConfig,
    cache: ModuleCache,
    /// Bytes of instrumented Wasm this engine has built modules from (see
    /// [`Engine::built_bytes`]).
    built_bytes: AtomicUsize,
    #[cfg(feature = "std")]
    disk: Option<crate::DiskCache>,
    /// What preparation makes of the disk cache's probe module, computed on first use.
    #[cfg(feature = "std")]
    fingerprint: std::sync::OnceLock<[u8; 32]>,
}

impl Inner {
    fn new(config: EngineConfig) -> Self {
        Self {
            wasmi: wasmi::Engine::new(&config.wasmi_config()),
            cache: ModuleCache::new(config.module_cache_capacity),
            built_bytes: AtomicUsize::new(0),
            config,
            #[cfg(feature = "std")]
            disk: None,
            #[cfg(feature = "std")]
            fingerprint: std::sync::OnceLock::new(),
        }
    }
}

impl Engine {
    /// An engine with the given limits and prices.
    pub fn new(config: EngineConfig) -> Self {
        Self(Arc::new(Inner::new(config)))
    }

    /// An engine like [`Engine::new`]'s that also keeps prepared modules in `disk`: a module
    /// missing from memory is loaded from its verified entry there, or else prepared and
    /// written there (see [`DiskCache`](crate::DiskCache)).
    #[cfg(feature = "std")]
    pub fn with_disk_cache(config: EngineConfig, disk: crate::DiskCache) -> Self {
        let mut inner = Inner::new(config);
        inner.disk = Some(disk);
        Self(Arc::new(inner))
    }

    /// The engine's configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.0.config
    }

    pub(crate) fn wasmi(&self) -> &wasmi::Engine {
        &self.0.wasmi
    }

    /// The prepared module cached under `code`, if any.
    pub fn cached(&self, code: &Cid) -> Option<PreparedModule> {
        self.0.cache.get(code)
    }

    /// The module cached under `code` (in memory, else on disk), or else prepares `raw` (see
    /// [`prepare`](crate::prepare)) and caches it under `code`. `raw` is only called when no
    /// cache has the module; `Ok(None)` means it had no code to give.
    #[cfg(feature = "std")]
    pub fn prepare<E>(
        &self,
        code: &Cid,
        raw: impl FnOnce() -> Result<Option<alloc::vec::Vec<u8>>, E>,
    ) -> Result<Option<PreparedModule>, PrepareOrLoadError<E>> {
        if let Some(m) = self.cached_anywhere(code) {
            return Ok(Some(m));
        }
        let Some(wasm) = raw().map_err(PrepareOrLoadError::Load)? else {
            return Ok(None);
        };
        self.prepare_and_cache(code, &wasm)
            .map(Some)
            .map_err(PrepareOrLoadError::Prepare)
    }

    /// The module cached under `code` (in memory, else on disk), or else `raw` prepared and
    /// cached under `code` (in memory and on disk).
    #[cfg(feature = "std")]
    pub fn prepare_code(&self, code: &Cid, raw: &[u8]) -> Result<PreparedModule, PrepareError> {
        match self.cached_anywhere(code) {
            Some(m) => Ok(m),
            None => self.prepare_and_cache(code, raw),
        }
    }

    /// The module cached in memory, else loaded from disk (and then cached in memory).
    #[cfg(feature = "std")]
    fn cached_anywhere(&self, code: &Cid) -> Option<PreparedModule> {
        if let Some(m) = self.cached(code) {
            return Some(m);
        }
        let module = self.0.disk.as_ref()?.load(self, code)?;
        self.0.cache.insert(*code, module.clone());
        Some(module)
    }

    /// Prepares `raw` and caches it under `code` in memory and on disk.
    #[cfg(feature = "std")]
    fn prepare_and_cache(&self, code: &Cid, raw: &[u8]) -> Result<PreparedModule, PrepareError> {
        let instrumented = crate::prepare::instrument(raw, self.config())?;
        let module = PreparedModule::from_instrumented(self, &instrumented)?;
        if let Some(disk) = &self.0.disk {
            disk.store(self, code, &instrumented);
        }
        self.0.cache.insert(*code, module.clone());
        Ok(module)
    }

    /// Prepares `raw` without consulting or filling the cache.
    #[cfg(feature = "std")]
    pub fn prepare_uncached(&self, raw: &[u8]) -> Result<PreparedModule, PrepareError> {
        let instrumented = crate::prepare::instrument(raw, self.config())?;
        PreparedModule::from_instrumented(self, &instrumented)
    }

    /// Caches an already prepared module under `code` (in memory only), e.g. one built with
    /// [`PreparedModule::from_instrumented`] where preparation is unavailable (`no_std`).
    pub fn insert(&self, code: Cid, module: PreparedModule) {
        self.0.cache.insert(code, module)
    }

    /// The digest of what this engine's preparation makes of the disk cache's probe module
    /// (part of every disk cache key), computed once.
    #[cfg(feature = "std")]
    pub(crate) fn preparation_fingerprint(&self) -> &[u8; 32] {
        self.0
            .fingerprint
            .get_or_init(|| crate::disk_cache::preparation_fingerprint(self.config()))
    }

    /// Bytes of instrumented Wasm this engine has built modules from, since it was created. It
    /// only grows: wasmi keeps every function an engine has built (translated or awaiting lazy
    /// translation) until the engine itself is dropped, so evicting a module from the cache
    /// frees little. A host that runs many bundles bounds its memory by replacing an engine
    /// whose `built_bytes` passed a budget (as `ifvm_kernel::EnginePool` does) and letting the
    /// old one drop with the last machine that uses it.
    pub fn built_bytes(&self) -> usize {
        self.0.built_bytes.load(Ordering::Relaxed)
    }

    /// Counts a module built from `wasm_len` bytes.
    pub(crate) fn count_built(&self, wasm_len: usize) {
        self.0.built_bytes.fetch_add(wasm_len, Ordering::Relaxed);
    }

    /// How many modules the cache holds.
    pub fn cached_modules(&self) -> usize {
        self.0.cache.len()
    }
}

/// [`Engine::prepare`] failed: loading the code, or preparing it.
#[derive(Debug, thiserror::Error)]
pub enum PrepareOrLoadError<E> {
    /// The loader failed.
    #[error("failed to load actor code: {0}")]
    Load(E),
    /// The code could not be prepared.
    #[error(transparent)]
    Prepare(PrepareError),
}

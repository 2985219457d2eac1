//! The engine: wasmi configured for FVM, plus the prepared-module cache.

use alloc::sync::Arc;

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
}

impl Engine {
    /// An engine with the given limits and prices.
    pub fn new(config: EngineConfig) -> Self {
        let wasmi = wasmi::Engine::new(&config.wasmi_config());
        let cache = ModuleCache::new(config.module_cache_capacity);
        Self(Arc::new(Inner {
            wasmi,
            config,
            cache,
        }))
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

    /// The module cached under `code`, or else prepares `raw` (see [`prepare`](crate::prepare))
    /// and caches it under `code`. `raw` is only called on a cache miss; `Ok(None)` means it had
    /// no code to give.
    #[cfg(feature = "std")]
    pub fn prepare<E>(
        &self,
        code: &Cid,
        raw: impl FnOnce() -> Result<Option<alloc::vec::Vec<u8>>, E>,
    ) -> Result<Option<PreparedModule>, PrepareOrLoadError<E>> {
        if let Some(m) = self.cached(code) {
            return Ok(Some(m));
        }
        let Some(wasm) = raw().map_err(PrepareOrLoadError::Load)? else {
            return Ok(None);
        };
        let module = self
            .prepare_uncached(&wasm)
            .map_err(PrepareOrLoadError::Prepare)?;
        self.0.cache.insert(*code, module.clone());
        Ok(Some(module))
    }

    /// Prepares `raw` without consulting or filling the cache.
    #[cfg(feature = "std")]
    pub fn prepare_uncached(&self, raw: &[u8]) -> Result<PreparedModule, PrepareError> {
        let instrumented = crate::prepare::instrument(raw, self.config())?;
        PreparedModule::from_instrumented(self, &instrumented)
    }

    /// Caches an already prepared module under `code`.
    pub fn insert(&self, code: Cid, module: PreparedModule) {
        self.0.cache.insert(code, module)
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

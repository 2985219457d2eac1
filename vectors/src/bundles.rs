//! Builtin-actors bundles for vector runs, loaded once per actors version and shared.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use cid::Cid;

use crate::store::{CollectingStore, SharedBlocks};

/// The mainnet builtin-actors version of a network version.
pub fn actors_version(nv: u32) -> Option<u32> {
    Some(match nv {
        17 => 9,
        18 => 10,
        19 | 20 => 11,
        21 => 12,
        22 => 13,
        23 => 14,
        24 => 15,
        25 | 26 => 16,
        27 => 17,
        28 => 18,
        29 => 19,
        _ => return None,
    })
}

/// A bundle cannot be provided.
#[derive(Debug, thiserror::Error)]
pub enum BundlesError {
    /// No bundle is known for the network version.
    #[error("no builtin-actors bundle is known for nv{0}")]
    UnknownNetwork(u32),
    /// The bundle file is missing or invalid.
    #[error("builtin-actors v{version} ({path}): {source}")]
    Load {
        /// The actors version.
        version: u32,
        /// Where it was looked for.
        path: String,
        /// Why it failed.
        source: Box<ifvm_actors::bundle::BundleError>,
    },
}

/// Bundles found in a directory as `vN.tar.zst` (or `vN.car`), loaded on first use.
pub struct BundleSet {
    dir: PathBuf,
    loaded: Mutex<BTreeMap<u32, (SharedBlocks, Cid)>>,
}

impl BundleSet {
    /// Bundles in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            loaded: Mutex::default(),
        }
    }

    /// The directory bundles come from.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The blocks of the mainnet bundle for `nv`.
    pub fn for_network(&self, nv: u32) -> Result<SharedBlocks, BundlesError> {
        self.with_root(nv).map(|(blocks, _)| blocks)
    }

    /// The blocks of the mainnet bundle for `nv`, and the bundle's root (its manifest).
    pub fn with_root(&self, nv: u32) -> Result<(SharedBlocks, Cid), BundlesError> {
        let version = actors_version(nv).ok_or(BundlesError::UnknownNetwork(nv))?;
        if let Some(b) = self
            .loaded
            .lock()
            .expect("bundle cache poisoned")
            .get(&version)
        {
            return Ok(b.clone());
        }
        let mut path = self.dir.join(format!("v{version}.tar.zst"));
        if !path.exists() {
            path = self.dir.join(format!("v{version}.car"));
        }
        let store = CollectingStore::default();
        let root =
            ifvm_actors::bundle::load_bundle_file(&store, &path, "mainnet").map_err(|source| {
                BundlesError::Load {
                    version,
                    path: path.display().to_string(),
                    source: Box::new(source),
                }
            })?;
        let loaded = (SharedBlocks::freeze(store), root);
        self.loaded
            .lock()
            .expect("bundle cache poisoned")
            .insert(version, loaded.clone());
        Ok(loaded)
    }
}

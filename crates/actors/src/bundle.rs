//! Loading builtin-actors bundles.
//!
//! A release is published as a zstd-compressed tar of CAR files, one per network
//! (`builtin-actors-mainnet.car`, `builtin-actors-calibrationnet.car`, ...). Each CAR's single
//! root is the bundle root `[version, manifest data CID]`.

use std::io::Read;
use std::path::Path;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;

/// A bundle cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file cannot be read.
    #[error("cannot read bundle {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The archive is not a valid zstd-compressed tar.
    #[error("invalid bundle archive: {0}")]
    Archive(String),
    /// The archive has no CAR for the requested network.
    #[error("bundle archive has no {0}")]
    NoNetwork(String),
    /// The CAR is invalid, or the blockstore refused its blocks.
    #[error("invalid bundle CAR: {0}")]
    Car(String),
    /// The CAR does not have exactly one root.
    #[error("bundle CAR has {0} roots, expected 1")]
    Roots(usize),
}

/// Loads a bundle into `store` and returns its root. `path` is a `.tar.zst` release archive (the
/// CAR for `network`, e.g. `"mainnet"`, is used) or a single `.car` file.
pub fn load_bundle_file(
    store: &impl Blockstore,
    path: &Path,
    network: &str,
) -> Result<Cid, BundleError> {
    let io = |source| BundleError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let reader = std::io::BufReader::new(file);
    if path.to_string_lossy().ends_with(".tar.zst") {
        load_archive(store, reader, network)
    } else {
        load_car(store, reader)
    }
}

/// Loads the CAR for `network` from a zstd-compressed tar archive.
pub fn load_archive(
    store: &impl Blockstore,
    archive: impl Read,
    network: &str,
) -> Result<Cid, BundleError> {
    let decoder = ruzstd::decoding::StreamingDecoder::new(archive)
        .map_err(|e| BundleError::Archive(e.to_string()))?;
    let wanted = format!("builtin-actors-{network}.car");
    let mut tar = tar::Archive::new(decoder);
    let entries = tar
        .entries()
        .map_err(|e| BundleError::Archive(e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| BundleError::Archive(e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| BundleError::Archive(e.to_string()))?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        if name.as_deref() == Some(wanted.as_str()) {
            return load_car(store, entry);
        }
    }
    Err(BundleError::NoNetwork(wanted))
}

/// Loads a single-root CAR.
pub fn load_car(store: &impl Blockstore, car: impl Read) -> Result<Cid, BundleError> {
    let roots = fvm_ipld_car::load_car_unchecked(store, car)
        .map_err(|e| BundleError::Car(e.to_string()))?;
    match roots.as_slice() {
        [root] => Ok(*root),
        other => Err(BundleError::Roots(other.len())),
    }
}

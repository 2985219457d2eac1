//! Loading builtin-actors bundles.
//!
//! A release is published as a zstd-compressed tar of CAR files, one per network
//! (`builtin-actors-mainnet.car`, `builtin-actors-calibrationnet.car`, ...). Each CAR's single
//! root is the bundle root `[version, manifest data CID]`.
//!
//! Loading checks what a VM relies on: every block's bytes hash to its CID, and the root, the
//! manifest and the code of every manifest entry are present once the CAR is read (a CAR cut
//! at a block boundary, or inside a block's length, otherwise reads as a shorter valid CAR).

use std::io::Read;
use std::path::Path;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;

use crate::{Manifest, ManifestError};

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
    /// The archive does not start with a zstd frame.
    #[error("invalid bundle archive: not zstd-compressed")]
    Zstd(#[source] ruzstd::decoding::errors::FrameDecoderError),
    /// The decompressed archive is not a readable tar.
    #[error("invalid bundle archive: cannot read the tar")]
    Tar(#[source] std::io::Error),
    /// The archive has no CAR for the requested network.
    #[error("bundle archive has no {0}")]
    NoNetwork(String),
    /// The CAR is malformed or cut short, or a block's bytes do not hash to its CID.
    #[error("invalid bundle CAR")]
    Car(#[source] fvm_ipld_car::Error),
    /// The blockstore refused the CAR's blocks, or failed to read them back.
    #[error("the blockstore failed while loading the bundle")]
    Blockstore(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The CAR does not have exactly one root.
    #[error("bundle CAR has {0} roots, expected 1")]
    Roots(usize),
    /// The bundle root or the manifest is absent or invalid.
    #[error("invalid bundle manifest")]
    Manifest(#[from] ManifestError),
    /// A manifest entry's code is not in the bundle.
    #[error("the bundle lacks the code of its {name} actor ({code})")]
    MissingCode {
        /// The entry's name.
        name: String,
        /// The entry's code CID.
        code: Cid,
    },
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
    let decoder = ruzstd::decoding::StreamingDecoder::new(archive).map_err(BundleError::Zstd)?;
    let wanted = format!("builtin-actors-{network}.car");
    let mut tar = tar::Archive::new(decoder);
    for entry in tar.entries().map_err(BundleError::Tar)? {
        let entry = entry.map_err(BundleError::Tar)?;
        let name = entry
            .path()
            .map_err(BundleError::Tar)?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        if name.as_deref() == Some(wanted.as_str()) {
            return load_car(store, entry);
        }
    }
    Err(BundleError::NoNetwork(wanted))
}

/// Loads a single-root CAR, checking every block against its CID, and checks that the bundle
/// is complete in `store`: its root, its manifest and every entry's code. Blocks go into
/// `store` as they are read, so a CAR refused part-way leaves the blocks before the fault there
/// (each one verified, so harmless in a content-addressed store).
pub fn load_car(store: &impl Blockstore, car: impl Read) -> Result<Cid, BundleError> {
    let mut reader = fvm_ipld_car::CarReader::new(car).map_err(BundleError::Car)?;
    let roots = std::mem::take(&mut reader.header.roots);
    for block in reader {
        let block = block.map_err(BundleError::Car)?;
        store
            .put_keyed(&block.cid, &block.data)
            .map_err(|e| BundleError::Blockstore(e.into()))?;
    }
    let root = match roots.as_slice() {
        [root] => *root,
        other => return Err(BundleError::Roots(other.len())),
    };
    let manifest = Manifest::load_bundle_root(store, &root)?;
    for (name, code) in manifest.entries() {
        if !store
            .has(code)
            .map_err(|e| BundleError::Blockstore(e.into()))?
        {
            return Err(BundleError::MissingCode {
                name: name.clone(),
                code: *code,
            });
        }
    }
    Ok(root)
}

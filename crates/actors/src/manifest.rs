//! The builtin-actors manifest.

use std::collections::BTreeMap;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;

/// The builtin actor types the VM itself needs to recognize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BuiltinActor {
    /// `system`
    System,
    /// `init`
    Init,
    /// `account`
    Account,
    /// `placeholder`: an f4 address that received funds before its actor was deployed (actors
    /// v10 and later).
    Placeholder,
    /// `eam` (actors v10 and later)
    Eam,
    /// `ethaccount` (actors v10 and later)
    EthAccount,
}

impl BuiltinActor {
    const ALL: [BuiltinActor; 6] = [
        Self::System,
        Self::Init,
        Self::Account,
        Self::Placeholder,
        Self::Eam,
        Self::EthAccount,
    ];

    /// The actor's name in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Init => "init",
            Self::Account => "account",
            Self::Placeholder => "placeholder",
            Self::Eam => "eam",
            Self::EthAccount => "ethaccount",
        }
    }

    /// Whether every bundle has the actor (the Ethereum actors came with actors v10).
    fn in_every_bundle(self) -> bool {
        matches!(self, Self::System | Self::Init | Self::Account)
    }
}

/// A manifest cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The manifest block, or the bundle root naming it, is not in the blockstore.
    #[error("manifest block {0} is not in the blockstore")]
    NotFound(Cid),
    /// The manifest block, or the bundle root naming it, cannot be read or decoded.
    #[error("cannot load manifest block {cid}")]
    Load {
        /// The block that failed.
        cid: Cid,
        /// Why: the blockstore's error, or the decoding error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The bundle root has a manifest version this VM does not understand.
    #[error("unsupported manifest version {0}")]
    Version(u32),
    /// A type the VM needs is absent.
    #[error("manifest is missing the {0} actor")]
    Missing(&'static str),
}

/// The builtin-actors manifest: an ordered list of `(name, code CID)`. An actor's type ID is its
/// 1-based position in the list (what the `get_builtin_actor_type` syscall returns). As in
/// ref-fvm (2, 3 and 4), where a name or a code CID appears more than once the last entry
/// counts, and names the VM does not know are kept (they are other builtin actors). A bundle
/// before actors v10 has no Ethereum actors: their [`code`](Self::code) is then the default CID,
/// which no actor has.
#[derive(Clone, Debug)]
pub struct Manifest {
    entries: Vec<(String, Cid)>,
    by_code: BTreeMap<Cid, u32>,
    required: [Cid; 6],
}

impl Manifest {
    /// The manifest whose data (the `(name, cid)` list) is at `manifest_cid`, as the system
    /// actor's state refers to it.
    pub fn load(store: &impl Blockstore, manifest_cid: &Cid) -> Result<Self, ManifestError> {
        Self::new(load_block(store, manifest_cid)?)
    }

    /// The manifest named by a bundle root (`[version, manifest data CID]`, version 1).
    pub fn load_bundle_root(store: &impl Blockstore, root: &Cid) -> Result<Self, ManifestError> {
        Self::load(store, &bundle_manifest_cid(store, root)?)
    }

    /// A manifest from its entries, in order.
    pub fn new(entries: Vec<(String, Cid)>) -> Result<Self, ManifestError> {
        let by_code = entries
            .iter()
            .zip(1u32..)
            .map(|((_, code), id)| (*code, id))
            .collect();
        let find = |a: BuiltinActor| {
            entries
                .iter()
                .rfind(|(n, _)| n == a.name())
                .map(|(_, c)| *c)
                .ok_or(ManifestError::Missing(a.name()))
        };
        let mut required = [Cid::default(); 6];
        for (slot, actor) in required.iter_mut().zip(BuiltinActor::ALL) {
            match find(actor) {
                Ok(code) => *slot = code,
                Err(e) if actor.in_every_bundle() => return Err(e),
                Err(_) => {}
            }
        }
        Ok(Self {
            entries,
            by_code,
            required,
        })
    }

    /// The code CID of a builtin actor the VM knows.
    pub fn code(&self, actor: BuiltinActor) -> &Cid {
        &self.required[actor as usize]
    }

    /// True if `code` is `actor`'s code.
    pub fn is(&self, code: &Cid, actor: BuiltinActor) -> bool {
        self.code(actor) == code
    }

    /// The type ID of a code CID, 0 if it is not a builtin actor.
    pub fn type_of(&self, code: &Cid) -> u32 {
        self.by_code.get(code).copied().unwrap_or(0)
    }

    /// The code CID of a type ID.
    pub fn code_of_type(&self, type_id: u32) -> Option<&Cid> {
        let idx = usize::try_from(type_id).ok()?.checked_sub(1)?;
        self.entries.get(idx).map(|(_, c)| c)
    }

    /// The code CID registered under `name` (by its last entry).
    pub fn code_by_name(&self, name: &str) -> Option<&Cid> {
        self.entries
            .iter()
            .rfind(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// The code CID of `actor`, or [`ManifestError::Missing`] if the bundle lacks it (only the
    /// Ethereum actors can be absent from a manifest that loaded).
    pub fn require(&self, actor: BuiltinActor) -> Result<&Cid, ManifestError> {
        self.code_by_name(actor.name())
            .ok_or(ManifestError::Missing(actor.name()))
    }

    /// Every `(name, code CID)`, in manifest order.
    pub fn entries(&self) -> &[(String, Cid)] {
        &self.entries
    }
}

/// The manifest data CID named by a bundle root block `[version, cid]`.
pub fn bundle_manifest_cid(store: &impl Blockstore, root: &Cid) -> Result<Cid, ManifestError> {
    let (version, cid): (u32, Cid) = load_block(store, root)?;
    if version != 1 {
        return Err(ManifestError::Version(version));
    }
    Ok(cid)
}

/// The CBOR block `cid`, decoded.
fn load_block<T: serde::de::DeserializeOwned>(
    store: &impl Blockstore,
    cid: &Cid,
) -> Result<T, ManifestError> {
    store
        .get_cbor(cid)
        .map_err(|e| ManifestError::Load {
            cid: *cid,
            source: e.into(),
        })?
        .ok_or(ManifestError::NotFound(*cid))
}

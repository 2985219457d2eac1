//! The per-invocation block registry: the IPLD blocks an actor has opened, received or created,
//! by handle, registered as its ABI does, and (ref-fvm 4) the CIDs reachable from them.

use std::collections::HashSet;
use std::sync::Arc;

use cid::Cid;
use fvm_ipld_encoding::{CBOR, DAG_CBOR, IPLD_RAW};

use crate::abi::Abi;
use crate::error::ExecutionError;
use crate::syscall_error;

/// A block handle; 0 means "no block".
pub type BlockId = u32;

/// The handle meaning "no block".
pub const NO_DATA_BLOCK_ID: BlockId = 0;

const FIRST_ID: BlockId = 1;
const MAX_BLOCKS: u32 = i32::MAX as u32;
/// The codecs actors may create blocks with.
pub(crate) const ALLOWED_CODECS: [u64; 3] = [CBOR, DAG_CBOR, IPLD_RAW];

/// A block's codec and size.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub struct BlockStat {
    /// The IPLD codec.
    pub codec: u64,
    /// The size in bytes.
    pub size: u32,
}

/// An immutable IPLD block (cheap to clone), with the links found in it (ref-fvm 4 only; none
/// in ref-fvm 3, which does not scan blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    codec: u64,
    data: Arc<[u8]>,
    /// `None` for no links, so that a block without links allocates nothing for them.
    links: Option<Arc<[Cid]>>,
}

impl Block {
    /// A block of `codec` with `data` and no links.
    pub fn new(codec: u64, data: impl Into<Arc<[u8]>>) -> Self {
        Self::with_links(codec, data, Vec::new())
    }

    /// A block of `codec` with `data` linking to `links`.
    pub fn with_links(codec: u64, data: impl Into<Arc<[u8]>>, links: Vec<Cid>) -> Self {
        Self {
            codec,
            data: data.into(),
            links: (!links.is_empty()).then(|| links.into()),
        }
    }

    /// The codec.
    pub fn codec(&self) -> u64 {
        self.codec
    }

    /// The bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The bytes, to share without copying.
    pub fn shared_data(&self) -> &Arc<[u8]> {
        &self.data
    }

    /// The CIDs the block links to.
    pub fn links(&self) -> &[Cid] {
        self.links.as_deref().unwrap_or(&[])
    }

    /// The size in bytes.
    pub fn size(&self) -> u32 {
        self.data.len() as u32
    }

    /// Codec and size.
    pub fn stat(&self) -> BlockStat {
        BlockStat {
            codec: self.codec,
            size: self.size(),
        }
    }
}

/// The blocks of one invocation, registered as its ABI does. Handles start at 1 and are never
/// reused.
#[derive(Debug)]
pub struct BlockRegistry {
    abi: Abi,
    blocks: Vec<Block>,
    reachable: HashSet<Cid>,
}

impl BlockRegistry {
    /// An empty registry with `abi`'s rules.
    pub fn new(abi: Abi) -> Self {
        Self {
            abi,
            blocks: Vec::new(),
            reachable: HashSet::new(),
        }
    }

    /// Registers a block the actor opened or received (parameters, a return value):
    /// `LimitExceeded` when full; `IllegalCodec` for a forbidden codec where the ABI checks
    /// codecs on registration (ref-fvm 3); where it tracks reachability (ref-fvm 4), the block's
    /// links become reachable.
    pub fn register(&mut self, block: Block) -> Result<BlockId, ExecutionError> {
        self.admit(&block)?;
        if self.abi.tracks_reachability() {
            self.reachable.extend(block.links().iter().copied());
        }
        Ok(self.push(block))
    }

    /// Registers a block the actor created: as [`register`](Self::register), except that where
    /// the ABI tracks reachability every link must already be reachable (`NotFound`).
    pub fn register_created(&mut self, block: Block) -> Result<BlockId, ExecutionError> {
        self.admit(&block)?;
        if self.abi.tracks_reachability() {
            if let Some(k) = block.links().iter().find(|k| !self.is_reachable(k)) {
                return Err(syscall_error!(NotFound; "cannot put block: {k} not reachable"));
            }
        }
        Ok(self.push(block))
    }

    /// Whether `block` may be registered: there is room, and (ref-fvm 3) its codec is allowed.
    fn admit(&self, block: &Block) -> Result<(), ExecutionError> {
        if self.is_full() {
            return Err(syscall_error!(LimitExceeded; "{}", self.abi.block_limit_message()));
        }
        if self.abi.checks_codec_on_registration() && !self.abi.registers_codec(block.codec) {
            return Err(syscall_error!(IllegalCodec; "invalid or forbidden ipld codec"));
        }
        Ok(())
    }

    fn push(&mut self, block: Block) -> BlockId {
        let id = FIRST_ID + self.blocks.len() as u32;
        self.blocks.push(block);
        id
    }

    /// Marks `k` reachable (it was linked into the state, or is the state root).
    pub fn mark_reachable(&mut self, k: &Cid) {
        self.reachable.insert(*k);
    }

    /// True if `k` is reachable. Inline (identity-hashed) CIDs are not implicitly reachable: they
    /// may embed links to unreachable blocks.
    pub fn is_reachable(&self, k: &Cid) -> bool {
        self.reachable.contains(k)
    }

    /// The block with handle `id` (`InvalidHandle` if none).
    pub fn get(&self, id: BlockId) -> Result<&Block, ExecutionError> {
        id.checked_sub(FIRST_ID)
            .and_then(|idx| self.blocks.get(idx as usize))
            .ok_or_else(
                || syscall_error!(InvalidHandle; "block handle {id} does not exist, or is illegal"),
            )
    }

    /// True when no more blocks fit.
    pub fn is_full(&self) -> bool {
        self.blocks.len() as u32 == MAX_BLOCKS
    }
}

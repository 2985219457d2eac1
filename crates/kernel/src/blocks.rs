//! The per-invocation block registry: the IPLD blocks an actor has opened or created, by handle.

use std::sync::Arc;

use fvm_ipld_encoding::{CBOR, DAG_CBOR, IPLD_RAW};

use crate::error::ExecutionError;
use crate::syscall_error;

/// A block handle; 0 means "no block".
pub type BlockId = u32;

/// The handle meaning "no block".
pub const NO_DATA_BLOCK_ID: BlockId = 0;

const FIRST_ID: BlockId = 1;
const MAX_BLOCKS: u32 = i32::MAX as u32;
const ALLOWED_CODECS: [u64; 3] = [CBOR, DAG_CBOR, IPLD_RAW];

/// A block's codec and size.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub struct BlockStat {
    /// The IPLD codec.
    pub codec: u64,
    /// The size in bytes.
    pub size: u32,
}

/// An immutable IPLD block (cheap to clone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    codec: u64,
    data: Arc<[u8]>,
}

impl Block {
    /// A block of `codec` with `data`.
    pub fn new(codec: u64, data: impl Into<Arc<[u8]>>) -> Self {
        Self {
            codec,
            data: data.into(),
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

/// The blocks of one invocation. Handles start at 1 and are never reused.
#[derive(Default, Debug)]
pub struct BlockRegistry {
    blocks: Vec<Block>,
}

impl BlockRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a block: `LimitExceeded` when full, `IllegalCodec` unless the codec is CBOR,
    /// DAG-CBOR or raw.
    pub fn put(&mut self, block: Block) -> Result<BlockId, ExecutionError> {
        if self.is_full() {
            return Err(syscall_error!(LimitExceeded; "too many blocks have been written"));
        }
        if !ALLOWED_CODECS.contains(&block.codec) {
            return Err(syscall_error!(IllegalCodec; "invalid or forbidden ipld codec"));
        }
        let id = FIRST_ID + self.blocks.len() as u32;
        self.blocks.push(block);
        Ok(id)
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

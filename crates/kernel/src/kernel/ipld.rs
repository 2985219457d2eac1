//! IPLD blocks: open, create, read, stat, link (and, in ref-fvm 4, reachability).

use std::sync::Arc;

use cid::Cid;
use ifvm_gas::HashFunction;
use multihash_codetable::MultihashDigest;

use super::{Ext, Kernel, Store};
use crate::blocks::{Block, BlockId, BlockStat, ALLOWED_CODECS};
use crate::error::{Classify, Fatal, Result};
use crate::ipld_links::scan_links;
use crate::syscall_error;
use crate::trace::{ExecutionEvent, IpldOperation};

const BLAKE2B_256: u64 = 0xb220;

impl<B: Store, E: Ext> Kernel<B, E> {
    /// Opens the block `cid` from the state blockstore (ref-fvm 4: only if reachable, scanning
    /// it for links).
    pub fn block_open(&mut self, cid: &Cid) -> Result<(BlockId, BlockStat)> {
        let abi = self.abi();
        let prices = self.cm.price_list();
        self.cm.charge_gas(if abi.charges_v2_forms() {
            prices.on_block_open_base_v2()
        } else {
            prices.on_block_open_base()
        })?;
        if abi.tracks_reachability() && !self.blocks.is_reachable(cid) {
            return Err(syscall_error!(NotFound; "block not reachable: {cid}"));
        }
        let data = self
            .cm
            .machine
            .blockstore()
            .get_shared(cid)
            .or_fatal("failed to read block")?
            .ok_or_else(|| Fatal::msg(format!("missing state: {cid}")))?;
        if abi.traces_ipld() {
            self.cm.trace_event(ExecutionEvent::Ipld {
                op: IpldOperation::Get,
                cid: *cid,
                size: data.len(),
            });
        }
        let block = if abi.scans_ipld_links() {
            let links = self.scan_links(cid.codec(), &data)?;
            let charge = self
                .cm
                .price_list()
                .on_block_open_v4(data.len(), links.len());
            self.cm.charge_gas(charge)?;
            Block::with_links(cid.codec(), data, links)
        } else {
            let block = Block::new(cid.codec(), data);
            let size = block.size() as usize;
            let prices = self.cm.price_list();
            let charge = if abi.charges_v2_forms() {
                prices.on_block_open_per_byte_v2(size)
            } else {
                prices.on_block_open_per_byte_v3(size)
            };
            self.cm.charge_gas(charge)?;
            block
        };
        let stat = block.stat();
        let id = self.blocks.register(block)?;
        Ok((id, stat))
    }

    /// Registers a new block (ref-fvm 4: scanning it for links, which must be reachable).
    pub fn block_create(&mut self, codec: u64, data: &[u8]) -> Result<BlockId> {
        if data.len() > self.cm.machine.context.network.max_block_size {
            return Err(syscall_error!(LimitExceeded; "blocks may not be larger than 1MiB"));
        }
        let abi = self.abi();
        if abi.checks_codec_at_create() && !ALLOWED_CODECS.contains(&codec) {
            return Err(syscall_error!(IllegalCodec; "codec {codec} not allowed"));
        }
        let block = if abi.scans_ipld_links() {
            let links = self.scan_links(codec, data)?;
            let charge = self
                .cm
                .price_list()
                .on_block_create_v4(data.len(), links.len());
            self.cm.charge_gas(charge)?;
            Block::with_links(codec, data, links)
        } else {
            let prices = self.cm.price_list();
            let charge = if abi.charges_v2_forms() {
                prices.on_block_create_v2(data.len())
            } else {
                prices.on_block_create_v3(data.len())
            };
            self.cm.charge_gas(charge)?;
            Block::new(codec, data)
        };
        self.blocks.register_created(block)
    }

    /// The links of a block, charging the scan.
    fn scan_links(&mut self, codec: u64, data: &[u8]) -> Result<Vec<Cid>> {
        let prices = self.cm.price_list();
        scan_links(codec, data, prices, &mut self.cm.gas)
    }

    /// Hashes block `id` into a CID and writes it to the state blockstore.
    pub fn block_link(&mut self, id: BlockId, hash_fun: u64, hash_len: u32) -> Result<Cid> {
        if hash_fun != BLAKE2B_256 || hash_len != 32 {
            return Err(syscall_error!(IllegalCid; "cids must be 32-byte blake2b"));
        }
        let abi = self.abi();
        let block = self.blocks.get(id)?;
        let size = block.size() as usize;
        let prices = self.cm.price_list();
        let charge = if abi.charges_v2_forms() {
            prices.on_block_link_v2(size)
        } else {
            prices.on_block_link(HashFunction::Blake2b256, size)
        };
        self.cm.charge_gas(charge)?;
        let hash = multihash_codetable::Code::Blake2b256.digest(block.data());
        let k = Cid::new_v1(block.codec(), hash.truncate(hash_len as u8));
        // Shared with the registry, not copied.
        self.cm
            .machine
            .blockstore()
            .put_shared(k, Arc::clone(block.shared_data()));
        if abi.tracks_reachability() {
            self.blocks.mark_reachable(&k);
        }
        if abi.traces_ipld() {
            self.cm.trace_event(ExecutionEvent::Ipld {
                op: IpldOperation::Put,
                cid: k,
                size,
            });
        }
        Ok(k)
    }

    /// Copies block `id` from `offset` into `buf`; returns the block length minus
    /// `offset + buf.len()` (negative when `buf` reaches past the end).
    pub fn block_read(&mut self, id: BlockId, offset: u32, buf: &mut [u8]) -> Result<i32> {
        let end = i32::try_from(u64::from(offset) + buf.len() as u64).map_err(
            |_| syscall_error!(IllegalArgument; "offset plus buffer length did not fit into an i32"),
        )?;
        let data = self.blocks.get(id)?.data();
        let start = offset as usize;
        let to_read = data.len().saturating_sub(start).min(buf.len());
        self.cm
            .charge_gas(self.cm.price_list().on_block_read(to_read))?;
        if to_read != 0 {
            buf[..to_read].copy_from_slice(&data[start..start + to_read]);
        }
        Ok(data.len() as i32 - end)
    }

    /// Block `id`'s codec and size.
    pub fn block_stat(&mut self, id: BlockId) -> Result<BlockStat> {
        self.cm.charge_gas(self.cm.price_list().on_block_stat())?;
        Ok(self.blocks.get(id)?.stat())
    }
}

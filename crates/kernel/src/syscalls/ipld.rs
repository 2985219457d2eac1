//! `ipld` syscalls.

use ifvm_interp::HostFunctions;

use super::memory::FilecoinMemory;
use super::out::{IpldOpen, IpldStat};
use super::{Ctx, SysResult};
use crate::error::ExecutionError;
use crate::kernel::{Ext, Kernel, Store};

/// Links the `ipld` syscalls into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>) {
    f.define("ipld", "block_open", block_open::<B, E>)
        .define("ipld", "block_create", block_create::<B, E>)
        .define("ipld", "block_read", block_read::<B, E>)
        .define("ipld", "block_stat", block_stat::<B, E>)
        .define("ipld", "block_link", block_link::<B, E>);
}

fn block_open<B: Store, E: Ext>(c: Ctx<'_, B, E>, cid_off: u32) -> SysResult<IpldOpen> {
    let cid = c.memory.read_cid(cid_off)?;
    let (id, stat) = c.host.block_open(&cid)?;
    Ok(IpldOpen {
        codec: stat.codec,
        id,
        size: stat.size,
    })
}

fn block_create<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    codec: u64,
    off: u32,
    len: u32,
) -> SysResult<u32> {
    let data = c.memory.slice(off, len).map_err(ExecutionError::from)?;
    Ok(c.host.block_create(codec, data)?)
}

fn block_read<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    id: u32,
    offset: u32,
    off: u32,
    len: u32,
) -> SysResult<i32> {
    let buf = c.memory.slice_mut(off, len).map_err(ExecutionError::from)?;
    Ok(c.host.block_read(id, offset, buf)?)
}

fn block_stat<B: Store, E: Ext>(c: Ctx<'_, B, E>, id: u32) -> SysResult<IpldStat> {
    let stat = c.host.block_stat(id)?;
    Ok(IpldStat {
        codec: stat.codec,
        size: stat.size,
    })
}

fn block_link<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    id: u32,
    hash_fun: u64,
    hash_len: u32,
    cid_off: u32,
    cid_len: u32,
) -> SysResult<u32> {
    c.memory
        .check_bounds(cid_off, cid_len)
        .map_err(ExecutionError::from)?;
    let cid = c.host.block_link(id, hash_fun, hash_len)?;
    Ok(c.memory.write_cid(&cid, cid_off, cid_len)?)
}

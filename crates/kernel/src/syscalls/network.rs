//! `network` syscalls: the circulating supply, the network context and tipset CIDs (ref-fvm 2:
//! the base fee and the circulating supply).

use ifvm_interp::HostFunctions;

use super::memory::FilecoinMemory;
use super::out::{NetworkContext, SysTokenAmount};
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::ExecutionError;
use crate::kernel::{Ext, Kernel, Store};

/// Links the `network` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    f.define(
        "network",
        "total_fil_circ_supply",
        total_fil_circ_supply::<B, E>,
    );
    match abi {
        Abi::V2 => f.define("network", "base_fee", base_fee_v2::<B, E>),
        Abi::V3 | Abi::V4 => f
            .define("network", "context", network_context::<B, E>)
            .define("network", "tipset_cid", tipset_cid::<B, E>),
    };
}

/// ref-fvm 2: the base fee (no gas beyond the syscall's).
fn base_fee_v2<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<SysTokenAmount> {
    Ok(SysTokenAmount::new(&c.host.base_fee_v2(), "base-fee")?)
}

fn total_fil_circ_supply<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<SysTokenAmount> {
    Ok(SysTokenAmount::new(
        &c.host.total_fil_circ_supply(),
        "circulating supply",
    )?)
}

fn network_context<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<NetworkContext> {
    let ctx = c.host.network_context()?;
    Ok(NetworkContext {
        epoch: ctx.epoch,
        timestamp: ctx.timestamp,
        base_fee: SysTokenAmount::new(&ctx.base_fee, "base-fee")?,
        chain_id: ctx.chain_id,
        network_version: ctx.network_version,
    })
}

fn tipset_cid<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    epoch: i64,
    obuf_off: u32,
    obuf_len: u32,
) -> SysResult<u32> {
    c.memory
        .check_bounds(obuf_off, obuf_len)
        .map_err(ExecutionError::from)?;
    let cid = c.host.tipset_cid(epoch)?;
    Ok(c.memory.write_cid(&cid, obuf_off, obuf_len)?)
}

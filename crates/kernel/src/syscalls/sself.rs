//! `self` syscalls: the actor's state root, balance and self-destruct.

use ifvm_interp::HostFunctions;

use super::memory::FilecoinMemory;
use super::out::SysTokenAmount;
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::ExecutionError;
use crate::kernel::{Ext, Kernel, Store};

/// Links the `self` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    f.define("self", "root", root::<B, E>)
        .define("self", "set_root", set_root::<B, E>)
        .define("self", "current_balance", current_balance::<B, E>);
    match abi {
        Abi::V2 | Abi::V3 => f.define("self", "self_destruct", self_destruct_v3::<B, E>),
        Abi::V4 => f.define("self", "self_destruct", self_destruct_v4::<B, E>),
    };
}

fn root<B: Store, E: Ext>(mut c: Ctx<'_, B, E>, obuf_off: u32, obuf_len: u32) -> SysResult<u32> {
    c.memory
        .check_bounds(obuf_off, obuf_len)
        .map_err(ExecutionError::from)?;
    let root = c.host.root()?;
    Ok(c.memory.write_cid(&root, obuf_off, obuf_len)?)
}

fn set_root<B: Store, E: Ext>(c: Ctx<'_, B, E>, cid_off: u32) -> SysResult<()> {
    let cid = c.memory.read_cid(cid_off)?;
    Ok(c.host.set_root(cid)?)
}

fn current_balance<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<SysTokenAmount> {
    let balance = c.host.current_balance()?;
    Ok(SysTokenAmount::new(&balance, "balance")?)
}

/// ref-fvm 2 and 3: the balance goes to a beneficiary.
fn self_destruct_v3<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    addr_off: u32,
    addr_len: u32,
) -> SysResult<()> {
    let addr = c.memory.read_address(addr_off, addr_len, c.host.abi())?;
    Ok(c.host.self_destruct_v3(&addr)?)
}

/// ref-fvm 4: the balance is burnt, if allowed (any non-zero value is true).
fn self_destruct_v4<B: Store, E: Ext>(c: Ctx<'_, B, E>, burn_unspent: u32) -> SysResult<()> {
    Ok(c.host.self_destruct_v4(burn_unspent > 0)?)
}

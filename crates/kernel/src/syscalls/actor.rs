//! `actor` syscalls.

use fvm_shared::address::PAYLOAD_HASH_LEN;
use ifvm_interp::{HostError, HostFunctions};

use super::memory::FilecoinMemory;
use super::out::{SendOut, SysTokenAmount};
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::{Abort, ExecutionError, Fatal};
use crate::kernel::{Ext, Kernel, Store};
use crate::syscall_error;

/// Links the `actor` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    f.define("actor", "resolve_address", resolve_address::<B, E>)
        .define("actor", "get_actor_code_cid", get_actor_code_cid::<B, E>)
        .define(
            "actor",
            "get_builtin_actor_type",
            get_builtin_actor_type::<B, E>,
        )
        .define(
            "actor",
            "get_code_cid_for_type",
            get_code_cid_for_type::<B, E>,
        );
    if abi == Abi::V2 {
        f.define("actor", "new_actor_address", next_actor_address::<B, E>)
            .define("actor", "create_actor", create_actor_v2::<B, E>);
        return;
    }
    f.define(
        "actor",
        "lookup_delegated_address",
        lookup_delegated_address::<B, E>,
    )
    .define("actor", "next_actor_address", next_actor_address::<B, E>)
    .define("actor", "create_actor", create_actor::<B, E>)
    .define("actor", "balance_of", balance_of::<B, E>);
    // ref-fvm links it only with its `upgrade-actor` feature; builtin actors never import it.
    if abi == Abi::V4 {
        f.define("actor", "upgrade_actor", upgrade_actor_v4::<B, E>);
    }
}

fn resolve_address<B: Store, E: Ext>(c: Ctx<'_, B, E>, off: u32, len: u32) -> SysResult<u64> {
    let addr = c.memory.read_address(off, len, c.host.abi())?;
    Ok(c.host.resolve_address(&addr)?)
}

fn lookup_delegated_address<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    actor_id: u64,
    obuf_off: u32,
    obuf_len: u32,
) -> SysResult<u32> {
    let obuf = c
        .memory
        .slice_mut(obuf_off, obuf_len)
        .map_err(ExecutionError::from)?;
    match c.host.lookup_delegated_address(actor_id)? {
        Some(addr) => {
            let bytes = addr.to_bytes();
            obuf.get_mut(..bytes.len())
                .ok_or_else(
                    || syscall_error!(BufferTooSmall; "address output buffer is too small"),
                )?
                .copy_from_slice(&bytes);
            Ok(bytes.len() as u32)
        }
        None => Ok(0),
    }
}

fn get_actor_code_cid<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    actor_id: u64,
    off: u32,
    len: u32,
) -> SysResult<u32> {
    c.memory
        .check_bounds(off, len)
        .map_err(ExecutionError::from)?;
    let code = c.host.get_actor_code_cid(actor_id)?;
    Ok(c.memory.write_cid(&code, off, len)?)
}

/// `next_actor_address` (ref-fvm 2: `new_actor_address`, whose kernel operation differs).
fn next_actor_address<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    off: u32,
    len: u32,
) -> SysResult<u32> {
    let obuf = c.memory.slice_mut(off, len).map_err(ExecutionError::from)?;
    const EXPECTED_LEN: u32 = PAYLOAD_HASH_LEN as u32 + 1;
    if len < EXPECTED_LEN {
        return Err(syscall_error!(BufferTooSmall;
            "output buffer must have a minimum capacity of 21 bytes")
        .into());
    }
    let bytes = c.host.next_actor_address()?.to_bytes();
    if bytes.len() > obuf.len() {
        return Err(ExecutionError::from(Fatal::msg(format!(
            "created {} byte actor address",
            bytes.len()
        )))
        .into());
    }
    obuf[..bytes.len()].copy_from_slice(&bytes);
    Ok(bytes.len() as u32)
}

fn create_actor<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    actor_id: u64,
    code_off: u32,
    delegated_off: u32,
    delegated_len: u32,
) -> SysResult<()> {
    let code = c.memory.read_cid(code_off)?;
    let delegated = if delegated_len > 0 {
        Some(
            c.memory
                .read_address(delegated_off, delegated_len, c.host.abi())?,
        )
    } else {
        None
    };
    Ok(c.host.create_actor(code, actor_id, delegated)?)
}

/// ref-fvm 2: any actor may create an actor of non-singleton builtin code.
fn create_actor_v2<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    actor_id: u64,
    code_off: u32,
) -> SysResult<()> {
    let code = c.memory.read_cid(code_off)?;
    Ok(c.host.create_actor_v2(code, actor_id)?)
}

/// ref-fvm 4: on a successful upgrade the calling actor exits with the upgrade's return value;
/// otherwise the upgrade's exit code and return value are returned.
fn upgrade_actor_v4<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    new_code_off: u32,
    params_id: u32,
) -> SysResult<SendOut> {
    let code = c.memory.read_cid(new_code_off)?;
    let res = c.host.upgrade_actor_v4(code, params_id)?;
    if res.exit_code.is_success() {
        return Err(HostError::Abort(Abort::Exit(
            res.exit_code,
            String::new(),
            res.block_id,
        )));
    }
    Ok(SendOut {
        exit_code: res.exit_code.value(),
        return_id: res.block_id,
        return_codec: res.block_stat.codec,
        return_size: res.block_stat.size,
    })
}

fn get_builtin_actor_type<B: Store, E: Ext>(c: Ctx<'_, B, E>, code_off: u32) -> SysResult<i32> {
    let code = c.memory.read_cid(code_off)?;
    Ok(c.host.get_builtin_actor_type(&code)? as i32)
}

fn get_code_cid_for_type<B: Store, E: Ext>(
    mut c: Ctx<'_, B, E>,
    typ: i32,
    off: u32,
    len: u32,
) -> SysResult<u32> {
    c.memory
        .check_bounds(off, len)
        .map_err(ExecutionError::from)?;
    let code = c.host.get_code_cid_for_type(typ as u32)?;
    Ok(c.memory.write_cid(&code, off, len)?)
}

fn balance_of<B: Store, E: Ext>(c: Ctx<'_, B, E>, actor_id: u64) -> SysResult<SysTokenAmount> {
    let balance = c.host.balance_of(actor_id)?;
    Ok(SysTokenAmount::new(&balance, "balance")?)
}

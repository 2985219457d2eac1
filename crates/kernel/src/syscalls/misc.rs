//! `vm`, `network`, `self`, `gas` and `debug` syscalls.

use fvm_shared::error::ExitCode;
use ifvm_gas::Gas;
use ifvm_interp::{HostError, HostFunctions};

use super::memory::FilecoinMemory;
use super::out::{MessageContext, NetworkContext, SysTokenAmount};
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::{Abort, Classify};
use crate::kernel::{Ext, Kernel, Store};

/// Longest abort message kept in full.
const MAX_MESSAGE_LEN: usize = 1024;

pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    f.define("vm", "exit", exit::<B, E>)
        .define("vm", "message_context", message_context::<B, E>)
        .define(
            "network",
            "total_fil_circ_supply",
            total_fil_circ_supply::<B, E>,
        )
        .define("network", "context", network_context::<B, E>)
        .define("network", "tipset_cid", tipset_cid::<B, E>)
        .define("self", "root", root::<B, E>)
        .define("self", "set_root", set_root::<B, E>)
        .define("self", "current_balance", current_balance::<B, E>)
        .define("gas", "charge", charge_gas::<B, E>)
        .define("gas", "available", gas_available::<B, E>)
        .define("debug", "log", log::<B, E>)
        .define("debug", "enabled", debug_enabled::<B, E>)
        .define("debug", "store_artifact", store_artifact::<B, E>);
    match abi {
        Abi::V3 => f.define("self", "self_destruct", self_destruct::<B, E>),
        Abi::V4 => f.define("self", "self_destruct", self_destruct_burning::<B, E>),
    };
}

fn exit<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    code: u32,
    blk: u32,
    msg_off: u32,
    msg_len: u32,
) -> SysResult<()> {
    let code = ExitCode::new(code);
    if !code.is_success() && code.is_system_error() {
        return Err(HostError::Abort(Abort::Exit(
            ExitCode::SYS_ILLEGAL_EXIT_CODE,
            format!("actor aborted with code {code}"),
            blk,
        )));
    }
    let message = if msg_len == 0 {
        "actor aborted".to_owned()
    } else {
        match c.memory.slice(msg_off, msg_len) {
            Ok(bytes) if bytes.len() > MAX_MESSAGE_LEN => format!(
                "{} ... (skipped {} bytes) ... {}",
                String::from_utf8_lossy(&bytes[..MAX_MESSAGE_LEN / 2]),
                bytes.len() - MAX_MESSAGE_LEN,
                String::from_utf8_lossy(&bytes[bytes.len() - MAX_MESSAGE_LEN / 2..])
            ),
            Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Err(e) => format!("failed to extract error message: {e}"),
        }
    };
    Err(HostError::Abort(Abort::Exit(code, message, blk)))
}

fn message_context<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<MessageContext> {
    let ctx = c.host.msg_context()?;
    Ok(MessageContext {
        origin: ctx.origin,
        nonce: ctx.nonce,
        caller: ctx.caller,
        receiver: ctx.receiver,
        method_number: ctx.method_number,
        value_received: SysTokenAmount::new(&ctx.value_received, "value received")?,
        gas_premium: SysTokenAmount::new(&ctx.gas_premium, "gas premium")?,
        flags: u64::from(ctx.read_only),
    })
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
        .map_err(crate::error::ExecutionError::from)?;
    let cid = c.host.tipset_cid(epoch)?;
    Ok(c.memory.write_cid(&cid, obuf_off, obuf_len)?)
}

fn root<B: Store, E: Ext>(mut c: Ctx<'_, B, E>, obuf_off: u32, obuf_len: u32) -> SysResult<u32> {
    c.memory
        .check_bounds(obuf_off, obuf_len)
        .map_err(crate::error::ExecutionError::from)?;
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

/// ref-fvm 3: the balance goes to a beneficiary.
fn self_destruct<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    addr_off: u32,
    addr_len: u32,
) -> SysResult<()> {
    let addr = c.memory.read_address(addr_off, addr_len)?;
    Ok(c.host.self_destruct(&addr)?)
}

/// ref-fvm 4: the balance is burnt, if allowed (any non-zero value is true).
fn self_destruct_burning<B: Store, E: Ext>(c: Ctx<'_, B, E>, burn_unspent: u32) -> SysResult<()> {
    Ok(c.host.self_destruct_burning(burn_unspent > 0)?)
}

fn charge_gas<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    name_off: u32,
    name_len: u32,
    compute: u64,
) -> SysResult<()> {
    let bytes = c
        .memory
        .slice(name_off, name_len)
        .map_err(crate::error::ExecutionError::from)?;
    let name = std::str::from_utf8(bytes).or_illegal_argument()?;
    Ok(c.host.charge_gas(name, Gas::new(compute))?)
}

fn gas_available<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<u64> {
    Ok(c.host.gas_available().round_down())
}

fn log<B: Store, E: Ext>(c: Ctx<'_, B, E>, msg_off: u32, msg_len: u32) -> SysResult<()> {
    if !c.host.debug_enabled() {
        return Ok(());
    }
    let msg = c
        .memory
        .slice(msg_off, msg_len)
        .map_err(crate::error::ExecutionError::from)?;
    let msg = std::str::from_utf8(msg).or_illegal_argument()?;
    eprintln!("{msg}");
    Ok(())
}

fn debug_enabled<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<i32> {
    Ok(if c.host.debug_enabled() { 0 } else { -1 })
}

fn store_artifact<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    name_off: u32,
    name_len: u32,
    data_off: u32,
    data_len: u32,
) -> SysResult<()> {
    if !c.host.debug_enabled() {
        return Ok(());
    }
    c.memory
        .slice(data_off, data_len)
        .map_err(crate::error::ExecutionError::from)?;
    let name = c
        .memory
        .slice(name_off, name_len)
        .map_err(crate::error::ExecutionError::from)?;
    let name = std::str::from_utf8(name).or_illegal_argument()?;
    Ok(crate::kernel::validate_artifact_name(name)?)
}

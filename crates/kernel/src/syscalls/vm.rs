//! `vm` syscalls: ending the call, and the message (ref-fvm 2: invocation) context.

use fvm_shared::error::ExitCode;
use ifvm_interp::{HostError, HostFunctions};

use super::out::{InvocationContextV2, MessageContext, SysTokenAmount};
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::blocks::NO_DATA_BLOCK_ID;
use crate::error::Abort;
use crate::kernel::{Ext, Kernel, Store};

/// Longest abort message kept in full.
const MAX_MESSAGE_LEN: usize = 1024;

/// Links the `vm` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    match abi {
        Abi::V2 => {
            f.define("vm", "abort", abort_v2::<B, E>)
                .define("vm", "context", context_v2::<B, E>)
        }
        Abi::V3 | Abi::V4 => f.define("vm", "exit", exit::<B, E>).define(
            "vm",
            "message_context",
            message_context::<B, E>,
        ),
    };
}

/// ref-fvm 2: aborts the call with `code`. A system exit code (below 16, 0 included) becomes
/// `SYS_ILLEGAL_EXIT_CODE`; an unreadable or non-UTF-8 message keeps the code.
fn abort_v2<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    code: u32,
    msg_off: u32,
    msg_len: u32,
) -> SysResult<()> {
    const FIRST_USER_EXIT_CODE: u32 = 16;
    if code < FIRST_USER_EXIT_CODE {
        return Err(HostError::Abort(Abort::Exit(
            ExitCode::SYS_ILLEGAL_EXIT_CODE,
            format!("actor aborted with code {code}"),
            NO_DATA_BLOCK_ID,
        )));
    }
    let message = if msg_len == 0 {
        "actor aborted".to_owned()
    } else {
        match c.memory.slice(msg_off, msg_len) {
            Ok(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(e) => format!("actor aborted with an invalid message: {e}"),
            },
            Err(e) => format!("actor aborted with an invalid message: {e}"),
        }
    };
    Err(HostError::Abort(Abort::Exit(
        ExitCode::new(code),
        message,
        NO_DATA_BLOCK_ID,
    )))
}

/// ref-fvm 2: the invocation context (no gas beyond the syscall's).
fn context_v2<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<InvocationContextV2> {
    let ctx = c.host.invocation_context_v2();
    Ok(InvocationContextV2 {
        value_received: SysTokenAmount::new(&ctx.value_received, "value received")?,
        caller: ctx.caller,
        receiver: ctx.receiver,
        method_number: ctx.method_number,
        network_curr_epoch: ctx.epoch,
        network_version: ctx.network_version,
    })
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

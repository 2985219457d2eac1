//! `vm` syscalls: ending the call, and the message context.

use fvm_shared::error::ExitCode;
use ifvm_interp::{HostError, HostFunctions};

use super::out::{MessageContext, SysTokenAmount};
use super::{Ctx, SysResult};
use crate::error::Abort;
use crate::kernel::{Ext, Kernel, Store};

/// Longest abort message kept in full.
const MAX_MESSAGE_LEN: usize = 1024;

/// Links the `vm` syscalls into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>) {
    f.define("vm", "exit", exit::<B, E>)
        .define("vm", "message_context", message_context::<B, E>);
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

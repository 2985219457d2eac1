//! The `event` syscall.

use ifvm_interp::HostFunctions;

use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::ExecutionError;
use crate::kernel::{EventEntryHeader, EventEntryHeaders, Ext, Kernel, Store};
use crate::syscall_error;

/// Links the `event` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    match abi {
        // ref-fvm 2 has no events.
        Abi::V2 => f,
        Abi::V3 => f.define("event", "emit_event", emit_event_v3::<B, E>),
        Abi::V4 => f.define("event", "emit_event", emit_event_v4::<B, E>),
    };
}

/// ref-fvm 3: a CBOR-encoded `ActorEvent`.
fn emit_event_v3<B: Store, E: Ext>(c: Ctx<'_, B, E>, off: u32, len: u32) -> SysResult<()> {
    let raw = c.memory.slice(off, len).map_err(ExecutionError::from)?;
    Ok(c.host.emit_event_v3(raw)?)
}

/// ref-fvm 4: `entries` headers (`fvm_shared::sys::EventEntry`), and the keys and values they
/// index, in separate buffers.
fn emit_event_v4<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    entries_off: u32,
    entries: u32,
    keys_off: u32,
    keys_len: u32,
    values_off: u32,
    values_len: u32,
) -> SysResult<()> {
    let size = entries
        .checked_mul(EventEntryHeader::SIZE as u32)
        .ok_or_else(|| syscall_error!(IllegalArgument; "events index out of bounds"))?;
    let headers = c
        .memory
        .chunks::<{ EventEntryHeader::SIZE }>(entries_off, size)
        .map_err(ExecutionError::from)?;
    let keys = c
        .memory
        .slice(keys_off, keys_len)
        .map_err(ExecutionError::from)?;
    let values = c
        .memory
        .slice(values_off, values_len)
        .map_err(ExecutionError::from)?;
    Ok(c.host
        .emit_event_v4(EventEntryHeaders::new(headers), keys, values)?)
}

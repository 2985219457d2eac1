//! `debug` syscalls: logs (into the execution trace) and artifacts, which do nothing unless
//! actor debugging is on.

use ifvm_interp::HostFunctions;

use super::{Ctx, SysResult};
use crate::error::{Classify, ExecutionError};
use crate::kernel::{Ext, Kernel, Store};

/// Links the `debug` syscalls into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>) {
    f.define("debug", "log", log::<B, E>)
        .define("debug", "enabled", debug_enabled::<B, E>)
        .define("debug", "store_artifact", store_artifact::<B, E>);
}

fn log<B: Store, E: Ext>(c: Ctx<'_, B, E>, msg_off: u32, msg_len: u32) -> SysResult<()> {
    if !c.host.debug_enabled() {
        return Ok(());
    }
    let msg = c
        .memory
        .slice(msg_off, msg_len)
        .map_err(ExecutionError::from)?;
    let msg = std::str::from_utf8(msg).or_illegal_argument()?.to_owned();
    c.host.log(msg);
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
        .map_err(ExecutionError::from)?;
    let name = c
        .memory
        .slice(name_off, name_len)
        .map_err(ExecutionError::from)?;
    let name = std::str::from_utf8(name).or_illegal_argument()?;
    Ok(crate::kernel::validate_artifact_name(name)?)
}

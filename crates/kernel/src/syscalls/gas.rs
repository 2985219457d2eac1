//! `gas` syscalls: charging gas and reading what is left.

use ifvm_gas::Gas;
use ifvm_interp::HostFunctions;

use super::{Ctx, SysResult};
use crate::error::{Classify, ExecutionError};
use crate::kernel::{Ext, Kernel, Store};

/// Links the `gas` syscalls into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>) {
    f.define("gas", "charge", charge_gas::<B, E>)
        .define("gas", "available", gas_available::<B, E>);
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
        .map_err(ExecutionError::from)?;
    let name = std::str::from_utf8(bytes).or_illegal_argument()?;
    Ok(c.host.charge_gas(name, Gas::new(compute))?)
}

fn gas_available<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<u64> {
    Ok(c.host.gas_available().round_down())
}

//! `gas` syscalls: charging gas and reading what is left.

use ifvm_gas::Gas;
use ifvm_interp::HostFunctions;

use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::{Classify, ExecutionError};
use crate::kernel::{Ext, Kernel, Store};

/// Links the `gas` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    match abi {
        Abi::V2 => f.define("gas", "charge", charge_gas_v2::<B, E>),
        Abi::V3 | Abi::V4 => f.define("gas", "charge", charge_gas::<B, E>).define(
            "gas",
            "available",
            gas_available::<B, E>,
        ),
    };
}

/// ref-fvm 2: the amount is signed; a negative one gives gas back.
fn charge_gas_v2<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    name_off: u32,
    name_len: u32,
    compute: i64,
) -> SysResult<()> {
    let bytes = c
        .memory
        .slice(name_off, name_len)
        .map_err(ExecutionError::from)?;
    let name = std::str::from_utf8(bytes).or_illegal_argument()?;
    let amount = Gas::new(compute.unsigned_abs());
    if compute < 0 {
        c.host.refund_gas_v2(amount);
        Ok(())
    } else {
        Ok(c.host.charge_gas(name, amount)?)
    }
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

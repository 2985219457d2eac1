//! `gas` syscalls: charging gas and reading what is left.

use ifvm_gas::Gas;
use ifvm_interp::{GuestMemory, HostFunctions};

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

/// The charge's name in guest memory (`IllegalArgument` if out of bounds or not UTF-8).
fn charge_name<'a>(memory: &'a GuestMemory<'_>, off: u32, len: u32) -> SysResult<&'a str> {
    let bytes = memory.slice(off, len).map_err(ExecutionError::from)?;
    Ok(std::str::from_utf8(bytes).or_illegal_argument()?)
}

/// ref-fvm 2: the amount is signed; a negative one gives gas back.
fn charge_gas_v2<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    name_off: u32,
    name_len: u32,
    compute: i64,
) -> SysResult<()> {
    match u64::try_from(compute) {
        Ok(compute) => charge_gas(c, name_off, name_len, compute),
        Err(_) => {
            let name = charge_name(&c.memory, name_off, name_len)?;
            let name = name.to_owned();
            c.host.refund_gas_v2(name, Gas::new(compute.unsigned_abs()));
            Ok(())
        }
    }
}

fn charge_gas<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    name_off: u32,
    name_len: u32,
    compute: u64,
) -> SysResult<()> {
    let name = charge_name(&c.memory, name_off, name_len)?;
    Ok(c.host.charge_gas(name, Gas::new(compute))?)
}

fn gas_available<B: Store, E: Ext>(c: Ctx<'_, B, E>) -> SysResult<u64> {
    Ok(c.host.gas_available().round_down())
}

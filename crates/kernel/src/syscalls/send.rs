//! The `send` syscall.

use fvm_shared::econ::TokenAmount;
use fvm_shared::sys::SendFlags;
use ifvm_gas::Gas;
use ifvm_interp::HostFunctions;

use super::memory::FilecoinMemory;
use super::out::SendOut;
use super::{Ctx, SysResult};
use crate::kernel::{Ext, Kernel, Store};
use crate::syscall_error;

/// Links the `send` syscalls into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>) {
    f.define("send", "send", send::<B, E>);
}

#[allow(clippy::too_many_arguments)]
fn send<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    recipient_off: u32,
    recipient_len: u32,
    method: u64,
    params_id: u32,
    value_hi: u64,
    value_lo: u64,
    gas_limit: u64,
    flags: u64,
) -> SysResult<SendOut> {
    let recipient = c.memory.read_address(recipient_off, recipient_len)?;
    let value = TokenAmount::from_atto((u128::from(value_hi) << 64) | u128::from(value_lo));
    let gas_limit = (gas_limit < u64::MAX).then(|| Gas::new(gas_limit));
    let flags = SendFlags::from_bits(flags)
        .ok_or_else(|| syscall_error!(IllegalArgument; "invalid send flags: {flags}"))?;
    let res = c
        .host
        .send(&recipient, method, params_id, &value, gas_limit, flags)?;
    Ok(SendOut {
        exit_code: res.exit_code.value(),
        return_id: res.block_id,
        return_codec: res.block_stat.codec,
        return_size: res.block_stat.size,
    })
}

//! The `send` syscall.

use fvm_shared::econ::TokenAmount;
use fvm_shared::sys::SendFlags;
use ifvm_gas::Gas;
use ifvm_interp::HostFunctions;

use super::memory::FilecoinMemory;
use super::out::SendOut;
use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::kernel::{Ext, Kernel, Store};
use crate::syscall_error;

/// Links the `send` syscall of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    match abi {
        Abi::V2 => f.define("send", "send", send_v2::<B, E>),
        Abi::V3 | Abi::V4 => f.define("send", "send", send::<B, E>),
    };
}

/// ref-fvm 2: no gas limit of the call's own, no flags.
fn send_v2<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    recipient_off: u32,
    recipient_len: u32,
    method: u64,
    params_id: u32,
    value_hi: u64,
    value_lo: u64,
) -> SysResult<SendOut> {
    send(
        c,
        recipient_off,
        recipient_len,
        method,
        params_id,
        value_hi,
        value_lo,
        u64::MAX,
        0,
    )
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
    let recipient = c
        .memory
        .read_address(recipient_off, recipient_len, c.host.abi())?;
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

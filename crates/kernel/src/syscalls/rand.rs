//! `rand` syscalls.

use fvm_shared::randomness::RANDOMNESS_LENGTH;
use ifvm_interp::HostFunctions;

use super::{Ctx, SysResult};
use crate::abi::Abi;
use crate::error::ExecutionError;
use crate::kernel::{Ext, Kernel, Store};

/// Links the `rand` syscalls of `abi` into `f`.
pub(super) fn link<B: Store, E: Ext>(f: &mut HostFunctions<Kernel<B, E>>, abi: Abi) {
    match abi {
        Abi::V2 | Abi::V3 => f
            .define(
                "rand",
                "get_chain_randomness",
                get_chain_randomness_v3::<B, E>,
            )
            .define(
                "rand",
                "get_beacon_randomness",
                get_beacon_randomness_v3::<B, E>,
            ),
        Abi::V4 => f
            .define(
                "rand",
                "get_chain_randomness",
                get_chain_randomness_v4::<B, E>,
            )
            .define(
                "rand",
                "get_beacon_randomness",
                get_beacon_randomness_v4::<B, E>,
            ),
    };
}

/// ref-fvm 2 and 3: randomness drawn with a personalization and entropy.
fn get_chain_randomness_v3<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    pers: i64,
    round: i64,
    entropy_off: u32,
    entropy_len: u32,
) -> SysResult<[u8; RANDOMNESS_LENGTH]> {
    let entropy = c
        .memory
        .slice(entropy_off, entropy_len)
        .map_err(ExecutionError::from)?;
    Ok(c.host.chain_randomness_v3(pers, round, entropy)?)
}

/// ref-fvm 3: randomness drawn with a personalization and entropy.
fn get_beacon_randomness_v3<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    pers: i64,
    round: i64,
    entropy_off: u32,
    entropy_len: u32,
) -> SysResult<[u8; RANDOMNESS_LENGTH]> {
    let entropy = c
        .memory
        .slice(entropy_off, entropy_len)
        .map_err(ExecutionError::from)?;
    Ok(c.host.beacon_randomness_v3(pers, round, entropy)?)
}

/// ref-fvm 4: the round's digest; the actor draws from it.
fn get_chain_randomness_v4<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    round: i64,
) -> SysResult<[u8; RANDOMNESS_LENGTH]> {
    Ok(c.host.chain_randomness_v4(round)?)
}

/// ref-fvm 4: the round's digest; the actor draws from it.
fn get_beacon_randomness_v4<B: Store, E: Ext>(
    c: Ctx<'_, B, E>,
    round: i64,
) -> SysResult<[u8; RANDOMNESS_LENGTH]> {
    Ok(c.host.beacon_randomness_v4(round)?)
}

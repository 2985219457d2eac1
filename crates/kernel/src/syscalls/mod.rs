//! The syscall ABI: the Wasm imports actors link against, one file per import module (`vm`,
//! `network`, `self`, `gas`, `debug`, `ipld`, `actor`, `crypto`, `send`, `event`, `rand`). Each
//! syscall decodes its arguments from guest memory, calls a kernel operation and encodes the
//! result, exactly as ref-fvm's bindings do (argument order, out-pointer layout, error numbers).
//! A binding that exists in one ABI's form only carries the ABI as a suffix (`_v2`, `_v3`, `_v4`), as
//! the kernel operations and charges it calls do.

mod actor;
mod crypto;
mod debug;
mod event;
mod gas;
mod ipld;
mod memory;
mod network;
mod out;
mod rand;
mod send;
mod sself;
mod vm;

use std::num::NonZeroU32;

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;
use fvm_shared::error::ErrorNumber;
use ifvm_interp::{HostError, HostFunctions, HostImport};

use crate::abi::Abi;
use crate::error::{Abort, ExecutionError};
use crate::externs::Externs;
use crate::kernel::{Ext, Kernel, Store};

/// What a syscall returns: a value, a status code for the actor, or an abort.
pub(crate) type SysResult<T> = std::result::Result<T, HostError<Abort>>;

/// The syscall context: the kernel and the caller's memory.
pub(crate) type Ctx<'a, B, E> = ifvm_interp::Caller<'a, Kernel<B, E>>;

impl From<ExecutionError> for HostError<Abort> {
    fn from(e: ExecutionError) -> Self {
        match e {
            ExecutionError::Syscall(e) => HostError::Status {
                code: NonZeroU32::new(e.number as u32).expect("error numbers are non-zero"),
                message: e.message,
            },
            ExecutionError::OutOfGas => HostError::Abort(Abort::OutOfGas),
            ExecutionError::Fatal(f) => HostError::Abort(Abort::Fatal(f)),
        }
    }
}

/// The syscalls of `abi`.
pub(crate) fn host_functions<B: Store, E: Ext>(abi: Abi) -> HostFunctions<Kernel<B, E>> {
    let oob = NonZeroU32::new(ErrorNumber::IllegalArgument as u32).expect("non-zero");
    let mut f = HostFunctions::new(oob);
    vm::link(&mut f, abi);
    network::link(&mut f, abi);
    sself::link(&mut f, abi);
    gas::link(&mut f, abi);
    debug::link(&mut f);
    ipld::link(&mut f);
    actor::link(&mut f, abi);
    crypto::link(&mut f, abi);
    send::link(&mut f, abi);
    event::link(&mut f, abi);
    rand::link(&mut f, abi);
    f
}

/// Every syscall an actor on `abi` can import, with its Wasm signature, ordered by module, then
/// name: the ABI as ifvm links it (the same for every blockstore and node).
pub fn syscall_imports(abi: Abi) -> Vec<HostImport> {
    host_functions::<fvm_ipld_blockstore::MemoryBlockstore, NoNode>(abi).imports()
}

/// A node that cannot exist: [`syscall_imports`] only lists the syscalls, it never runs them.
enum NoNode {}

impl Externs for NoNode {
    fn get_chain_randomness(&self, _: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        match *self {}
    }

    fn get_beacon_randomness(&self, _: ChainEpoch) -> anyhow::Result<[u8; 32]> {
        match *self {}
    }

    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<(Option<ConsensusFault>, i64)> {
        match *self {}
    }

    fn get_tipset_cid(&self, _: ChainEpoch) -> anyhow::Result<Cid> {
        match *self {}
    }
}

//! ifvm's kernel: the Filecoin half of the VM. It knows Filecoin, not wasmi: actors run through
//! `ifvm-interp`, and this crate provides what they may ask of the VM, with ref-fvm's exact
//! semantics, gas and error numbers.
//!
//! - [`Machine`]: a network configuration ([`NetworkConfig`], [`MachineContext`]), the state
//!   tree over a buffered blockstore, the builtin actors manifest, [`Externs`], the engine and a
//!   [`ProofVerifier`];
//! - [`Executor`]: applies messages ([`Executor::execute_message`]) and flushes state;
//! - [`EnginePool`]: engines shared by configuration, a limit on messages running at once, and
//!   [`preload_all`] to prepare a bundle ahead of use;
//! - [`trace`]: the execution trace of every message, as ref-fvm reports it;
//! - the call manager and kernel behind them: sends, transactions, actor creation, every syscall
//!   of the ABI a network version runs (selected in one place, [`Abi`]).
//!
//! The embedding API mirrors ref-fvm's, so a node can switch engines with little change:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use ifvm_kernel::*;
//! # fn run(blockstore: fvm_ipld_blockstore::MemoryBlockstore, externs: impl Externs + Send + 'static,
//! #        root: cid::Cid, msg: fvm_shared::message::Message) -> std::result::Result<(), Box<dyn std::error::Error>> {
//! let nc = NetworkConfig::new(fvm_shared::version::NetworkVersion::V18)?;
//! let engine = ifvm_interp::Engine::new(nc.engine_config());
//! let context = nc.for_epoch(2_683_348, 0, root);
//! let machine = Machine::new(context, blockstore, externs, engine, Arc::new(AcceptAllProofs))?;
//! let mut executor = Executor::new(machine);
//! let ret = executor.execute_message(msg, ApplyKind::Explicit, 100)?;
//! println!("exit code {}, gas used {}", ret.msg_receipt.exit_code, ret.msg_receipt.gas_used);
//! let new_root = executor.flush()?;
//! # Ok(()) }
//! ```

mod abi;
mod backtrace;
mod blocks;
mod blockstore;
mod call_manager;
mod clock;
mod engine_pool;
mod entrypoint;
mod error;
mod events;
mod executor;
mod externs;
mod gas_outputs;
mod history_map;
mod ipld_links;
mod kernel;
mod machine;
mod proofs;
#[cfg(feature = "real-proofs")]
mod real_proofs;
mod signatures;
mod state_access;
mod state_tree;
mod syscalls;
mod threaded;
pub mod trace;

pub use abi::Abi;
pub use backtrace::{Backtrace, Cause, Frame};
pub use blocks::{Block, BlockId, BlockStat};
pub use blockstore::{BufferedBlockstore, FlushError};
pub use call_manager::{NativeStackExhausted, MESSAGE_THREAD_STACK_SIZE, NATIVE_STACK_RESERVE};
pub use engine_pool::{preload_all, EnginePool, ExecutionSlot, PreloadError, DEFAULT_CODE_BUDGET};
pub use error::{Abort, ExecutionError, Fatal, Result, SyscallError};
pub use executor::{ApplyFailure, ApplyKind, ApplyRet, Executor, ExecutorError, Unusable};
pub use externs::Externs;
pub use gas_outputs::GasOutputs;
pub use kernel::{EventEntryHeader, EventEntryHeaders, Ext, Kernel, SendResult, Store};
pub use machine::{
    Machine, MachineContext, MachineError, NetworkConfig, UnsupportedNetworkVersion, TOTAL_FILECOIN,
};
pub use proofs::{compute_unsealed_sector_cid, AcceptAllProofs, ProofError, ProofVerifier};
#[cfg(feature = "real-proofs")]
pub use real_proofs::RealProofs;
pub use state_tree::{ActorState, StateTree};
pub use syscalls::syscall_imports;
pub use threaded::ThreadedExecutor;
pub use trace::{ExecutionEvent, ExecutionTrace, IpldOperation};

//! `memory.grow` as a call to an internal host function, so that wasmi's native stack stays flat.
//!
//! Under wasmi 2.0.0's tail-call dispatch (optimised builds) the `memory.grow` handler passes a
//! reference to a local to the store's growth callback, so the compiler cannot turn its call to
//! the next instruction's handler into a jump: every growth that reaches the callback holds a
//! native frame until the actor returns, and a loop of growths overflows any stack
//! (`tests/native_stack.rs`; found by the engine campaign). wasmi calls host functions from its
//! call handler, which returns before dispatching on, so a growth made by a host function costs
//! no native stack.
//!
//! Preparation (`crate::inline_gas`, after metering, so gas is unchanged) therefore appends the
//! import [`MODULE`]`.`[`NAME`] of type `(i32) -> i32` as the module's last import, and replaces
//! every `memory.grow` with a call to it. Linking binds that import, and only when it is the
//! last function import, to [`func`]: an actor's own import of the same name is linked like any
//! unknown import (refused), as ref-fvm refuses it.
//!
//! [`func`] grows the instance's memory through wasmi's API, which asks the same
//! [`ResourceLimiter`](wasmi::ResourceLimiter) as the instruction: the previous size in pages,
//! or `-1` if the growth is refused. The instruction traps only when a limiter returns an
//! error, which ifvm's never does (it refuses with `Ok(false)`), so both forms give the same
//! results, memory and accounting.

use crate::invocation::InvocationData;
use crate::Host;

/// The import module of the internal growth function.
pub(crate) const MODULE: &str = "ifvm internal";

/// The import name of the internal growth function.
pub(crate) const NAME: &str = "memory.grow";

/// The internal growth function: grows memory 0 (the instance's only memory, which FVM actors
/// export as `memory`) by its argument in pages and returns the previous size, or `-1`.
pub(crate) fn func<H: Host>(store: &mut wasmi::Store<InvocationData<H>>) -> wasmi::Func {
    wasmi::Func::wrap(
        store,
        |mut caller: wasmi::Caller<'_, InvocationData<H>>, delta: u32| -> u32 {
            // Instantiation refuses a module without a `memory` export before anything runs
            // (or, under ref-fvm 2, any priced instruction in a start function traps first).
            let Some(memory) = caller
                .get_export("memory")
                .and_then(wasmi::Extern::into_memory)
            else {
                return u32::MAX;
            };
            match memory.grow(&mut caller, u64::from(delta)) {
                // At most 65,536 pages: memory64 is not among the FVM's features.
                Ok(previous) => u32::try_from(previous).unwrap_or(u32::MAX),
                Err(_) => u32::MAX,
            }
        },
    )
}

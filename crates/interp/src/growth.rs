//! `memory.grow` and `table.grow` as calls to internal host functions, so that wasmi's native
//! stack stays flat.
//!
//! Under wasmi 2.0.0's tail-call dispatch (optimised builds) the `memory.grow` and `table.grow`
//! handlers pass a reference to a local to the store's growth callback, so the compiler cannot
//! turn their call to the next instruction's handler into a jump: every growth that reaches the
//! callback (a refused one, or one by a non-constant delta) holds a native frame until the
//! actor returns, and a loop of growths overflows any stack (`tests/native_stack.rs`; found by
//! the engine campaign). wasmi calls host functions from its call handler, which returns before
//! dispatching on, so a growth made by a host function costs no native stack.
//!
//! Preparation (`crate::growth_rewrite`, after metering, so gas is unchanged) therefore appends
//! internal imports after the module's own and replaces the instructions with calls to them:
//! - [`MODULE`]`.`[`MEMORY_GROW`], of type `(i32) -> i32`, for `memory.grow`;
//! - [`MODULE`]`.`[`TABLE_GROW`], of type `(funcref, i32, i32) -> i32`, for `table.grow t`
//!   (which becomes `i32.const t; call`); every table is exported under
//!   [`table_export_name`], the only way a host function reaches a table.
//!
//! An actor importing one of these names itself gets the internal import appended after its own,
//! so the internal import is always the last of its name; [`InternalImports::find`] records
//! which it is once per prepared module, and linking binds only that one. The actor's own import
//! is linked like any unknown import (refused), as ref-fvm refuses it.
//!
//! Both functions grow through wasmi's API, which asks the same
//! [`ResourceLimiter`](wasmi::ResourceLimiter) as the instruction: the previous size, or `-1` if
//! the growth is refused. The instruction traps only when a limiter returns an error, which
//! ifvm's never does (it refuses with `Ok(false)`), so both forms give the same results,
//! memory, tables and accounting.

use alloc::format;
use alloc::string::String;

use crate::invocation::InvocationData;
use crate::Host;

/// The import module of the internal growth functions.
pub(crate) const MODULE: &str = "ifvm internal";

/// The import name of the internal memory growth function.
pub(crate) const MEMORY_GROW: &str = "memory.grow";

/// The import name of the internal table growth function.
pub(crate) const TABLE_GROW: &str = "table.grow";

/// The name under which preparation exports table `table`. Preparation drops an export of the
/// module's own under that name: ref-fvm reads no export but `invoke`,
/// `memory` and `table`, so nothing observes it.
pub(crate) fn table_export_name(table: u32) -> String {
    format!("{TABLE_EXPORT_PREFIX}{table}")
}

/// What [`table_export_name`] puts before the table's index.
pub(crate) const TABLE_EXPORT_PREFIX: &str = "ifvm internal table ";

/// Which imports of a prepared module are the internal growth functions: positions in
/// [`wasmi::Module::imports`]' order, the order linking supplies them in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct InternalImports {
    pub(crate) memory_grow: Option<usize>,
    pub(crate) table_grow: Option<usize>,
}

impl InternalImports {
    /// The last function import of each internal name (preparation appends the internal import
    /// after any of the module's own of the same name).
    pub(crate) fn find(module: &wasmi::Module) -> Self {
        let mut found = Self::default();
        for (index, import) in module.imports().enumerate() {
            if import.module() != MODULE || !matches!(import.ty(), wasmi::ExternType::Func(_)) {
                continue;
            }
            match import.name() {
                MEMORY_GROW => found.memory_grow = Some(index),
                TABLE_GROW => found.table_grow = Some(index),
                _ => {}
            }
        }
        found
    }
}

/// The internal memory growth function: grows memory 0 (the instance's only memory, which FVM
/// actors export as `memory`) by its argument in pages and returns the previous size, or `-1`.
pub(crate) fn memory_grow<H: Host>(store: &mut wasmi::Store<InvocationData<H>>) -> wasmi::Func {
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

/// The internal table growth function: `(init, delta, table)` grows table `table` (exported
/// under [`table_export_name`]) by `delta` elements set to `init`, and returns the previous size,
/// or `-1`.
pub(crate) fn table_grow<H: Host>(store: &mut wasmi::Store<InvocationData<H>>) -> wasmi::Func {
    wasmi::Func::wrap(
        store,
        |mut caller: wasmi::Caller<'_, InvocationData<H>>,
         init: wasmi::Nullable<wasmi::Func>,
         delta: u32,
         table: u32|
         -> u32 {
            // Preparation exports every table.
            let Some(table) = caller
                .get_export(&table_export_name(table))
                .and_then(wasmi::Extern::into_table)
            else {
                return u32::MAX;
            };
            match table.grow(&mut caller, u64::from(delta), wasmi::Ref::from(init)) {
                // Table sizes are 32-bit: table64 is not among the FVM's features.
                Ok(previous) => u32::try_from(previous).unwrap_or(u32::MAX),
                Err(_) => u32::MAX,
            }
        },
    )
}

//! Preparation's half of `crate::growth`: appending the internal growth imports, exporting the
//! tables, and turning `memory.grow` and `table.grow` into calls.
//!
//! Both imports are appended to every module the gas pass re-encodes, after the module's own
//! imports: the module's defined functions move up by [`APPENDED_FUNCS`]. Appending them always,
//! rather than only to modules that grow, spares preparation a scan of every function body, and
//! makes the internal import the last of its name even in a module that imports the name itself.
//! Every table is exported under [`growth::table_export_name`]; an export of the module's own
//! under one of those names is dropped.

use wasm_encoder::{EntityType, ExportKind, Instruction, RefType, ValType};
use wasmparser::Operator;

use crate::growth;

/// How many function imports preparation appends.
pub(crate) const APPENDED_FUNCS: u32 = 2;

/// Where the internal imports and table exports go in one module.
pub(crate) struct GrowthRewrite {
    /// The module's own function types; the two internal types are appended after them.
    types: u32,
    /// The module's own function imports; the internal imports are appended after them.
    imported_funcs: u32,
    /// The module's tables, imported and defined.
    tables: u32,
}

impl GrowthRewrite {
    /// For a module with `types` function types, `imported_funcs` function imports and `tables`
    /// tables.
    pub(crate) fn new(types: u32, imported_funcs: u32, tables: u32) -> Self {
        Self {
            types,
            imported_funcs,
            tables,
        }
    }

    /// The new index of the module's function `func`.
    pub(crate) fn function_index(&self, func: u32) -> u32 {
        if func >= self.imported_funcs {
            func + APPENDED_FUNCS
        } else {
            func
        }
    }

    /// Appends the internal functions' types: `(i32) -> i32`, then `(funcref, i32, i32) -> i32`.
    pub(crate) fn append_types(&self, types: &mut wasm_encoder::TypeSection) {
        types.ty().function([ValType::I32], [ValType::I32]);
        types.ty().function(
            [ValType::Ref(RefType::FUNCREF), ValType::I32, ValType::I32],
            [ValType::I32],
        );
    }

    /// Appends the internal imports after the module's own.
    pub(crate) fn append_imports(&self, imports: &mut wasm_encoder::ImportSection) {
        imports.import(
            growth::MODULE,
            growth::MEMORY_GROW,
            EntityType::Function(self.types),
        );
        imports.import(
            growth::MODULE,
            growth::TABLE_GROW,
            EntityType::Function(self.types + 1),
        );
    }

    /// Whether the module's own export `name` is kept (it is not one of the table exports').
    pub(crate) fn keeps_export(&self, name: &str) -> bool {
        let table = name
            .strip_prefix(growth::TABLE_EXPORT_PREFIX)
            .and_then(|index| index.parse::<u32>().ok());
        !table.is_some_and(|t| t < self.tables && growth::table_export_name(t) == name)
    }

    /// Exports every table under its internal name.
    pub(crate) fn append_exports(&self, exports: &mut wasm_encoder::ExportSection) {
        for table in 0..self.tables {
            exports.export(&growth::table_export_name(table), ExportKind::Table, table);
        }
    }

    /// Encodes the call replacing `op` into `f` if `op` is a growth instruction, and says
    /// whether it was one: `memory.grow` becomes a call to the memory import, `table.grow t`
    /// becomes `i32.const t` and a call to the table import.
    pub(crate) fn replace(&self, op: &Operator<'_>, f: &mut wasm_encoder::Function) -> bool {
        match op {
            Operator::MemoryGrow { .. } => {
                f.instruction(&Instruction::Call(self.imported_funcs));
            }
            Operator::TableGrow { table } => {
                // The table index travels as an i32 of the same bits.
                f.instruction(&Instruction::I32Const(*table as i32))
                    .instruction(&Instruction::Call(self.imported_funcs + 1));
            }
            _ => return false,
        }
        true
    }
}

//! Inlining the gas charges: `fvm-wasm-instrument` meters a block by calling a small function
//! (`gas -= cost; if gas < 0 { unreachable }`). A call is cheap in compiled code but costs an
//! interpreter a frame push and pop; at the start of every metered block that dominated
//! execution time. This pass replaces each call to that function with its body, after metering
//! (so gas is unchanged) and only for a function whose body is exactly the counter's (so the
//! result is the same whoever wrote the module). Both instrumenter generations (0.2 for ref-fvm
//! 2, 0.4 for ref-fvm 3 and 4) emit the same counter body; only the name of the imported gas
//! global differs (`gas_couner` and `gas_counter`), so callers name it.
//!
//! The same re-encoding passes the condition of a `select` that directly follows `i32.eqz`,
//! `i32.eq` or `i32.ne` through a local (`local.tee`), which changes no result and no gas:
//! wasmi 2.0.0 fuses such a comparison with zero into the `select`, and when the compared
//! operand is in a stack slot rather than its register the fused select reads a stale register
//! and picks the wrong value (found by the engine campaign;
//! `a_select_after_a_comparison_with_zero_matches_wasmtime` in `tests/engine_vs_wasmtime/`).
//! wasmi fuses only the instruction right before the `select`, and never one whose result went
//! to a local; other selects are left as they are.
//!
//! An integer store whose offset needs more than 16 bits gets its operands through two locals
//! (`local.set` value, `local.set` address, `local.get` both), which changes no result and no
//! gas: wasmi 2.0.0 keeps the last value of a local in a register, and translating such a store
//! of that value to that same value as address (`local.tee 1 local.get 1 i32.store16
//! offset=70000`) reaches an `unreachable!()` for want of a register-register form, taking the
//! host down (found by the engine campaign;
//! `an_integer_store_beyond_a_16_bit_offset_of_its_own_address_matches_wasmtime`). From two
//! distinct locals at most one operand is in the register. Floating-point stores have that
//! form, and shorter offsets take a path that handles it.
//!
//! It also turns every `memory.grow` and `table.grow` into a call to an internal growth
//! function, appended after the module's imports, and exports every table for the table growth
//! function (`crate::growth_rewrite`, against a native stack overflow in wasmi 2.0.0's growth
//! handlers); function indices of the module's own functions move up by two.

use alloc::string::ToString;
use alloc::vec::Vec;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{BlockType, Instruction, SectionId, ValType};
use wasmparser::{Operator, Parser, Payload, TypeRef};

use crate::growth_rewrite::GrowthRewrite;
use crate::PrepareError;

/// The gas global and the counter function of an instrumented module.
pub(crate) struct Counter {
    pub(crate) global: u32,
    pub(crate) func: u32,
}

/// Finds the gas counter: a function of type `(i64) -> ()`, without locals, whose body is
/// `global.get G; local.get 0; i64.sub; global.set G; global.get G; i64.const 0; i64.lt_s;
/// if; unreachable; end; end`, G being the imported global `gas.<counter_name>`.
pub(crate) fn find_counter(
    wasm: &[u8],
    counter_name: &str,
) -> Result<Option<Counter>, wasmparser::BinaryReaderError> {
    let (mut imported_funcs, mut imported_globals) = (0u32, 0u32);
    let mut gas_global = None;
    let mut func_types = Vec::new();
    let mut types = Vec::new();
    let mut defined = 0u32;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty?;
                    types
                        .push(ty.params() == [wasmparser::ValType::I64] && ty.results().is_empty());
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(_) => imported_funcs += 1,
                        TypeRef::Global(_) => {
                            if import.module == "gas" && import.name == counter_name {
                                gas_global = Some(imported_globals);
                            }
                            imported_globals += 1;
                        }
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty?);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = defined;
                defined += 1;
                let Some(global) = gas_global else { continue };
                let right_type = func_types
                    .get(index as usize)
                    .and_then(|t| types.get(*t as usize))
                    .copied()
                    .unwrap_or(false);
                if right_type
                    && body.get_locals_reader()?.get_count() == 0
                    && is_counter_body(&body, global)?
                {
                    return Ok(Some(Counter {
                        global,
                        func: imported_funcs + index,
                    }));
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

fn is_counter_body(
    body: &wasmparser::FunctionBody<'_>,
    g: u32,
) -> Result<bool, wasmparser::BinaryReaderError> {
    let mut ops = body.get_operators_reader()?;
    let mut seen = Vec::new();
    while !ops.eof() {
        seen.push(ops.read()?);
        if seen.len() > 11 {
            return Ok(false);
        }
    }
    use Operator as O;
    Ok(matches!(
        seen.as_slice(),
        [
            O::GlobalGet { global_index: a },
            O::LocalGet { local_index: 0 },
            O::I64Sub,
            O::GlobalSet { global_index: b },
            O::GlobalGet { global_index: c },
            O::I64Const { value: 0 },
            O::I64LtS,
            O::If { blockty: wasmparser::BlockType::Empty },
            O::Unreachable,
            O::End,
            O::End,
        ] if *a == g && *b == g && *c == g
    ))
}

/// Rewrites calls to the counter into its body, and growth instructions into calls to the
/// internal growth functions.
struct Inliner {
    counter: Counter,
    growth: GrowthRewrite,
    /// Whether the table exports were added (to the module's export section, or in a new one).
    exports_done: bool,
    /// Parameter count of each function type.
    type_params: Vec<u32>,
    /// Type index of each function (imported, then defined).
    func_types: Vec<u32>,
    /// Index of the next defined function to encode.
    next_func: u32,
}

impl Inliner {
    /// `gas -= cost; if gas < 0 { unreachable }`, the cost being a constant or in `scratch`,
    /// and the new gas kept in `scratch` rather than read back from the global.
    fn charge(&self, f: &mut wasm_encoder::Function, cost: Cost, scratch: u32) {
        let g = self.counter.global;
        f.instruction(&Instruction::GlobalGet(g));
        match cost {
            Cost::Const(v) => f.instruction(&Instruction::I64Const(v)),
            Cost::Scratch => f.instruction(&Instruction::LocalGet(scratch)),
        };
        f.instruction(&Instruction::I64Sub)
            .instruction(&Instruction::LocalTee(scratch))
            .instruction(&Instruction::GlobalSet(g))
            .instruction(&Instruction::LocalGet(scratch))
            .instruction(&Instruction::I64Const(0))
            .instruction(&Instruction::I64LtS)
            .instruction(&Instruction::If(BlockType::Empty))
            .instruction(&Instruction::Unreachable)
            .instruction(&Instruction::End);
    }
}

enum Cost {
    Const(i64),
    Scratch,
}

impl Reencode for Inliner {
    type Error = core::convert::Infallible;

    fn function_index(&mut self, func: u32) -> u32 {
        self.growth.function_index(func)
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_type_section(self, types, section)?;
        self.growth.append_types(types);
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_import_section(self, imports, section)?;
        self.growth.append_imports(imports);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        self.growth.append_exports(exports);
        self.exports_done = true;
        Ok(())
    }

    fn parse_export(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        export: wasmparser::Export<'_>,
    ) {
        if self.growth.keeps_export(export.name) {
            wasm_encoder::reencode::utils::parse_export(self, exports, export);
        }
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        if !self.exports_done && crate::section_order::after_exports(before) {
            let mut exports = wasm_encoder::ExportSection::new();
            self.growth.append_exports(&mut exports);
            module.section(&exports);
            self.exports_done = true;
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let index = self.next_func;
        self.next_func += 1;
        let params = self
            .func_types
            .get(index as usize)
            .and_then(|t| self.type_params.get(*t as usize))
            .copied()
            .unwrap_or(0);
        let mut locals = Vec::new();
        let mut declared = 0u32;
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            declared += count;
            locals.push((count, RoundtripReencoder.val_type(ty)?));
        }
        // A scratch local: for costs computed at run time (memory.grow), and the new gas.
        let scratch = params + declared;
        locals.push((1, ValType::I64));
        // The local a fusable `select` condition passes through (see the module's doc), and
        // the i32 value of a long-offset store; the i64 value of such a store uses `scratch`.
        let condition = scratch + 1;
        locals.push((1, ValType::I32));
        // The address of a long-offset store.
        let address = scratch + 2;
        locals.push((1, ValType::I32));
        let mut f = wasm_encoder::Function::new(locals);
        let mut reader = func.get_operators_reader()?;
        let mut pending: Option<i64> = None;
        // Whether the last operator was a comparison wasmi would fuse into a `select`.
        let mut after_fusable = false;
        while !reader.eof() {
            let op = reader.read()?;
            let fusable = matches!(op, Operator::I32Eqz | Operator::I32Eq | Operator::I32Ne);
            match op {
                Operator::Call { function_index } if function_index == self.counter.func => {
                    match pending.take() {
                        Some(v) => self.charge(&mut f, Cost::Const(v), scratch),
                        None => {
                            f.instruction(&Instruction::LocalSet(scratch));
                            self.charge(&mut f, Cost::Scratch, scratch);
                        }
                    }
                }
                Operator::I64Const { value } => {
                    if let Some(v) = pending.replace(value) {
                        f.instruction(&Instruction::I64Const(v));
                    }
                }
                Operator::Select | Operator::TypedSelect { .. } if after_fusable => {
                    f.instruction(&Instruction::LocalTee(condition));
                    f.instruction(&self.instruction(op)?);
                }
                other => {
                    if let Some(v) = pending.take() {
                        f.instruction(&Instruction::I64Const(v));
                    }
                    if let Some(value) = long_offset_store_value(&other, scratch, condition) {
                        f.instruction(&Instruction::LocalSet(value))
                            .instruction(&Instruction::LocalSet(address))
                            .instruction(&Instruction::LocalGet(address))
                            .instruction(&Instruction::LocalGet(value));
                    }
                    if !self.growth.replace(&other, &mut f) {
                        f.instruction(&self.instruction(other)?);
                    }
                }
            }
            after_fusable = fusable;
        }
        if let Some(v) = pending {
            f.instruction(&Instruction::I64Const(v));
        }
        code.function(&f);
        Ok(())
    }
}

/// For an integer store whose offset needs more than 16 bits, the scratch local its value
/// passes through (see the module's doc): `i64_local` or `i32_local` by the value's type.
fn long_offset_store_value(op: &Operator<'_>, i64_local: u32, i32_local: u32) -> Option<u32> {
    let (memarg, local) = match op {
        Operator::I32Store { memarg }
        | Operator::I32Store8 { memarg }
        | Operator::I32Store16 { memarg } => (memarg, i32_local),
        Operator::I64Store { memarg }
        | Operator::I64Store8 { memarg }
        | Operator::I64Store16 { memarg }
        | Operator::I64Store32 { memarg } => (memarg, i64_local),
        _ => return None,
    };
    (memarg.offset > u64::from(u16::MAX)).then_some(local)
}

/// The module with gas-counter calls inlined, the gas global being the import
/// `gas.<counter_name>`; an error if the module has no counter (it was not instrumented).
pub(crate) fn inline_gas_counter(wasm: &[u8], counter_name: &str) -> Result<Vec<u8>, PrepareError> {
    let invalid = |e: &dyn core::fmt::Display| PrepareError::Instrumentation(e.to_string());
    // Both instrumenter generations always add the counter. Without it the module would go
    // unrewritten, and an import of its own under an internal growth function's name would be
    // the last of that name, the one linking binds to the host function.
    let Some(counter) = find_counter(wasm, counter_name).map_err(|e| invalid(&e))? else {
        return Err(PrepareError::Instrumentation(
            "instrumented module without a gas counter".to_string(),
        ));
    };
    let (mut type_params, mut func_types) = (Vec::new(), Vec::new());
    let (mut imported, mut tables) = (0u32, 0u32);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| invalid(&e))? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    type_params.push(ty.map_err(|e| invalid(&e))?.params().len() as u32);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    match import.map_err(|e| invalid(&e))?.ty {
                        TypeRef::Func(t) => {
                            func_types.push(t);
                            imported += 1;
                        }
                        TypeRef::Table(_) => tables += 1,
                        _ => {}
                    }
                }
            }
            Payload::TableSection(reader) => tables += reader.count(),
            Payload::FunctionSection(reader) => {
                for t in reader {
                    func_types.push(t.map_err(|e| invalid(&e))?);
                }
            }
            // Function bodies come after every section counted here.
            Payload::CodeSectionStart { .. } => break,
            _ => {}
        }
    }
    // The counter's type and its gas global import guarantee both sections exist.
    let growth = GrowthRewrite::new(type_params.len() as u32, imported, tables);
    let mut inliner = Inliner {
        counter,
        growth,
        exports_done: false,
        type_params,
        func_types,
        next_func: imported,
    };
    let mut module = wasm_encoder::Module::new();
    inliner
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| invalid(&e))?;
    Ok(module.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many operators of `wasm`'s function bodies satisfy `matches`.
    fn count_ops(wasm: &[u8], matches: impl Fn(&Operator<'_>) -> bool) -> usize {
        let mut n = 0;
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    n += usize::from(matches(&ops.read().unwrap()));
                }
            }
        }
        n
    }

    fn calls_to(wasm: &[u8], func: u32) -> usize {
        count_ops(
            wasm,
            |op| matches!(op, Operator::Call { function_index } if *function_index == func),
        )
    }

    #[test]
    fn every_counter_call_is_inlined() {
        let raw = wat::parse_str(
            r#"(module (memory 1)
                 (func (export "f") (param i32) (result i32)
                   (loop (br_if 0 (i32.eqz (local.get 0))))
                   (drop (memory.grow (local.get 0)))
                   (call $g (i32.const 1)))
                 (func $g (param i32) (result i32) (local.get 0)))"#,
        )
        .unwrap();
        let config =
            crate::EngineConfig::new(ifvm_gas::price_list_for(18).unwrap().wasm_rules().clone());
        let limited =
            fvm_wasm_instrument::stack_limiter::inject(&raw, config.max_wasm_stack).unwrap();
        let metered =
            fvm_wasm_instrument::gas_metering::inject(&limited, &config.wasm_prices, "gas")
                .unwrap();
        let counter = find_counter(&metered, "gas_counter")
            .unwrap()
            .expect("the instrumenter's counter");
        assert!(calls_to(&metered, counter.func) >= 3);
        let inlined = inline_gas_counter(&metered, "gas_counter").unwrap();
        // The growth functions are appended as the last imports: defined functions move up.
        let moved = counter.func + crate::growth_rewrite::APPENDED_FUNCS;
        assert_eq!(calls_to(&inlined, moved), 0);
        wasmparser::Validator::new().validate_all(&inlined).unwrap();
        // A module without the counter was not instrumented: refused.
        assert!(inline_gas_counter(&raw, "gas_counter").is_err());
    }

    /// The imports of `wasm`, in order.
    fn imports(wasm: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::ImportSection(reader) = payload.unwrap() {
                for import in reader {
                    let import = import.unwrap();
                    out.push((import.module.to_string(), import.name.to_string()));
                }
            }
        }
        out
    }

    /// The exports of `wasm`: name, kind and index.
    fn exports(wasm: &[u8]) -> Vec<(String, wasmparser::ExternalKind, u32)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::ExportSection(reader) = payload.unwrap() {
                for export in reader {
                    let export = export.unwrap();
                    out.push((export.name.to_string(), export.kind, export.index));
                }
            }
        }
        out
    }

    fn growths(wasm: &[u8]) -> usize {
        count_ops(wasm, |op| {
            matches!(op, Operator::MemoryGrow { .. } | Operator::TableGrow { .. })
        })
    }

    fn internal(name: &str) -> (String, String) {
        (crate::growth::MODULE.to_string(), name.to_string())
    }

    #[test]
    fn growth_becomes_calls_to_the_last_imports() {
        let last_two = || [internal("memory.grow"), internal("table.grow")];
        let config =
            crate::EngineConfig::new(ifvm_gas::price_list_for(21).unwrap().wasm_rules().clone());
        let prepare =
            |wat: &str| crate::prepare::instrument(&wat::parse_str(wat).unwrap(), &config);
        // ref-fvm 2's instrumenter generation too.
        let nv17 =
            crate::EngineConfig::new(ifvm_gas::price_list_for(17).unwrap().wasm_rules().clone());
        let v2 = r#"(module (memory (export "memory") 1)
                      (func (param i32) (result i32) (memory.grow (local.get 0))))"#;
        let v2 = crate::prepare::instrument(&wat::parse_str(v2).unwrap(), &nv17).unwrap();
        assert_eq!(growths(&v2), 0);
        assert!(imports(&v2).ends_with(&last_two()), "{:?}", imports(&v2));
        let grows = prepare(
            r#"(module (import "env" "f" (func $f)) (memory (export "memory") 1)
                 (table 1 funcref) (elem (i32.const 0) $g) (start $g)
                 (func $g (call $f) (drop (memory.grow (i32.const 1)))
                   (drop (table.grow (table.get (i32.const 0)) (i32.const 1)))))"#,
        )
        .unwrap();
        assert_eq!(growths(&grows), 0);
        let names = imports(&grows);
        assert!(names.ends_with(&last_two()), "{names:?}");
        // `env.f`, the gas global, then the two internal functions (indices 1 and 2).
        assert_eq!(calls_to(&grows, 1), 1);
        assert_eq!(calls_to(&grows, 2), 1);
        assert!(exports(&grows).contains(&(
            crate::growth::table_export_name(0),
            wasmparser::ExternalKind::Table,
            0
        )));
        wasmparser::Validator::new().validate_all(&grows).unwrap();

        // Without an export section, one is added for the table.
        let no_exports = prepare(r#"(module (table 1 funcref) (func (drop (i32.const 1))))"#);
        let no_exports = exports(&no_exports.unwrap());
        assert_eq!(no_exports.len(), 1, "{no_exports:?}");

        // An actor importing the names itself gets the internal imports appended after its own,
        // and loses an export under a table's internal name.
        let own = prepare(
            r#"(module (import "ifvm internal" "memory.grow" (func (param i32) (result i32)))
                 (import "ifvm internal" "table.grow" (func (param i32) (result i32)))
                 (memory (export "memory") 1) (table 1 funcref) (table 1 funcref)
                 (func (export "ifvm internal table 1") (drop (i32.const 1))))"#,
        )
        .unwrap();
        let names = imports(&own);
        assert!(names.ends_with(&last_two()), "{names:?}");
        assert_eq!(names.len(), 5, "{names:?}");
        let kinds: Vec<_> = exports(&own).into_iter().map(|(n, k, _)| (n, k)).collect();
        let table = |t| {
            (
                crate::growth::table_export_name(t),
                wasmparser::ExternalKind::Table,
            )
        };
        assert_eq!(
            kinds,
            [
                ("memory".to_string(), wasmparser::ExternalKind::Memory),
                table(0),
                table(1)
            ]
        );
    }

    #[test]
    fn the_0_2_counter_is_inlined_too() {
        let raw = wat::parse_str(
            r#"(module (memory 1)
                 (func (export "f") (param i32) (result i32)
                   (loop (br_if 0 (i32.eqz (local.get 0))))
                   (drop (memory.grow (local.get 0)))
                   (call $g (i32.const 1)))
                 (func $g (param i32) (result i32) (local.get 0)))"#,
        )
        .unwrap();
        let config =
            crate::EngineConfig::new(ifvm_gas::price_list_for(17).unwrap().wasm_rules().clone());
        // Instrumented as `prepare` does for ref-fvm 2, before inlining.
        let metered = {
            use fvm_wasm_instrument_v2::parity_wasm::elements;
            let m: elements::Module = elements::deserialize_buffer(&raw).unwrap();
            let m = fvm_wasm_instrument_v2::inject_stack_limiter(m, config.max_wasm_stack).unwrap();
            let m = fvm_wasm_instrument_v2::gas_metering::inject(m, &config.wasm_prices, "gas")
                .unwrap();
            m.to_bytes().unwrap()
        };
        assert!(find_counter(&metered, "gas_counter").unwrap().is_none());
        let counter = find_counter(&metered, "gas_couner")
            .unwrap()
            .expect("the 0.2 instrumenter's counter");
        assert!(calls_to(&metered, counter.func) >= 3);
        let inlined = inline_gas_counter(&metered, "gas_couner").unwrap();
        let moved = counter.func + crate::growth_rewrite::APPENDED_FUNCS;
        assert_eq!(calls_to(&inlined, moved), 0);
        wasmparser::Validator::new().validate_all(&inlined).unwrap();
    }
}

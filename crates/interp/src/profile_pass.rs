//! The instruction-profiling pass (see [`crate::profile`]): after gas metering and before the
//! metering calls are inlined, every function but the gas counter gets, at the start of each
//! straight-line segment, `global.get C; i64.const n; i64.add; global.set C` for each class C
//! the segment executes n instructions of. The counters are new mutable `i64` globals, exported
//! under [`InstructionClass::export_name`].
//!
//! A segment starts at the function's start and after every instruction that branches, is a
//! branch target or ends reachability: `loop`, `if`, `else`, `end`, `br`, `br_if`, `br_table`,
//! `return`, `unreachable` (not `block`, whose body runs whenever the code before it does).
//! Metering's own code, `i64.const c; call $gas` and the dynamic
//! `local.tee t; local.get t; i64.extend_i32_u; i64.const u; i64.mul; call $gas`, counts as one
//! [`InstructionClass::GasCheck`].

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use wasm_encoder::reencode::{utils, Error, Reencode, RoundtripReencoder};
use wasm_encoder::{ConstExpr, ExportKind, GlobalType, Instruction, SectionId, ValType};
use wasmparser::{Operator, Parser, Payload, TypeRef};

use crate::inline_gas::find_counter;
use crate::profile::InstructionClass;
use crate::section_order::{after_exports, after_globals};
use crate::PrepareError;

const CLASSES: usize = InstructionClass::ALL.len();

/// Instruments `metered` (gas-metered, not yet inlined) to count executed instructions by
/// class; the metering's gas global is the import `gas.<counter_name>`. Fails if the module
/// already exports one of the counters' names.
pub(crate) fn instrument_profile(
    metered: &[u8],
    counter_name: &str,
) -> Result<Vec<u8>, PrepareError> {
    let invalid = |e: &dyn core::fmt::Display| PrepareError::Instrumentation(e.to_string());
    let counter = find_counter(metered, counter_name)
        .map_err(|e| invalid(&e))?
        .map(|c| c.func);
    let (mut globals, mut imported_funcs) = (0u32, 0u32);
    for payload in Parser::new(0).parse_all(metered) {
        match payload.map_err(|e| invalid(&e))? {
            Payload::ImportSection(reader) => {
                for import in reader {
                    match import.map_err(|e| invalid(&e))?.ty {
                        TypeRef::Global(_) => globals += 1,
                        TypeRef::Func(_) => imported_funcs += 1,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(reader) => globals += reader.count(),
            Payload::ExportSection(reader) => {
                for export in reader {
                    let name = export.map_err(|e| invalid(&e))?.name;
                    if InstructionClass::ALL
                        .iter()
                        .any(|c| c.export_name() == name)
                    {
                        return Err(PrepareError::Instrumentation(format!(
                            "export {name:?} is reserved for instruction profiling"
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    let mut pass = ProfilePass {
        first_counter: globals,
        gas_func: counter,
        next_func: imported_funcs,
        globals_done: false,
        exports_done: false,
    };
    let mut module = wasm_encoder::Module::new();
    pass.parse_core_module(&mut module, Parser::new(0), metered)
        .map_err(|e| invalid(&e))?;
    Ok(module.finish())
}

struct ProfilePass {
    /// Index of the first counter global (counters follow every existing global).
    first_counter: u32,
    /// The metering's gas-counter function, if any.
    gas_func: Option<u32>,
    /// Index of the next defined function to encode.
    next_func: u32,
    globals_done: bool,
    exports_done: bool,
}

impl ProfilePass {
    fn counter(&self, class: InstructionClass) -> u32 {
        self.first_counter + class.index() as u32
    }

    fn add_counter_globals(&mut self, section: &mut wasm_encoder::GlobalSection) {
        for _ in InstructionClass::ALL {
            section.global(
                GlobalType {
                    val_type: ValType::I64,
                    mutable: true,
                    shared: false,
                },
                &ConstExpr::i64_const(0),
            );
        }
        self.globals_done = true;
    }

    fn add_counter_exports(&mut self, section: &mut wasm_encoder::ExportSection) {
        for class in InstructionClass::ALL {
            section.export(class.export_name(), ExportKind::Global, self.counter(class));
        }
        self.exports_done = true;
    }

    fn is_gas_call(&self, op: Option<&Operator<'_>>) -> bool {
        matches!(op, Some(Operator::Call { function_index }) if Some(*function_index) == self.gas_func)
    }

    /// How many operators from `ops[i]` on are one metering gas check (0 if none starts there).
    fn gas_check_len(&self, ops: &[Operator<'_>], i: usize) -> usize {
        use Operator as O;
        match &ops[i..] {
            [O::I64Const { .. }, call, ..] if self.is_gas_call(Some(call)) => 2,
            [O::LocalTee { local_index: a }, O::LocalGet { local_index: b }, O::I64ExtendI32U, O::I64Const { .. }, O::I64Mul, call, ..]
                if a == b && self.is_gas_call(Some(call)) =>
            {
                6
            }
            [call, ..] if self.is_gas_call(Some(call)) => 1,
            _ => 0,
        }
    }

    /// Splits `ops` into segments: (first operator, counts per class).
    fn segments(&self, ops: &[Operator<'_>]) -> Vec<(usize, [u64; CLASSES])> {
        let mut segments = Vec::new();
        let mut start = 0;
        let mut counts = [0u64; CLASSES];
        let mut i = 0;
        while i < ops.len() {
            let check = self.gas_check_len(ops, i);
            if check > 0 {
                counts[InstructionClass::GasCheck.index()] += 1;
                i += check;
                continue;
            }
            let op = &ops[i];
            if let Some(class) = InstructionClass::of(op) {
                counts[class.index()] += 1;
            }
            i += 1;
            if ends_segment(op) {
                segments.push((start, core::mem::take(&mut counts)));
                start = i;
            }
        }
        if start < ops.len() {
            segments.push((start, counts));
        }
        segments
    }

    fn emit_counts(&self, f: &mut wasm_encoder::Function, counts: &[u64; CLASSES]) {
        for class in InstructionClass::ALL {
            let n = counts[class.index()];
            if n == 0 {
                continue;
            }
            let g = self.counter(class);
            f.instruction(&Instruction::GlobalGet(g))
                .instruction(&Instruction::I64Const(n as i64))
                .instruction(&Instruction::I64Add)
                .instruction(&Instruction::GlobalSet(g));
        }
    }
}

/// True for the instructions after which a new segment starts.
fn ends_segment(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable
    )
}

impl Reencode for ProfilePass {
    type Error = core::convert::Infallible;

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_global_section(self, globals, section)?;
        self.add_counter_globals(globals);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_export_section(self, exports, section)?;
        self.add_counter_exports(exports);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), Error<Self::Error>> {
        if !self.globals_done && after_globals(before) {
            let mut globals = wasm_encoder::GlobalSection::new();
            self.add_counter_globals(&mut globals);
            module.section(&globals);
        }
        if !self.exports_done && after_exports(before) {
            let mut exports = wasm_encoder::ExportSection::new();
            self.add_counter_exports(&mut exports);
            module.section(&exports);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Self::Error>> {
        let index = self.next_func;
        self.next_func += 1;
        if Some(index) == self.gas_func {
            return utils::parse_function_body(self, code, func);
        }
        let mut locals = Vec::new();
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            locals.push((count, RoundtripReencoder.val_type(ty)?));
        }
        let mut reader = func.get_operators_reader()?;
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(reader.read()?);
        }
        let segments = self.segments(&ops);
        let mut f = wasm_encoder::Function::new(locals);
        for (k, (start, counts)) in segments.iter().enumerate() {
            let end = segments.get(k + 1).map_or(ops.len(), |next| next.0);
            self.emit_counts(&mut f, counts);
            for op in &ops[*start..end] {
                f.instruction(&RoundtripReencoder.instruction(op.clone())?);
            }
        }
        code.function(&f);
        Ok(())
    }
}

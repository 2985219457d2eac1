//! Instruction profiles: how many Wasm instructions of each class an actor executed.
//!
//! An engine whose [`EngineConfig::instruction_profile`](crate::EngineConfig) is on prepares
//! modules with one more pass after gas metering (`crate::profile_pass`): at the start of every
//! straight-line segment of code it adds the segment's instruction counts, per class, to a
//! mutable `i64` global of the module's own, one per class, exported under
//! [`InstructionClass::export_name`]. After each call into the guest, the invocation reads and
//! zeroes these globals and hands the counts to the host
//! ([`Host::record_instructions`](crate::Host::record_instructions)).
//!
//! The pass adds no metered instructions (metering has already run), so gas, results and traps
//! are those of normal preparation; only speed differs. Counts are per executed segment, like
//! gas: a trap in the middle of a segment counts the whole segment, as metering charges it.

use wasmparser::Operator;

/// A class of Wasm instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstructionClass {
    /// `i32/i64/f32/f64.const`.
    Const,
    /// `local.get/set/tee`.
    Local,
    /// `global.get/set`.
    Global,
    /// Integer arithmetic, bitwise, comparison and conversion between integer types.
    Integer,
    /// Every instruction computing on or converting from or to `f32`/`f64` (loads and stores
    /// excepted).
    Float,
    /// Memory loads.
    Load,
    /// Memory stores.
    Store,
    /// `br`, `br_if`, `br_table`, `if`.
    Branch,
    /// Structure without work of its own: `block`, `loop`, `else`, `end`, `nop`, `return`,
    /// `unreachable`.
    Structure,
    /// `call`, `call_indirect`.
    Call,
    /// `drop`, `select`.
    Parametric,
    /// `memory.size`, `memory.grow`.
    Memory,
    /// `memory.copy/fill/init`, `data.drop`.
    BulkMemory,
    /// Table and reference instructions.
    Table,
    /// Gas checks the metering instrumentation added (one per metered block entered and one
    /// per dynamically priced instruction): the interpreter runs them, gas does not price them.
    GasCheck,
}

impl InstructionClass {
    /// Every class, in display order.
    pub const ALL: [Self; 15] = [
        Self::Const,
        Self::Local,
        Self::Global,
        Self::Integer,
        Self::Float,
        Self::Load,
        Self::Store,
        Self::Branch,
        Self::Structure,
        Self::Call,
        Self::Parametric,
        Self::Memory,
        Self::BulkMemory,
        Self::Table,
        Self::GasCheck,
    ];

    /// A short lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Const => "const",
            Self::Local => "local",
            Self::Global => "global",
            Self::Integer => "integer",
            Self::Float => "float",
            Self::Load => "load",
            Self::Store => "store",
            Self::Branch => "branch",
            Self::Structure => "structure",
            Self::Call => "call",
            Self::Parametric => "parametric",
            Self::Memory => "memory",
            Self::BulkMemory => "bulk_memory",
            Self::Table => "table",
            Self::GasCheck => "gas_check",
        }
    }

    /// The export under which a profiled module exposes this class's counter.
    pub fn export_name(self) -> &'static str {
        match self {
            Self::Const => "ifvm.profile.const",
            Self::Local => "ifvm.profile.local",
            Self::Global => "ifvm.profile.global",
            Self::Integer => "ifvm.profile.integer",
            Self::Float => "ifvm.profile.float",
            Self::Load => "ifvm.profile.load",
            Self::Store => "ifvm.profile.store",
            Self::Branch => "ifvm.profile.branch",
            Self::Structure => "ifvm.profile.structure",
            Self::Call => "ifvm.profile.call",
            Self::Parametric => "ifvm.profile.parametric",
            Self::Memory => "ifvm.profile.memory",
            Self::BulkMemory => "ifvm.profile.bulk_memory",
            Self::Table => "ifvm.profile.table",
            Self::GasCheck => "ifvm.profile.gas_check",
        }
    }

    /// Position in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class of an instruction of FVM's Wasm feature set (`None` for instructions outside
    /// it, which preparation rejects). Gas checks are recognized by the profiling pass, not
    /// here.
    pub fn of(op: &Operator<'_>) -> Option<Self> {
        use Operator as O;
        Some(match op {
            O::I32Const { .. } | O::I64Const { .. } | O::F32Const { .. } | O::F64Const { .. } => {
                Self::Const
            }
            O::LocalGet { .. } | O::LocalSet { .. } | O::LocalTee { .. } => Self::Local,
            O::GlobalGet { .. } | O::GlobalSet { .. } => Self::Global,
            O::I32Load { .. }
            | O::I64Load { .. }
            | O::F32Load { .. }
            | O::F64Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. } => Self::Load,
            O::I32Store { .. }
            | O::I64Store { .. }
            | O::F32Store { .. }
            | O::F64Store { .. }
            | O::I32Store8 { .. }
            | O::I32Store16 { .. }
            | O::I64Store8 { .. }
            | O::I64Store16 { .. }
            | O::I64Store32 { .. } => Self::Store,
            O::Br { .. } | O::BrIf { .. } | O::BrTable { .. } | O::If { .. } => Self::Branch,
            O::Block { .. }
            | O::Loop { .. }
            | O::Else
            | O::End
            | O::Nop
            | O::Return
            | O::Unreachable => Self::Structure,
            O::Call { .. } | O::CallIndirect { .. } => Self::Call,
            O::Drop | O::Select | O::TypedSelect { .. } => Self::Parametric,
            O::MemorySize { .. } | O::MemoryGrow { .. } => Self::Memory,
            O::MemoryCopy { .. }
            | O::MemoryFill { .. }
            | O::MemoryInit { .. }
            | O::DataDrop { .. } => Self::BulkMemory,
            O::TableGet { .. }
            | O::TableSet { .. }
            | O::TableSize { .. }
            | O::TableGrow { .. }
            | O::TableFill { .. }
            | O::TableCopy { .. }
            | O::TableInit { .. }
            | O::ElemDrop { .. }
            | O::RefNull { .. }
            | O::RefIsNull
            | O::RefFunc { .. } => Self::Table,
            op if is_float(op) => Self::Float,
            op if is_integer(op) => Self::Integer,
            _ => return None,
        })
    }
}

fn is_float(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::F32Eq
            | O::F32Ne
            | O::F32Lt
            | O::F32Gt
            | O::F32Le
            | O::F32Ge
            | O::F64Eq
            | O::F64Ne
            | O::F64Lt
            | O::F64Gt
            | O::F64Le
            | O::F64Ge
            | O::F32Abs
            | O::F32Neg
            | O::F32Ceil
            | O::F32Floor
            | O::F32Trunc
            | O::F32Nearest
            | O::F32Sqrt
            | O::F32Add
            | O::F32Sub
            | O::F32Mul
            | O::F32Div
            | O::F32Min
            | O::F32Max
            | O::F32Copysign
            | O::F64Abs
            | O::F64Neg
            | O::F64Ceil
            | O::F64Floor
            | O::F64Trunc
            | O::F64Nearest
            | O::F64Sqrt
            | O::F64Add
            | O::F64Sub
            | O::F64Mul
            | O::F64Div
            | O::F64Min
            | O::F64Max
            | O::F64Copysign
            | O::I32TruncF32S
            | O::I32TruncF32U
            | O::I32TruncF64S
            | O::I32TruncF64U
            | O::I64TruncF32S
            | O::I64TruncF32U
            | O::I64TruncF64S
            | O::I64TruncF64U
            | O::I32TruncSatF32S
            | O::I32TruncSatF32U
            | O::I32TruncSatF64S
            | O::I32TruncSatF64U
            | O::I64TruncSatF32S
            | O::I64TruncSatF32U
            | O::I64TruncSatF64S
            | O::I64TruncSatF64U
            | O::F32ConvertI32S
            | O::F32ConvertI32U
            | O::F32ConvertI64S
            | O::F32ConvertI64U
            | O::F32DemoteF64
            | O::F64ConvertI32S
            | O::F64ConvertI32U
            | O::F64ConvertI64S
            | O::F64ConvertI64U
            | O::F64PromoteF32
            | O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64
    )
}

fn is_integer(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::I32Eqz
            | O::I32Eq
            | O::I32Ne
            | O::I32LtS
            | O::I32LtU
            | O::I32GtS
            | O::I32GtU
            | O::I32LeS
            | O::I32LeU
            | O::I32GeS
            | O::I32GeU
            | O::I64Eqz
            | O::I64Eq
            | O::I64Ne
            | O::I64LtS
            | O::I64LtU
            | O::I64GtS
            | O::I64GtU
            | O::I64LeS
            | O::I64LeU
            | O::I64GeS
            | O::I64GeU
            | O::I32Clz
            | O::I32Ctz
            | O::I32Popcnt
            | O::I32Add
            | O::I32Sub
            | O::I32Mul
            | O::I32DivS
            | O::I32DivU
            | O::I32RemS
            | O::I32RemU
            | O::I32And
            | O::I32Or
            | O::I32Xor
            | O::I32Shl
            | O::I32ShrS
            | O::I32ShrU
            | O::I32Rotl
            | O::I32Rotr
            | O::I64Clz
            | O::I64Ctz
            | O::I64Popcnt
            | O::I64Add
            | O::I64Sub
            | O::I64Mul
            | O::I64DivS
            | O::I64DivU
            | O::I64RemS
            | O::I64RemU
            | O::I64And
            | O::I64Or
            | O::I64Xor
            | O::I64Shl
            | O::I64ShrS
            | O::I64ShrU
            | O::I64Rotl
            | O::I64Rotr
            | O::I32WrapI64
            | O::I64ExtendI32S
            | O::I64ExtendI32U
            | O::I32Extend8S
            | O::I32Extend16S
            | O::I64Extend8S
            | O::I64Extend16S
            | O::I64Extend32S
    )
}

/// Executed instructions per [`InstructionClass`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct InstructionProfile {
    counts: [u64; InstructionClass::ALL.len()],
}

impl InstructionProfile {
    /// Instructions of `class` executed.
    pub fn count(&self, class: InstructionClass) -> u64 {
        self.counts[class.index()]
    }

    /// Adds `n` executed instructions of `class` (saturating).
    pub fn add_count(&mut self, class: InstructionClass, n: u64) {
        let c = &mut self.counts[class.index()];
        *c = c.saturating_add(n);
    }

    /// Adds every count of `other` (saturating).
    pub fn add(&mut self, other: &Self) {
        for class in InstructionClass::ALL {
            self.add_count(class, other.count(class));
        }
    }

    /// Instructions of the actor executed, all classes but [`InstructionClass::GasCheck`].
    pub fn instructions(&self) -> u64 {
        InstructionClass::ALL
            .iter()
            .filter(|c| **c != InstructionClass::GasCheck)
            .fold(0u64, |sum, c| sum.saturating_add(self.count(*c)))
    }

    /// Each class with its count, in [`InstructionClass::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (InstructionClass, u64)> + '_ {
        InstructionClass::ALL.iter().map(|c| (*c, self.count(*c)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_indexed_in_order() {
        for (i, class) in InstructionClass::ALL.iter().enumerate() {
            assert_eq!(class.index(), i);
            assert!(class.export_name().ends_with(class.name()));
        }
    }

    #[test]
    fn profiles_add_and_total() {
        let mut a = InstructionProfile::default();
        a.add_count(InstructionClass::Load, 3);
        a.add_count(InstructionClass::GasCheck, 5);
        let mut b = a;
        b.add_count(InstructionClass::Call, u64::MAX);
        a.add(&b);
        assert_eq!(a.count(InstructionClass::Load), 6);
        assert_eq!(a.count(InstructionClass::Call), u64::MAX);
        assert_eq!(a.count(InstructionClass::GasCheck), 10);
        assert_eq!(a.instructions(), u64::MAX);
    }
}

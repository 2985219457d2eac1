//! Wasm execution prices: per-instruction rules for the metering instrumenter, and the prices of
//! memory and tables.
//!
//! Two generations of `fvm-wasm-instrument` meter FVM modules, and they differ in ways consensus
//! sees (see [`Metering`]); [`WasmGasPrices`] records which one its prices are for, and implements
//! the `Rules` trait of both (with the `std` feature).

use crate::Gas;

/// Bytes charged per table element (each element reserves a pointer).
pub const TABLE_ELEMENT_SIZE: u32 = 8;

/// Bytes in a Wasm memory page.
pub const WASM_PAGE_SIZE: u32 = 65536;

/// The generation of Wasm metering a [`WasmGasPrices`] is for: which `fvm-wasm-instrument`
/// instruments modules, and what instantiation charges.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
pub enum Metering {
    /// ref-fvm 2 (nv16–nv17): `fvm-wasm-instrument` 0.2 on parity-wasm (sign extension,
    /// saturating float-to-int and table instructions other than `table.init`/`table.copy` are
    /// rejected), its stack limiter counting every declared local, the imported gas global
    /// named `gas.gas_couner` (sic), a flat price per instruction (`memory.grow` and bulk memory
    /// included; no per-byte or per-page charges), and nothing charged at instantiation.
    Fvm2,
    /// ref-fvm 3 and 4 (nv18 on): `fvm-wasm-instrument` 0.4 on wasmparser, the gas global
    /// `gas.gas_counter`, per-byte prices for memory growth and bulk memory, and the initial
    /// memory and table charged at instantiation.
    Fvm3,
}

impl Metering {
    /// The field name under which the instrumented module imports its gas global from the
    /// `gas` module: `"gas_couner"` (0.2's misspelling, which ref-fvm 2 binds) or
    /// `"gas_counter"`.
    pub const fn gas_counter_name(self) -> &'static str {
        match self {
            Metering::Fvm2 => "gas_couner",
            Metering::Fvm3 => "gas_counter",
        }
    }

    /// True if instantiating a module charges for its initial memory (`wasm_memory_init`) and
    /// table (`wasm_table_init`) and for the Wasm its start function executes (ref-fvm 3 and 4).
    /// ref-fvm 2 charges nothing at instantiation: its instances start with the gas global at
    /// zero, so a start function that executes any priced instruction traps.
    pub const fn charges_instantiation(self) -> bool {
        matches!(self, Metering::Fvm3)
    }

    /// True if charging the Wasm gas executed since the last synchronization also records the
    /// gas global it read as synchronized (ref-fvm 2's `charge_for_exec`), so a host call that
    /// fails before writing gas back into the guest (out of gas at `OnSyscall` or in that very
    /// charge, no room for its result) leaves nothing to charge again at the next
    /// synchronization. ref-fvm 3 and 4 record only what they write into the guest, so the Wasm
    /// gas before such a host call is charged a second time. (Host calls that run, exits
    /// included, write gas back under every metering.)
    pub const fn records_global_on_exec_charge(self) -> bool {
        matches!(self, Metering::Fvm2)
    }
}

/// Prices of Wasm execution, identical to ref-fvm's `WasmGasPrices`.
///
/// With the `std` feature this implements `fvm_wasm_instrument::gas_metering::Rules` (0.4),
/// pricing every instruction exactly as ref-fvm 3 and 4 do and rejecting the same instructions
/// (exceptions, tail calls, reference instructions, atomics, SIMD), and 0.2's `Rules`, pricing as
/// ref-fvm 2 does. Which one applies is [`metering`](Self::metering).
#[derive(Clone, Debug, Eq, PartialEq, Hash)]
pub struct WasmGasPrices {
    pub(crate) instruction_default: Gas,
    pub(crate) math_default: Gas,
    pub(crate) jump_unconditional: Gas,
    pub(crate) jump_conditional: Gas,
    pub(crate) jump_indirect: Gas,
    pub(crate) call: Gas,
    pub(crate) memory_fill_base_cost: Gas,
    pub(crate) memory_fill_per_byte_cost: Gas,
    pub(crate) memory_access_cost: Gas,
    pub(crate) memory_copy_per_byte_cost: Gas,
    pub(crate) host_call_cost: Gas,
    pub(crate) metering: Metering,
}

impl WasmGasPrices {
    /// Gas for the memory an instance starts with (`min_memory_bytes`).
    pub fn init_memory_gas(&self, min_memory_bytes: usize) -> Gas {
        self.memory_fill_base_cost + self.memory_fill_per_byte_cost * min_memory_bytes
    }

    /// Gas for growing memory by `grow_memory_bytes`.
    pub fn grow_memory_gas(&self, grow_memory_bytes: usize) -> Gas {
        self.memory_fill_base_cost + self.memory_fill_per_byte_cost * grow_memory_bytes
    }

    /// Gas for the table elements an instance starts with.
    pub fn init_table_gas(&self, min_table_elements: u64) -> Gas {
        self.memory_fill_base_cost
            + self.memory_fill_per_byte_cost * min_table_elements * u64::from(TABLE_ELEMENT_SIZE)
    }

    /// The fixed cost of every call from Wasm into the host.
    pub fn host_call_cost(&self) -> Gas {
        self.host_call_cost
    }

    /// The metering generation these prices are for.
    pub fn metering(&self) -> Metering {
        self.metering
    }
}

#[cfg(feature = "std")]
mod rules {
    use core::num::NonZeroU32;

    use fvm_wasm_instrument::gas_metering::{InstructionCost, Operator, Rules};

    use super::{WasmGasPrices, TABLE_ELEMENT_SIZE, WASM_PAGE_SIZE};
    use crate::Gas;

    fn fixed(gas: Gas) -> anyhow::Result<InstructionCost> {
        Ok(InstructionCost::Fixed(gas.as_milligas()))
    }

    fn linear(base: Gas, per_unit: Gas, unit: u32) -> anyhow::Result<InstructionCost> {
        let expansion: u32 = (per_unit * unit)
            .as_milligas()
            .try_into()
            .map_err(|_| anyhow::anyhow!("linear gas exceeds u32"))?;
        Ok(match NonZeroU32::new(expansion) {
            Some(e) => InstructionCost::Linear(base.as_milligas(), e),
            None => InstructionCost::Fixed(base.as_milligas()),
        })
    }

    impl Rules for WasmGasPrices {
        fn instruction_cost(&self, op: &Operator) -> anyhow::Result<InstructionCost> {
            use Operator::*;
            match op {
                // FIP-0032: structural instructions and drop are free.
                Nop | Block { .. } | Loop { .. } | Unreachable | Return | Else | End | Drop => {
                    fixed(Gas::ZERO)
                }

                Br { .. } => fixed(self.jump_unconditional),
                BrIf { .. } | If { .. } => fixed(self.jump_conditional),
                BrTable { .. } => fixed(self.jump_indirect + self.memory_access_cost),
                Call { .. } => fixed(self.jump_unconditional + self.call),
                CallIndirect { .. } => {
                    fixed(self.jump_indirect + self.memory_access_cost + self.call)
                }

                I64ExtendI32U
                | I32WrapI64
                | I32ReinterpretF32
                | I64ReinterpretF64
                | F32ReinterpretI32
                | F64ReinterpretI64
                | I32Const { .. }
                | I64Const { .. }
                | F32Const { .. }
                | F64Const { .. }
                | LocalGet { .. }
                | LocalSet { .. }
                | LocalTee { .. }
                | GlobalGet { .. }
                | GlobalSet { .. }
                | Select
                | TypedSelect { .. } => fixed(self.instruction_default),

                I32Extend8S | I32Extend16S | I64Extend8S | I64Extend16S | I64Extend32S
                | I64ExtendI32S | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU
                | I32Rotl | I32Rotr | I64And | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU
                | I64Rotl | I64Rotr | I32Eqz | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS
                | I32GtU | I32LeS | I32LeU | I32GeS | I32GeU | I64Eqz | I64Eq | I64Ne | I64LtS
                | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU | I64GeS | I64GeU | I32Clz
                | I32Ctz | I32Popcnt | I32Add | I32Sub | I32Mul | I32DivS | I32DivU | I32RemS
                | I32RemU | I64Clz | I64Ctz | I64Popcnt | I64Add | I64Sub | I64Mul | I64DivS
                | I64DivU | I64RemS | I64RemU | I32TruncF32S | I32TruncF32U | I32TruncF64S
                | I32TruncF64U | I64TruncF32S | I64TruncF32U | I64TruncF64S | I64TruncF64U
                | I32TruncSatF32S | I32TruncSatF32U | I32TruncSatF64S | I32TruncSatF64U
                | I64TruncSatF32S | I64TruncSatF32U | I64TruncSatF64S | I64TruncSatF64U | F32Eq
                | F32Ne | F32Lt | F32Gt | F32Le | F32Ge | F64Eq | F64Ne | F64Lt | F64Gt | F64Le
                | F64Ge | F32Abs | F32Neg | F32Ceil | F32Floor | F32Trunc | F32Nearest | F32Add
                | F32Sub | F32Mul | F32Div | F32Min | F32Max | F64Abs | F64Neg | F64Ceil
                | F64Floor | F64Trunc | F64Nearest | F64Add | F64Sub | F64Mul | F64Div | F64Min
                | F64Max | F64Copysign | F32Copysign | F32DemoteF64 | F64PromoteF32
                | F32ConvertI32S | F32ConvertI32U | F32ConvertI64S | F32ConvertI64U
                | F64ConvertI32S | F64ConvertI32U | F64ConvertI64S | F64ConvertI64U | F32Sqrt
                | F64Sqrt => fixed(self.math_default),

                F32Load { .. }
                | I32Load { .. }
                | I32Load8U { .. }
                | I32Load16U { .. }
                | F64Load { .. }
                | I64Load { .. }
                | I64Load8U { .. }
                | I64Load16U { .. }
                | I64Load32U { .. }
                | TableGet { .. }
                | I32Load16S { .. }
                | I32Load8S { .. }
                | I64Load8S { .. }
                | I64Load16S { .. }
                | I64Load32S { .. } => fixed(self.instruction_default + self.memory_access_cost),

                F32Store { .. }
                | I32Store { .. }
                | I32Store8 { .. }
                | I32Store16 { .. }
                | F64Store { .. }
                | I64Store { .. }
                | I64Store8 { .. }
                | I64Store16 { .. }
                | I64Store32 { .. }
                | TableSet { .. } => fixed(self.instruction_default + self.memory_fill_base_cost),

                TableInit { .. } | TableCopy { .. } => linear(
                    self.instruction_default + self.memory_access_cost,
                    self.memory_copy_per_byte_cost,
                    TABLE_ELEMENT_SIZE,
                ),
                TableFill { .. } | TableGrow { .. } => linear(
                    self.instruction_default + self.memory_fill_base_cost,
                    self.memory_fill_per_byte_cost,
                    TABLE_ELEMENT_SIZE,
                ),
                MemoryGrow { .. } => linear(
                    self.instruction_default + self.memory_fill_base_cost,
                    self.memory_fill_per_byte_cost,
                    WASM_PAGE_SIZE,
                ),
                MemoryFill { .. } => linear(
                    self.instruction_default + self.memory_fill_base_cost,
                    self.memory_fill_per_byte_cost,
                    1,
                ),
                MemoryInit { .. } | MemoryCopy { .. } => linear(
                    self.instruction_default + self.memory_access_cost,
                    self.memory_copy_per_byte_cost,
                    1,
                ),
                DataDrop { .. } | ElemDrop { .. } | MemorySize { .. } | TableSize { .. } => {
                    fixed(self.instruction_default)
                }

                // Exceptions, tail calls, reference instructions, atomics and SIMD.
                _ => Err(anyhow::anyhow!("unsupported operation")),
            }
        }

        fn gas_charge_cost(&self) -> u64 {
            0
        }

        fn linear_calc_cost(&self) -> u64 {
            0
        }
    }
}

/// `fvm-wasm-instrument` 0.2's rules, as ref-fvm 2 defines them: `nop`, `drop`, `block`, `loop`,
/// `unreachable`, `return`, `else` and `end` are free (FIP-0032), every other instruction the
/// parser accepts costs the flat instruction price (4 gas in Skyr), and `memory.grow` carries no
/// per-page charge. Meant for prices whose [`metering`](WasmGasPrices::metering) is
/// [`Metering::Fvm2`].
#[cfg(feature = "std")]
mod rules_v2 {
    use fvm_wasm_instrument_v2::gas_metering::{MemoryGrowCost, Rules};
    use fvm_wasm_instrument_v2::parity_wasm::elements::Instruction;

    use super::WasmGasPrices;

    impl Rules for WasmGasPrices {
        fn instruction_cost(&self, instruction: &Instruction) -> Option<u64> {
            use Instruction::*;
            Some(match instruction {
                Nop | Drop | Block(_) | Loop(_) | Unreachable | Return | Else | End => 0,
                _ => self.instruction_default.as_milligas(),
            })
        }

        fn memory_grow_cost(&self) -> MemoryGrowCost {
            MemoryGrowCost::Free
        }
    }
}

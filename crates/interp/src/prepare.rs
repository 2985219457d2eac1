//! Module preparation: the checks and instrumentation ref-fvm applies before compiling an actor.
//!
//! 1. Validate the raw module against FVM's Wasm feature set: the features ref-fvm's Wasmtime
//!    configuration leaves on (MVP, mutable globals, sign extension, saturating float-to-int,
//!    bulk memory, and funcref-only reference types); SIMD, multi-value, threads, tail calls,
//!    memory64, multi-memory, exceptions, extended constants, wide arithmetic, GC types and custom
//!    page sizes are rejected.
//! 2. Instrument with the `fvm-wasm-instrument` generation of the engine's prices
//!    ([`Metering`]):
//!    - [`Metering::Fvm3`] (ref-fvm 3 and 4, `fvm-wasm-instrument` 0.4): inject the stack
//!      limiter with the configured `max_wasm_stack`, then gas metering with the engine's
//!      [`WasmGasPrices`] under the import module `gas` (this adds the
//!      `gas.gas_counter` global import).
//!    - [`Metering::Fvm2`] (ref-fvm 2, `fvm-wasm-instrument` 0.2): parse with parity-wasm (which
//!      rejects sign extension, saturating float-to-int and most table instructions), inject the
//!      0.2 stack limiter (whose stack cost counts every declared local) and 0.2 gas metering
//!      (which imports `gas.gas_couner`, sic), then move the DataCount section back where Wasm
//!      wants it with the data segments' count, as ref-fvm 2's `fix_wasm_sections` does, and
//!      serialize.
//!
//!    The order matters: the limiter's pre/postambles are then metered like the rest of the
//!    code, as in ref-fvm.
//! 3. Only for an engine that profiles instructions
//!    ([`EngineConfig::instruction_profile`](crate::EngineConfig)): add the instruction counters
//!    (`crate::profile_pass`), which leaves gas unchanged.
//! 4. Inline the metering calls (`crate::inline_gas`), which leaves gas unchanged (both
//!    generations' counter functions have the same body), pass the condition of a `select`
//!    right after an `i32` comparison through a local (against a wasmi 2.0.0 fusion bug; see
//!    that module), and turn `memory.grow` and `table.grow` into calls to internal host
//!    functions, exporting the tables for them (against native stack growth in wasmi 2.0.0's
//!    handlers; `crate::growth`).
//! 5. Check instance limits and build the wasmi module
//!    ([`PreparedModule::from_instrumented`](crate::PreparedModule::from_instrumented)).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use fvm_wasm_instrument::{gas_metering, stack_limiter};
use ifvm_gas::{Metering, WasmGasPrices};
use wasmparser::WasmFeatures;

use crate::{EngineConfig, PrepareError};

/// The Wasm features ref-fvm's Wasmtime configuration enables.
pub fn fvm_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::FLOATS
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
}

/// Validates `raw` against [`fvm_features`] and returns it instrumented exactly as the ref-fvm
/// of `config.wasm_prices`' [`Metering`] generation instruments actor code (plus, when
/// `config.instruction_profile` is on, the instruction counters, which charge nothing).
pub fn instrument(raw: &[u8], config: &EngineConfig) -> Result<Vec<u8>, PrepareError> {
    wasmparser::Validator::new_with_features(fvm_features())
        .validate_all(raw)
        .map_err(|e| PrepareError::Invalid(e.to_string()))?;
    let metering = config.wasm_prices.metering();
    // The instrumenters have unimplemented corners (`todo!()`, `unwrap`s); a module that
    // reaches one is rejected rather than allowed to take the host down.
    let instrumented = std::panic::catch_unwind(|| match metering {
        Metering::Fvm3 => instrument_fvm3(raw, config.max_wasm_stack, &config.wasm_prices),
        Metering::Fvm2 => instrument_fvm2(raw, config.max_wasm_stack, &config.wasm_prices),
    });
    let metered = match instrumented {
        Ok(Ok(wasm)) => wasm,
        Ok(Err(e)) => return Err(PrepareError::Instrumentation(e)),
        Err(_) => {
            return Err(PrepareError::Instrumentation(
                "instrumenter panicked".to_string(),
            ))
        }
    };
    let counter_name = metering.gas_counter_name();
    if config.instruction_profile {
        let profiled = crate::profile_pass::instrument_profile(&metered, counter_name)?;
        crate::inline_gas::inline_gas_counter(&profiled, counter_name)
    } else {
        crate::inline_gas::inline_gas_counter(&metered, counter_name)
    }
}

/// ref-fvm 3 and 4: `fvm-wasm-instrument` 0.4's stack limiter, then its gas metering.
fn instrument_fvm3(
    raw: &[u8],
    max_wasm_stack: u32,
    prices: &WasmGasPrices,
) -> Result<Vec<u8>, String> {
    let limited = stack_limiter::inject(raw, max_wasm_stack).map_err(|e| e.to_string())?;
    gas_metering::inject(&limited, prices, "gas").map_err(|e| e.to_string())
}

/// ref-fvm 2 (`machine/engine.rs`, `load_raw`): parity-wasm parsing, `fvm-wasm-instrument`
/// 0.2's stack limiter, then its gas metering, then the DataCount repair, then serialization.
fn instrument_fvm2(
    raw: &[u8],
    max_wasm_stack: u32,
    prices: &WasmGasPrices,
) -> Result<Vec<u8>, String> {
    use fvm_wasm_instrument_v2::parity_wasm::elements::{self, Module};
    use fvm_wasm_instrument_v2::{gas_metering as gas_v2, inject_stack_limiter};

    let parsed = elements::deserialize_buffer::<Module>(raw).map_err(|e| e.to_string())?;
    let limited = inject_stack_limiter(parsed, max_wasm_stack).map_err(|e| e.to_string())?;
    let mut metered = gas_v2::inject(limited, prices, "gas")
        .map_err(|_| "injecting gas counter failed".to_string())?;
    repair_data_count(&mut metered);
    metered.to_bytes().map_err(|e| e.to_string())
}

/// parity-wasm keeps a DataCount section where it found it, but the instrumenter's edits can
/// leave it out of order (ref-fvm issue #602). ref-fvm 2 therefore drops any DataCount section
/// and, when the module has a data section, inserts a fresh one counting its segments at its
/// place in the section order. Same effect here: a module without a data section ends up
/// without a DataCount section.
fn repair_data_count(module: &mut fvm_wasm_instrument_v2::parity_wasm::elements::Module) {
    use fvm_wasm_instrument_v2::parity_wasm::elements::Section;

    module
        .sections_mut()
        .retain(|section| !matches!(section, Section::DataCount(_)));
    let Some(segments) = module.data_section().map(|data| data.entries().len()) else {
        return;
    };
    let count = u32::try_from(segments).unwrap_or(u32::MAX);
    // Inserting cannot fail: every DataCount section was just removed.
    let _ = module.insert_section(Section::DataCount(count));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_count_follows_the_data_segments() {
        use fvm_wasm_instrument_v2::parity_wasm::elements::{self, Module, Section};
        let raw = wat::parse_str(
            r#"(module (memory 1)
                 (data (i32.const 0) "a") (data "b")
                 (func (data.drop 1)))"#,
        )
        .unwrap();
        let mut module: Module = elements::deserialize_buffer(&raw).unwrap();
        repair_data_count(&mut module);
        let counts: Vec<u32> = module
            .sections()
            .iter()
            .filter_map(|s| match s {
                Section::DataCount(n) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(counts, [2]);
        let bytes = module.to_bytes().unwrap();
        wasmparser::Validator::new().validate_all(&bytes).unwrap();
    }
}

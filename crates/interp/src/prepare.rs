//! Module preparation: the checks and instrumentation ref-fvm applies before compiling an actor.
//!
//! 1. Validate the raw module against FVM's Wasm feature set: the features ref-fvm's Wasmtime
//!    configuration leaves on (MVP, mutable globals, sign extension, saturating float-to-int,
//!    bulk memory, and funcref-only reference types); SIMD, multi-value, threads, tail calls,
//!    memory64, multi-memory, exceptions, extended constants, wide arithmetic, GC types and custom
//!    page sizes are rejected.
//! 2. Inject `fvm-wasm-instrument`'s stack limiter with the configured `max_wasm_stack`.
//! 3. Inject gas metering with the engine's [`WasmGasPrices`](ifvm_gas::WasmGasPrices) under the
//!    import module `gas` (this adds the `gas.gas_counter` global import). The order matters: the
//!    limiter's pre/postambles are then metered like the rest of the code, as in ref-fvm.
//! 4. Only for an engine that profiles instructions
//!    ([`EngineConfig::instruction_profile`](crate::EngineConfig)): add the instruction counters
//!    (`crate::profile_pass`), which leaves gas unchanged.
//! 5. Inline the metering calls (`crate::inline_gas`), which leaves gas unchanged.
//! 6. Check instance limits and build the wasmi module
//!    ([`PreparedModule::from_instrumented`](crate::PreparedModule::from_instrumented)).

use alloc::string::ToString;
use alloc::vec::Vec;

use fvm_wasm_instrument::{gas_metering, stack_limiter};
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

/// Validates `raw` against [`fvm_features`] and returns it instrumented exactly as ref-fvm
/// instruments actor code (plus, when `config.instruction_profile` is on, the instruction
/// counters, which charge nothing).
pub fn instrument(raw: &[u8], config: &EngineConfig) -> Result<Vec<u8>, PrepareError> {
    wasmparser::Validator::new_with_features(fvm_features())
        .validate_all(raw)
        .map_err(|e| PrepareError::Invalid(e.to_string()))?;
    // The instrumenter has unimplemented corners (`todo!()`); a module that reaches one is
    // rejected rather than allowed to take the host down.
    let instrumented = std::panic::catch_unwind(|| {
        let limited = stack_limiter::inject(raw, config.max_wasm_stack)?;
        gas_metering::inject(&limited, &config.wasm_prices, "gas")
    });
    let metered = match instrumented {
        Ok(Ok(wasm)) => wasm,
        Ok(Err(e)) => return Err(PrepareError::Instrumentation(e.to_string())),
        Err(_) => {
            return Err(PrepareError::Instrumentation(
                "instrumenter panicked".to_string(),
            ))
        }
    };
    if config.instruction_profile {
        let profiled = crate::profile_pass::instrument_profile(&metered)?;
        crate::inline_gas::inline_gas_counter(&profiled)
    } else {
        crate::inline_gas::inline_gas_counter(&metered)
    }
}

//! Engine configuration: ref-fvm's network limits and the wasmi settings derived from them.

use ifvm_gas::{Metering, WasmGasPrices};

/// The largest linear memory wasm32 allows (65 536 pages of 64 KiB), or `usize::MAX` where that
/// does not fit.
const WASM32_MAX_MEMORY_BYTES: usize = match 65536usize.checked_mul(65536) {
    Some(bytes) => bytes,
    None => usize::MAX,
};

/// When wasmi translates functions to its bytecode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compilation {
    /// Validate the whole module up front, translate each function on its first call.
    #[default]
    Lazy,
    /// Validate and translate every function up front.
    Eager,
}

/// Limits and prices an [`Engine`](crate::Engine) applies to every module and instance.
///
/// The defaults ([`EngineConfig::new`]) depend on the prices' [`Metering`] generation: ref-fvm 3
/// and 4 have a 2048-unit instrumented stack, 512 MiB per instance and the pooling allocator's
/// 20,000 table elements; ref-fvm 2 has the same stack limit but no instance limits beyond
/// Wasm's and Wasmtime's own.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EngineConfig {
    /// The stack limit injected by `fvm-wasm-instrument`'s stack limiter (ref-fvm's
    /// `max_wasm_stack`).
    pub max_wasm_stack: u32,
    /// The largest linear memory one instance may have, in bytes (`max_inst_memory_bytes`).
    pub max_instance_memory_bytes: usize,
    /// The largest table one instance may have, in elements.
    pub max_table_elements: u32,
    /// Instruction, memory and host-call prices, and with them the metering generation (which
    /// instrumenter, which gas global name, whether instantiation is charged).
    pub wasm_prices: WasmGasPrices,
    /// When functions are translated.
    pub compilation: Compilation,
    /// How many prepared modules the engine keeps.
    pub module_cache_capacity: usize,
    /// Research mode, off by default: prepare modules with instruction counters (see
    /// [`crate::profile`]) and report each call's counts to the host. Gas and results are
    /// unchanged; execution is slower. An engine's modules are all prepared one way, so a
    /// profiling engine never shares its cache with a normal one.
    pub instruction_profile: bool,
}

impl EngineConfig {
    /// ref-fvm's limits for the given prices' [`Metering`] generation:
    ///
    /// - [`Metering::Fvm3`] (ref-fvm 3 and 4): a 2048-unit stack (`max_wasm_stack`), 512 MiB
    ///   per instance (`max_inst_memory_bytes`, the pooling allocator's slot), 20,000 table
    ///   elements (the pool's `table_elements`).
    /// - [`Metering::Fvm2`] (ref-fvm 2): a 2048-unit stack; memory limited only by wasm32
    ///   (4 GiB; `usize::MAX` on 32-bit hosts) and tables by nothing (`u32::MAX` elements), as
    ///   ref-fvm 2 runs Wasmtime's on-demand allocator without a resource limiter. The host
    ///   should likewise give each call stack an unlimited [`MemoryLimiter`](crate::MemoryLimiter)
    ///   ([`MemoryLimiter::unlimited`](crate::MemoryLimiter::unlimited)).
    pub fn new(wasm_prices: WasmGasPrices) -> Self {
        let (max_instance_memory_bytes, max_table_elements) = match wasm_prices.metering() {
            Metering::Fvm3 => (512 << 20, 20_000),
            Metering::Fvm2 => (WASM32_MAX_MEMORY_BYTES, u32::MAX),
        };
        Self {
            max_wasm_stack: 2048,
            max_instance_memory_bytes,
            max_table_elements,
            wasm_prices,
            compilation: Compilation::default(),
            module_cache_capacity: 256,
            instruction_profile: false,
        }
    }

    /// The wasmi configuration: FVM's Wasm feature set (MVP, mutable globals, sign extension,
    /// saturating float-to-int, bulk memory, reference types; no multi-value, SIMD, threads, tail
    /// calls, memory64, multi-memory, extended constants, wide arithmetic or custom page sizes;
    /// [`prepare`](crate::prepare) additionally rejects `externref`, as ref-fvm's Wasmtime does),
    /// fuel off, and wasmi's own stack limits far above what the instrumented limiter allows, so
    /// that the instrumented limit is the one that trips.
    pub(crate) fn wasmi_config(&self) -> wasmi::Config {
        let mut c = wasmi::Config::default();
        c.wasm_mutable_global(true)
            .wasm_sign_extension(true)
            .wasm_saturating_float_to_int(true)
            .wasm_bulk_memory(true)
            .wasm_multi_value(false)
            .wasm_reference_types(true)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_custom_page_sizes(false)
            .wasm_multi_memory(false)
            .wasm_wide_arithmetic(false)
            .floats(true)
            .consume_fuel(false)
            .ignore_custom_sections(true)
            .set_max_recursion_depth(1 << 20)
            .set_max_stack_height(1 << 30)
            .compilation_mode(match self.compilation {
                Compilation::Lazy => wasmi::CompilationMode::LazyTranslation,
                Compilation::Eager => wasmi::CompilationMode::Eager,
            });
        c
    }
}

//! Engine configuration: ref-fvm's network limits and the wasmi settings derived from them.

use ifvm_gas::WasmGasPrices;

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
/// The defaults are ref-fvm's `NetworkConfig` defaults: a 2048-unit instrumented stack, 512 MiB
/// per instance, and the pooling allocator's 20,000 table elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EngineConfig {
    /// The stack limit injected by `fvm-wasm-instrument`'s stack limiter (ref-fvm's
    /// `max_wasm_stack`).
    pub max_wasm_stack: u32,
    /// The largest linear memory one instance may have, in bytes (`max_inst_memory_bytes`).
    pub max_instance_memory_bytes: usize,
    /// The largest table one instance may have, in elements.
    pub max_table_elements: u32,
    /// Instruction, memory and host-call prices (the same on every supported network version).
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
    /// ref-fvm's limits with the given prices.
    pub fn new(wasm_prices: WasmGasPrices) -> Self {
        Self {
            max_wasm_stack: 2048,
            max_instance_memory_bytes: 512 << 20,
            max_table_elements: 20_000,
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

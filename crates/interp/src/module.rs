//! Prepared (instrumented, compiled) modules.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::{Engine, EngineConfig};

/// Why a module cannot be prepared. ref-fvm fails such modules when loading them (a fatal error
/// for the message that needs them).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// Not a valid module within FVM's Wasm feature set.
    #[error("failed to validate actor wasm: {0}")]
    Invalid(String),
    /// The stack limiter or gas metering rejected the module (e.g. an unpriced instruction).
    #[error("failed to instrument actor wasm: {0}")]
    Instrumentation(String),
    /// The module needs more than an instance may have (memories, tables, their initial sizes).
    #[error("module exceeds instance limits: {0}")]
    Limits(String),
    /// wasmi could not build the instrumented module.
    #[error("failed to compile instrumented wasm: {0}")]
    Compile(String),
}

/// A module ready to instantiate: instrumented, validated and translated (or scheduled for lazy
/// translation). Cheap to clone.
#[derive(Clone, Debug)]
pub struct PreparedModule {
    pub(crate) module: wasmi::Module,
    pub(crate) min_memory_bytes: Option<usize>,
    pub(crate) min_table_elements: Option<u64>,
    /// Prepared by a profiling engine: exports the instruction counters.
    pub(crate) profiled: bool,
    /// Which imports are the internal growth functions.
    pub(crate) internal_imports: crate::growth::InternalImports,
    size: usize,
}

impl PreparedModule {
    /// Builds a module from Wasm that has already been instrumented (by
    /// [`prepare::instrument`](crate::prepare::instrument), possibly on another machine), after
    /// checking it against the engine's instance limits.
    pub fn from_instrumented(engine: &Engine, wasm: &[u8]) -> Result<Self, PrepareError> {
        check_limits(wasm, engine.config())?;
        let module = wasmi::Module::new(engine.wasmi(), wasm)
            .map_err(|e| PrepareError::Compile(e.to_string()))?;
        engine.count_built(wasm.len());
        let min_memory_bytes = match module.get_export("memory") {
            Some(wasmi::ExternType::Memory(m)) => {
                Some((m.minimum() * u64::from(ifvm_gas::WASM_PAGE_SIZE)) as usize)
            }
            _ => None,
        };
        let min_table_elements = match module.get_export("table") {
            Some(wasmi::ExternType::Table(t)) => Some(t.minimum()),
            _ => None,
        };
        let profiled = engine.config().instruction_profile
            && crate::InstructionClass::ALL.iter().all(|c| {
                matches!(
                    module.get_export(c.export_name()),
                    Some(wasmi::ExternType::Global(_))
                )
            });
        let internal_imports = crate::growth::InternalImports::find(&module);
        Ok(Self {
            module,
            min_memory_bytes,
            min_table_elements,
            profiled,
            internal_imports,
            size: wasm.len(),
        })
    }

    /// Size of the instrumented Wasm in bytes.
    pub fn size(&self) -> usize {
        self.size
    }
}

/// ref-fvm 3 and 4's pooling allocator admits one memory and one table per module, a memory
/// whose minimum fits in an instance, and a table whose minimum fits its element limit; modules
/// beyond that fail to load. ref-fvm 2's on-demand allocator admits whatever validates (at most
/// one memory, as multi-memory is off; any number of tables, within Wasmtime's default of 10,000
/// per store, which instantiation enforces).
fn check_limits(wasm: &[u8], config: &EngineConfig) -> Result<(), PrepareError> {
    use wasmparser::{Payload, TypeRef};
    if config.wasm_prices.metering() == ifvm_gas::Metering::Fvm2 {
        return Ok(());
    }
    let (mut memories, mut tables) = (Vec::new(), Vec::new());
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| PrepareError::Invalid(e.to_string()))? {
            Payload::ImportSection(imports) => {
                for import in imports {
                    match import.map_err(|e| PrepareError::Invalid(e.to_string()))?.ty {
                        TypeRef::Memory(m) => memories.push(m.initial),
                        TypeRef::Table(t) => tables.push(t.initial),
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(section) => {
                for m in section {
                    memories.push(m.map_err(|e| PrepareError::Invalid(e.to_string()))?.initial);
                }
            }
            Payload::TableSection(section) => {
                for t in section {
                    tables.push(
                        t.map_err(|e| PrepareError::Invalid(e.to_string()))?
                            .ty
                            .initial,
                    );
                }
            }
            _ => {}
        }
    }
    if memories.len() > 1 || tables.len() > 1 {
        return Err(PrepareError::Limits(format!(
            "{} memories and {} tables (at most one of each)",
            memories.len(),
            tables.len()
        )));
    }
    let page = u64::from(ifvm_gas::WASM_PAGE_SIZE);
    if let Some(&pages) = memories.first() {
        if pages.saturating_mul(page) > config.max_instance_memory_bytes as u64 {
            return Err(PrepareError::Limits(format!(
                "initial memory of {pages} pages"
            )));
        }
    }
    if let Some(&elements) = tables.first() {
        if elements > u64::from(config.max_table_elements) {
            return Err(PrepareError::Limits(format!(
                "initial table of {elements} elements"
            )));
        }
    }
    Ok(())
}

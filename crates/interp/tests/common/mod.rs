//! Shared test host and helpers.
#![allow(dead_code)]

use ifvm_gas::{Gas, GasTracker};
use ifvm_interp::{Engine, EngineConfig, Host, HostFunctions, Invocation, MemoryLimiter, TrapKind};

/// A host with a gas tracker and a memory limiter, nothing else.
pub struct TestHost {
    pub tracker: GasTracker,
    pub limiter: MemoryLimiter,
}

impl TestHost {
    pub fn new(gas: u64) -> Self {
        Self {
            tracker: GasTracker::new(Gas::new(gas), Gas::ZERO, true),
            limiter: MemoryLimiter::new(2 << 30),
        }
    }
}

impl Host for TestHost {
    type Abort = String;
    fn gas_tracker(&mut self) -> &mut GasTracker {
        &mut self.tracker
    }
    fn memory_limiter(&mut self) -> &mut MemoryLimiter {
        &mut self.limiter
    }
}

pub fn prices() -> ifvm_gas::WasmGasPrices {
    ifvm_gas::price_list_for(18).unwrap().wasm_rules().clone()
}

pub fn engine() -> Engine {
    Engine::new(EngineConfig::new(prices()))
}

pub fn no_funcs() -> HostFunctions<TestHost> {
    HostFunctions::new(std::num::NonZeroU32::new(1).unwrap())
}

/// Prepares and instantiates `wat` with `funcs`, giving the host `gas`.
pub fn instantiate_with(
    engine: &Engine,
    wat: &str,
    gas: u64,
    funcs: &HostFunctions<TestHost>,
) -> Invocation<TestHost> {
    let module = engine
        .prepare_uncached(&wat::parse_str(wat).unwrap())
        .unwrap();
    let mut inv = Invocation::new(engine, TestHost::new(gas));
    inv.instantiate(&module, funcs).unwrap();
    inv
}

pub fn instantiate(wat: &str, gas: u64) -> Invocation<TestHost> {
    instantiate_with(&engine(), wat, gas, &no_funcs())
}

/// Total of the trace's charges with `name`, in milligas.
pub fn charged(inv: &mut Invocation<TestHost>, name: &str) -> u64 {
    inv.host_mut()
        .tracker
        .take_trace()
        .iter()
        .filter(|c| c.name == name)
        .map(|c| c.total().as_milligas())
        .sum()
}

/// The kind of a Wasmtime trap, in ifvm's terms.
pub fn wt_trap(t: &wasmtime::Trap) -> TrapKind {
    use wasmtime::Trap as T;
    match t {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::IndirectCallToNull,
        T::BadSignature => TrapKind::BadSignature,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        T::BadConversionToInteger => TrapKind::BadConversionToInteger,
        T::StackOverflow => TrapKind::StackOverflow,
        other => panic!("unexpected wasmtime trap {other}"),
    }
}

/// ref-fvm 3.14's engine for nv18: its Wasmtime configuration (Cranelift's NaN
/// canonicalization included), with an instance pool sized for a call depth of 1 instead of
/// 1025. Each pooled instance reserves gigabytes of address space, together more than qemu
/// user-mode can track; the pool's size changes nothing a module computes.
pub fn ref_fvm3_engine() -> fvm3::engine::Engine {
    let nc = fvm3::machine::NetworkConfig::new(fvm_shared3::version::NetworkVersion::V18);
    let mut config: fvm3::engine::EngineConfig = (&nc).into();
    config.max_call_depth = 1;
    fvm3::engine::EnginePool::new_default(config)
        .expect("ref-fvm's engine")
        .acquire()
}

/// ref-fvm 4.8's engine for nv21, its instance pool sized as [`ref_fvm3_engine`]'s.
pub fn ref_fvm4_engine() -> fvm4::engine::Engine {
    let nc = fvm4::machine::NetworkConfig::new(fvm_shared4::version::NetworkVersion::V21);
    let mut config: fvm4::engine::EngineConfig = (&nc).into();
    config.max_call_depth = 1;
    fvm4::engine::EnginePool::new(config)
        .expect("ref-fvm's engine")
        .acquire()
}

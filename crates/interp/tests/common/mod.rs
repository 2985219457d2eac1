//! Shared test host and helpers.
#![allow(dead_code)]

use ifvm_gas::{Gas, GasTracker};
use ifvm_interp::{Engine, EngineConfig, Host, HostFunctions, Invocation, MemoryLimiter};

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

//! ref-fvm 2's metering (nv16–nv17, `Metering::Fvm2`): `fvm-wasm-instrument` 0.2's gas global
//! name, parser, stack costs and metered blocks, and instantiation without charges, each
//! checked against ref-fvm 3's (`Metering::Fvm3`) on the same module where they differ.

mod common;

use common::*;
use ifvm_gas::Metering;
use ifvm_interp::{
    CallError, Caller, Engine, EngineConfig, HostError, HostFunctions, Invocation, PrepareError,
    TrapKind,
};

fn config(nv: u32) -> EngineConfig {
    EngineConfig::new(ifvm_gas::price_list_for(nv).unwrap().wasm_rules().clone())
}

fn fvm2() -> Engine {
    Engine::new(config(17))
}

fn fvm3() -> Engine {
    Engine::new(config(18))
}

/// The `(module, name)` of every global the prepared module imports.
fn global_imports(wasm: &[u8]) -> Vec<(String, String)> {
    let mut globals = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(reader) = payload.unwrap() {
            for import in reader {
                let import = import.unwrap();
                if matches!(import.ty, wasmparser::TypeRef::Global(_)) {
                    globals.push((import.module.to_string(), import.name.to_string()));
                }
            }
        }
    }
    globals
}

const CONST7: &str = r#"(module (memory (export "memory") 1)
    (func (export "invoke") (param i32) (result i32) i32.const 7))"#;

#[test]
fn nv17_prices_are_fvm2_metering() {
    assert_eq!(config(16).wasm_prices.metering(), Metering::Fvm2);
    assert_eq!(config(17).wasm_prices.metering(), Metering::Fvm2);
    assert_eq!(config(18).wasm_prices.metering(), Metering::Fvm3);
    let c = config(17);
    assert_eq!(c.max_wasm_stack, 2048);
    assert_eq!(c.max_instance_memory_bytes as u64, 1 << 32);
    assert_eq!(c.max_table_elements, u32::MAX);
}

#[test]
fn the_gas_global_is_gas_couner() {
    let raw = wat::parse_str(CONST7).unwrap();
    let v2 = ifvm_interp::prepare::instrument(&raw, &config(17)).unwrap();
    assert_eq!(
        global_imports(&v2),
        [("gas".to_string(), "gas_couner".to_string())]
    );
    let v3 = ifvm_interp::prepare::instrument(&raw, &config(18)).unwrap();
    assert_eq!(
        global_imports(&v3),
        [("gas".to_string(), "gas_counter".to_string())]
    );
    // And it links and runs: the thunk (local.get, the 52-gas instrumented call) and i32.const.
    let mut inv = instantiate_with(&fvm2(), CONST7, 1_000_000, &no_funcs());
    assert_eq!(inv.call("invoke", 0).unwrap(), 7);
    assert_eq!(charged(&mut inv, "wasm_exec"), 60_000);
}

#[test]
fn parity_wasm_rejects_sign_extension_and_saturating_truncation() {
    for op in [
        "(i32.extend8_s (local.get 0))",
        "(i32.trunc_sat_f32_s (f32.const 1))",
    ] {
        let wat = format!(
            r#"(module (memory (export "memory") 1)
                 (func (export "invoke") (param i32) (result i32) {op}))"#
        );
        let raw = wat::parse_str(&wat).unwrap();
        assert!(fvm3().prepare_uncached(&raw).is_ok(), "{op}");
        assert!(
            matches!(
                fvm2().prepare_uncached(&raw),
                Err(PrepareError::Instrumentation(_))
            ),
            "{op}"
        );
    }
}

/// The smallest `max_wasm_stack` at which `invoke` runs without tripping the stack limiter.
fn min_stack(nv: u32, wat: &str) -> u32 {
    let raw = wat::parse_str(wat).unwrap();
    let runs = |limit: u32| {
        let mut c = config(nv);
        c.max_wasm_stack = limit;
        let engine = Engine::new(c);
        let module = engine.prepare_uncached(&raw).unwrap();
        let mut inv = Invocation::new(&engine, TestHost::new(1_000_000));
        inv.instantiate(&module, &no_funcs()).unwrap();
        match inv.call("invoke", 0) {
            Ok(_) => true,
            Err(CallError::Trap(TrapKind::Unreachable)) => false,
            Err(e) => panic!("{e:?}"),
        }
    };
    let (mut lo, mut hi) = (0u32, 1000u32);
    assert!(runs(hi));
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if runs(mid) {
            hi = mid
        } else {
            lo = mid
        }
    }
    hi
}

#[test]
fn stack_cost_counts_every_local() {
    // 0.2 counts the five locals, 0.4 the two declaration groups.
    let wat = r#"(module (memory (export "memory") 1)
        (func $f (local i64 i64 i64 i64) (local i32))
        (func (export "invoke") (param i32) (result i32) call $f i32.const 7))"#;
    assert_eq!(min_stack(17, wat), min_stack(18, wat) + 3);
}

/// Exec gas of `invoke(arg)` on `engine`, in milligas.
fn exec_gas(engine: &Engine, wat: &str, arg: u32) -> (u32, u64) {
    let mut inv = instantiate_with(engine, wat, 1_000_000, &no_funcs());
    inv.host_mut().tracker.take_trace();
    let ret = inv.call("invoke", arg).unwrap();
    (ret, charged(&mut inv, "wasm_exec"))
}

#[test]
fn br_table_default_target_splits_metered_blocks() {
    // 0.4 leaves the default target out of the branch targets and merges `i32.const 2` into
    // the entry block; 0.2 meters it separately, so the default path costs 4 gas less.
    let wat = r#"(module (memory (export "memory") 1)
      (func (export "invoke") (param i32) (result i32)
        (block $out
          (block $a
            (block $b
              local.get 0
              br_table $a $b $out)
            i32.const 1
            drop)
          i32.const 2
          drop)
        i32.const 3))"#;
    // The thunk: 56 gas.
    let thunk = 56_000;
    // Default path: local.get, br_table, i32.const 3.
    assert_eq!(exec_gas(&fvm2(), wat, 2), (3, thunk + 12_000));
    assert_eq!(exec_gas(&fvm3(), wat, 2), (3, thunk + 16_000));
    // Through $b and $a: every instruction on the path, in both.
    assert_eq!(exec_gas(&fvm2(), wat, 1), (3, thunk + 20_000));
    assert_eq!(exec_gas(&fvm3(), wat, 1), (3, thunk + 20_000));
    assert_eq!(exec_gas(&fvm2(), wat, 0), (3, thunk + 16_000));
    assert_eq!(exec_gas(&fvm3(), wat, 0), (3, thunk + 16_000));
}

#[test]
fn memory_is_free_and_instantiation_uncharged() {
    let wat = r#"(module (memory (export "memory") 3 8) (table (export "table") 10 funcref)
        (func (export "invoke") (param i32) (result i32) local.get 0 memory.grow))"#;
    let mut inv = instantiate_with(&fvm2(), wat, 1_000_000, &no_funcs());
    assert!(inv.host_mut().tracker.take_trace().is_empty());
    assert_eq!(inv.call("invoke", 2).unwrap(), 3);
    assert_eq!(inv.memory().len(), 5 * 65536);
    let trace = inv.host_mut().tracker.take_trace();
    let names: Vec<&str> = trace.iter().map(|c| c.name.as_ref()).collect();
    assert_eq!(names, ["wasm_exec"]);
    // The thunk (56 gas), then local.get and memory.grow at 4 gas each, whatever the pages.
    assert_eq!(trace[0].total().as_milligas(), 64_000);
}

#[test]
fn a_metered_start_function_fails_instantiation() {
    // ref-fvm 2 instantiates with the gas global at zero: the start function's first charge
    // traps.
    let wat = r#"(module (memory (export "memory") 1)
        (func $s i32.const 1 drop) (start $s)
        (func (export "invoke") (param i32) (result i32) i32.const 7))"#;
    let raw = wat::parse_str(wat).unwrap();
    let engine = fvm2();
    let module = engine.prepare_uncached(&raw).unwrap();
    let mut inv = Invocation::new(&engine, TestHost::new(1_000_000));
    assert!(matches!(
        inv.instantiate(&module, &no_funcs()),
        Err(CallError::Instantiation(_))
    ));
    // ref-fvm 3 gives it gas first.
    let mut inv = instantiate_with(&fvm3(), wat, 1_000_000, &no_funcs());
    assert_eq!(inv.call("invoke", 0).unwrap(), 7);
}

/// `wat` instrumented by `fvm-wasm-instrument` 0.2 as ref-fvm 2 does, without ifvm's inlining.
fn instrumented_by_0_2(wat: &str) -> Vec<u8> {
    use fvm_wasm_instrument_v2::parity_wasm::elements;
    let c = config(17);
    let m =
        elements::deserialize_buffer::<elements::Module>(&wat::parse_str(wat).unwrap()).unwrap();
    let m = fvm_wasm_instrument_v2::inject_stack_limiter(m, c.max_wasm_stack).unwrap();
    let m = fvm_wasm_instrument_v2::gas_metering::inject(m, &c.wasm_prices, "gas").unwrap();
    m.to_bytes().unwrap()
}

#[test]
fn inlining_never_changes_fvm2_gas() {
    let wat = r#"(module (memory (export "memory") 1)
      (func $f (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
      (func (export "invoke") (param i32) (result i32)
        (block (loop
          local.get 0
          i32.eqz
          br_if 1
          local.get 0
          i32.const 1
          i32.sub
          local.set 0
          br 0))
        (call $f (i32.const 7))))"#;
    let engine = fvm2();
    let plain =
        ifvm_interp::PreparedModule::from_instrumented(&engine, &instrumented_by_0_2(wat)).unwrap();
    let inlined = engine
        .prepare_uncached(&wat::parse_str(wat).unwrap())
        .unwrap();
    for gas in [1_000_000u64, 1, 2, 50, 100, 150] {
        for n in [0u32, 1, 5, 100] {
            let run = |module| {
                let mut inv = Invocation::new(&engine, TestHost::new(gas));
                inv.instantiate(module, &no_funcs()).unwrap();
                let res = inv.call("invoke", n).map_err(|e| format!("{e:?}"));
                (res, inv.host().tracker.available())
            };
            assert_eq!(run(&plain), run(&inlined), "gas {gas}, n {n}");
        }
    }
    // Per iteration: 8 instructions at 4 gas.
    let (_, base) = exec_gas(&engine, wat, 0);
    assert_eq!(exec_gas(&engine, wat, 10).1 - base, 10 * 32_000);
}

/// The host function of the synchronization tests: `available` writes the tracker's
/// available gas at its out-pointer.
fn sync_funcs() -> HostFunctions<TestHost> {
    let mut funcs = HostFunctions::new(std::num::NonZeroU32::new(1).unwrap());
    funcs.define("host", "available", |c: Caller<'_, TestHost>| {
        Ok::<_, HostError<String>>(c.host.tracker.available().as_milligas())
    });
    funcs
}

const SYNC: &str = r#"(module
  (import "host" "available" (func $available (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "call") (param i32) (result i32)
    (drop (i32.add (local.get 0) (i32.const 1)))
    (call $available (i32.const 0)))
  (func (export "oob") (param i32) (result i32)
    (drop (i32.add (i32.add (i32.add (local.get 0) (i32.const 1)) (i32.const 2)) (i32.const 3)))
    (drop (call $available (i32.const 65532)))
    (loop (drop (i32.add (local.get 0) (i32.const 1))))
    (i32.const 0)))"#;

/// The `wasm_exec` charges of calling `export` on `engine` with `gas` left after instantiation,
/// in milligas, in order.
fn exec_charges(engine: &Engine, export: &str, gas: u64) -> Vec<u64> {
    let at_instantiation = instantiate_with(engine, SYNC, 1_000_000, &sync_funcs())
        .host()
        .tracker
        .used();
    let limit = gas + at_instantiation.round_up();
    let mut inv = instantiate_with(engine, SYNC, limit, &sync_funcs());
    inv.host_mut().tracker.take_trace();
    let _ = inv.call(export, 0);
    let trace = inv.host_mut().tracker.take_trace();
    trace
        .iter()
        .filter(|c| c.name == "wasm_exec")
        .map(|c| c.total().as_milligas())
        .collect()
}

#[test]
fn fvm2_charges_wasm_before_a_host_call_out_of_gas_once() {
    // 1,000 gas pays for the Wasm but not for the host call (`OnSyscall`, 14,000), which
    // unwinds before the gas is written back. ref-fvm 2's `charge_for_exec` records the
    // global it read, so the end of the call charges nothing more; ref-fvm 3 and 4 charge
    // that Wasm gas again (into a tracker already at its limit).
    let v2 = exec_charges(&fvm2(), "call", 1_000);
    assert_eq!(v2.len(), 2);
    assert!(v2[0] > 0);
    assert_eq!(v2[1], 0);
    let v3 = exec_charges(&fvm3(), "call", 1_000);
    assert_eq!(v3.len(), 2);
    assert_eq!(v3[1], v3[0]);
}

#[test]
fn fvm2_charges_wasm_before_a_host_call_without_room_for_its_result_once() {
    // The host call fails before running and writes no gas back to the guest; the end of the
    // call charges the Wasm executed after it (ref-fvm 2: the loop's metered block, cheaper
    // than the code before the host call), or that plus all of it since the call began
    // (ref-fvm 3 and 4).
    let v2 = exec_charges(&fvm2(), "oob", 1_000_000);
    let v3 = exec_charges(&fvm3(), "oob", 1_000_000);
    assert_eq!((v2.len(), v3.len()), (2, 2));
    assert!(v2[1] > 0 && v2[1] < v2[0], "{v2:?}");
    assert!(v3[1] > v3[0], "{v3:?}");
}

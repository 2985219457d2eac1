//! Directed tests of ifvm-interp on hand-written modules: metering, memory, stack limits, host
//! calls and their gas handshake, traps, NaN canonicalization, preparation and linking errors.

mod common;

use std::num::NonZeroU32;

use common::*;
use ifvm_gas::Gas;
use ifvm_interp::{
    CallError, Caller, Engine, EngineConfig, FatalError, HostError, HostFunctions, Invocation,
    PrepareError, TrapKind, Val,
};

const LOOP: &str = r#"
(module
  (memory (export "memory") 1)
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
    i32.const 7))
"#;

fn exec_gas_for(wat: &str, arg: u32) -> u64 {
    let mut inv = instantiate(wat, 1_000_000_000);
    inv.host_mut().tracker.take_trace();
    assert_eq!(inv.call("invoke", arg).unwrap(), 7);
    charged(&mut inv, "wasm_exec")
}

#[test]
fn each_loop_iteration_costs_its_instructions() {
    // Per iteration: local.get, i32.eqz, br_if, local.get, i32.const, i32.sub, local.set, br:
    // eight instructions at 4 gas each.
    let base = exec_gas_for(LOOP, 0);
    for n in [1u32, 2, 10, 1000] {
        assert_eq!(exec_gas_for(LOOP, n) - base, u64::from(n) * 32_000, "n={n}");
    }
}

#[test]
fn running_out_of_gas_uses_all_gas() {
    let mut inv = instantiate(LOOP, 100_000);
    let err = inv.call("invoke", u32::MAX).unwrap_err();
    assert!(matches!(err, CallError::OutOfGas), "{err:?}");
    assert_eq!(inv.host().tracker.available(), Gas::ZERO);
}

#[test]
fn instantiation_charges_initial_memory_and_table() {
    let wat = r#"(module (memory (export "memory") 3) (table (export "table") 10 funcref)
                 (func (export "invoke") (param i32) (result i32) i32.const 7))"#;
    let mut inv = instantiate(wat, 1_000_000_000);
    // 0.4 gas per byte of memory, 0.4 gas per 8 bytes of table element.
    assert_eq!(charged(&mut inv, "wasm_memory_init"), 3 * 65536 * 400);
    let mut inv = instantiate(wat, 1_000_000_000);
    assert_eq!(charged(&mut inv, "wasm_table_init"), 10 * 8 * 400);
    assert_eq!(inv.host().limiter.used(), 3 * 65536 + 10 * 8);
}

#[test]
fn instantiation_without_gas_for_memory_runs_out() {
    let wat = r#"(module (memory (export "memory") 100) (func (export "invoke") (param i32) (result i32) i32.const 7))"#;
    let engine = engine();
    let module = engine
        .prepare_uncached(&wat::parse_str(wat).unwrap())
        .unwrap();
    let mut inv = Invocation::new(&engine, TestHost::new(1000));
    assert!(matches!(
        inv.instantiate(&module, &no_funcs()),
        Err(CallError::OutOfGas)
    ));
}

const GROW: &str = r#"
(module
  (memory (export "memory") 1 8)
  (func (export "invoke") (param i32) (result i32)
    local.get 0
    memory.grow))
"#;

#[test]
fn memory_growth_is_charged_per_page_and_accounted() {
    let mut inv = instantiate(GROW, 1_000_000_000);
    inv.host_mut().tracker.take_trace();
    assert_eq!(inv.call("invoke", 2).unwrap(), 1);
    // The instrumented charge: 4 gas for the instruction plus 0.4 gas per byte grown, of which
    // the grown bytes are reported as `wasm_memory_grow`.
    let trace = inv.host_mut().tracker.take_trace();
    let grow: u64 = trace
        .iter()
        .filter(|c| c.name == "wasm_memory_grow")
        .map(|c| c.total().as_milligas())
        .sum();
    let exec: u64 = trace
        .iter()
        .filter(|c| c.name == "wasm_exec")
        .map(|c| c.total().as_milligas())
        .sum();
    assert_eq!(grow, 2 * 65536 * 400);
    assert!(exec > 0);
    assert_eq!(inv.host().limiter.used(), 3 * 65536);
    assert_eq!(inv.memory().len(), 3 * 65536);
}

#[test]
fn memory_growth_beyond_limits_fails_without_accounting() {
    // Beyond the declared maximum.
    let mut inv = instantiate(GROW, 1_000_000_000);
    assert_eq!(inv.call("invoke", 8).unwrap() as i32, -1);
    assert_eq!(inv.host().limiter.used(), 65536);
    // Beyond the per-instance limit.
    let mut config = EngineConfig::new(prices());
    config.max_instance_memory_bytes = 2 * 65536;
    let engine = Engine::new(config);
    let mut inv = instantiate_with(&engine, GROW, 1_000_000_000, &no_funcs());
    assert_eq!(inv.call("invoke", 2).unwrap() as i32, -1);
    assert_eq!(inv.call("invoke", 1).unwrap(), 1);
    // Beyond the call stack's limit.
    let mut inv = instantiate(GROW, 1_000_000_000);
    inv.host_mut().limiter = ifvm_interp::MemoryLimiter::new(3 * 65536);
    inv.host_mut().limiter.grow(65536);
    assert_eq!(inv.call("invoke", 3).unwrap() as i32, -1);
    assert_eq!(inv.call("invoke", 2).unwrap(), 1);
    assert_eq!(inv.host().limiter.used(), 3 * 65536);
}

const RECURSE: &str = r#"
(module
  (memory (export "memory") 1)
  (func $down
    i32.const 0
    i32.const 0
    i32.load
    i32.const 1
    i32.add
    i32.store
    call $down)
  (func (export "invoke") (param i32) (result i32)
    call $down
    i32.const 0))
"#;

fn max_depth(max_wasm_stack: u32) -> i32 {
    let mut config = EngineConfig::new(prices());
    config.max_wasm_stack = max_wasm_stack;
    let engine = Engine::new(config);
    let mut inv = instantiate_with(&engine, RECURSE, 1_000_000_000, &no_funcs());
    let err = inv.call("invoke", 0).unwrap_err();
    // The instrumented limiter trips (an `unreachable`), not wasmi's own stack limit.
    assert!(
        matches!(err, CallError::Trap(TrapKind::Unreachable)),
        "{err:?}"
    );
    i32::from_le_bytes(inv.memory()[..4].try_into().unwrap())
}

#[test]
fn stack_limit_is_the_instrumented_one() {
    let d2k = max_depth(2048);
    let d4k = max_depth(4096);
    assert!(d2k > 100 && d2k < 2048, "depth {d2k}");
    assert!((2 * d2k - d4k).abs() <= 2, "2048 -> {d2k}, 4096 -> {d4k}");
}

#[test]
fn traps_are_classified() {
    let cases = [
        ("unreachable", TrapKind::Unreachable),
        ("i32.const 70000 i32.load drop", TrapKind::MemoryOutOfBounds),
        (
            "i32.const 1 i32.const 0 i32.div_u drop",
            TrapKind::IntegerDivisionByZero,
        ),
        (
            "i32.const 0x80000000 i32.const -1 i32.div_s drop",
            TrapKind::IntegerOverflow,
        ),
        (
            "f32.const nan i32.trunc_f32_s drop",
            TrapKind::BadConversionToInteger,
        ),
        (
            "i32.const 0 call_indirect (type $t)",
            TrapKind::IndirectCallToNull,
        ),
        (
            "i32.const 5 call_indirect (type $t)",
            TrapKind::TableOutOfBounds,
        ),
        (
            "i32.const 1 call_indirect (type $t)",
            TrapKind::BadSignature,
        ),
        (
            "i32.const 0 i32.const 0 i32.const 70000 memory.fill",
            TrapKind::MemoryOutOfBounds,
        ),
    ];
    for (body, kind) in cases {
        let wat = format!(
            r#"(module (type $t (func)) (memory (export "memory") 1) (table 2 funcref)
                (elem (i32.const 1) $other)
                (func $other (param i32))
                (func (export "invoke") (param i32) (result i32) {body} i32.const 0))"#
        );
        let mut inv = instantiate(&wat, 1_000_000_000);
        match inv.call("invoke", 0) {
            Err(CallError::Trap(k)) => assert_eq!(k, kind, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

fn float_bits(expr: &str, ty: &str) -> u64 {
    let wat = format!(
        r#"(module (memory (export "memory") 1)
             (func (export "f") (result {ty}) {expr}))"#
    );
    let mut inv = instantiate(&wat, 1_000_000_000);
    let mut out = [if ty == "f32" {
        Val::F32(0.0.into())
    } else {
        Val::F64(0.0.into())
    }];
    inv.call_raw("f", &[], &mut out).unwrap();
    match out[0] {
        Val::F32(f) => u64::from(f.to_bits()),
        Val::F64(f) => f.to_bits(),
        _ => unreachable!(),
    }
}

#[test]
fn nan_results_are_canonical_where_cranelift_canonicalizes() {
    const NAN32: u64 = 0x7fc0_0000;
    const NAN64: u64 = 0x7ff8_0000_0000_0000;
    let payload32 = "(f32.reinterpret_i32 (i32.const 0xffc12345))";
    let payload64 = "(f64.reinterpret_i64 (i64.const 0xfff4000000000001))";
    // Arithmetic, min/max, sqrt, rounding, promotion and demotion give the canonical NaN.
    for op in [
        "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max",
    ] {
        assert_eq!(
            float_bits(&format!("({op} {payload32} (f32.const 1))"), "f32"),
            NAN32,
            "{op}"
        );
    }
    for op in [
        "f32.sqrt",
        "f32.ceil",
        "f32.floor",
        "f32.trunc",
        "f32.nearest",
    ] {
        assert_eq!(
            float_bits(&format!("({op} {payload32})"), "f32"),
            NAN32,
            "{op}"
        );
    }
    for op in [
        "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max",
    ] {
        assert_eq!(
            float_bits(&format!("({op} (f64.const 2) {payload64})"), "f64"),
            NAN64,
            "{op}"
        );
    }
    for op in [
        "f64.sqrt",
        "f64.ceil",
        "f64.floor",
        "f64.trunc",
        "f64.nearest",
    ] {
        assert_eq!(
            float_bits(&format!("({op} {payload64})"), "f64"),
            NAN64,
            "{op}"
        );
    }
    assert_eq!(
        float_bits(&format!("(f64.promote_f32 {payload32})"), "f64"),
        NAN64
    );
    assert_eq!(
        float_bits(&format!("(f32.demote_f64 {payload64})"), "f32"),
        NAN32
    );
    assert_eq!(
        float_bits("(f32.div (f32.const 0) (f32.const 0))", "f32"),
        NAN32
    );
    assert_eq!(float_bits("(f64.sqrt (f64.const -1))", "f64"), NAN64);
    // Sign operations and reinterpretation keep the payload, as in Wasmtime.
    assert_eq!(
        float_bits(&format!("(f32.neg {payload32})"), "f32"),
        0x7fc12345
    );
    assert_eq!(
        float_bits(&format!("(f32.abs {payload32})"), "f32"),
        0x7fc12345
    );
    assert_eq!(
        float_bits(&format!("(f64.copysign {payload64} (f64.const 1))"), "f64"),
        0x7ff4000000000001
    );
    assert_eq!(float_bits(payload64, "f64"), 0xfff4000000000001);
    // Signed zeros and infinities are exact.
    assert_eq!(
        float_bits("(f32.min (f32.const 0) (f32.const -0))", "f32"),
        0x8000_0000
    );
    assert_eq!(
        float_bits("(f64.div (f64.const 1) (f64.const -0))", "f64"),
        0xfff0_0000_0000_0000
    );
}

/// Host functions for the handshake tests: `available` returns the tracker's available gas,
/// `burn(n)` charges `n` gas, `fail` returns status 33, `abort` unwinds.
fn handshake_funcs() -> HostFunctions<TestHost> {
    let mut funcs = HostFunctions::new(NonZeroU32::new(1).unwrap());
    funcs
        .define("host", "available", |c: Caller<'_, TestHost>| {
            Ok::<_, HostError<String>>(c.host.tracker.available().as_milligas())
        })
        .define("host", "burn", |c: Caller<'_, TestHost>, n: u64| {
            c.host
                .tracker
                .charge_gas("burn", Gas::new(n))
                .map_err(|_| HostError::Abort("out of gas in burn".to_string()))
        })
        .define("host", "fail", |_: Caller<'_, TestHost>| {
            Err::<(), _>(HostError::Status {
                code: NonZeroU32::new(33).unwrap(),
                message: "nope".into(),
            })
        })
        .define("host", "abort", |_: Caller<'_, TestHost>, code: u32| {
            Err::<(), _>(HostError::Abort(format!("exit {code}")))
        })
        .define(
            "host",
            "write",
            |mut c: Caller<'_, TestHost>, off: u32, len: u32| {
                let out = c
                    .memory
                    .slice_mut(off, len)
                    .map_err(|e| HostError::Status {
                        code: NonZeroU32::new(1).unwrap(),
                        message: e.to_string(),
                    })?;
                out.fill(0xab);
                Ok(len)
            },
        );
    funcs
}

const HANDSHAKE: &str = r#"
(module
  (import "host" "available" (func $available (param i32) (result i32)))
  (import "host" "burn" (func $burn (param i64) (result i32)))
  (import "host" "fail" (func $fail (result i32)))
  (import "host" "abort" (func $abort (param i32) (result i32)))
  (import "host" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "twice") (result i64)
    (drop (call $available (i32.const 0)))
    (drop (call $available (i32.const 8)))
    (i64.sub (i64.load (i32.const 0)) (i64.load (i32.const 8))))
  (func (export "burn") (result i64)
    (drop (call $available (i32.const 0)))
    (drop (call $burn (i64.const 1000)))
    (drop (call $available (i32.const 8)))
    (i64.sub (i64.load (i32.const 0)) (i64.load (i32.const 8))))
  (func (export "fail") (result i32) (call $fail))
  (func (export "abort") (result i32) (call $abort (i32.const 9)))
  (func (export "oob") (result i32) (call $available (i32.const 65532)))
  (func (export "write") (param i32 i32) (result i32) (call $write (i32.const 0) (local.get 0) (local.get 1)))
  (func (export "burn_all") (result i32) (call $burn (i64.const 1000000000000))))
"#;

fn handshake() -> Invocation<TestHost> {
    let mut inv = instantiate_with(&engine(), HANDSHAKE, 10_000_000, &handshake_funcs());
    inv.host_mut().tracker.take_trace();
    inv
}

fn call_i64(inv: &mut Invocation<TestHost>, name: &str) -> i64 {
    let mut out = [Val::I64(0)];
    inv.call_raw(name, &[], &mut out).unwrap();
    out[0].i64().unwrap()
}

#[test]
fn host_calls_charge_wasm_execution_and_the_call_cost() {
    let mut inv = handshake();
    // Between the two reads: the host-call cost (14000 gas) and the Wasm in between
    // (the drop is free; i32.const 8 and the call: 8 gas, metered before the first call).
    let between = call_i64(&mut inv, "twice");
    let trace = inv.host_mut().tracker.take_trace();
    let names: Vec<_> = trace.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(
        names,
        [
            "wasm_exec",
            "OnSyscall",
            "wasm_exec",
            "OnSyscall",
            "wasm_exec"
        ]
    );
    assert_eq!(trace[1].total(), Gas::new(14000));
    assert_eq!(
        between as u64,
        Gas::new(14000).as_milligas() + trace[2].total().as_milligas()
    );
    // A host charge between two reads is visible to the guest.
    let between = call_i64(&mut inv, "burn");
    let trace = inv.host_mut().tracker.take_trace();
    let wasm: u64 = trace[3..5]
        .iter()
        .filter(|c| c.name == "wasm_exec")
        .map(|c| c.total().as_milligas())
        .sum();
    assert_eq!(
        between as u64,
        Gas::new(1000 + 2 * 14000).as_milligas() + wasm
    );
}

#[test]
fn status_codes_and_last_error() {
    let mut inv = handshake();
    let mut out = [Val::I32(0)];
    inv.call_raw("fail", &[], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(33));
    let last = inv.last_error().unwrap();
    assert_eq!((last.module, last.name, last.code), ("host", "fail", 33));
    call_i64(&mut inv, "twice");
    assert!(
        inv.last_error().is_none(),
        "a successful host call clears the last error"
    );
}

#[test]
fn host_aborts_unwind_the_guest() {
    let mut inv = handshake();
    let mut out = [Val::I32(0)];
    match inv.call_raw("abort", &[], &mut out) {
        Err(CallError::Host(msg)) => assert_eq!(msg, "exit 9"),
        other => panic!("{other:?}"),
    }
    // A host charge that runs out leaves no gas; the host's abort is what the caller sees.
    let mut inv = handshake();
    match inv.call_raw("burn_all", &[], &mut out) {
        Err(CallError::Host(msg)) => assert_eq!(msg, "out of gas in burn"),
        other => panic!("{other:?}"),
    }
    assert_eq!(inv.host().tracker.available(), Gas::ZERO);
}

#[test]
fn out_of_bounds_pointers_never_reach_the_host() {
    let mut inv = handshake();
    let mut out = [Val::I32(0)];
    // The out-pointer leaves 4 bytes for an 8-byte result: status 1, function not called.
    inv.call_raw("oob", &[], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(1));
    assert_eq!(
        inv.last_error().unwrap().message,
        "no space for return value"
    );
    assert!(inv.memory()[65532..].iter().all(|b| *b == 0));
    // Buffers the host checks.
    for (off, len, status) in [
        (0u32, 65536u32, 0),
        (1, 65536, 1),
        (u32::MAX, 2, 1),
        (65536, 0, 0),
    ] {
        inv.call_raw(
            "write",
            &[Val::I32(off as i32), Val::I32(len as i32)],
            &mut out,
        )
        .unwrap();
        assert_eq!(out[0].i32(), Some(status), "write({off}, {len})");
    }
}

#[test]
fn preparation_rejects_modules_outside_fvms_feature_set() {
    let engine = engine();
    let invalid = [
        ("simd", "(module (func (result v128) v128.const i64x2 0 0))"),
        (
            "multi-value",
            "(module (func (result i32 i32) i32.const 0 i32.const 0))",
        ),
        ("externref", "(module (func (param externref)))"),
        ("memory64", "(module (memory i64 1))"),
        ("multi-memory", "(module (memory 1) (memory 1))"),
        ("tail calls", "(module (func $f return_call $f))"),
        ("threads", "(module (memory 1 1 shared))"),
        (
            "extended const",
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
        ),
    ];
    for (what, wat) in invalid {
        let err = engine
            .prepare_uncached(&wat::parse_str(wat).unwrap())
            .unwrap_err();
        assert!(matches!(err, PrepareError::Invalid(_)), "{what}: {err:?}");
    }
    // Valid in ref-fvm's feature set, but the instrumenter rejects them (in ref-fvm too).
    for unpriced in [
        "(module (table 1 funcref) (func $f (drop (ref.func $f))) (elem declare func $f))",
        "(module (func (drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))))",
    ] {
        let err = engine
            .prepare_uncached(&wat::parse_str(unpriced).unwrap())
            .unwrap_err();
        assert!(
            matches!(err, PrepareError::Instrumentation(_)),
            "{unpriced}: {err:?}"
        );
    }
    let huge = "(module (memory 8193) (func))";
    let err = engine
        .prepare_uncached(&wat::parse_str(huge).unwrap())
        .unwrap_err();
    assert!(matches!(err, PrepareError::Limits(_)), "{err:?}");
    let big_table = "(module (table 20001 funcref) (func))";
    let err = engine
        .prepare_uncached(&wat::parse_str(big_table).unwrap())
        .unwrap_err();
    assert!(matches!(err, PrepareError::Limits(_)), "{err:?}");
    assert!(engine.prepare_uncached(b"\0asm garbage").is_err());
    // Funcref tables and table instructions are within the set, as in ref-fvm.
    let ok = "(module (table 1 funcref) (func (drop (table.size 0))))";
    engine
        .prepare_uncached(&wat::parse_str(ok).unwrap())
        .unwrap();
}

#[test]
fn linking_errors_are_fatal() {
    let engine = engine();
    let cases = [
        (
            r#"(module (import "host" "nope" (func)) (memory (export "memory") 1) (func))"#,
            "undefined",
        ),
        (
            r#"(module (import "host" "fail" (func (param i32) (result i32))) (memory (export "memory") 1) (func))"#,
            "mismatch",
        ),
        (
            r#"(module (import "env" "m" (memory 1)) (export "memory" (memory 0)) (func))"#,
            "unsupported",
        ),
    ];
    for (wat, reason) in cases {
        let module = engine
            .prepare_uncached(&wat::parse_str(wat).unwrap())
            .unwrap();
        let mut inv = Invocation::new(&engine, TestHost::new(1_000_000));
        match inv.instantiate(&module, &handshake_funcs()) {
            Err(CallError::Fatal(FatalError::Link { reason: r, .. })) => {
                assert!(r.contains(reason), "{r}")
            }
            other => panic!("{wat}: {other:?}"),
        }
    }
    let module = engine
        .prepare_uncached(&wat::parse_str("(module (func))").unwrap())
        .unwrap();
    let mut inv = Invocation::new(&engine, TestHost::new(1_000_000));
    assert!(matches!(
        inv.instantiate(&module, &no_funcs()),
        Err(CallError::Fatal(FatalError::NoMemoryExport))
    ));
}

#[test]
fn instantiation_failures_are_not_fatal() {
    // A data segment out of bounds traps during instantiation.
    let wat = r#"(module (memory (export "memory") 1) (data (i32.const 65535) "ab") (func))"#;
    let engine = engine();
    let module = engine
        .prepare_uncached(&wat::parse_str(wat).unwrap())
        .unwrap();
    let mut inv = Invocation::new(&engine, TestHost::new(1_000_000));
    assert!(matches!(
        inv.instantiate(&module, &no_funcs()),
        Err(CallError::Instantiation(_))
    ));
    // So does exceeding the call stack's memory budget.
    let wat = r#"(module (memory (export "memory") 4) (func))"#;
    let module = engine
        .prepare_uncached(&wat::parse_str(wat).unwrap())
        .unwrap();
    let mut host = TestHost::new(1_000_000);
    host.limiter = ifvm_interp::MemoryLimiter::new(3 * 65536);
    let mut inv = Invocation::new(&engine, host);
    assert!(matches!(
        inv.instantiate(&module, &no_funcs()),
        Err(CallError::Instantiation(_))
    ));
}

#[test]
fn prepared_modules_are_cached_by_cid_and_bounded() {
    let mut config = EngineConfig::new(prices());
    config.module_cache_capacity = 2;
    let engine = Engine::new(config);
    let cid = |i: u8| cid::Cid::new_v1(0x55, cid::multihash::Multihash::wrap(0, &[i]).unwrap());
    let wasm = wat::parse_str("(module (func))").unwrap();
    let mut loads = 0;
    for i in [1u8, 2, 1, 3, 1, 2] {
        engine
            .prepare(&cid(i), || {
                loads += 1;
                Ok::<_, ()>(Some(wasm.clone()))
            })
            .unwrap()
            .unwrap();
    }
    // 1, 2 load; 1 hits; 3 loads and evicts 2 (least recently used); 1 hits; 2 loads again.
    assert_eq!(loads, 4);
    assert_eq!(engine.cached_modules(), 2);
    assert!(engine
        .prepare(&cid(9), || Ok::<_, ()>(None))
        .unwrap()
        .is_none());
}

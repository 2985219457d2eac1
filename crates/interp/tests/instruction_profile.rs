//! The instruction-profiling preparation mode: the counts match what the module's source says
//! runs, and gas, results, traps and memory are exactly those of normal preparation.

mod common;

use common::prices;
use ifvm_gas::{Gas, GasCharge, GasTracker};
use ifvm_interp::{
    CallError, Engine, EngineConfig, Host, HostFunctions, InstructionClass, InstructionProfile,
    Invocation, MemoryLimiter, PrepareError, Val,
};
use wasmparser::{Operator, Parser, Payload};

/// A host that keeps the instruction counts it is given.
struct ProfilingHost {
    tracker: GasTracker,
    limiter: MemoryLimiter,
    profile: InstructionProfile,
    reports: usize,
}

impl Host for ProfilingHost {
    type Abort = String;
    fn gas_tracker(&mut self) -> &mut GasTracker {
        &mut self.tracker
    }
    fn memory_limiter(&mut self) -> &mut MemoryLimiter {
        &mut self.limiter
    }
    fn record_instructions(&mut self, profile: &InstructionProfile) {
        self.profile.add(profile);
        self.reports += 1;
    }
}

fn engine(profile: bool) -> Engine {
    let mut config = EngineConfig::new(prices());
    config.instruction_profile = profile;
    Engine::new(config)
}

/// What one call produced: its result, the gas trace, the memory, and the instruction counts.
#[derive(Debug)]
struct Run {
    result: Result<Vec<i64>, String>,
    trace: Vec<GasCharge>,
    memory: Vec<u8>,
    profile: InstructionProfile,
    reports: usize,
}

fn run(engine: &Engine, wat: &str, args: &[i64], gas: u64) -> Run {
    let module = engine
        .prepare_uncached(&wat::parse_str(wat).unwrap())
        .unwrap();
    let host = ProfilingHost {
        tracker: GasTracker::new(Gas::new(gas), Gas::ZERO, true),
        limiter: MemoryLimiter::new(2 << 30),
        profile: InstructionProfile::default(),
        reports: 0,
    };
    let mut inv = Invocation::new(engine, host);
    let funcs = HostFunctions::<ProfilingHost>::new(std::num::NonZeroU32::new(1).unwrap());
    let params: Vec<Val> = args.iter().map(|a| Val::I32(*a as i32)).collect();
    let mut results = [Val::I32(0)];
    let result = match inv
        .instantiate(&module, &funcs)
        .and_then(|()| inv.call_raw("run", &params, &mut results))
    {
        Ok(()) => Ok(results.iter().map(|v| v.i32().unwrap().into()).collect()),
        Err(CallError::Trap(kind)) => Err(format!("trap {kind:?}")),
        Err(CallError::OutOfGas) => Err("out of gas".into()),
        Err(e) => Err(format!("{e}")),
    };
    let memory = inv.memory().to_vec();
    let (mut host, _) = inv.into_parts();
    Run {
        result,
        trace: host.tracker.take_trace(),
        memory,
        profile: host.profile,
        reports: host.reports,
    }
}

/// Counts `n` down to zero; the loop body is everything between `loop` and its `end`.
const COUNTDOWN: &str = r#"
(module
  (memory (export "memory") 1)
  (global $acc (mut i64) (i64.const 1))
  (func (export "run") (param $n i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (global.set $acc (i64.mul (global.get $acc) (i64.const 3)))
        (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (local.get $n)))
        (drop (f64.sqrt (f64.convert_i32_u (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.load (i32.const 64))))
"#;

/// The classes of the instructions strictly inside the first `loop` of the module's code.
fn loop_body_classes(wat: &str) -> InstructionProfile {
    let wasm = wat::parse_str(wat).unwrap();
    let mut body = InstructionProfile::default();
    for payload in Parser::new(0).parse_all(&wasm) {
        if let Payload::CodeSectionEntry(f) = payload.unwrap() {
            let mut depth = None;
            let mut ops = f.get_operators_reader().unwrap();
            while !ops.eof() {
                let op = ops.read().unwrap();
                match (&op, depth) {
                    (Operator::Loop { .. }, None) => {
                        depth = Some(0);
                        continue;
                    }
                    (
                        Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. },
                        Some(d),
                    ) => depth = Some(d + 1),
                    (Operator::End, Some(0)) => return body,
                    (Operator::End, Some(d)) => depth = Some(d - 1),
                    _ => {}
                }
                if depth.is_some() {
                    body.add_count(InstructionClass::of(&op).unwrap(), 1);
                }
            }
        }
    }
    panic!("no loop in module")
}

#[test]
fn each_iteration_counts_the_loop_body() {
    let engine = engine(true);
    let body = loop_body_classes(COUNTDOWN);
    assert!(body.instructions() > 10, "the body does work: {body:?}");
    let runs: Vec<Run> = [3i64, 4, 40]
        .iter()
        .map(|n| run(&engine, COUNTDOWN, &[*n], 1_000_000_000))
        .collect();
    for r in &runs {
        assert!(r.result.is_ok(), "{:?}", r.result);
        assert_eq!(r.reports, 1, "one report per call");
    }
    for (a, b, extra) in [(&runs[0], &runs[1], 1u64), (&runs[1], &runs[2], 36)] {
        for class in InstructionClass::ALL {
            let diff = b.profile.count(class) - a.profile.count(class);
            if class == InstructionClass::GasCheck {
                assert!(diff >= extra, "every iteration checks gas");
            } else {
                assert_eq!(diff, extra * body.count(class), "{class:?}");
            }
        }
    }
}

#[test]
fn calls_are_counted_in_the_callee_too() {
    let wat = r#"
(module
  (memory (export "memory") 1)
  (func $twice (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
  (func (export "run") (param $n i32) (result i32) (local $x i32)
    (local.set $x (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (call $twice (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $x)))
"#;
    let engine = engine(true);
    let (a, b) = (
        run(&engine, wat, &[5], 1_000_000_000),
        run(&engine, wat, &[6], 1_000_000_000),
    );
    assert_eq!(a.result, Ok(vec![32]));
    let diff = |c| b.profile.count(c) - a.profile.count(c);
    assert_eq!(diff(InstructionClass::Call), 1);
    // The callee's shift and the loop's subtraction, at least (the stack limiter adds its own
    // arithmetic around the call).
    assert!(diff(InstructionClass::Integer) >= 2);
    assert!(diff(InstructionClass::Const) >= 2);
}

/// Modules exercising every class, traps and running out of gas.
const MODULES: &[(&str, &[i64])] = &[
    (COUNTDOWN, &[0, 7, 1000]),
    (
        r#"(module (memory (export "memory") 1 4)
             (table (export "table") 2 funcref) (elem (i32.const 0) $a $b)
             (type $t (func (result i32)))
             (func $a (result i32) (i32.const 11)) (func $b (result i32) (i32.const 22))
             (func (export "run") (param i32) (result i32)
               (memory.fill (i32.const 0) (i32.const 7) (i32.const 100))
               (memory.copy (i32.const 200) (i32.const 0) (local.get 0))
               (drop (memory.grow (i32.const 1)))
               (i32.add (call_indirect (type $t) (i32.and (local.get 0) (i32.const 1)))
                        (select (memory.size) (i32.const 5) (local.get 0)))))"#,
        &[0, 3, 64, 1 << 20],
    ),
    (
        r#"(module (memory (export "memory") 1)
             (func (export "run") (param i32) (result i32)
               (i32.div_u (i32.const 100) (local.get 0))))"#,
        &[4, 0],
    ),
];

#[test]
fn profiling_changes_no_gas_result_trap_or_memory() {
    let (plain, profiled) = (engine(false), engine(true));
    for (wat, args) in MODULES {
        for arg in *args {
            for gas in [1_000_000_000, 60_000] {
                let a = run(&plain, wat, &[*arg], gas);
                let b = run(&profiled, wat, &[*arg], gas);
                assert_eq!(a.result, b.result, "{wat} ({arg}, {gas} gas)");
                assert_eq!(a.trace, b.trace, "{wat} ({arg}, {gas} gas)");
                assert_eq!(a.memory, b.memory, "{wat} ({arg}, {gas} gas)");
                assert_eq!(a.reports, 0);
                assert_eq!(b.reports, 1);
                assert!(b.profile.instructions() > 0);
                assert_eq!(a.profile.instructions(), 0);
            }
        }
    }
    // The modules between them run out of gas, trap and succeed.
    let outcomes: Vec<_> = MODULES
        .iter()
        .flat_map(|(wat, args)| {
            args.iter()
                .map(|arg| run(&profiled, wat, &[*arg], 60_000).result)
        })
        .collect();
    assert!(outcomes.iter().any(|r| r.is_ok()));
    assert!(outcomes.iter().any(|r| r == &Err("out of gas".to_string())));
    assert!(outcomes
        .iter()
        .any(|r| r.as_ref().is_err_and(|e| e.starts_with("trap"))));
}

#[test]
fn bulk_memory_and_tables_are_classified() {
    let r = run(&engine(true), MODULES[1].0, &[3], 1_000_000_000);
    assert_eq!(r.result, Ok(vec![22 + 2]));
    for class in [
        InstructionClass::BulkMemory,
        InstructionClass::Memory,
        InstructionClass::Call,
        InstructionClass::Parametric,
    ] {
        assert!(r.profile.count(class) > 0, "{class:?}");
    }
    assert_eq!(r.profile.count(InstructionClass::BulkMemory), 2);
    assert_eq!(r.profile.count(InstructionClass::Float), 0);
}

#[test]
fn reserved_export_names_are_rejected_only_when_profiling() {
    let wat = format!(
        r#"(module (memory (export "memory") 1) (global (export "{}") (mut i64) (i64.const 0))
             (func (export "run") (param i32) (result i32) (local.get 0)))"#,
        InstructionClass::Load.export_name()
    );
    let wasm = wat::parse_str(&wat).unwrap();
    assert!(matches!(
        engine(true).prepare_uncached(&wasm),
        Err(PrepareError::Instrumentation(_))
    ));
    let r = run(&engine(false), &wat, &[9], 1_000_000);
    assert_eq!((r.result, r.reports), (Ok(vec![9]), 0));
}

//! Timed gas traces through the Wasm backend: which charges carry a time, that the guest's time
//! lands in `wasm_exec` and the host's in the charges it makes, and that timing changes no gas.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{prices, TestHost};
use ifvm_gas::{Gas, GasTracker, TimedTrace};
use ifvm_interp::{
    Caller, Compilation, Engine, EngineConfig, HostError, HostFunctions, Invocation, MemoryLimiter,
};

fn clock() -> Duration {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed()
}

/// Spins for `ns` nanoseconds of the test clock.
fn busy(ns: u64) {
    let until = clock() + Duration::from_nanos(ns);
    while clock() < until {
        std::hint::spin_loop();
    }
}

/// Loops `$n` times, calls the host (which charges `work` and spends `HOST_WORK`), loops again.
const WAT: &str = r#"
(module
  (import "host" "work" (func $work (result i32)))
  (memory (export "memory") 2)
  (func $spin (param $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))))
  (func (export "invoke") (param $n i32) (result i32)
    (call $spin (local.get $n))
    (drop (call $work))
    (call $spin (local.get $n))
    (i32.const 0)))
"#;

/// What the host function spends, busy (so its charge's span is at least this long).
const HOST_WORK: Duration = Duration::from_millis(20);

fn funcs() -> HostFunctions<TestHost> {
    let mut funcs = HostFunctions::new(std::num::NonZeroU32::new(1).unwrap());
    funcs.define("host", "work", |c: Caller<'_, TestHost>| {
        c.host
            .tracker
            .charge_gas("work", Gas::new(100))
            .map_err(|_| HostError::Abort("out of gas".to_string()))?;
        busy(HOST_WORK.as_nanos() as u64);
        Ok::<_, HostError<String>>(())
    });
    funcs
}

fn run(tracker: GasTracker, n: u32) -> (Result<u32, String>, TimedTrace, Gas) {
    // Eager translation: the guest's time is execution, not translation.
    let mut config = EngineConfig::new(prices());
    config.compilation = Compilation::Eager;
    let engine = Engine::new(config);
    let module = engine
        .prepare_uncached(&wat::parse_str(WAT).unwrap())
        .unwrap();
    let host = TestHost {
        tracker,
        limiter: MemoryLimiter::new(2 << 30),
    };
    let mut inv = Invocation::new(&engine, host);
    let res = inv
        .instantiate(&module, &funcs())
        .and_then(|()| inv.call("invoke", n))
        .map_err(|e| e.to_string());
    let (mut host, _) = inv.into_parts();
    let used = host.tracker.used();
    (res, host.tracker.take_timed_trace(), used)
}

fn timed(n: u32) -> TimedTrace {
    let (res, trace, _) = run(
        GasTracker::new_timed(Gas::new(10_000_000_000), Gas::ZERO, clock),
        n,
    );
    assert_eq!(res, Ok(0));
    trace
}

#[test]
fn guest_and_host_time_go_to_their_charges() {
    // Which charges carry a time is deterministic.
    let trace = timed(1000);
    let names: Vec<&str> = trace.charges.iter().map(|c| c.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "wasm_memory_init",
            "wasm_exec",
            "wasm_exec",
            "OnSyscall",
            "work",
            "wasm_exec"
        ]
    );
    let timed_at: Vec<bool> = trace.elapsed.iter().map(Option::is_some).collect();
    // Instantiation's Wasm is timed as part of memory initialization.
    assert_eq!(timed_at, [true, false, true, true, true, true]);
    // The host's busy work is inside `work`'s span, always.
    assert!(trace.elapsed[4].unwrap() >= HOST_WORK);
    // ... and in no other span: short guest runs and the syscall overhead take far less. (A
    // preemption as long as the host's work could blur that, so it must hold in one of three
    // runs.)
    let separated = |t: &TimedTrace| {
        [2, 3, 5]
            .iter()
            .all(|i| t.elapsed[*i].unwrap() < HOST_WORK && t.elapsed[*i].unwrap() > Duration::ZERO)
    };
    assert!(
        separated(&trace) || (0..2).any(|_| separated(&timed(1000))),
        "{trace:?}"
    );
    // Guest time grows with the guest's work (fastest of three runs each).
    let fastest = |n: u32| (0..3).map(|_| timed(n).elapsed[2].unwrap()).min().unwrap();
    assert!(fastest(2_000_000) > fastest(1_000));
}

#[test]
fn timing_changes_no_gas() {
    for (n, limit) in [
        (10, 10_000_000_000),
        (100_000, 10_000_000_000),
        (100_000, 300_000),
    ] {
        let (res_a, trace_a, used_a) = run(GasTracker::new(Gas::new(limit), Gas::ZERO, true), n);
        let (res_b, trace_b, used_b) =
            run(GasTracker::new_timed(Gas::new(limit), Gas::ZERO, clock), n);
        assert_eq!(res_a, res_b, "n={n}");
        assert_eq!(used_a, used_b, "n={n}");
        assert_eq!(trace_a.charges, trace_b.charges, "n={n}");
        assert!(trace_a.elapsed.is_empty());
        assert_eq!(trace_b.elapsed.len(), trace_b.charges.len());
    }
    // The small limit runs out of gas: the comparison covered a failing run.
    let (res, _, _) = run(
        GasTracker::new(Gas::new(300_000), Gas::ZERO, false),
        100_000,
    );
    assert!(res.is_err());
}

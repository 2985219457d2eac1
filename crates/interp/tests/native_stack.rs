//! The interpreter's native stack stays flat however many instructions one invocation executes.
//!
//! wasmi 2 (built with `auto-dispatch`) dispatches an optimised build's instructions by a call
//! from each instruction's handler to the next, which stays flat only where the compiler turns
//! every such call into a jump. Each case here executes an instruction 300,000 times in one
//! invocation on a thread with a 1 MiB native stack: a handler that called the next one would
//! need tens of MiB, and the overflow aborts the test process.
//!
//! The `memory.grow` and `table.grow` handlers pass a reference to a local to the store's
//! growth callback, so the compiler cannot turn their call to the next handler into a jump: a
//! loop of growths that reach the callback (a refused growth, or one by a non-constant delta)
//! added a native frame per execution until the invocation returned, and overflowed the 64 MiB
//! stack in the engine campaign (`memory.grow`: seeds 1025, 1128 and 1129). Preparation now
//! turns both instructions into calls to internal host functions (`src/growth.rs`), which wasmi
//! dispatches flat.
//! wasmi's loop dispatch (`portable-dispatch`) never recurses, but made the Hygge corpus 2.6x
//! slower.

mod common;

use std::num::NonZeroU32;

use common::*;
use ifvm_interp::{Caller, HostError, HostFunctions};

/// Iterations per case.
const ITERATIONS: u32 = 300_000;

/// The native stack each case runs on.
const STACK: usize = 1 << 20;

/// A module whose `invoke(n)` executes `body` (stack-neutral) `n` times, with a memory of one
/// page and a table of two functions (`$leaf`), neither able to grow, and the host import `host.noop`.
fn looping(body: &str) -> String {
    format!(
        r#"(module
  (import "host" "noop" (func $noop (param i32) (result i32)))
  (type $leaf_type (func (param i32) (result i32)))
  (memory (export "memory") 1 1)
  (table 2 2 funcref)
  (elem (i32.const 0) $leaf $leaf)
  (func $leaf (type $leaf_type) (local.get 0))
  (func (export "invoke") (param i32) (result i32)
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get 0)))
      {body}
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $again)))
    (i32.const 7)))"#
    )
}

/// Runs `looping(body)` for [`ITERATIONS`] on a thread with a [`STACK`]-byte stack; a
/// recursing handler overflows it, which aborts the test process.
fn runs_flat(body: &'static str) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let mut funcs = HostFunctions::new(NonZeroU32::new(1).unwrap());
            funcs.define("host", "noop", |_: Caller<'_, TestHost>, _out: u32| {
                Ok::<_, HostError<String>>(())
            });
            let mut inv = instantiate_with(&engine(), &looping(body), 1_000_000_000_000, &funcs);
            assert_eq!(inv.call("invoke", ITERATIONS).unwrap(), 7, "{body}");
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn memory_grow_by_zero() {
    runs_flat("(drop (memory.grow (i32.const 0)))");
}

#[test]
fn memory_grow_refused() {
    runs_flat("(drop (memory.grow (i32.const 1)))");
}

#[test]
fn table_grow_by_zero() {
    runs_flat("(drop (table.grow (table.get (i32.const 0)) (i32.const 0)))");
}

#[test]
fn table_grow_refused() {
    runs_flat("(drop (table.grow (table.get (i32.const 0)) (i32.const 1)))");
}

#[test]
fn sizes_fills_and_copies() {
    runs_flat(
        "(drop (memory.size)) (drop (table.size))
         (memory.fill (i32.const 0) (i32.const 1) (i32.const 8))
         (memory.copy (i32.const 8) (i32.const 0) (i32.const 8))",
    );
}

#[test]
fn loads_and_stores() {
    runs_flat("(i64.store (i32.const 16) (i64.load (i32.const 8)))");
}

#[test]
fn calls_direct_indirect_and_host() {
    runs_flat(
        "(drop (call $leaf (i32.const 1)))
         (drop (call_indirect (type $leaf_type) (i32.const 1) (i32.const 0)))
         (drop (call $noop (i32.const 0)))",
    );
}

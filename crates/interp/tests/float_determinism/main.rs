//! Float determinism: every float instruction over edge inputs (NaNs with payloads and both
//! signs, infinities, signed zeros, subnormals, rounding ties, the boundaries of the integer
//! ranges), run on ifvm (wasmi) and on Wasmtime as ref-fvm 3.14 configures it (its own engine,
//! with Cranelift's NaN canonicalization). Every result must be equal bit for bit, traps
//! included. Nothing expected is written down: ref-fvm's Wasmtime is the oracle.
//!
//! With `IFVM_FLOAT_BITS_OUT=FILE`, ifvm's results are also written to FILE, one line per call
//! (`export (operands) -> result`), so that runs on different architectures can be compared
//! (`scripts/cross-test` does).

#[path = "../common/mod.rs"]
mod common;
mod edges;
mod ops;

use std::collections::BTreeSet;
use std::fmt;

use common::{no_funcs, wt_trap, TestHost};
use ifvm_interp::{CallError, Invocation, TrapKind, Val};
use ops::Op;

/// What one call gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// The result's bits (floats travel as integers of their width).
    Bits(u64),
    /// A trap.
    Trap(TrapKind),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Bits(b) => write!(f, "{b:#x}"),
            Outcome::Trap(kind) => write!(f, "trap ({kind})"),
        }
    }
}

/// The module on ifvm: prepared (validated, instrumented) and run on wasmi.
struct Ifvm(Invocation<TestHost>);

impl Ifvm {
    fn new(wasm: &[u8]) -> Self {
        let engine = common::engine();
        let module = engine
            .prepare_uncached(wasm)
            .expect("ifvm prepares the module");
        let mut inv = Invocation::new(&engine, TestHost::new(1 << 40));
        inv.instantiate(&module, &no_funcs())
            .expect("ifvm instantiates the module");
        Self(inv)
    }

    fn call(&mut self, op: &Op, args: &[u64]) -> Outcome {
        let params: Vec<Val> = op
            .params
            .iter()
            .zip(args)
            .map(|(t, &x)| {
                if t.is_64() {
                    Val::I64(x as i64)
                } else {
                    Val::I32(x as i32)
                }
            })
            .collect();
        let mut results = [Val::I32(0)];
        match self.0.call_raw(&op.export, &params, &mut results) {
            Ok(()) => Outcome::Bits(match results[0] {
                Val::I32(x) => u64::from(x as u32),
                Val::I64(x) => x as u64,
                ref other => panic!("{}: unexpected result {other:?}", op.export),
            }),
            Err(CallError::Trap(kind)) => Outcome::Trap(kind),
            Err(e) => panic!("{}: {e}", op.export),
        }
    }
}

/// The module on Wasmtime, compiled by ref-fvm 3.14's engine (its Wasmtime configuration).
struct RefFvm {
    store: wasmtime::Store<()>,
    instance: wasmtime::Instance,
}

impl RefFvm {
    fn new(wasm: &[u8]) -> Self {
        let engine = common::ref_fvm3_engine();
        let module = wasmtime::Module::new(&engine, wasm).expect("Wasmtime compiles the module");
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[])
            .expect("Wasmtime instantiates the module");
        Self { store, instance }
    }

    fn call(&mut self, op: &Op, args: &[u64]) -> Outcome {
        let func = self
            .instance
            .get_func(&mut self.store, &op.export)
            .expect("exported");
        let params: Vec<wasmtime::Val> = op
            .params
            .iter()
            .zip(args)
            .map(|(t, &x)| {
                if t.is_64() {
                    wasmtime::Val::I64(x as i64)
                } else {
                    wasmtime::Val::I32(x as i32)
                }
            })
            .collect();
        let mut results = [wasmtime::Val::I32(0)];
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Bits(match results[0] {
                wasmtime::Val::I32(x) => u64::from(x as u32),
                wasmtime::Val::I64(x) => x as u64,
                ref other => panic!("{}: unexpected result {other:?}", op.export),
            }),
            Err(e) => Outcome::Trap(wt_trap(e.downcast_ref().expect("a trap"))),
        }
    }
}

fn hex_args(args: &[u64]) -> String {
    let args: Vec<String> = args.iter().map(|a| format!("{a:#x}")).collect();
    args.join(",")
}

#[test]
fn every_float_instruction_gives_ref_fvm_bits_on_edge_inputs() {
    let ops = ops::ops();
    let wasm = wat::parse_str(ops::module(&ops)).expect("a valid module");
    let mut ifvm = Ifvm::new(&wasm);
    let mut reference = RefFvm::new(&wasm);

    let (mut lines, mut mismatches) = (Vec::new(), Vec::new());
    let (mut nan_patterns, mut traps) = (BTreeSet::new(), 0);
    for op in &ops {
        for args in op.inputs() {
            let ours = ifvm.call(op, &args);
            let theirs = reference.call(op, &args);
            let line = format!("{} ({}) -> {ours}", op.export, hex_args(&args));
            if ours != theirs {
                mismatches.push(format!("{line}; ref-fvm: {theirs}"));
            }
            match ours {
                Outcome::Bits(b) if op.result.is_nan(b) => {
                    nan_patterns.insert(b);
                }
                Outcome::Bits(_) => {}
                Outcome::Trap(_) => traps += 1,
            }
            lines.push(line);
        }
    }
    if let Some(path) = std::env::var_os("IFVM_FLOAT_BITS_OUT") {
        std::fs::write(&path, lines.join("\n") + "\n").expect("writable IFVM_FLOAT_BITS_OUT");
    }

    assert!(
        mismatches.is_empty(),
        "{} of {} results differ from ref-fvm's; the first ones:\n{}",
        mismatches.len(),
        lines.len(),
        mismatches[..mismatches.len().min(40)].join("\n")
    );
    // The inputs reach what the test is about: NaNs whose bits differ (canonical ones, and
    // payloads that neg/abs/copysign, loads and constants carry), and trapping conversions.
    assert!(
        nan_patterns.len() > 2,
        "too few distinct NaN results: {nan_patterns:x?}"
    );
    assert!(traps > 0, "no conversion trapped");
    println!(
        "{} results identical to ref-fvm's ({} distinct NaN bit patterns, {traps} traps)",
        lines.len(),
        nan_patterns.len()
    );
}

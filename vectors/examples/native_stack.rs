//! Measures the native stack a nested actor call costs: the smallest thread stack on which the
//! deepest message ([`ifvm_vectors::deep_calls`]: call depth 1024, each frame `WASM_DEPTH`
//! Wasm frames deep) completes, found by trying ever larger threads (a thread too small gets
//! the executor's `NativeStackExhausted` error, never an overflow), over the depth.
//!
//! With `--check`, it only checks that the deepest message completes on a message thread
//! (`MESSAGE_THREAD_STACK_SIZE`), without searching for the smallest stack.
//!
//! ```sh
//! cargo run --release -p ifvm-vectors --example native_stack [-- [--check] [WASM_DEPTH]]
//! # an embedder's unoptimised build (nothing optimised, wasmi included), as `.ci/run` runs it
//! # (with `-- --check`):
//! cargo run -p ifvm-vectors --example native_stack --config 'profile.dev.opt-level=0' \
//!   --config 'profile.dev.package."*".opt-level=0' --config 'profile.dev.debug=false' \
//!   --config 'profile.dev.package.wasmi.debug-assertions=true' \
//!   --config 'profile.dev.package.wasmi.overflow-checks=true'
//! ```

use ifvm_vectors::{data, deep_calls, run_ifvm, threads, BundleSet, Outcome, Runner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let check_only = args.first().is_some_and(|a| a == "--check");
    if check_only {
        args.remove(0);
    }
    let wasm_depth = args
        .first()
        .map_or(Ok(deep_calls::DEFAULT_WASM_DEPTH), |a| a.parse())?;
    let (bundle, root) = BundleSet::new(data::actors_dir()).with_root(deep_calls::NV)?;
    let setup = deep_calls::setup(&bundle, &root, wasm_depth)?;
    let engine = ifvm_vectors::engine(deep_calls::NV)?;
    let completes = |stack: usize| {
        threads::with_stack_size(stack, || run_ifvm(&setup, &engine))
            .map(|results| results[0].exit_code)
    };
    // Upward, so that no thread reuses a larger stack an earlier one left behind (glibc caches
    // the stacks of finished threads and hands out any that is large enough).
    const STEP: usize = 128 << 10;
    let limit = ifvm_kernel::MESSAGE_THREAD_STACK_SIZE;
    let mut stack = if check_only {
        limit
    } else {
        2 * ifvm_kernel::NATIVE_STACK_RESERVE
    };
    let code = loop {
        assert!(
            stack <= limit,
            "the deepest message needs more than {limit} bytes"
        );
        match completes(stack) {
            Ok(code) => break code,
            Err(e) if e.contains("native stack") => stack += STEP,
            Err(e) => panic!("the deepest message failed otherwise: {e}"),
        }
    };
    assert_eq!(
        code,
        deep_calls::DEPTH_LIMIT_REACHED,
        "the recursion reached the limit"
    );
    if check_only {
        println!(
            "call depth 1024, {wasm_depth} Wasm frames per call: completes on a {} MiB thread",
            limit >> 20
        );
    } else {
        println!(
            "call depth 1024, {wasm_depth} Wasm frames per call: completes on {} KiB of stack \
             (to {} KiB; about {} bytes per nested call); the guard keeps {} KiB, threads get \
             {} MiB",
            stack >> 10,
            STEP >> 10,
            (stack - ifvm_kernel::NATIVE_STACK_RESERVE) / 1024,
            ifvm_kernel::NATIVE_STACK_RESERVE >> 10,
            limit >> 20
        );
    }

    // The EVM's deepest recursion (as deep as its gas allows) passes on a message thread.
    let evm = data::generated_dir().join("nv28/evm_call_depth_exhaustion.json");
    let runner = Runner::new(BundleSet::new(data::actors_dir()));
    let report = threads::with_stack(|| runner.run_file(&evm, false))?;
    for variant in &report.variants {
        assert!(
            matches!(variant.outcome, Outcome::Passed),
            "{}: {:?}",
            evm.display(),
            variant.outcome
        );
    }
    println!("{}: passed on a {} MiB thread", evm.display(), limit >> 20);
    Ok(())
}

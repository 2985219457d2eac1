//! The native stack a message needs: the deepest message the protocol allows (call depth
//! 1024, each frame as deep in Wasm as the FVM's Wasm stack allows) completes on a thread of
//! `MESSAGE_THREAD_STACK_SIZE`; on a thread too small for it, the deepest message and the EVM
//! call-depth vector stop with the executor's `NativeStackExhausted` error instead of
//! overflowing the stack and aborting the process (which would end this test binary), and the
//! executor refuses to go on; a `ThreadedExecutor` applies the deepest message from a small
//! thread.

use fvm_shared::error::ExitCode;
use ifvm_kernel::{ApplyKind, ExecutorError, ThreadedExecutor, MESSAGE_THREAD_STACK_SIZE};
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{data, deep_calls, run_ifvm, threads, BundleSet, PreparedVariant, Setup};

/// Rust's default for spawned threads, on which applying messages used to abort the process.
const SMALL_THREAD: usize = 2 << 20;

/// The deepest message, or `None` after saying `SKIPPED` without bundles.
fn deepest_message() -> Option<Setup> {
    let (bundle, root) = BundleSet::new(data::actors()?)
        .with_root(deep_calls::NV)
        .expect("the nv18 bundle");
    Some(deep_calls::setup(&bundle, &root, deep_calls::DEFAULT_WASM_DEPTH).expect("a state"))
}

/// Whether `err` is the native-stack error, at a call nested in the first one (depth 1).
fn is_native_stack_exhausted(err: &ExecutorError) -> bool {
    matches!(err, ExecutorError::NativeStack(e) if e.depth > 1)
}

#[test]
fn depth_1024_completes_on_the_message_thread_stack() {
    let Some(setup) = deepest_message() else {
        return;
    };
    let engine = ifvm_vectors::engine(deep_calls::NV).unwrap();
    let results = threads::with_stack_size(MESSAGE_THREAD_STACK_SIZE, || run_ifvm(&setup, &engine))
        .expect("no executor error");
    assert_eq!(
        results[0].exit_code,
        deep_calls::DEPTH_LIMIT_REACHED,
        "the recursion reached the call depth limit"
    );
}

#[test]
fn the_deepest_message_on_a_small_thread_is_an_error_not_an_abort() {
    let Some(setup) = deepest_message() else {
        return;
    };
    let engine = ifvm_vectors::engine(deep_calls::NV).unwrap();
    let (err, again, flushed) = threads::with_stack_size(SMALL_THREAD, || {
        let mut exec = setup.ifvm_executor(&engine, false).expect("an executor");
        let (msg, raw_length) = setup.decoded_messages().remove(0);
        let err = exec
            .execute_message(msg.clone(), ApplyKind::Explicit, raw_length)
            .expect_err("2 MiB is too small for call depth 1024");
        let again = exec.execute_message(msg, ApplyKind::Explicit, raw_length);
        (err, again, exec.flush())
    });
    assert!(is_native_stack_exhausted(&err), "{err}");
    assert!(
        matches!(again, Err(ExecutorError::Unusable(_))),
        "the executor's state is not a consensus state: it applies nothing more"
    );
    assert!(flushed.is_err(), "nor flushes it");
}

#[test]
fn the_evm_call_depth_vector_on_a_small_thread_is_an_error_not_an_abort() {
    let Some(actors) = data::actors() else {
        return;
    };
    let path = data::generated_dir().join("nv28/evm_call_depth_exhaustion.json");
    let vector = TestVector::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let variant = PreparedVariant::new(
        &BundleSet::new(actors),
        &vector,
        &vector.preconditions.variants[0],
    )
    .expect("a variant");
    let engine = ifvm_vectors::engine(variant.params.nv).unwrap();
    // The first error ends the run: after it the executor's state is to be discarded.
    let first_error = threads::with_stack_size(SMALL_THREAD / 2, || {
        let mut exec = variant.ifvm_executor(&engine, false).expect("an executor");
        variant.messages.iter().find_map(|(msg, raw_length)| {
            exec.execute_message(msg.clone(), ApplyKind::Explicit, *raw_length)
                .err()
        })
    });
    let err = first_error.expect("1 MiB is too small for the recursion");
    assert!(is_native_stack_exhausted(&err), "{err}");
}

#[test]
fn a_threaded_executor_applies_the_deepest_message_from_a_small_thread() {
    let Some(setup) = deepest_message() else {
        return;
    };
    let engine = ifvm_vectors::engine(deep_calls::NV).unwrap();
    let ret = threads::with_stack_size(SMALL_THREAD, || {
        let mut exec =
            ThreadedExecutor::new(setup.ifvm_executor(&engine, false).expect("an executor"));
        let (msg, raw_length) = setup.decoded_messages().remove(0);
        exec.execute_message(msg, ApplyKind::Explicit, raw_length)
            .expect("no executor error")
    });
    assert_eq!(
        ret.msg_receipt.exit_code.value(),
        deep_calls::DEPTH_LIMIT_REACHED
    );
}

#[test]
fn one_more_wasm_frame_than_the_deepest_message_has_exhausts_the_wasm_stack() {
    let Some(actors) = data::actors() else {
        return;
    };
    let (bundle, root) = BundleSet::new(actors).with_root(deep_calls::NV).unwrap();
    let engine = ifvm_vectors::engine(deep_calls::NV).unwrap();
    let exit_code = |wasm_depth| {
        let setup = deep_calls::setup(&bundle, &root, wasm_depth).expect("a state");
        threads::with_stack(|| run_ifvm(&setup, &engine)).expect("no executor error")[0].exit_code
    };
    assert_eq!(
        exit_code(deep_calls::DEFAULT_WASM_DEPTH),
        deep_calls::DEPTH_LIMIT_REACHED
    );
    assert_eq!(
        exit_code(deep_calls::DEFAULT_WASM_DEPTH + 1),
        ExitCode::SYS_ILLEGAL_INSTRUCTION.value(),
        "a trap: the Wasm stack is exhausted"
    );
}

//! Threads that apply messages. ifvm runs each nested actor call on the native stack (the
//! host's frames and wasmi's executor), and a message may nest 1024 calls; ref-fvm's Wasmtime
//! does too. The one stack size every such thread in the tests, benchmarks, tools and the CLI
//! gets: the kernel's [`ifvm_kernel::MESSAGE_THREAD_STACK_SIZE`], which
//! `vectors/examples/native_stack.rs` measures to suffice (a smaller thread gets the
//! executor's `NativeStackExhausted` error, never an overflow).

pub use ifvm_kernel::MESSAGE_THREAD_STACK_SIZE as STACK_SIZE;

/// Runs `f` on a thread with [`STACK_SIZE`] of stack and returns its result; a panic in `f`
/// resumes on the caller.
pub fn with_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    with_stack_size(STACK_SIZE, f)
}

/// Runs `f` on a thread with `stack` bytes of stack (to measure or test other sizes) and
/// returns its result; a panic in `f` resumes on the caller.
pub fn with_stack_size<T: Send>(stack: usize, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(s, f)
            .expect("spawning a thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A pool of `jobs` worker threads (default: one per core) with [`STACK_SIZE`] of stack.
pub fn worker_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .stack_size(STACK_SIZE)
        .build()
}

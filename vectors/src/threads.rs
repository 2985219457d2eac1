//! Threads that apply messages. ifvm runs each nested actor call on the native stack (wasmi
//! frames and the host's), and a message may nest 1024 calls; ref-fvm's Wasmtime does too. The
//! one stack size every such thread in the tests, benchmarks, tools and the CLI gets.

/// The native stack of a thread that applies messages, on either engine: enough for the deepest
/// call stacks of the vectors and differential tests in unoptimised builds too. (Reserved, not
/// committed: untouched pages cost no memory.)
pub const STACK_SIZE: usize = 1 << 30;

/// Runs `f` on a thread with [`STACK_SIZE`] of stack and returns its result; a panic in `f`
/// resumes on the caller.
pub fn with_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
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

//! Shared setup of ifvm's benchmarks: the corpus groups, the Wasm-heavy workloads, and running
//! the same work on ifvm and on ref-fvm (`ifvm-reference`). Every suite checks, before timing,
//! that both engines give the same receipts, so a benchmark never times a divergent run.

pub mod corpus;
pub mod workloads;

use std::path::PathBuf;

use criterion::Criterion;

/// Where the vectors are: `IFVM_VECTORS`, default `../shared/fvm-test-vectors/corpus`.
pub fn vectors_dir() -> PathBuf {
    env_dir("IFVM_VECTORS", "../../shared/fvm-test-vectors/corpus")
}

/// Where the builtin-actors bundles are: `IFVM_ACTORS`, default `../shared/actors`.
pub fn actors_dir() -> PathBuf {
    env_dir("IFVM_ACTORS", "../../shared/actors")
}

fn env_dir(var: &str, default_from_crate: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(default_from_crate))
}

/// Runs `suite` on a thread with a 512 MiB stack (both engines run deep actor call stacks on
/// the native stack), then prints criterion's summary.
pub fn run_suite(suite: fn(&mut Criterion)) {
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || {
            let mut c = Criterion::default().configure_from_args();
            suite(&mut c);
            c.final_summary();
        })
        .expect("spawn the benchmark thread")
        .join()
        .expect("benchmark panicked");
}

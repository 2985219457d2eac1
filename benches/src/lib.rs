//! Shared setup of ifvm's benchmarks: the corpus groups, the Wasm-heavy workloads, and running
//! the same work on ifvm and on ref-fvm (`ifvm-reference`). Every suite checks, before timing,
//! that both engines give the same receipts, so a benchmark never times a divergent run.

pub mod corpus;
pub mod workloads;

use criterion::Criterion;

/// Runs `suite` on a thread with the stack of every thread that applies messages (both engines
/// run deep actor call stacks on the native stack), then prints criterion's summary.
pub fn run_suite(suite: fn(&mut Criterion)) {
    ifvm_vectors::threads::with_stack(|| {
        let mut c = Criterion::default().configure_from_args();
        suite(&mut c);
        c.final_summary();
    });
}

//! Cold start: from a fresh engine to the first receipt of one vector (the first group whose
//! vector invokes the most actors: `storagepower/CreateMiner` when present). ref-fvm's executor
//! compiles the bundle's actors with Cranelift when it is created (as it does in a node);
//! ifvm prepares (validates, instruments, translates lazily) only the actors the message runs.
//! `ifvm-module-cache` is ifvm with a warm on-disk cache of prepared modules (a node's second
//! start): the actors' instrumented code is loaded and verified instead of prepared.

use criterion::{BatchSize, Criterion, Throughput};
use fvm3::engine::MultiEngine;
use ifvm_benches::corpus::{self, apply_prepared_ifvm, apply_prepared_ref};

/// The group timed; the first group is used if the corpus lacks it.
const GROUP: &str = "storagepower/CreateMiner";

fn cold_start(c: &mut Criterion) {
    let groups = corpus::groups(corpus::Corpus::Hygge);
    let Some(g) = groups.iter().find(|g| g.name == GROUP).or(groups.first()) else {
        return;
    };
    let v = &g.variant;
    let mut group = c.benchmark_group(format!("cold_start/{}", g.name));
    group.throughput(Throughput::Elements(g.gas_used));
    group.sample_size(10);
    group.bench_function("ifvm", |b| {
        b.iter_batched(
            || (),
            |()| {
                let engine = ifvm_vectors::engine(18).expect("nv18");
                let mut exec = v.ifvm_executor(&engine, false).expect("ifvm machine");
                assert_eq!(apply_prepared_ifvm(&mut exec, &v.messages), g.gas_used);
                (exec, engine)
            },
            BatchSize::PerIteration,
        )
    });
    let dir = std::env::temp_dir().join(format!("ifvm-cold-start-cache-{}", std::process::id()));
    let disk = ifvm_interp::DiskCache::open(&dir).expect("a temporary module cache");
    let cached_engine = || {
        let config = ifvm_vectors::engine(18).expect("nv18").config().clone();
        ifvm_interp::Engine::with_disk_cache(config, disk.clone())
    };
    // Warm the cache: the first run prepares and writes every module the message runs.
    let mut exec = v
        .ifvm_executor(&cached_engine(), false)
        .expect("ifvm machine");
    assert_eq!(apply_prepared_ifvm(&mut exec, &v.messages), g.gas_used);
    drop(exec);
    group.bench_function("ifvm-module-cache", |b| {
        b.iter_batched(
            || (),
            |()| {
                let engine = cached_engine();
                let mut exec = v.ifvm_executor(&engine, false).expect("ifvm machine");
                assert_eq!(apply_prepared_ifvm(&mut exec, &v.messages), g.gas_used);
                (exec, engine)
            },
            BatchSize::PerIteration,
        )
    });
    assert_eq!(
        disk.stats().problems,
        0,
        "the module cache worked: {:?}",
        disk.take_problems()
    );
    let _ = std::fs::remove_dir_all(&dir);
    group.bench_function("ref-fvm", |b| {
        b.iter_batched(
            || (),
            |()| {
                let engines = MultiEngine::new(1);
                let mut exec =
                    ifvm_reference::v3::variant_executor(v, &engines, ifvm_reference::Tracing::Off)
                        .expect("ref-fvm machine");
                assert_eq!(apply_prepared_ref(&mut exec, &v.messages), g.gas_used);
                (exec, engines)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn main() {
    ifvm_benches::run_suite(cold_start);
}

//! Wasm-heavy workloads (see `ifvm_benches::workloads`): each one message to a WAT test actor,
//! applied to a freshly built machine with the actor already prepared or compiled. Throughput
//! is the message's gas, so criterion reports gas per second on each engine.

use criterion::{BatchSize, Criterion, Throughput};
use ifvm_benches::corpus::{apply_prepared_ifvm, apply_prepared_ref, bundles};
use ifvm_benches::workloads::WORKLOADS;

fn wasm_workloads(c: &mut Criterion) {
    if ifvm_vectors::data::actors().is_none() {
        return;
    }
    let bundles = bundles();
    let engine = ifvm_vectors::engine(18).expect("nv18");
    let engines = ifvm_reference::shared_engines();
    for w in WORKLOADS {
        let setup = w.setup(&bundles).expect("workload state");
        // Both engines must agree on everything, and the workload must succeed.
        let ours = ifvm_vectors::run_ifvm(&setup, &engine).expect("ifvm run");
        let theirs = ifvm_reference::run_ref_fvm(&setup).expect("ref-fvm run");
        assert_eq!(ours, theirs, "{}: ifvm and ref-fvm differ", w.name);
        assert_eq!(ours[0].exit_code, 0, "{} failed", w.name);
        let gas: u64 = ours.iter().map(|r| r.gas_used).sum();
        let messages = setup.decoded_messages();

        let mut group = c.benchmark_group(format!("wasm_workloads/{}", w.name));
        group.throughput(Throughput::Elements(gas));
        group.sample_size(10);
        group.bench_function("ifvm", |b| {
            b.iter_batched(
                || setup.ifvm_executor(&engine, false).expect("ifvm machine"),
                |mut exec| {
                    apply_prepared_ifvm(&mut exec, &messages);
                    exec
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("ref-fvm", |b| {
            b.iter_batched(
                || {
                    ifvm_reference::v3::setup_executor(
                        &setup,
                        engines,
                        ifvm_reference::Tracing::Off,
                    )
                    .expect("ref-fvm machine")
                },
                |mut exec| {
                    apply_prepared_ref(&mut exec, &messages);
                    exec
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

fn main() {
    ifvm_benches::run_suite(wasm_workloads);
}

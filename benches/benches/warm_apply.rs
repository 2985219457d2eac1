//! Warm apply: for each Hygge actor × method group, one vector's messages applied to a freshly
//! built machine whose actors are already prepared (ifvm) or compiled (ref-fvm). Building the
//! machine is not timed; applying the messages is. Throughput is the vector's gas, so criterion
//! reports gas per second.

use criterion::{BatchSize, Criterion, Throughput};
use ifvm_benches::corpus::{self, apply_prepared_ifvm, apply_prepared_ref};

fn warm_apply(c: &mut Criterion) {
    let groups = corpus::groups(&ifvm_vectors::data::hygge_dir());
    let engine = ifvm_vectors::engine(18).expect("nv18");
    let engines = ifvm_reference::shared_engines();
    for g in &groups {
        let v = &g.variant;
        // Warm both engines' module caches, and check both still agree on the gas.
        assert_eq!(corpus::apply_ifvm(v, &engine), g.gas_used, "{}", g.name);
        let mut exec =
            ifvm_reference::v3::variant_executor(v, engines, ifvm_reference::Tracing::Off)
                .expect("ref-fvm machine");
        assert_eq!(
            apply_prepared_ref(&mut exec, &v.messages),
            g.gas_used,
            "{}",
            g.name
        );

        let mut group = c.benchmark_group(format!("warm_apply/{}", g.name));
        group.throughput(Throughput::Elements(g.gas_used));
        group.bench_function("ifvm", |b| {
            b.iter_batched(
                || v.ifvm_executor(&engine, false).expect("ifvm machine"),
                |mut exec| {
                    apply_prepared_ifvm(&mut exec, &v.messages);
                    exec
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("ref-fvm", |b| {
            b.iter_batched(
                || {
                    ifvm_reference::v3::variant_executor(v, engines, ifvm_reference::Tracing::Off)
                        .expect("ref-fvm machine")
                },
                |mut exec| {
                    apply_prepared_ref(&mut exec, &v.messages);
                    exec
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

fn main() {
    ifvm_benches::run_suite(warm_apply);
}

//! Warm apply: for each actor × method group of the Hygge (nv18) and Shark (nv17) corpora, one
//! vector's messages applied to a freshly built machine whose actors are already prepared
//! (ifvm) or compiled (ref-fvm 3.14 for Hygge, 2.12 for Shark). Building the machine is not
//! timed; applying the messages is. Throughput is the vector's gas, so criterion reports gas
//! per second. Hygge groups are named `warm_apply/<actor>/<method>`, Shark groups
//! `warm_apply/nv17/<actor>/<method>`.

use criterion::{BatchSize, Criterion, Throughput};
use fvm_shared::message::Message;
use ifvm_benches::corpus::{
    self, apply_prepared_ifvm, apply_prepared_ref, apply_prepared_ref_v2, Corpus, Group,
};
use ifvm_interp::Engine;
use ifvm_reference::{v2, v3, Tracing};
use ifvm_vectors::PreparedVariant;

/// Times `g` on ifvm (with `engine`) and on ref-fvm (`make` builds its executor for a
/// variant, untimed; `apply` applies the messages with it and returns the gas used), under
/// `name`.
fn bench_group<X>(
    c: &mut Criterion,
    name: String,
    g: &Group,
    engine: &Engine,
    make: impl Fn(&PreparedVariant) -> X,
    apply: impl Fn(&mut X, &[(Message, usize)]) -> u64,
) {
    let v = &g.variant;
    // Warm both engines' module caches, and check both still agree on the gas.
    assert_eq!(corpus::apply_ifvm(v, engine), g.gas_used, "{}", g.name);
    assert_eq!(apply(&mut make(v), &v.messages), g.gas_used, "{}", g.name);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(g.gas_used));
    group.bench_function("ifvm", |b| {
        b.iter_batched(
            || v.ifvm_executor(engine, false).expect("ifvm machine"),
            |mut exec| {
                apply_prepared_ifvm(&mut exec, &v.messages);
                exec
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("ref-fvm", |b| {
        b.iter_batched(
            || make(v),
            |mut exec| {
                apply(&mut exec, &v.messages);
                exec
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn warm_apply(c: &mut Criterion) {
    let engine = ifvm_vectors::engine(Corpus::Hygge.nv()).expect("nv18");
    let engines = ifvm_reference::shared_engines();
    for g in &corpus::groups(Corpus::Hygge) {
        let make = |v: &PreparedVariant| {
            v3::variant_executor(v, engines, Tracing::Off).expect("ref-fvm 3")
        };
        let name = format!("warm_apply/{}", g.name);
        bench_group(c, name, g, &engine, make, apply_prepared_ref);
    }
    let engine = ifvm_vectors::engine(Corpus::Shark.nv()).expect("nv17");
    for g in &corpus::groups(Corpus::Shark) {
        let make = |v: &PreparedVariant| v2::variant_executor(v, Tracing::Off).expect("ref-fvm 2");
        let name = format!("warm_apply/nv17/{}", g.name);
        bench_group(c, name, g, &engine, make, apply_prepared_ref_v2);
    }
}

fn main() {
    ifvm_benches::run_suite(warm_apply);
}

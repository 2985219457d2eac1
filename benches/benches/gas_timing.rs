//! What timed gas traces cost: a few Hygge vectors applied warm (code prepared, machine built
//! outside the timing) in three modes: `plain` (no trace: the consensus path, where timing
//! is off), `traced` (every charge recorded) and `timed` (every charge recorded and timed).
//! `plain` shows the disabled path; comparing it with `traced` and `timed` shows what each
//! mode adds. Before timing, every mode must give the same receipts.

use criterion::{BatchSize, Criterion, Throughput};
use ifvm_kernel::{ApplyKind, Executor, MachineContext};
use ifvm_vectors::externs::ReplayExterns;
use ifvm_vectors::observe::{executor, MachineParams, Modes, ENGINE_NV};
use ifvm_vectors::prepared::PreparedVariant;
use ifvm_vectors::schema::MessageVector;
use ifvm_vectors::store::RunStore;

/// How many vectors, spread evenly over the Hygge corpus.
const VECTORS: usize = 4;

/// Applies the variant's messages; returns the gas used and receipts' exit codes.
fn apply(exec: &mut Executor<RunStore, ReplayExterns>, v: &PreparedVariant) -> Vec<(u32, u64)> {
    v.messages
        .iter()
        .map(|(msg, len)| {
            let ret = exec
                .execute_message(msg.clone(), ApplyKind::Explicit, *len)
                .expect("applies");
            (ret.msg_receipt.exit_code.value(), ret.msg_receipt.gas_used)
        })
        .collect()
}

fn gas_timing(c: &mut Criterion) {
    let dir = ifvm_benches::vectors_dir().join("extracted/0002-hygge-01");
    let bundles = ifvm_vectors::bundles::BundleSet::new(ifvm_benches::actors_dir());
    let Ok(files) = ifvm_vectors::collect_vectors(std::slice::from_ref(&dir)) else {
        eprintln!(
            "SKIPPED: no Hygge vectors at {} (set IFVM_VECTORS)",
            dir.display()
        );
        return;
    };
    if files.is_empty() || !ifvm_benches::actors_dir().is_dir() {
        eprintln!("SKIPPED: no Hygge vectors or bundles (set IFVM_VECTORS / IFVM_ACTORS)");
        return;
    }
    let timed = Modes {
        timing: true,
        ..Modes::default()
    };
    let engine = timed.engine(ENGINE_NV).expect("engine");
    for path in files.iter().step_by(files.len().div_ceil(VECTORS)) {
        let vector = MessageVector::load(path).expect("vector loads");
        let v = PreparedVariant::new(&bundles, &vector, &vector.preconditions.variants[0])
            .expect("prepares");
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let params = MachineParams::of_variant(&v);
        let timed_ctx = timed.context(&params).expect("context");
        let mut traced_ctx = timed_ctx.clone();
        traced_ctx.timing = false;
        let mut plain_ctx = traced_ctx.clone();
        plain_ctx.tracing = false;
        let fresh = |ctx: &MachineContext| {
            executor(
                ctx.clone(),
                &engine,
                v.store(),
                ReplayExterns::new(v.randomness.clone()),
            )
            .expect("machine")
        };
        // Warm the module cache, and check the modes agree.
        let receipts = apply(&mut fresh(&plain_ctx), &v);
        for ctx in [&traced_ctx, &timed_ctx] {
            assert_eq!(apply(&mut fresh(ctx), &v), receipts, "{name}");
        }
        let gas: u64 = receipts.iter().map(|r| r.1).sum();
        let mut group = c.benchmark_group(format!("gas_timing/{name}"));
        group.throughput(Throughput::Elements(gas));
        for (mode, ctx) in [
            ("plain", &plain_ctx),
            ("traced", &traced_ctx),
            ("timed", &timed_ctx),
        ] {
            group.bench_function(mode, |b| {
                b.iter_batched(
                    || fresh(ctx),
                    |mut exec| {
                        apply(&mut exec, &v);
                        exec
                    },
                    BatchSize::PerIteration,
                )
            });
        }
        group.finish();
    }
}

fn main() {
    ifvm_benches::run_suite(gas_timing);
}

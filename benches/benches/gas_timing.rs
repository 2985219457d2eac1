//! What timed gas traces cost: a few Hygge vectors applied warm (code prepared, machine built
//! outside the timing) in three modes: `plain` (no trace: the consensus path, where timing
//! is off), `traced` (every charge recorded) and `timed` (every charge recorded and timed).
//! `plain` shows the disabled path; comparing it with `traced` and `timed` shows what each
//! mode adds. Before timing, every mode must give the same receipts.

use criterion::{BatchSize, Criterion, Throughput};
use ifvm_kernel::{ApplyKind, Executor, MachineContext};
use ifvm_research::observe::{Modes, ENGINE_NV};
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{data, executor, PreparedVariant, ReplayExterns, RunStore};

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
    let (Some(dir), Some(actors)) = (
        data::present(data::hygge_dir(), "Hygge vectors", data::VECTORS_VAR),
        data::actors(),
    ) else {
        return;
    };
    let bundles = ifvm_vectors::BundleSet::new(actors);
    let files = data::collect_vectors(&[dir]).expect("readable corpus");
    let timed = Modes {
        timing: true,
        ..Modes::default()
    };
    let engine = timed.engine(ENGINE_NV).expect("engine");
    for path in files.iter().step_by(files.len().div_ceil(VECTORS)) {
        let vector = TestVector::load(path).expect("vector loads");
        let v = PreparedVariant::new(&bundles, &vector, &vector.preconditions.variants[0])
            .expect("prepares");
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let timed_ctx = timed.context(&v.params).expect("context");
        let mut traced_ctx = timed_ctx.clone();
        traced_ctx.timing = false;
        let mut plain_ctx = traced_ctx.clone();
        plain_ctx.tracing = false;
        let fresh = |ctx: &MachineContext| {
            executor(ctx.clone(), &engine, v.store(), v.externs()).expect("machine")
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

//! The simulated chain on ifvm and ref-fvm 4.8 side by side, tipset by tipset (every applied
//! message, rewards and cron included, every receipts root and state root compared); prints
//! what each version's run covered and stops at the first difference.
//!
//!     cargo run --release -p ifvm-reference --bin simulate [-- EPOCHS [SEED [NV,NV,...]]]
//!
//! Defaults: 2000 epochs, seed 1, nv21–nv28. Bundles come from `IFVM_ACTORS`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use ifvm_reference::differential::{network, network_versions, numeric_arg};
use ifvm_reference::simulation::{simulate, SimulatedTipset};
use ifvm_vectors::tipset::Role;
use ifvm_vectors::{data, threads, BundleSet};

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

fn run() -> anyhow::Result<ExitCode> {
    let epochs = numeric_arg(1, 2000)?;
    let seed = numeric_arg(2, 1)?;
    let nvs: Vec<u32> = network_versions(std::env::args().nth(3).as_deref())?
        .into_iter()
        .filter(|&nv| nv >= 21)
        .collect();
    let bundles = BundleSet::new(data::actors_dir());
    for nv in nvs {
        let engine = ifvm_vectors::engine(nv)?;
        let net = network(&bundles, nv, &engine)?;
        let started = std::time::Instant::now();
        let run = match simulate(&net, &engine, seed, epochs as i64) {
            Ok(run) => run,
            Err(e) => {
                println!("MISMATCH {e:#}");
                return Ok(ExitCode::FAILURE);
            }
        };
        let ts = &run.tipsets;
        let applied: usize = ts.iter().map(|t| t.outcome.messages.len()).sum();
        let heaviest = ts.iter().map(|t| t.outcome.cron_gas()).max().unwrap_or(0);
        println!(
            "nv{nv} seed {seed}: {} tipsets over {epochs} epochs ({} after null rounds, {} \
             repeating a message, {} failing messages), {applied} applied messages, heaviest \
             cron {heaviest} gas: 0 differences ({:.1} s)",
            ts.len(),
            ts.iter().filter(|t| t.after_null_rounds()).count(),
            ts.iter().filter(|t| t.repeats_a_message()).count(),
            ts.iter().map(|t| t.outcome.failures()).sum::<usize>(),
            started.elapsed().as_secs_f64(),
        );
        println!("  explicit messages by method (exit code: count):");
        for (method, codes) in exit_codes_by_method(ts) {
            let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            println!("    method {method}: {}", codes.join(", "));
        }
        let events: Vec<String> = event_counts(ts)
            .iter()
            .map(|(t, n)| format!("{t}: {n}"))
            .collect();
        println!("  actor events: {}", events.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// How many events of each `$type` the tipsets' messages (cron included) emitted.
fn event_counts(tipsets: &[SimulatedTipset]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for m in tipsets.iter().flat_map(|t| &t.outcome.messages) {
        for t in m.applied.event_types() {
            *out.entry(t).or_default() += 1;
        }
    }
    out
}

/// How many explicit messages of each method ended with each exit code.
fn exit_codes_by_method(tipsets: &[SimulatedTipset]) -> BTreeMap<u64, BTreeMap<u32, usize>> {
    let mut out: BTreeMap<u64, BTreeMap<u32, usize>> = BTreeMap::new();
    for m in tipsets
        .iter()
        .flat_map(|t| t.outcome.with_role(Role::Message))
    {
        *out.entry(m.message.method_num)
            .or_default()
            .entry(m.applied.receipt.exit_code.value())
            .or_default() += 1;
    }
    out
}

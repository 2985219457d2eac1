//! The long run of the message and state mutation differential
//! ([`ifvm_reference::mutation`]): seeded mutants of vector variants on ifvm and on ref-fvm,
//! every receipt, event, state root and trace compared; prints the seed of any mismatch or
//! panic, then counts per kind of mutation.
//!
//!     cargo run --release -p ifvm-reference --bin mutation-fuzz [-- MUTANTS [FIRST_SEED [PATH...]]]
//!
//! Defaults: 10000 mutants from seed 1, over the generated vectors and the Shark and Hygge
//! corpora (where present). Seeds that draw no mutant (raw bytes that no longer decode) are
//! skipped and counted; seeds run until MUTANTS mutants were applied. Bundles come from
//! `IFVM_ACTORS`. Exits non-zero on any mismatch or panic.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use ifvm_reference::differential::numeric_arg;
use ifvm_reference::mutation::{mutant, run_mutant, variants, Engines, Tally};
use ifvm_reference::outcome::Outcome;
use ifvm_vectors::{data, threads, BundleSet};

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

fn run() -> anyhow::Result<ExitCode> {
    let wanted = numeric_arg(1, 10_000)? as usize;
    let first_seed = numeric_arg(2, 1)?;
    let mut paths: Vec<PathBuf> = std::env::args().skip(3).map(PathBuf::from).collect();
    if paths.is_empty() {
        paths = [data::generated_dir(), data::shark_dir(), data::hygge_dir()]
            .into_iter()
            .filter(|p| p.is_dir())
            .collect();
    }
    let bundles = BundleSet::new(data::actors_dir());
    let files = data::collect_vectors(&paths)?;
    let all = variants(&bundles, &files)?;
    anyhow::ensure!(
        !all.variants.is_empty(),
        "no vector variant to mutate in {paths:?}"
    );
    println!(
        "{} variants from {} files ({} left out: tipset class or no bundle)",
        all.variants.len(),
        files.len(),
        all.left_out
    );
    let mut engines = Engines::default();
    let mut tally = Tally::default();
    let mut seed = first_seed;
    let mut panics = 0;
    while tally.mutants() + panics < wanted {
        let Some(m) = mutant(&all.variants, seed) else {
            tally.undrawn += 1;
            seed += 1;
            continue;
        };
        let engine = engines.get(m.variant.params.nv)?;
        match catch_unwind(AssertUnwindSafe(|| run_mutant(&m, engine))) {
            Ok(outcome) => {
                if let Outcome::Mismatch(d) = &outcome {
                    let name = &all.names[m.source];
                    println!("seed {seed} MISMATCH, {name}, {:?}: {d}", m.mutation);
                    if std::env::var_os("IFVM_MUTATION_VERBOSE").is_some() {
                        println!("messages: {:#?}", m.variant.messages);
                        let reference = ifvm_reference::run_variant(&m.variant);
                        println!("ref-fvm: {reference:#?}");
                    }
                }
                tally.add(&m, &outcome);
            }
            Err(_) => {
                let name = &all.names[m.source];
                println!("seed {seed} PANIC, {name}, {:?} (see above)", m.mutation);
                panics += 1;
            }
        }
        seed += 1;
    }
    println!(
        "{} mutants (seeds {first_seed}..{seed}): {} identical ({} messages), {} failed on both \
         engines at the same message ({} of them loading the state), {} mismatches, {panics} \
         panics; {} seeds drew no mutant",
        tally.mutants() + panics,
        tally.same,
        tally.messages,
        tally.both_failed,
        tally.both_failed_loading,
        tally.mismatches,
        tally.undrawn,
    );
    for (kind, n) in &tally.kinds {
        println!("  {kind:32} {n:6}");
    }
    Ok(if tally.mismatches + panics == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

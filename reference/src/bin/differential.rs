//! Seeded randomized differential run: random message sequences on ifvm and on the ref-fvm of
//! each generated network version (2.12 for nv17, 4.8 for nv21–nv28), every receipt, event,
//! state root and trace compared; prints the seed of any mismatch.
//!
//!     cargo run --release -p ifvm-reference --bin differential [-- MESSAGES [FIRST_SEED [PER_SEQUENCE [NV,NV,...]]]]
//!
//! Defaults: 10000 messages, seed 1, 25 messages per sequence, every generated network version
//! (`GENERATED_NETWORK_VERSIONS`: nv17, nv21, …, nv28). Sequence `k` uses seed `FIRST_SEED + k`
//! on the `k`-th version, cycling. Bundles come from `IFVM_ACTORS`.

use std::process::ExitCode;

use ifvm_reference::differential::{check, network, network_versions, numeric_arg, random_case};
use ifvm_vectors::{data, threads, BundleSet};

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

fn run() -> anyhow::Result<ExitCode> {
    let messages = numeric_arg(1, 10_000)?;
    let first_seed = numeric_arg(2, 1)?;
    let per_sequence = numeric_arg(3, 25)?.max(1);
    let bundles = BundleSet::new(data::actors_dir());
    let nvs = network_versions(std::env::args().nth(4).as_deref())?;
    let networks = nvs
        .iter()
        .map(|&nv| {
            let engine = ifvm_vectors::engine(nv)?;
            Ok((network(&bundles, nv, &engine)?, engine))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sequences = messages.div_ceil(per_sequence);
    let (mut applied, mut mismatches) = (0, 0);
    for k in 0..sequences {
        let seed = first_seed + k;
        let (net, engine) = &networks[(k % networks.len() as u64) as usize];
        let case = random_case(net, engine, seed, per_sequence as usize)?;
        applied += case.messages.len();
        let checked = check(case, engine)?;
        if let Some(m) = checked.mismatch {
            println!("MISMATCH seed {seed} nv{}: {m}", net.nv);
            mismatches += 1;
        }
    }
    println!(
        "{applied} messages in {sequences} sequences (seeds {first_seed}..{}), nv{nvs:?}: {mismatches} mismatches",
        first_seed + sequences,
    );
    Ok(if mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

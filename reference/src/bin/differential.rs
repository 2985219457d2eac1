//! Seeded randomized differential run: random message sequences on ifvm and ref-fvm 4.8 across
//! nv21–nv28, every receipt, event and state root compared; prints the seed of any mismatch.
//!
//!     cargo run --release -p ifvm-reference --bin differential [-- MESSAGES [FIRST_SEED [PER_SEQUENCE]]]
//!
//! Defaults: 10000 messages, seed 1, 25 messages per sequence. Sequence `k` uses seed
//! `FIRST_SEED + k` on network version `21 + k % 8`. Bundles come from `IFVM_ACTORS`.

use std::process::ExitCode;

use ifvm_reference::differential::{check, network, random_case};
use ifvm_vectors::generate::GENERATED_NETWORK_VERSIONS;
use ifvm_vectors::{data, threads, BundleSet};

fn arg(i: usize, default: u64) -> anyhow::Result<u64> {
    Ok(match std::env::args().nth(i) {
        Some(a) => a.parse()?,
        None => default,
    })
}

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

fn run() -> anyhow::Result<ExitCode> {
    let messages = arg(1, 10_000)?;
    let first_seed = arg(2, 1)?;
    let per_sequence = arg(3, 25)?.max(1);
    let bundles = BundleSet::new(data::actors_dir());
    let engine = ifvm_vectors::engine(21)?;
    let nvs: Vec<u32> = GENERATED_NETWORK_VERSIONS.collect();
    let networks = nvs
        .iter()
        .map(|&nv| network(&bundles, nv, &engine))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sequences = messages.div_ceil(per_sequence);
    let (mut applied, mut mismatches) = (0, 0);
    for k in 0..sequences {
        let seed = first_seed + k;
        let net = &networks[(k % networks.len() as u64) as usize];
        let case = random_case(net, &engine, seed, per_sequence as usize)?;
        applied += case.messages.len();
        let checked = check(case, &engine)?;
        if let Some(m) = checked.mismatch {
            println!("MISMATCH seed {seed} nv{}: {m}", net.nv);
            mismatches += 1;
        }
    }
    println!(
        "{applied} messages in {sequences} sequences (seeds {first_seed}..{}), nv{}–nv{}: {mismatches} mismatches",
        first_seed + sequences,
        nvs[0],
        nvs[nvs.len() - 1]
    );
    Ok(if mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

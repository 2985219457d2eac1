//! Regenerates the project's own test vectors for nv21–nv28 (`vectors/generated/`): builds each
//! network from its mainnet bundle, records every named scenario and the seeded random cases on
//! ifvm, replays each on ref-fvm 4.8 and on ifvm, refuses to write anything if the two differ,
//! and writes ref-fvm's results as the expected values.
//!
//!     cargo run --release -p ifvm-reference --bin regenerate-vectors [-- OUT_DIR]
//!
//! `OUT_DIR` defaults to the repository's `vectors/generated`; bundles come from `IFVM_ACTORS`
//! (default `../shared/actors`).

use std::path::PathBuf;
use std::process::ExitCode;

use ifvm_reference::differential::{check, network, random_case, scenario_cases};
use ifvm_vectors::generate::write::{vector_json, Recorded};
use ifvm_vectors::generate::GENERATED_NETWORK_VERSIONS;
use ifvm_vectors::schema::GenerationData;
use ifvm_vectors::{data, threads, BundleSet};

/// Random cases per network version, and messages per random case.
const RANDOM_CASES: u64 = 30;
const RANDOM_MESSAGES: usize = 12;

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

fn run() -> anyhow::Result<ExitCode> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(data::generated_dir, PathBuf::from);
    let bundles = BundleSet::new(data::actors_dir());
    let engine = ifvm_vectors::engine(21)?;
    let gen = [
        GenerationData {
            source: "ifvm-reference regenerate-vectors".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        GenerationData {
            source: "ref-fvm (expected values)".into(),
            version: ifvm_reference::REF_FVM4_VERSION.into(),
        },
    ];
    let mut written = Vec::new();
    let mut mismatches = 0;
    for nv in GENERATED_NETWORK_VERSIONS {
        let net = network(&bundles, nv, &engine)?;
        let mut cases: Vec<_> = scenario_cases(&net, &engine)?
            .into_iter()
            .map(|c| (c, "named scenario"))
            .collect();
        for seed in 0..RANDOM_CASES {
            let seed = u64::from(nv) * 1_000 + seed;
            cases.push((
                random_case(&net, &engine, seed, RANDOM_MESSAGES)?,
                "seeded random traffic",
            ));
        }
        for (case, kind) in cases {
            let checked = check(case, &engine)?;
            if let Some(m) = &checked.mismatch {
                eprintln!("MISMATCH nv{nv} {}: {m}", checked.case.name);
                mismatches += 1;
                continue;
            }
            let recorded = Recorded {
                description: format!(
                    "{kind} `{}` on nv{nv}; expected values from ref-fvm {}",
                    checked.case.name,
                    ifvm_reference::REF_FVM4_VERSION
                ),
                gen: &gen,
                expected: &checked.reference,
                replay: &checked.replay,
            };
            let path = out
                .join(format!("nv{nv}"))
                .join(format!("{}.json", checked.case.name));
            written.push((path, vector_json(&checked.case, &recorded)));
        }
        eprintln!("nv{nv}: {} vectors so far", written.len());
    }
    if mismatches > 0 {
        eprintln!("{mismatches} cases differ between ifvm and ref-fvm: nothing written");
        return Ok(ExitCode::FAILURE);
    }
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    for (path, json) in &written {
        std::fs::create_dir_all(path.parent().expect("a directory"))?;
        std::fs::write(path, json)?;
    }
    println!("wrote {} vectors to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

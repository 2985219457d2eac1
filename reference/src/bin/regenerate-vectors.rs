//! Regenerates the project's own test vectors for nv17 and nv21–nv28 (`vectors/generated/`):
//! builds each network from its mainnet bundle, records every named scenario it has and the
//! seeded random cases on ifvm, replays each on the version's ref-fvm (2.12 for nv17, 4.8 from
//! nv21) and on ifvm, refuses to write anything if the two differ, and writes ref-fvm's results
//! as the expected values. From nv21 on it also simulates the chain for [`SIMULATED_EPOCHS`]
//! epochs on both engines (`ifvm_reference::simulation`) and writes [`TIPSET_VECTORS`] windows
//! of it as `tipset`-class vectors (`nvNN/tipsets/`).
//!
//!     cargo run --release -p ifvm-reference --bin regenerate-vectors [-- OUT_DIR [NV,NV,...]]
//!
//! `OUT_DIR` defaults to the repository's `vectors/generated`; the versions default to every
//! generated one (`GENERATED_NETWORK_VERSIONS`), and only their directories are replaced.
//! Bundles come from `IFVM_ACTORS` (default `../shared/actors`).

use std::path::PathBuf;
use std::process::ExitCode;

use ifvm_kernel::Abi;
use ifvm_reference::differential::{check, network, network_versions, random_case, scenario_cases};
use ifvm_reference::simulation::{simulate, window_starts, window_vector};
use ifvm_reference::{abi_of, ref_fvm_version};
use ifvm_vectors::generate::write::{vector_json, Recorded};
use ifvm_vectors::schema::GenerationData;
use ifvm_vectors::{data, threads, BundleSet};

/// Random cases per network version, and messages per random case.
const RANDOM_CASES: u64 = 30;
const RANDOM_MESSAGES: usize = 12;

/// Epochs of the simulated chain per network version, its seed, and the tipset vectors taken
/// from it.
const SIMULATED_EPOCHS: i64 = 2000;
const SIMULATION_SEED: u64 = 1;
const TIPSET_VECTORS: usize = 50;

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

fn run() -> anyhow::Result<ExitCode> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(data::generated_dir, PathBuf::from);
    let nvs = network_versions(std::env::args().nth(2).as_deref())?;
    let bundles = BundleSet::new(data::actors_dir());
    let mut written = Vec::new();
    let mut mismatches = 0;
    for &nv in &nvs {
        let reference = ref_fvm_version(abi_of(nv)?);
        let gen = [
            GenerationData {
                source: "ifvm-reference regenerate-vectors".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            GenerationData {
                source: "ref-fvm (expected values)".into(),
                version: reference.into(),
            },
        ];
        let engine = ifvm_vectors::engine(nv)?;
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
                    "{kind} `{}` on nv{nv}; expected values from ref-fvm {reference}",
                    checked.case.name,
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
        if abi_of(nv)? == Abi::V4 {
            let run = match simulate(&net, &engine, SIMULATION_SEED, SIMULATED_EPOCHS) {
                Ok(run) => run,
                Err(e) => {
                    eprintln!("MISMATCH {e:#}");
                    mismatches += 1;
                    continue;
                }
            };
            for first in window_starts(&run, TIPSET_VECTORS) {
                let (id, json) = window_vector(&run, first, &engine, &gen)?;
                let path = out.join(format!("nv{nv}/tipsets/{id}.json"));
                written.push((path, json));
            }
        }
        eprintln!("nv{nv}: {} vectors so far", written.len());
    }
    if mismatches > 0 {
        eprintln!("{mismatches} cases differ between ifvm and ref-fvm: nothing written");
        return Ok(ExitCode::FAILURE);
    }
    for nv in &nvs {
        let dir = out.join(format!("nv{nv}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    for (path, json) in &written {
        std::fs::create_dir_all(path.parent().expect("a directory"))?;
        std::fs::write(path, json)?;
    }
    println!("wrote {} vectors to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

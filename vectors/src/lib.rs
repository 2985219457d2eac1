//! Conformance test vectors for ifvm: reading the `fvm-test-vectors` schema, running vectors on
//! ifvm and comparing every receipt and the final state root, and explaining mismatches (which
//! receipt field, which actors and state fields, and the gas trace). The `ifvm` binary is the
//! command-line front end.
//!
//! For network versions without public vectors (nv21 on), [`generate`] builds genesis-like
//! networks from the mainnet bundles and records scenarios and seeded random traffic on them;
//! the `ifvm-reference` crate replays them on ref-fvm 4.8 and writes `vectors/generated/`.
//!
//! Gas-model research (never conformance runs): [`observe`] runs messages with timed traces,
//! instruction profiles or another version's prices; [`trace_report`] renders what it saw;
//! [`reprice`] re-prices whole corpora; [`calibrate`] fits time against gas per charge type.

pub mod bundles;
pub mod calibrate;
pub mod explain;
pub mod externs;
pub mod generate;
pub mod genesis;
pub mod observe;
pub mod prepared;
pub mod reprice;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod store;
pub mod trace_report;

use std::path::{Path, PathBuf};

/// Every `.json` file under `paths` (files are taken as given), sorted.
pub fn collect_vectors(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

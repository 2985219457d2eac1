//! Conformance test vectors for ifvm: reading the `fvm-test-vectors` schema, running vectors on
//! ifvm and comparing every receipt and the final state root, and explaining mismatches (which
//! receipt field, which actors and state fields, and the gas trace). The `ifvm` binary is the
//! command-line front end.

pub mod bundles;
pub mod explain;
pub mod externs;
pub mod genesis;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod store;

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

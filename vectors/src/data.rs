//! Where the test data is: the builtin-actors bundles, the conformance vectors and the
//! project's generated vectors. The one place that knows the environment variables and their
//! defaults; every test, benchmark, tool and the CLI asks here.
//!
//! The defaults are relative to the workspace root this crate was built in (`../shared/...`
//! beside the repository, `vectors/generated` inside it), so they hold from any working
//! directory.

use std::path::{Path, PathBuf};

/// The environment variable naming the directory of builtin-actors bundles (`vN.tar.zst`).
pub const ACTORS_VAR: &str = "IFVM_ACTORS";
/// The environment variable naming the directory of conformance vectors.
pub const VECTORS_VAR: &str = "IFVM_VECTORS";
/// The environment variable naming the directory of the project's generated vectors.
pub const GENERATED_VAR: &str = "IFVM_GENERATED_VECTORS";

/// The workspace root (the repository).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the vectors crate is inside the workspace")
        .to_path_buf()
}

fn env_or(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(default))
}

/// The builtin-actors bundles: `$IFVM_ACTORS`, default `../shared/actors`.
pub fn actors_dir() -> PathBuf {
    env_or(ACTORS_VAR, "../shared/actors")
}

/// The conformance vectors: `$IFVM_VECTORS`, default `../shared/fvm-test-vectors/corpus`.
pub fn vectors_dir() -> PathBuf {
    env_or(VECTORS_VAR, "../shared/fvm-test-vectors/corpus")
}

/// The Shark (nv17) part of the conformance vectors.
pub fn shark_dir() -> PathBuf {
    vectors_dir().join("extracted/0001-shark-01")
}

/// The Hygge (nv18) part of the conformance vectors.
pub fn hygge_dir() -> PathBuf {
    vectors_dir().join("extracted/0002-hygge-01")
}

/// The project's own vectors (nv21 on): `$IFVM_GENERATED_VECTORS`, default `vectors/generated`
/// in the repository.
pub fn generated_dir() -> PathBuf {
    env_or(GENERATED_VAR, "vectors/generated")
}

/// `dir` if it exists; otherwise `None`, after printing `SKIPPED: no <what> at <dir> (set
/// <var>)` to stderr (how tests and benchmarks say they skipped for lack of data).
pub fn present(dir: PathBuf, what: &str, var: &str) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!("SKIPPED: no {what} at {} (set {var})", dir.display());
    None
}

/// The bundles directory, or `None` after saying `SKIPPED`.
pub fn actors() -> Option<PathBuf> {
    present(actors_dir(), "builtin-actors bundles", ACTORS_VAR)
}

/// The conformance vectors directory, or `None` after saying `SKIPPED`.
pub fn vectors() -> Option<PathBuf> {
    present(vectors_dir(), "test vectors", VECTORS_VAR)
}

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

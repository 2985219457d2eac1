//! What the corpus tests share: where the vectors and bundles are, and a corpus run.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ifvm_vectors::bundles::BundleSet;
use ifvm_vectors::runner::{Outcome, Runner};
use rayon::prelude::*;

/// `$var`, else `default` relative to the workspace root.
pub fn workspace_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(default)
    })
}

/// The corpus directory (`IFVM_VECTORS`), or `None` after saying `SKIPPED`.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = workspace_path("IFVM_VECTORS", "../shared/fvm-test-vectors/corpus");
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: no test vectors at {} (set IFVM_VECTORS)",
            dir.display()
        );
        return None;
    }
    Some(dir)
}

/// A runner with the bundles of `IFVM_ACTORS`, or `None` after saying `SKIPPED`.
pub fn runner() -> Option<Runner> {
    let actors = workspace_path("IFVM_ACTORS", "../shared/actors");
    if !actors.is_dir() {
        eprintln!(
            "SKIPPED: no builtin-actors bundles at {} (set IFVM_ACTORS)",
            actors.display()
        );
        return None;
    }
    Some(Runner::new(BundleSet::new(actors)))
}

/// Worker threads with room for deep call stacks (they recurse through the host).
pub fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .stack_size(256 << 20)
        .build()
        .expect("thread pool")
}

/// The outcome of a corpus run.
#[derive(Debug, Default)]
pub struct Tally {
    /// Variants that passed.
    pub passed: usize,
    /// One line per failed variant (or unreadable vector).
    pub failures: Vec<String>,
    /// Skipped variants, by reason.
    pub skipped: BTreeMap<String, usize>,
}

impl Tally {
    /// `N passed, N failed, N skipped`, then a line per skip reason.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} passed, {} failed, {} skipped",
            self.passed,
            self.failures.len(),
            self.skipped.values().sum::<usize>()
        );
        for (why, n) in &self.skipped {
            out += &format!("\n  skipped {n}: {why}");
        }
        out
    }
}

/// Runs every vector under `dir` on `pool`.
pub fn run_corpus(dir: &Path, runner: &Runner, pool: &rayon::ThreadPool) -> Tally {
    let files = ifvm_vectors::collect_vectors(&[dir.to_path_buf()]).expect("readable corpus");
    let results: Vec<_> = pool.install(|| {
        files
            .par_iter()
            .map(|f| (f.clone(), runner.run_file(f, true)))
            .collect()
    });
    let mut tally = Tally::default();
    for (file, result) in results {
        match result {
            Err(e) => tally.failures.push(format!("{}: {e}", file.display())),
            Ok(reports) => {
                for r in reports {
                    match r.outcome {
                        Outcome::Passed => tally.passed += 1,
                        Outcome::Skipped(why) => *tally.skipped.entry(why).or_default() += 1,
                        Outcome::Failed(m) => {
                            tally
                                .failures
                                .push(format!("{} [{}]: {m:?}", file.display(), r.id))
                        }
                    }
                }
            }
        }
    }
    tally
}

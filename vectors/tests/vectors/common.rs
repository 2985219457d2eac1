//! What the vector tests share: a runner over the bundles, and a run of a directory of vectors.

use std::collections::BTreeMap;
use std::path::Path;

use ifvm_vectors::{data, threads, BundleSet, Outcome, Runner};
use rayon::prelude::*;

/// A runner with the bundles of `IFVM_ACTORS`, or `None` after saying `SKIPPED`.
pub fn runner() -> Option<Runner> {
    Some(Runner::new(BundleSet::new(data::actors()?)))
}

/// Worker threads (one per core) with room for deep call stacks.
pub fn pool() -> rayon::ThreadPool {
    threads::worker_pool(None).expect("thread pool")
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
    /// One line per thing a vector lacks of the schema.
    pub warnings: Vec<String>,
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
    let files = data::collect_vectors(&[dir.to_path_buf()]).expect("readable corpus");
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
            Ok(report) => {
                for w in report.warnings {
                    tally.warnings.push(format!("{}: {w}", file.display()));
                }
                for r in report.variants {
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

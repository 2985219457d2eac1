//! The calibration report (`ifvm gas calibrate`): how well the price list predicts time on this
//! engine.
//!
//! 1. [`collect`]: run vectors and the calibration [`workloads`] with timed gas traces, each
//!    source once to warm up (preparing and translating its code) and then `repeats` times,
//!    keeping per charge the fastest time (the least disturbed by the rest of the machine);
//!    every charge with a time and its compute gas is a [`Sample`].
//! 2. [`summarize`]: per charge name, the totals, the time per gas against the model's 10 gas
//!    per nanosecond, a [`stats::LinearFit`] of time against compute gas, and a [`Verdict`].
//! 3. [`write_report`]: CSV and JSON ([`report`]) and plots of time against gas ([`plot`]).
//!
//! Timings come from real runs and vary between machines and runs; they never influence the
//! runs themselves (see [`ifvm_gas::timing`]).

mod collect;
pub mod plot;
pub mod report;
pub mod stats;
mod summary;
pub mod workloads;

use std::path::PathBuf;

pub use collect::{collect, fastest_of, samples_of, Collection, Sample};
pub use summary::{summarize, ChargeSummary, Verdict};

/// The gas model: 10 gas per nanosecond of compute (1 gas = 0.1 ns).
pub const MODEL_GAS_PER_NS: f64 = 10.0;

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Vector files or directories (empty: none).
    pub vectors: Vec<PathBuf>,
    /// Whether to run the calibration workloads.
    pub workloads: bool,
    /// Timed runs per source, after one warm-up run (at least 1).
    pub repeats: usize,
}

/// Calibration failed as a whole (single sources that cannot run are skipped instead).
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The vector list cannot be read.
    #[error("listing vectors under {path}: {source}")]
    List {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workloads cannot be set up (e.g. no bundle).
    #[error("setting up the calibration workloads: {0}")]
    Workloads(String),
    /// An output file cannot be written.
    #[error("writing {path}: {reason}")]
    Output {
        /// Which file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Nothing produced a timed charge; says why the first skipped source was skipped.
    #[error("no timed charges were collected ({0})")]
    NoSamples(String),
}

/// Writes the report into `dir` (created if needed): `summary.csv`, `summary.json`,
/// `samples.csv` and `plots/` (`overview.svg` and one SVG per charge type with compute gas).
/// Returns the summary, largest total time first.
pub fn write_report(
    dir: &std::path::Path,
    collection: &Collection,
    threshold: f64,
) -> Result<Vec<ChargeSummary>, CalibrateError> {
    let summary = summarize(&collection.samples, threshold);
    let plots = dir.join("plots");
    let output = |path: &std::path::Path, e: &dyn std::fmt::Display| CalibrateError::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(&plots).map_err(|e| output(&plots, &e))?;
    let write = |name: &str, contents: String| {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(|e| output(&path, &e))
    };
    write("summary.csv", report::summary_csv(&summary))?;
    write(
        "samples.csv",
        report::samples_csv(&collection.samples, &summary),
    )?;
    let json = report::summary_json(&summary, collection, threshold);
    write(
        "summary.json",
        serde_json::to_string_pretty(&json).map_err(|e| output(&dir.join("summary.json"), &e))?,
    )?;
    let overview = plots.join("overview.svg");
    plot::overview_plot(&overview, &summary, &collection.samples, 8)
        .map_err(|e| output(&overview, &e))?;
    for s in summary.iter().filter(|s| s.compute_gas > 0.0) {
        let path = plots.join(format!("{}.svg", plot::file_stem(&s.name)));
        plot::charge_plot(&path, s, &collection.samples).map_err(|e| output(&path, &e))?;
    }
    Ok(summary)
}

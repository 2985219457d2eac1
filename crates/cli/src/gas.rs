//! `ifvm gas calibrate` and `ifvm gas reprice`: the gas-model research tools over whole
//! corpora. Neither is a conformance run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ifvm_research::observe::{Modes, ENGINE_NV};
use ifvm_research::{calibrate, reprice};
use ifvm_vectors::{data, threads, BundleSet};
use rayon::prelude::*;

use crate::output::{emit, vector_bar};

/// `gas reprice`: every vector under nv N's price list, differences reported.
pub fn reprice(
    paths: Vec<PathBuf>,
    price_nv: u32,
    jobs: Option<usize>,
    bundles: BundleSet,
) -> anyhow::Result<ExitCode> {
    let modes = Modes {
        price_nv: Some(price_nv),
        ..Modes::default()
    };
    let engine = modes.engine(ENGINE_NV)?;
    let files = data::collect_vectors(&paths)?;
    let pool = threads::worker_pool(jobs)?;
    let bar = vector_bar(files.len());
    let results: Vec<reprice::Repriced> = pool.install(|| {
        files
            .par_iter()
            .flat_map_iter(|path| {
                let r = reprice::reprice_file(&bundles, &engine, &modes, path);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    emit(&reprice::text(&results, price_nv))?;
    Ok(ExitCode::SUCCESS)
}

/// `ifvm gas calibrate`.
pub fn calibrate(
    options: calibrate::Options,
    out: &Path,
    threshold: f64,
    bundles: BundleSet,
) -> anyhow::Result<ExitCode> {
    if !(threshold.is_finite() && threshold > 1.0) {
        anyhow::bail!("--threshold must be a number above 1 (got {threshold})");
    }
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}")
            .expect("valid template"),
    );
    let collection = threads::with_stack(|| {
        calibrate::collect(&bundles, &options, |source| {
            bar.set_message(source.to_string());
            bar.tick();
        })
    })?;
    bar.finish_and_clear();
    let summary = calibrate::write_report(out, &collection, threshold)?;
    let mut text = calibrate::report::text(&summary, threshold);
    text += &format!(
        "\n{} sources, {} timed charges; {} sources skipped\n",
        collection.sources,
        collection.samples.len(),
        collection.skipped.len()
    );
    for (source, why) in collection.skipped.iter().take(5) {
        text += &format!("  skipped {source}: {why}\n");
    }
    if collection.skipped.len() > 5 {
        text += "  ... (all in summary.json)\n";
    }
    text += &format!(
        "report: {0}/summary.csv, {0}/summary.json, {0}/samples.csv, {0}/plots/*.svg ({1:.0?})\n",
        out.display(),
        started.elapsed()
    );
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

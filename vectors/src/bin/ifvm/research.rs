//! The research commands (issue 8): timed traces, instruction profiles and re-pricing of
//! `trace`, `vectors run --price-nv`, and `gas calibrate`. None of them is a conformance run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ifvm_vectors::bundles::BundleSet;
use ifvm_vectors::calibrate;
use ifvm_vectors::observe::{Modes, ENGINE_NV};
use ifvm_vectors::prepared::PreparedVariant;
use ifvm_vectors::reprice;
use ifvm_vectors::schema::MessageVector;
use ifvm_vectors::trace_report::{self, Expected};
use rayon::prelude::*;

/// Research modes of `trace` (not consensus runs).
#[derive(clap::Args, Clone, Copy)]
pub struct ResearchArgs {
    /// Time every charge: the time of the work it pays for (after a warm-up run).
    #[arg(long)]
    pub timings: bool,
    /// Count the Wasm instructions executed, by class, next to the Wasm gas charged (timings
    /// taken together with it include the counting).
    #[arg(long)]
    pub instructions: bool,
    /// Charge with network version N's price list instead of the vector's (not consensus:
    /// correctness checks off).
    #[arg(long, value_name = "N")]
    pub price_nv: Option<u32>,
}

/// `vectors run --price-nv N`: every vector under nv N's price list, differences reported.
pub fn reprice_corpus(
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
    let files = ifvm_vectors::collect_vectors(&paths)?;
    let pool = super::worker_pool(jobs)?;
    let bar = indicatif::ProgressBar::new(files.len() as u64);
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

/// How `trace` prints.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// JSON.
    Json,
    /// One CSV row per charge.
    Csv,
}

impl Format {
    /// The format the `--json` and `--csv` flags ask for.
    pub fn of(json: bool, csv: bool) -> Self {
        match (json, csv) {
            (true, _) => Self::Json,
            (_, true) => Self::Csv,
            _ => Self::Text,
        }
    }
}

/// Runs `f` on a thread with a stack deep enough for actor call stacks.
fn big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)?
        .join()
        .map_err(|_| anyhow::anyhow!("the run panicked"))
}

/// `ifvm trace`.
pub fn trace(
    file: &Path,
    variant: Option<&str>,
    actors: PathBuf,
    research: ResearchArgs,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let v = MessageVector::load(file)?;
    let variant = match variant {
        Some(id) => v.preconditions.variants.iter().find(|x| x.id == id),
        None => v.preconditions.variants.first(),
    }
    .ok_or_else(|| anyhow::anyhow!("no such variant"))?;
    let prepared = PreparedVariant::new(&BundleSet::new(actors), &v, variant)?;
    let modes = Modes {
        timing: research.timings,
        instructions: research.instructions,
        price_nv: research.price_nv,
    };
    let engine = modes.engine(prepared.nv)?;
    let expected: Vec<Expected> = prepared
        .expected
        .iter()
        .map(|(exit_code, _, gas_used)| Expected {
            exit_code: *exit_code,
            gas_used: *gas_used,
        })
        .collect();
    let nv = prepared.nv;
    let observations = big_stack(move || {
        if modes.timing {
            // Warm up: prepare and translate the code, so timings are of execution.
            modes.run_variant(&engine, &prepared)?;
        }
        modes.run_variant(&engine, &prepared)
    })??
    .messages;
    let banner = research
        .price_nv
        .map(|p| trace_report::repricing_banner(p, &format!("nv{nv}")));
    let out = match format {
        Format::Text => {
            let report = trace_report::text(&observations, &expected, banner.is_some());
            match &banner {
                Some(b) => format!("{b}\n{report}{b}\n"),
                None => report,
            }
        }
        Format::Json => {
            let doc = trace_report::json(&observations, &expected, nv, research.price_nv);
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        Format::Csv => trace_report::csv(&observations),
    };
    if let (Some(b), Format::Json | Format::Csv) = (&banner, format) {
        // Machine-readable output stays parseable; the banner goes to stderr (and, for JSON,
        // into the document).
        eprintln!("{b}");
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to stdout; a closed pipe (e.g. `| head`) ends the output quietly.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `ifvm gas calibrate`.
pub fn calibrate(
    options: calibrate::Options,
    out: &Path,
    threshold: f64,
    actors: PathBuf,
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
    let progress = bar.clone();
    let bundles = BundleSet::new(actors);
    let collection = big_stack(move || {
        calibrate::collect(&bundles, &options, |source| {
            progress.set_message(source.to_string());
            progress.tick();
        })
    })??;
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

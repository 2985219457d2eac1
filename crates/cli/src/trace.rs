//! `ifvm trace`: the gas trace of a vector's messages, with the research modes (timings,
//! instruction counts, another version's prices) when asked.

use std::path::Path;
use std::process::ExitCode;

use ifvm_research::observe::Modes;
use ifvm_research::trace_report::{self, Expected};
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{threads, BundleSet, PreparedVariant};

use crate::output::emit;

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

/// `ifvm trace`.
pub fn trace(
    file: &Path,
    variant: Option<&str>,
    bundles: &BundleSet,
    research: ResearchArgs,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let v = TestVector::load(file)?;
    let variant = match variant {
        Some(id) => v.preconditions.variants.iter().find(|x| x.id == id),
        None => v.preconditions.variants.first(),
    }
    .ok_or_else(|| anyhow::anyhow!("no such variant"))?;
    let prepared = PreparedVariant::new(bundles, &v, variant)?;
    let modes = Modes {
        timing: research.timings,
        instructions: research.instructions,
        price_nv: research.price_nv,
    };
    let engine = modes.engine(prepared.params.nv)?;
    let expected: Vec<Expected> = prepared
        .expected
        .iter()
        .map(|(exit_code, _, gas_used)| Expected {
            exit_code: *exit_code,
            gas_used: *gas_used,
        })
        .collect();
    let nv = prepared.params.nv;
    let observations = threads::with_stack(|| {
        if modes.timing {
            // Warm up: prepare and translate the code, so timings are of execution.
            modes.run_variant(&engine, &prepared)?;
        }
        modes.run_variant(&engine, &prepared)
    })?
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

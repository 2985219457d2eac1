//! `ifvm vectors run` and `ifvm vectors show`: conformance runs of vectors, every failure
//! explained, and decoding a vector.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fvm_ipld_encoding::from_slice;
use fvm_shared::message::Message;
use ifvm_interp::DiskCache;
use ifvm_research::trace_report;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{
    data, threads, BundleSet, Mismatch, Outcome, RunError, Runner, RunnerOptions, VariantReport,
    VectorReport,
};
use rayon::prelude::*;
use serde_json::json;

use crate::output::{default_run_paths, vector_bar};

/// When wasmi translates actor code.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CompilationArg {
    /// Each function on its first call (validation is eager).
    Lazy,
    /// Every function up front.
    Eager,
}

impl From<CompilationArg> for ifvm_interp::Compilation {
    fn from(c: CompilationArg) -> Self {
        match c {
            CompilationArg::Lazy => Self::Lazy,
            CompilationArg::Eager => Self::Eager,
        }
    }
}

/// A result row: one variant of one file.
struct Row {
    path: PathBuf,
    variant: String,
    outcome: Outcome,
}

/// What `vectors run` reports of one file: its rows and what it lacks of the schema.
struct FileResult {
    path: PathBuf,
    warnings: Vec<String>,
    rows: Vec<Row>,
}

impl FileResult {
    fn of(path: &Path, report: Result<VectorReport, RunError>) -> Self {
        let row = |variant: String, outcome: Outcome| Row {
            path: path.to_path_buf(),
            variant,
            outcome,
        };
        match report {
            Ok(report) => Self {
                path: path.to_path_buf(),
                warnings: report.warnings.iter().map(ToString::to_string).collect(),
                rows: report
                    .variants
                    .into_iter()
                    .map(|VariantReport { id, outcome }| row(id, outcome))
                    .collect(),
            },
            Err(e) => Self {
                path: path.to_path_buf(),
                warnings: Vec::new(),
                rows: vec![row(
                    String::new(),
                    Outcome::Failed(Box::new(Mismatch {
                        error: Some(e.to_string()),
                        ..Default::default()
                    })),
                )],
            },
        }
    }
}

/// `vectors run`: every variant of every vector under `paths` (default: the corpus and the
/// generated vectors), in parallel; a line per failure, skip or schema warning, then the
/// counts. The module cache, if any, is pruned to `cache_max_mib` MiB afterwards.
pub fn run(
    paths: Vec<PathBuf>,
    json: bool,
    jobs: Option<usize>,
    options: RunnerOptions,
    cache_max_mib: u64,
    bundles: BundleSet,
) -> anyhow::Result<ExitCode> {
    let module_cache = options.module_cache.clone();
    let runner = Runner::with_options(bundles, options);
    let files = data::collect_vectors(&default_run_paths(paths))?;
    let pool = threads::worker_pool(jobs)?;
    let bar = vector_bar(files.len());
    let results: Vec<FileResult> = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let result = FileResult::of(path, runner.run_file(path, true));
                bar.inc(1);
                result
            })
            .collect()
    });
    bar.finish_and_clear();
    if let Some(disk) = module_cache {
        report_module_cache(&disk, cache_max_mib);
    }
    let rows: Vec<&Row> = results.iter().flat_map(|r| &r.rows).collect();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for row in &rows {
        match &row.outcome {
            Outcome::Passed => passed += 1,
            Outcome::Skipped(_) => skipped += 1,
            Outcome::Failed(_) => failed += 1,
        }
    }
    let warned = results.iter().filter(|r| !r.warnings.is_empty()).count();
    if json {
        let out: Vec<_> = rows.iter().map(|r| row_json(r)).collect();
        let warnings: Vec<_> = results
            .iter()
            .filter(|r| !r.warnings.is_empty())
            .map(|r| json!({"path": r.path.display().to_string(), "warnings": r.warnings}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "passed": passed, "failed": failed, "skipped": skipped,
                "warned": warned, "warnings": warnings, "results": out,
            }))?
        );
    } else {
        for result in &results {
            for w in &result.warnings {
                println!("WARN {}: {w}", result.path.display());
            }
        }
        for row in &rows {
            match &row.outcome {
                Outcome::Passed => {}
                Outcome::Skipped(why) => {
                    println!("SKIP {} [{}]: {why}", row.path.display(), row.variant)
                }
                Outcome::Failed(m) => {
                    println!("FAIL {} [{}]", row.path.display(), row.variant);
                    print!("{}", explain(m));
                }
            }
        }
        if warned > 0 {
            println!("{warned} vectors lack what the schema requires (WARN lines above)");
        }
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The `--module-cache` directory, opened (created if missing).
pub fn open_module_cache(dir: Option<PathBuf>) -> anyhow::Result<Option<DiskCache>> {
    Ok(dir.map(DiskCache::open).transpose()?)
}

/// Prunes the module cache to `max_mib` MiB, then prints its problems (a warning each) and
/// counts on stderr.
fn report_module_cache(disk: &DiskCache, max_mib: u64) {
    let pruned = disk.prune(max_mib.saturating_mul(1 << 20));
    for problem in disk.take_problems() {
        eprintln!("warning: {:#}", anyhow::Error::new(problem));
    }
    let s = disk.stats();
    eprintln!(
        "module cache {}: {} loaded, {} prepared, {} written, {} problems",
        disk.dir().display(),
        s.hits,
        s.misses,
        s.written,
        s.problems
    );
    let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
    eprintln!(
        "module cache pruned to {max_mib} MiB: {} entries kept ({:.1} MiB), {} removed ({:.1} MiB), {} abandoned temporary files removed",
        pruned.kept,
        mib(pruned.kept_bytes),
        pruned.removed,
        mib(pruned.removed_bytes),
        pruned.abandoned_removed
    );
}

fn row_json(row: &Row) -> serde_json::Value {
    let (status, detail) = match &row.outcome {
        Outcome::Passed => ("passed", json!(null)),
        Outcome::Skipped(why) => ("skipped", json!(why)),
        Outcome::Failed(m) => (
            "failed",
            json!({
                "receipts": m.receipts.iter().map(|d| json!({
                    "message": d.message, "field": d.field, "expected": d.expected, "actual": d.actual,
                })).collect::<Vec<_>>(),
                "receipts_roots": m.receipts_roots.iter().map(|(t, e, a)| json!({
                    "tipset": t, "expected": e.to_string(), "actual": a.to_string(),
                })).collect::<Vec<_>>(),
                "state_root": m.state_root.map(|(e, a)| json!({"expected": e.to_string(), "actual": a.to_string()})),
                "actors": m.actors.iter().map(|a| json!({"actor": a.actor, "fields": a.fields})).collect::<Vec<_>>(),
                "error": m.error,
                "exec_trace": trace_report::trace_json(&m.exec_trace),
            }),
        ),
    };
    json!({"path": row.path.display().to_string(), "variant": row.variant, "status": status, "detail": detail})
}

/// A human-readable explanation of a mismatch.
fn explain(m: &Mismatch) -> String {
    let mut out = String::new();
    for d in &m.receipts {
        out += &format!(
            "  message {}: {} expected {} but was {}\n",
            d.message, d.field, d.expected, d.actual
        );
    }
    for (t, e, a) in &m.receipts_roots {
        out += &format!("  tipset {t}: receipts root expected {e} but was {a}\n");
    }
    if let Some((e, a)) = &m.state_root {
        out += &format!("  state root expected {e} but was {a}\n");
        for actor in &m.actors {
            out += &format!("    {}\n", actor.actor);
            for f in &actor.fields {
                out += &format!("      {f}\n");
            }
        }
    }
    if let Some(e) = &m.error {
        out += &format!("  error: {}\n", e.trim_end().replace('\n', "\n    "));
    }
    if !m.exec_trace.is_empty() {
        out += "  execution trace of the first differing message:\n";
        out += &trace_report::trace_text(&m.exec_trace, false, "    ");
    }
    out
}

/// `vectors show`: a vector decoded.
pub fn show(file: &Path) -> anyhow::Result<ExitCode> {
    let v = TestVector::load(file)?;
    println!(
        "vector {}",
        v.meta.as_ref().map(|m| m.id.as_str()).unwrap_or("(no id)")
    );
    let pre = &v.preconditions;
    for variant in &pre.variants {
        println!(
            "variant {}: epoch {}, nv{}",
            variant.id, variant.epoch, variant.nv
        );
    }
    println!(
        "state root {} -> {}",
        pre.state_tree.root_cid, v.postconditions.state_tree.root_cid
    );
    println!(
        "base fee {:?}, circulating supply {:?}",
        pre.basefee, pre.circ_supply
    );
    println!("recorded randomness: {}", v.randomness.len());
    for (i, (m, r)) in v
        .apply_messages
        .iter()
        .zip(&v.postconditions.receipts)
        .enumerate()
    {
        let msg: Message = from_slice(&m.bytes)?;
        println!(
            "message {i}: {} -> {} nonce {} method {} value {} gas limit {} fee cap {} premium {} params {} bytes",
            msg.from, msg.to, msg.sequence, msg.method_num, msg.value, msg.gas_limit, msg.gas_fee_cap,
            msg.gas_premium, msg.params.len()
        );
        println!(
            "  expect exit code {}, gas used {}, return {} bytes",
            r.exit_code,
            r.gas_used,
            r.return_data.len()
        );
    }
    for (t, ts) in v.apply_tipsets.iter().enumerate() {
        println!(
            "tipset {t}: epoch offset {}, base fee {}, {} blocks",
            ts.epoch_offset,
            ts.basefee,
            ts.blocks.len()
        );
        for (b, block) in ts.blocks.iter().enumerate() {
            println!(
                "  block {b}: miner {}, win count {}, {} messages",
                block.miner_addr,
                block.win_count,
                block.messages.len()
            );
        }
    }
    if !v.apply_tipsets.is_empty() {
        let failed = v
            .postconditions
            .receipts
            .iter()
            .filter(|r| r.exit_code != 0)
            .count();
        println!(
            "{} receipts (implicit messages included), {failed} not successful",
            v.postconditions.receipts.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

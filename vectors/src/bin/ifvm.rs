//! `ifvm`: run and inspect Filecoin test vectors on ifvm.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fvm_ipld_encoding::from_slice;
use fvm_shared::message::Message;
use ifvm_vectors::bundles::BundleSet;
use ifvm_vectors::calibrate;
use ifvm_vectors::runner::{Mismatch, Outcome, Runner, VariantReport};
use ifvm_vectors::schema::MessageVector;
use ifvm_vectors::trace_report;
use rayon::prelude::*;
use research::{Format, ResearchArgs};
use serde_json::json;

#[path = "ifvm/research.rs"]
mod research;

/// ifvm: a Filecoin VM on the wasmi interpreter, consensus-identical to ref-fvm.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Directory of builtin-actors bundles (`vN.tar.zst`). Default: $IFVM_ACTORS, else
    /// ../shared/actors.
    #[arg(long, global = true)]
    actors: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Test vectors.
    #[command(subcommand)]
    Vectors(VectorsCommand),
    /// Print the per-charge gas trace of a vector's messages.
    Trace {
        /// The vector file.
        file: PathBuf,
        /// The variant to run (default: the first).
        #[arg(long)]
        variant: Option<String>,
        #[command(flatten)]
        research: ResearchArgs,
        /// Machine-readable output (JSON) on stdout.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// One CSV row per charge on stdout (instruction profiles are in the text and JSON).
        #[arg(long, conflicts_with = "instructions")]
        csv: bool,
    },
    /// Gas-model research.
    #[command(subcommand)]
    Gas(GasCommand),
}

#[derive(Subcommand)]
enum GasCommand {
    /// Time every charge of vectors and calibration workloads, fit time against gas per charge
    /// type, and write a report (CSV, JSON, SVG plots) comparing it with the model's 10 gas/ns.
    Calibrate {
        /// Vector files or directories. Default: $IFVM_VECTORS, else
        /// ../shared/fvm-test-vectors/corpus (variants ifvm cannot run are skipped).
        paths: Vec<PathBuf>,
        /// The directory to write the report into.
        #[arg(long)]
        out: PathBuf,
        /// Timed runs of each source after its warm-up run; each charge keeps its fastest time.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
        repeats: u32,
        /// Flag charges whose time per gas is more than this many times off the model, either
        /// way.
        #[arg(long, default_value_t = 4.0)]
        threshold: f64,
        /// Skip the calibration workloads (vectors only).
        #[arg(long)]
        no_workloads: bool,
    },
}

#[derive(Subcommand)]
enum VectorsCommand {
    /// Run vectors (files or directories) and compare with their expected results.
    Run {
        /// Vector files or directories. Default: $IFVM_VECTORS, else
        /// ../shared/fvm-test-vectors/corpus, plus vectors/generated when run from the
        /// repository's root.
        paths: Vec<PathBuf>,
        /// Machine-readable results on stdout.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// When wasmi translates actor code to its bytecode.
        #[arg(long, value_enum, default_value = "lazy")]
        compilation: CompilationArg,
        /// Instead of checking results, run every vector under network version N's price list
        /// and report what that does to gas (not consensus).
        #[arg(long, value_name = "N", conflicts_with = "json")]
        price_nv: Option<u32>,
    },
    /// Decode a vector: messages, variants, expected receipts.
    Show {
        /// The vector file.
        file: PathBuf,
    },
}

/// When wasmi translates actor code.
#[derive(Clone, Copy, clap::ValueEnum)]
enum CompilationArg {
    /// Each function on its first call (validation is eager).
    Lazy,
    /// Every function up front.
    Eager,
}

fn env_or(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let actors = cli
        .actors
        .unwrap_or_else(|| env_or("IFVM_ACTORS", "../shared/actors"));
    let result = match cli.command {
        Command::Vectors(VectorsCommand::Run {
            paths,
            price_nv: Some(nv),
            jobs,
            ..
        }) => research::reprice_corpus(default_paths(paths), nv, jobs, BundleSet::new(actors)),
        Command::Vectors(VectorsCommand::Run {
            paths,
            json,
            jobs,
            compilation,
            price_nv: None,
        }) => {
            let compilation = match compilation {
                CompilationArg::Lazy => ifvm_interp::Compilation::Lazy,
                CompilationArg::Eager => ifvm_interp::Compilation::Eager,
            };
            let runner = Runner::with_compilation(BundleSet::new(actors), compilation);
            run(paths, json, jobs, runner)
        }
        Command::Vectors(VectorsCommand::Show { file }) => show(&file),
        Command::Trace {
            file,
            variant,
            research,
            json,
            csv,
        } => research::trace(
            &file,
            variant.as_deref(),
            actors,
            research,
            Format::of(json, csv),
        ),
        Command::Gas(GasCommand::Calibrate {
            paths,
            out,
            repeats,
            threshold,
            no_workloads,
        }) => research::calibrate(
            calibrate::Options {
                vectors: default_paths(paths),
                workloads: !no_workloads,
                repeats: repeats as usize,
            },
            &out,
            threshold,
            actors,
        ),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `paths`, or the default corpus: $IFVM_VECTORS, else ../shared/fvm-test-vectors/corpus.
fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![env_or("IFVM_VECTORS", "../shared/fvm-test-vectors/corpus")]
    } else {
        paths
    }
}

/// `paths`, or the default corpus and, when run from the repository's root, the project's
/// generated nv21+ vectors (`vectors/generated`).
fn default_run_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let generated = PathBuf::from("vectors/generated");
    let add_generated = paths.is_empty() && generated.is_dir();
    let mut paths = default_paths(paths);
    if add_generated {
        paths.push(generated);
    }
    paths
}

/// A result row: one variant of one file.
struct Row {
    path: PathBuf,
    variant: String,
    outcome: Outcome,
}

/// `jobs` worker threads (default: all cores), each with room for deep call stacks, which
/// recurse through the host.
fn worker_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .stack_size(256 << 20)
        .build()
}

fn run(
    paths: Vec<PathBuf>,
    json: bool,
    jobs: Option<usize>,
    runner: Runner,
) -> anyhow::Result<ExitCode> {
    let paths = default_run_paths(paths);
    let files = ifvm_vectors::collect_vectors(&paths)?;
    let pool = worker_pool(jobs)?;
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} vectors {elapsed}")
            .expect("valid template"),
    );
    let rows: Vec<Row> = pool.install(|| {
        files
            .par_iter()
            .flat_map_iter(|path| {
                let rows: Vec<Row> = match runner.run_file(path, true) {
                    Ok(reports) => reports
                        .into_iter()
                        .map(|VariantReport { id, outcome }| Row {
                            path: path.clone(),
                            variant: id,
                            outcome,
                        })
                        .collect(),
                    Err(e) => vec![Row {
                        path: path.clone(),
                        variant: String::new(),
                        outcome: Outcome::Failed(Box::new(Mismatch {
                            error: Some(e.to_string()),
                            ..Default::default()
                        })),
                    }],
                };
                bar.inc(1);
                rows
            })
            .collect()
    });
    bar.finish_and_clear();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for row in &rows {
        match &row.outcome {
            Outcome::Passed => passed += 1,
            Outcome::Skipped(_) => skipped += 1,
            Outcome::Failed(_) => failed += 1,
        }
    }
    if json {
        let out: Vec<_> = rows.iter().map(row_json).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "passed": passed, "failed": failed, "skipped": skipped, "results": out,
            }))?
        );
    } else {
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
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
                "state_root": m.state_root.map(|(e, a)| json!({"expected": e.to_string(), "actual": a.to_string()})),
                "actors": m.actors.iter().map(|a| json!({"actor": a.actor, "fields": a.fields})).collect::<Vec<_>>(),
                "error": m.error,
                "gas_trace": m.gas_trace.iter().map(|c| trace_report::charge_json(c, None)).collect::<Vec<_>>(),
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
    if !m.gas_trace.is_empty() {
        out += "  gas trace of the first differing message:\n";
        out += &trace_report::charges_text(&m.gas_trace, &[], "    ");
    }
    out
}

fn show(file: &Path) -> anyhow::Result<ExitCode> {
    let v = MessageVector::load(file)?;
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
    Ok(ExitCode::SUCCESS)
}

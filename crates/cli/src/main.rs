//! `ifvm`: run and inspect Filecoin test vectors on ifvm, and the gas-model research tools.
//!
//! One file per command group: [`vectors`] (`vectors run`, `vectors show`), [`trace`]
//! (`trace`), [`gas`] (`gas calibrate`, `gas reprice`); [`output`] holds what they share.

mod gas;
mod output;
mod trace;
mod vectors;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ifvm_vectors::BundleSet;

/// ifvm: a Filecoin VM on the wasmi interpreter, consensus-identical to ref-fvm.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Directory of builtin-actors bundles (`vN.tar.zst`). Default: $IFVM_ACTORS, else
    /// ../shared/actors beside the repository.
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
        research: trace::ResearchArgs,
        /// Machine-readable output (JSON) on stdout.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// One CSV row per charge on stdout (instruction profiles are in the text and JSON).
        #[arg(long, conflicts_with = "instructions")]
        csv: bool,
    },
    /// Gas-model research (not conformance runs).
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
    /// Run every vector under network version N's price list and report what that does to
    /// gas (not consensus: the chain's results are only compared, never checked).
    Reprice {
        /// Vector files or directories. Default: $IFVM_VECTORS, else
        /// ../shared/fvm-test-vectors/corpus.
        paths: Vec<PathBuf>,
        /// The network version whose price list to charge with.
        #[arg(long, value_name = "N")]
        nv: u32,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
}

#[derive(Subcommand)]
enum VectorsCommand {
    /// Run vectors (files or directories) and compare with their expected results.
    Run {
        /// Vector files or directories. Default: $IFVM_VECTORS, else
        /// ../shared/fvm-test-vectors/corpus, and the repository's vectors/generated.
        paths: Vec<PathBuf>,
        /// Machine-readable results on stdout.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// When wasmi translates actor code to its bytecode.
        #[arg(long, value_enum, default_value = "lazy")]
        compilation: vectors::CompilationArg,
        /// Fail on randomness a vector does not record, instead of returning ref-fvm's runner's
        /// fallback (a vector that passes records every randomness its messages draw).
        #[arg(long)]
        strict_randomness: bool,
        /// Run with the network version's default circulating supply instead of the vector's,
        /// as a driver that ignores the field does (not a conformance run).
        #[arg(long)]
        ignore_circ_supply: bool,
        /// Keep prepared actor code in this directory, so later runs skip preparing it (entries
        /// are verified on load; a damaged one is reported and rebuilt).
        #[arg(long, value_name = "DIR")]
        module_cache: Option<PathBuf>,
        /// After the run, prune the module cache to this many MiB (on by default): entries no
        /// build of this cache format can load first, then the least recently written or
        /// loaded.
        #[arg(
            long,
            value_name = "MIB",
            default_value_t = 1024,
            requires = "module_cache"
        )]
        module_cache_max_mib: u64,
    },
    /// Decode a vector: messages, variants, expected receipts.
    Show {
        /// The vector file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let bundles = BundleSet::new(cli.actors.unwrap_or_else(ifvm_vectors::data::actors_dir));
    let result = match cli.command {
        Command::Vectors(VectorsCommand::Run {
            paths,
            json,
            jobs,
            compilation,
            strict_randomness,
            ignore_circ_supply,
            module_cache,
            module_cache_max_mib,
        }) => vectors::open_module_cache(module_cache).and_then(|module_cache| {
            let options = ifvm_vectors::RunnerOptions {
                compilation: compilation.into(),
                strict_randomness,
                ignore_circ_supply,
                module_cache,
            };
            vectors::run(paths, json, jobs, options, module_cache_max_mib, bundles)
        }),
        Command::Vectors(VectorsCommand::Show { file }) => vectors::show(&file),
        Command::Trace {
            file,
            variant,
            research,
            json,
            csv,
        } => trace::trace(
            &file,
            variant.as_deref(),
            &bundles,
            research,
            trace::Format::of(json, csv),
        ),
        Command::Gas(GasCommand::Calibrate {
            paths,
            out,
            repeats,
            threshold,
            no_workloads,
        }) => gas::calibrate(
            ifvm_research::calibrate::Options {
                vectors: output::default_paths(paths),
                workloads: !no_workloads,
                repeats: repeats as usize,
            },
            &out,
            threshold,
            bundles,
        ),
        Command::Gas(GasCommand::Reprice { paths, nv, jobs }) => {
            gas::reprice(output::default_paths(paths), nv, jobs, bundles)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

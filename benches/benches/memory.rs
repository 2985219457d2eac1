//! Memory: peak resident set size of a whole-corpus run (sequential, every vector the engine
//! supports) on each engine. The bench re-runs itself as a child process per engine and reads
//! the child's peak RSS from `wait4`; results go to `target/criterion/memory/results.json`
//! for `benches/bench-report`. Run alone with `cargo bench --bench memory`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ifvm_benches::corpus::bundles;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::PreparedVariant;
use ifvm_vectors::{Outcome, Runner};

/// Set in the child to the engine it runs.
const CHILD_ENV: &str = "IFVM_BENCH_MEMORY_ENGINE";
const ENGINES: [&str; 2] = ["ifvm", "ref-fvm"];

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

fn corpus() -> Vec<PathBuf> {
    ifvm_vectors::data::collect_vectors(&[ifvm_vectors::data::vectors_dir()])
        .expect("readable corpus")
}

fn run_ifvm() -> Counts {
    let runner = Runner::new(bundles());
    let mut n = Counts::default();
    for path in corpus() {
        for report in runner
            .run_file(&path, false)
            .expect("readable vector")
            .variants
        {
            match report.outcome {
                Outcome::Passed => n.passed += 1,
                Outcome::Failed(_) => n.failed += 1,
                Outcome::Skipped(_) => n.skipped += 1,
            }
        }
    }
    n
}

fn run_ref_fvm() -> Counts {
    let bundles = bundles();
    let mut n = Counts::default();
    for path in corpus() {
        let vector = TestVector::load(&path).expect("readable vector");
        for variant in &vector.preconditions.variants {
            // Variants of versions without a reference (ifvm's runner skips them too).
            if ifvm_reference::abi_of(variant.nv).is_err() {
                n.skipped += 1;
                continue;
            }
            let ok = PreparedVariant::new(&bundles, &vector, variant)
                .map_err(anyhow::Error::from)
                .and_then(|v| ifvm_reference::variant_matches(&v));
            match ok {
                Ok(true) => n.passed += 1,
                Ok(false) => {
                    eprintln!(
                        "ref-fvm: {}: results differ from the vector's",
                        path.display()
                    );
                    n.failed += 1;
                }
                Err(e) => {
                    eprintln!("ref-fvm: {}: {e:#}", path.display());
                    n.failed += 1;
                }
            }
        }
    }
    n
}

/// Runs `engine`'s corpus run in this process and prints its counts.
fn child(engine: &str) {
    let engine = engine.to_string();
    let n = ifvm_vectors::threads::with_stack(|| match engine.as_str() {
        "ifvm" => run_ifvm(),
        _ => run_ref_fvm(),
    });
    println!(
        "{} passed, {} failed, {} skipped",
        n.passed, n.failed, n.skipped
    );
}

/// Runs the corpus on `engine` in a child process; returns its summary line and peak RSS in KiB.
// The child is reaped by `wait4` (which also gives its resource usage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(engine: &str) -> (String, i64) {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD_ENV, engine)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the corpus run");
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .expect("child output");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 reaps our own child, which `child` never
    // waits for again.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{engine} corpus run failed"
    );
    (out.trim().to_string(), usage.ru_maxrss)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // target/<profile>/deps/<bench>
            let exe = std::env::current_exe().expect("own path");
            exe.ancestors()
                .nth(3)
                .map(Path::to_path_buf)
                .expect("inside target/")
        })
}

/// Criterion options that take a value (so that value is not a filter).
const VALUE_OPTIONS: &[&str] = &[
    "--warm-up-time",
    "--measurement-time",
    "--sample-size",
    "--save-baseline",
    "--baseline",
    "--load-baseline",
    "--output-format",
    "--color",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--nresamples",
    "--profile-time",
    "--plotting-backend",
];

/// The benchmark filters among criterion's command-line arguments.
fn positional_args(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_value = false;
    for a in args {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if a.starts_with('-') {
            skip_value = VALUE_OPTIONS.contains(&a.as_str());
        } else {
            out.push(a);
        }
    }
    out
}

fn main() {
    if let Ok(engine) = std::env::var(CHILD_ENV) {
        return child(&engine);
    }
    // `cargo bench -- FILTER` passes the filter to every bench: run only if it names memory.
    let filters = positional_args(std::env::args().skip(1));
    let selected = |f: &String| {
        ENGINES
            .iter()
            .any(|e| format!("memory/{e}").contains(f.as_str()))
    };
    if !filters.is_empty() && !filters.iter().any(selected) {
        return;
    }
    if ifvm_vectors::data::vectors().is_none() || ifvm_vectors::data::actors().is_none() {
        return;
    }
    let results: Vec<_> = ENGINES
        .iter()
        .map(|engine| {
            let (summary, max_rss_kib) = measure(engine);
            println!(
                "memory/{engine}: peak RSS {} MiB ({summary})",
                max_rss_kib / 1024
            );
            serde_json::json!({ "engine": engine, "max_rss_kib": max_rss_kib, "summary": summary })
        })
        .collect();
    let dir = target_dir().join("criterion/memory");
    std::fs::create_dir_all(&dir).expect("create the results dir");
    let json = serde_json::json!({
        "corpus": ifvm_vectors::data::vectors_dir(),
        "results": results,
    });
    std::fs::write(dir.join("results.json"), format!("{json:#}")).expect("write results");
}

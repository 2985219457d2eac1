//! The long run of the syscall-boundary fuzzer ([`ifvm_reference::syscall_fuzz`]): seeded fuzz
//! actors and their messages on ifvm and on ref-fvm, every receipt, event, state root and
//! trace compared; prints the seed of any mismatch or panic, then per-syscall coverage.
//!
//!     cargo run --release -p ifvm-reference --bin syscall-fuzz [-- CASES [FIRST_SEED [NV,NV,...]]]
//!
//! Defaults: 1000 cases from seed 1, alternating nv18 (ref-fvm 3.14) and nv21 (ref-fvm 4.8);
//! each case is four messages. Case `k` uses seed `FIRST_SEED + k`. Bundles come from
//! `IFVM_ACTORS`. Exits non-zero on any mismatch, error or panic.
//!
//! At most [`MAX_CASES`] cases run in one process: ref-fvm's engines keep every module they
//! compiled, and after about 30,000 fuzz actors Wasmtime can no longer map code, so ref-fvm
//! fails every instantiation. Longer runs are a loop over processes, e.g.
//! `for s in $(seq 1 10000 90001); do syscall-fuzz 10000 $s || break; done`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;

use anyhow::Context as _;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::Abi;
use ifvm_reference::differential::{network_versions, numeric_arg};
use ifvm_reference::outcome::Outcome;
use ifvm_reference::syscall_fuzz::{fuzz_case, fuzzed_syscalls, run_case, Coverage};
use ifvm_vectors::{data, threads, BundleSet};

fn main() -> anyhow::Result<ExitCode> {
    threads::with_stack(run)
}

/// Cases one process may run (see the module's doc).
const MAX_CASES: u64 = 20_000;

fn run() -> anyhow::Result<ExitCode> {
    let cases = numeric_arg(1, 1000)?;
    anyhow::ensure!(
        cases <= MAX_CASES,
        "at most {MAX_CASES} cases per process (ref-fvm's engines keep every module they \
         compile); run longer campaigns as a loop over processes"
    );
    let first_seed = numeric_arg(2, 1)?;
    let nvs = network_versions(Some(std::env::args().nth(3).as_deref().unwrap_or("18,21")))?;
    let bundles = BundleSet::new(data::actors_dir());
    let networks = nvs
        .iter()
        .map(|&nv| {
            let abi = Abi::for_network(NetworkVersion::from(nv))
                .with_context(|| format!("nv{nv} is not supported"))?;
            let (bundle, root) = bundles.with_root(nv)?;
            Ok((
                nv,
                fuzzed_syscalls(abi)?,
                bundle,
                root,
                ifvm_vectors::engine(nv)?,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut coverage = Coverage::default();
    let mut failures = 0;
    for k in 0..cases {
        let seed = first_seed + k;
        let (nv, syscalls, bundle, root, engine) = &networks[(k % networks.len() as u64) as usize];
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let case = fuzz_case(bundle, root, *nv, syscalls, seed)?;
            let outcome = run_case(&case, engine);
            coverage.add(&case, &outcome);
            anyhow::Ok(outcome)
        }));
        let failure = match outcome {
            Ok(Ok(Outcome::Same(_) | Outcome::BothFailed { .. })) => continue,
            Ok(Ok(Outcome::Mismatch(mismatch))) => format!("MISMATCH {mismatch}"),
            Ok(Err(e)) => format!("ERROR {e:#}"),
            Err(_) => "PANIC (see above)".to_string(),
        };
        println!("seed {seed} nv{nv}: {failure}");
        failures += 1;
    }
    println!(
        "{cases} cases ({} messages, seeds {first_seed}..{}), nv{nvs:?}: {failures} failures; \
         {} main sequences reported, {} cases failed on both engines",
        coverage.messages,
        first_seed + cases,
        coverage.reports,
        coverage.both_failed,
    );
    println!("exit codes (code: messages): {:?}", coverage.exit_codes);
    for (syscall, (returned, ok)) in &coverage.per_syscall {
        println!("  {syscall:40} {returned:6} returned {ok:6} succeeded");
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! The syscall-boundary fuzzer ([`ifvm_reference::syscall_fuzz`]), bounded: seeded fuzz actors
//! calling every syscall of the v3 and v4 ABIs with edge and random arguments, on ifvm and on
//! ref-fvm, everything compared. `IFVM_SYSCALL_FUZZ_CASES` sets the cases per ABI (default 40);
//! the `syscall-fuzz` binary is the long run.

use ifvm_kernel::{syscall_imports, Abi};
use ifvm_reference::outcome::Outcome;
use ifvm_reference::syscall_fuzz::{fuzz_case, fuzzed_syscalls, run_case, Coverage, EXCLUDED};
use ifvm_vectors::threads;

use crate::harness::net;

fn cases() -> u64 {
    std::env::var("IFVM_SYSCALL_FUZZ_CASES")
        .map(|v| v.parse().expect("IFVM_SYSCALL_FUZZ_CASES: a number"))
        .unwrap_or(40)
}

/// The fuzzer knows every syscall each ABI links (a new or changed one fails here until the
/// fuzzer's role table follows it), leaving out only the excluded ones.
#[test]
fn every_linked_syscall_is_fuzzed() {
    for abi in [Abi::V3, Abi::V4] {
        let fuzzed = fuzzed_syscalls(abi).unwrap_or_else(|e| panic!("{abi:?}: {e}"));
        let linked = syscall_imports(abi);
        let excluded = linked
            .iter()
            .filter(|i| {
                EXCLUDED
                    .iter()
                    .any(|&(m, n, _)| (m, n) == (i.module, i.name))
            })
            .count();
        assert_eq!(fuzzed.len() + excluded, linked.len(), "{abi:?}");
        assert!(fuzzed.len() > 30, "{abi:?}: {} syscalls", fuzzed.len());
    }
}

#[test]
fn fuzzed_syscalls_match_ref_fvm() {
    for abi in [Abi::V3, Abi::V4] {
        let net = net(abi);
        let Some((bundle, root)) = net.bundle() else {
            return;
        };
        let syscalls = fuzzed_syscalls(abi).expect("roles for every syscall");
        let mut coverage = Coverage::default();
        let cases = cases();
        for seed in 1..=cases {
            let case = fuzz_case(&bundle, &root, net.nv, &syscalls, seed).expect("fuzz case");
            let outcome = threads::with_stack(|| run_case(&case, net.engine()));
            if let Outcome::Mismatch(m) = &outcome {
                panic!("syscall fuzz {abi:?} seed {seed}: {m}");
            }
            coverage.add(&case, &outcome);
        }
        eprintln!("{abi:?}: {coverage:?}");
        assert!(
            coverage.both_failed as u64 <= cases / 4,
            "{abi:?}: {} of {cases} cases failed on both engines",
            coverage.both_failed
        );
        // The fuzz actors must get past linking and through their sequences: most main
        // sequences report, and the syscalls they call return statuses, some of them success.
        assert!(
            coverage.reports as u64 >= cases / 2,
            "{abi:?}: {} of {cases} cases' main sequences reported",
            coverage.reports
        );
        let succeeded = coverage.per_syscall.values().filter(|c| c.1 > 0).count();
        assert!(
            succeeded >= coverage.per_syscall.len() / 3,
            "{abi:?}: only {succeeded} syscalls ever succeeded: {:?}",
            coverage.per_syscall
        );
    }
}

//! No JIT, checked at run time: the conformance corpus runs in a process that cannot map
//! executable memory once started.
//!
//! The test re-executes its own binary. The child sets `no_new_privs`, installs on every thread a
//! seccomp filter under which `mmap`, `mprotect` and `pkey_mprotect` with `PROT_EXEC` fail with
//! `EPERM`, and turns on memory-deny-write-execute where the kernel has it; it checks that
//! executable mappings are now refused (on the test thread and on a worker thread), then runs
//! every vector under `IFVM_VECTORS` with the bundles of `IFVM_ACTORS` and requires zero
//! failures.
//!
//! It says `SKIPPED` off Linux, on architectures whose seccomp constants it does not know (it
//! knows x86-64, aarch64 and riscv64), and where the kernel or an emulator refuses seccomp
//! filters (qemu user-mode does: it is itself a JIT). With `IFVM_REQUIRE_NO_EXEC=1`, as CI sets
//! it, these skips are failures.

#[cfg(target_os = "linux")]
mod sandbox;

use crate::common;

/// Set in the child's environment.
const CHILD: &str = "IFVM_NO_EXEC_CHILD";
/// The test's path in this binary, for the child's test filter.
const TEST: &str = "no_exec_memory::corpus_runs_without_executable_memory";

/// A skip, or a failure when `IFVM_REQUIRE_NO_EXEC=1`.
fn skip(why: &str) {
    assert!(
        std::env::var_os("IFVM_REQUIRE_NO_EXEC").is_none_or(|v| v != "1"),
        "IFVM_REQUIRE_NO_EXEC=1 but {why}"
    );
    eprintln!("SKIPPED: {why}");
}

#[test]
fn corpus_runs_without_executable_memory() {
    if std::env::var_os(CHILD).is_some() {
        child();
    } else {
        parent();
    }
}

fn parent() {
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new(exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the child starts");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    eprint!("{stderr}");
    assert!(
        out.status.success(),
        "the restricted child failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
}

#[cfg(not(target_os = "linux"))]
fn child() {
    skip("executable mappings can only be denied on Linux (seccomp)");
}

#[cfg(target_os = "linux")]
fn child() {
    use sandbox::{try_mmap, try_mprotect_exec, Attempt, SandboxError};

    let (Some(dir), Some(runner)) = (ifvm_vectors::data::vectors(), common::runner()) else {
        return;
    };
    let restrictions = match sandbox::deny_exec_mappings() {
        Ok(r) => r,
        Err(e @ (SandboxError::UnknownArchitecture | SandboxError::Unsupported(..))) => {
            return skip(&e.to_string());
        }
        Err(e) => panic!("cannot restrict the process: {e}"),
    };
    let probe = || {
        let eperm = Attempt::Refused(libc::EPERM);
        assert_eq!(try_mmap(libc::PROT_READ | libc::PROT_EXEC), eperm);
        assert_eq!(
            try_mmap(libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC),
            eperm
        );
        assert_eq!(try_mprotect_exec().expect("a writable page"), eperm);
        assert_eq!(
            try_mmap(libc::PROT_READ | libc::PROT_WRITE),
            Attempt::Granted,
            "plain memory must stay available"
        );
    };
    probe();
    let pool = common::pool();
    pool.install(probe);
    eprintln!(
        "executable mappings refused (seccomp{}); running the corpus",
        if restrictions.mdwe { ", MDWE" } else { "" }
    );

    let tally = common::run_corpus(&dir, &runner, &pool);
    eprintln!("no-exec corpus {}: {}", dir.display(), tally.summary());
    assert!(
        tally.failures.is_empty(),
        "{} variants failed without executable memory:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.passed > 0, "no vector ran");
}

//! The project's own vectors for nv21–nv28 (`vectors/generated/`, written by
//! `cargo run --release -p ifvm-reference --bin regenerate-vectors` with ref-fvm 4.8's results):
//! every one must pass on ifvm, none may be skipped, and there must be at least 500.

use ifvm_vectors::data;

use crate::common::{pool, run_corpus, runner};

#[test]
fn generated_vectors_pass() {
    let Some(runner) = runner() else {
        return;
    };
    let dir = data::generated_dir();
    let tally = run_corpus(&dir, &runner, &pool());
    eprintln!("generated vectors {}: {}", dir.display(), tally.summary());
    assert!(
        tally.failures.is_empty(),
        "{} variants failed:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.skipped.is_empty(), "{}", tally.summary());
    assert!(tally.passed >= 500, "{}", tally.summary());
}

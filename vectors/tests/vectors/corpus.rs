//! The conformance corpus: every vector under `IFVM_VECTORS` (default
//! `../shared/fvm-test-vectors/corpus`) must pass or be skipped for a stated reason, with
//! builtin-actors bundles from `IFVM_ACTORS` (default `../shared/actors`).

use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{data, Outcome, Runner};

use crate::common::{pool, run_corpus, runner};

#[test]
fn corpus_passes() {
    let (Some(dir), Some(runner)) = (data::vectors(), runner()) else {
        return;
    };
    let tally = run_corpus(&dir, &runner, &pool());
    eprintln!("corpus {}: {}", dir.display(), tally.summary());
    assert!(
        tally.failures.is_empty(),
        "{} variants failed:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.passed > 0, "no vector ran");
    assert!(
        tally.warnings.is_empty(),
        "the corpus is schema-complete:\n{}",
        tally.warnings.join("\n")
    );
}

fn hygge_vector(method_dir: &str) -> Option<TestVector> {
    let dir = data::hygge_dir().join(method_dir);
    let file = data::collect_vectors(std::slice::from_ref(&dir))
        .ok()?
        .into_iter()
        .next();
    if file.is_none() {
        eprintln!("SKIPPED: no vector under {}", dir.display());
    }
    TestVector::load(&file?).ok()
}

fn run_alone(runner: Runner, v: TestVector) -> Outcome {
    pool().install(move || runner.run(&v, true).expect("runs").remove(0).outcome)
}

#[test]
fn a_wrong_expectation_is_reported_with_its_field_and_trace() {
    let (Some(runner), Some(mut v)) = (runner(), hygge_vector("fil_10_storagemarket/AddBalance"))
    else {
        return;
    };
    v.postconditions.receipts[0].gas_used += 1;
    match run_alone(runner, v) {
        Outcome::Failed(m) => {
            assert_eq!(m.receipts.len(), 1, "{m:?}");
            assert_eq!(m.receipts[0].field, "gas_used");
            assert!(
                m.exec_trace
                    .iter()
                    .any(|e| matches!(e, ifvm_kernel::ExecutionEvent::Call { .. })),
                "a failing message comes with its execution trace"
            );
            assert!(m.state_root.is_none());
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_wrong_state_root_names_the_differing_actors() {
    let (Some(runner), Some(mut v)) = (runner(), hygge_vector("fil_10_storagemarket/AddBalance"))
    else {
        return;
    };
    v.postconditions.state_tree.root_cid = v.preconditions.state_tree.root_cid;
    match run_alone(runner, v) {
        Outcome::Failed(m) => {
            assert!(m.receipts.is_empty());
            assert!(m.state_root.is_some());
            assert!(
                m.actors.iter().any(|a| a.actor.starts_with("sender")),
                "{:?}",
                m.actors
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_successful_dispute_is_skipped_as_proof_dependent() {
    let (Some(runner), Some(mut v)) = (
        runner(),
        hygge_vector("fil_10_storageminer/DisputeWindowedPoSt"),
    ) else {
        return;
    };
    v.postconditions.receipts[0].exit_code = 0;
    match run_alone(runner, v) {
        Outcome::Skipped(why) => assert!(why.contains("proof"), "{why}"),
        other => panic!("expected a skip, got {other:?}"),
    }
}

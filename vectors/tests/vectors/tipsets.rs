//! The project's `tipset`-class vectors (`vectors/generated/nvNN/tipsets/`, windows of the
//! simulated chain written by `regenerate-vectors` with ref-fvm 4.8's results): at least 50
//! per version from nv21 on, and a malformed tipset vector refused with an error that says
//! what is wrong, before anything is applied, or failed with the difference it makes.

use ifvm_vectors::schema::{ShapeProblem, TestVector, VectorError};
use ifvm_vectors::{data, threads, BundleSet, Outcome, RunError, Runner};

/// The network versions the simulated chain covers.
const SIMULATED: std::ops::RangeInclusive<u32> = 21..=28;

fn tipset_vectors(nv: u32) -> Vec<std::path::PathBuf> {
    let dir = data::generated_dir().join(format!("nv{nv}/tipsets"));
    data::collect_vectors(&[dir]).expect("readable vectors")
}

#[test]
fn every_simulated_version_has_fifty_tipset_vectors() {
    for nv in SIMULATED {
        let files = tipset_vectors(nv);
        assert!(files.len() >= 50, "nv{nv}: {} tipset vectors", files.len());
        for path in files {
            let v = TestVector::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(v.class, "tipset", "{}", path.display());
            v.check_shape()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// The first nv21 tipset vector with at least two tipsets and a message.
fn sample() -> TestVector {
    tipset_vectors(21)
        .iter()
        .map(|p| TestVector::load(p).unwrap_or_else(|e| panic!("{e}")))
        .find(|v| {
            v.apply_tipsets.len() >= 2
                && v.apply_tipsets[0]
                    .blocks
                    .iter()
                    .any(|b| !b.messages.is_empty())
        })
        .expect("a tipset vector with messages")
}

fn shape_problem(runner: &Runner, v: &TestVector) -> ShapeProblem {
    match runner.run(v, false) {
        Err(RunError::Vector(VectorError::Malformed { problem, .. })) => problem,
        other => panic!("not refused as malformed: {other:?}"),
    }
}

fn failure(runner: &Runner, v: &TestVector) -> ifvm_vectors::Mismatch {
    let reports = threads::with_stack(|| runner.run(v, false)).expect("runs");
    match &reports[0].outcome {
        Outcome::Failed(m) => (**m).clone(),
        other => panic!("does not fail: {other:?}"),
    }
}

#[test]
fn a_malformed_tipset_vector_gets_a_clear_error() {
    let Some(actors) = data::actors() else {
        return;
    };
    let runner = Runner::new(BundleSet::new(actors));
    let good = sample();
    let reports = threads::with_stack(|| runner.run(&good, false)).expect("runs");
    assert!(matches!(reports[0].outcome, Outcome::Passed), "{reports:?}");

    let mut v = good.clone();
    v.postconditions.receipts_roots.pop();
    assert!(matches!(
        shape_problem(&runner, &v),
        ShapeProblem::ReceiptsRoots { .. }
    ));

    let mut v = good.clone();
    v.apply_tipsets[1].epoch_offset = v.apply_tipsets[0].epoch_offset;
    assert!(matches!(
        shape_problem(&runner, &v),
        ShapeProblem::EpochOrder { index: 1, .. }
    ));

    let mut v = good.clone();
    v.apply_tipsets.clear();
    v.postconditions.receipts_roots.clear();
    assert_eq!(
        shape_problem(&runner, &v),
        ShapeProblem::NothingToApply("apply_tipsets")
    );

    let mut v = good.clone();
    v.class = "message".into();
    assert_eq!(
        shape_problem(&runner, &v),
        ShapeProblem::ForeignField("apply_tipsets")
    );

    let mut v = good.clone();
    v.class = "blocks".into();
    assert_eq!(shape_problem(&runner, &v), ShapeProblem::UnsupportedClass);

    let mut v = good.clone();
    v.apply_tipsets[0].blocks[0].miner_addr = "x0100".into();
    let m = failure(&runner, &v);
    assert!(
        m.error
            .as_deref()
            .is_some_and(|e| e.contains("invalid miner address")),
        "{m:?}"
    );

    let mut v = good.clone();
    let block = v.apply_tipsets[0]
        .blocks
        .iter_mut()
        .find(|b| !b.messages.is_empty())
        .expect("a block with messages");
    block.messages[0].truncate(3);
    let m = failure(&runner, &v);
    assert!(
        m.error.as_deref().is_some_and(|e| e.contains("message 0")),
        "{m:?}"
    );

    // One receipt fewer: the run reports the count, at the first receipt the vector lacks.
    let mut v = good.clone();
    let applied = v.postconditions.receipts.len();
    v.postconditions.receipts.pop();
    let m = failure(&runner, &v);
    assert!(
        m.receipts
            .iter()
            .any(|d| d.field == "count" && d.message == applied - 1),
        "{m:?}"
    );

    // Another receipts root: that tipset's root is reported, nothing else.
    let mut v = good.clone();
    v.postconditions.receipts_roots[1] = v.postconditions.state_tree.root_cid;
    let m = failure(&runner, &v);
    assert_eq!(m.receipts_roots.len(), 1, "{m:?}");
    assert_eq!(m.receipts_roots[0].0, 1);
    assert!(m.receipts.is_empty() && m.state_root.is_none(), "{m:?}");
}

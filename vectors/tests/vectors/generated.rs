//! The project's own vectors for nv21–nv28 (`vectors/generated/`, written by
//! `cargo run --release -p ifvm-reference --bin regenerate-vectors` with ref-fvm 4.8's results):
//! there are at least 500; each is complete on its own, as a standard driver needs it; and each
//! passes on ifvm, none skipped, with every randomness its messages draw taken from the vector.

use fvm_ipld_blockstore::Blockstore;
use ifvm_vectors::schema::MessageVector;
use ifvm_vectors::{data, threads, BundleSet, CollectingStore, Outcome, Runner, RunnerOptions};

use crate::common::{pool, run_corpus};

/// Every committed vector is schema-complete without running it: what generated it
/// (`_meta.gen`), the base fee and circulating supply it runs with, and a CAR that lists the
/// pre- and post-state roots and holds both states' root blocks.
#[test]
fn generated_vectors_are_schema_complete() {
    let files = data::collect_vectors(&[data::generated_dir()]).expect("readable vectors");
    assert!(files.len() >= 500, "{} generated vectors", files.len());
    for path in &files {
        let what = path.display();
        let v = MessageVector::load(path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.schema_warnings(), vec![], "{what}");
        let pre = &v.preconditions;
        assert!(pre.basefee.is_some(), "{what}: no base fee");
        assert!(pre.circ_supply.is_some(), "{what}: no circulating supply");
        let mut drawn = std::collections::BTreeSet::new();
        for r in &v.randomness {
            assert_eq!(
                r.ret.len(),
                32,
                "{what}: randomness {:?} is not 32 bytes",
                r.on
            );
            assert!(drawn.insert(r.on), "{what}: randomness {:?} twice", r.on);
        }
        let store = CollectingStore::default();
        let car = v.car_bytes().unwrap_or_else(|e| panic!("{what}: {e}"));
        fvm_ipld_car::load_car_unchecked(&store, car.as_slice())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        for root in [
            pre.state_tree.root_cid,
            v.postconditions.state_tree.root_cid,
        ] {
            assert!(store.has(&root).unwrap(), "{what}: the CAR lacks {root}");
        }
    }
}

/// Every committed vector passes, with randomness the vector does not record refused (so each
/// records every randomness its messages draw).
#[test]
fn generated_vectors_pass() {
    let Some(actors) = data::actors() else {
        return;
    };
    let options = RunnerOptions {
        strict_randomness: true,
        ..RunnerOptions::default()
    };
    let runner = Runner::with_options(BundleSet::new(actors), options);
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

/// A strict run refuses randomness the vector does not record: the PREVRANDAO vector passes with
/// its recorded beacon randomness; once that is removed, a default run serves ref-fvm's
/// runner's fallback (the message succeeds with another value: the vector fails on its return
/// and state), while the strict run refuses the draw (the message itself fails).
#[test]
fn strict_randomness_refuses_what_a_vector_does_not_record() {
    let Some(actors) = data::actors() else {
        return;
    };
    let runner = |strict_randomness| {
        Runner::with_options(
            BundleSet::new(actors.clone()),
            RunnerOptions {
                strict_randomness,
                ..RunnerOptions::default()
            },
        )
    };
    let (strict, default) = (runner(true), runner(false));
    let path = data::generated_dir().join("nv21/evm_prevrandao.json");
    let mut vector = MessageVector::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!vector.randomness.is_empty(), "PREVRANDAO draws randomness");
    let outcomes = |runner: &Runner, v: &MessageVector| -> Vec<Outcome> {
        threads::with_stack(|| runner.run(v, false))
            .expect("a message vector")
            .into_iter()
            .map(|r| r.outcome)
            .collect()
    };
    let fails_exit_code = |o: &Outcome| match o {
        Outcome::Failed(m) => m.receipts.iter().any(|d| d.field == "exit_code"),
        _ => panic!("the vector fails without its randomness: {o:?}"),
    };
    assert!(outcomes(&strict, &vector)
        .iter()
        .all(|o| matches!(o, Outcome::Passed)));
    vector.randomness.clear();
    assert!(outcomes(&default, &vector)
        .iter()
        .all(|o| !fails_exit_code(o)));
    assert!(outcomes(&strict, &vector).iter().all(fails_exit_code));
}

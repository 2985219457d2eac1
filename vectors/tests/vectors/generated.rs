//! The project's own vectors for nv17 and nv21–nv28 (`vectors/generated/`, written by
//! `cargo run --release -p ifvm-reference --bin regenerate-vectors` with the results of ref-fvm
//! 2.12 and 4.8): at least 50 per version; each is complete on its own, as a standard driver
//! needs it; and each passes on ifvm, none skipped, with every randomness its messages draw
//! taken from the vector.

use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use ifvm_kernel::{ApplyKind, ExecutorError};
use ifvm_vectors::generate::GENERATED_NETWORK_VERSIONS;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{
    data, threads, BundleSet, CollectingStore, Outcome, PreparedVariant, Runner, RunnerOptions,
};

use crate::common::{pool, run_corpus};

/// Every committed vector is schema-complete without running it: what generated it
/// (`_meta.gen`), the base fee and circulating supply it runs with, and a CAR that lists the
/// pre- and post-state roots and holds both states' root blocks.
#[test]
fn generated_vectors_are_schema_complete() {
    for nv in GENERATED_NETWORK_VERSIONS {
        let dir = data::generated_dir().join(format!("nv{nv}"));
        let files = data::collect_vectors(&[dir]).expect("readable vectors");
        assert!(
            files.len() >= 50,
            "nv{nv}: {} generated vectors",
            files.len()
        );
    }
    let files = data::collect_vectors(&[data::generated_dir()]).expect("readable vectors");
    for path in &files {
        let what = path.display();
        let v = TestVector::load(path).unwrap_or_else(|e| panic!("{e}"));
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
    assert!(
        tally.passed >= 50 * GENERATED_NETWORK_VERSIONS.len(),
        "{}",
        tally.summary()
    );
}

/// A message to or from an f4 address cannot exist before nv18 (ref-fvm 2 cannot decode it):
/// at nv17 the executor refuses it before touching the state; at nv21 the same message is
/// applied.
#[test]
fn an_f4_address_in_a_message_is_refused_before_nv18() {
    let Some(actors) = data::actors() else {
        return;
    };
    let bundles = BundleSet::new(actors);
    let f4 = Address::new_delegated(10, &[7; 20]).expect("a valid f4 address");
    for nv in [17, 21] {
        let path = data::generated_dir().join(format!("nv{nv}/transfer_to_id_address.json"));
        let vector = TestVector::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let variant = &vector.preconditions.variants[0];
        let prepared = PreparedVariant::new(&bundles, &vector, variant).expect("prepares");
        let engine = ifvm_vectors::engine(nv).expect("a supported version");
        let (msg, raw_length) = prepared.messages[0].clone();
        for (from, to) in [(msg.from, f4), (f4, msg.to)] {
            let mut exec = prepared
                .ifvm_executor(&engine, false)
                .expect("ifvm machine");
            let mut m = msg.clone();
            (m.from, m.to) = (from, to);
            let ret =
                threads::with_stack(|| exec.execute_message(m, ApplyKind::Explicit, raw_length));
            if nv < 18 {
                assert!(
                    matches!(ret, Err(ExecutorError::InvalidMessage(_))),
                    "nv{nv}: {ret:?}"
                );
                let root = exec.flush().expect("flushes");
                assert_eq!(
                    root, prepared.params.state_root,
                    "nv{nv}: the state is untouched"
                );
            } else {
                assert!(ret.is_ok(), "nv{nv}: {ret:?}");
            }
        }
    }
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
    let mut vector = TestVector::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!vector.randomness.is_empty(), "PREVRANDAO draws randomness");
    let outcomes = |runner: &Runner, v: &TestVector| -> Vec<Outcome> {
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

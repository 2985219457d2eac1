//! The research modes never leak into consensus results: on a sample of the Hygge
//! vectors, timed traces and instruction profiles give exactly the receipts, gas traces and
//! state roots of a plain run. Re-pricing with a run's own prices changes nothing, and with
//! another generation's prices it changes gas.

use std::collections::BTreeMap;

use ifvm_interp::Engine;
use ifvm_kernel::ExecutionEvent;
use ifvm_research::observe::{Modes, Observation, ObserveError, RunOutcome, ENGINE_NV};
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{data, threads, BundleSet, PreparedVariant};

/// How many Hygge variants [`sample`] takes: `IFVM_RESEARCH_SAMPLE`, default 12 (the
/// cross-architecture suite takes fewer under emulation).
fn sample_size() -> usize {
    std::env::var("IFVM_RESEARCH_SAMPLE")
        .map(|n| n.parse().expect("IFVM_RESEARCH_SAMPLE: a number"))
        .unwrap_or(12)
        .max(1)
}

/// [`sample_size`] Hygge variants spread over the corpus, prepared; `None` (after saying
/// `SKIPPED`) without vectors or bundles.
fn sample() -> Option<Vec<PreparedVariant>> {
    let hygge = data::present(data::hygge_dir(), "Hygge vectors", data::VECTORS_VAR)?;
    let bundles = BundleSet::new(data::actors()?);
    let files = data::collect_vectors(&[hygge]).expect("list vectors");
    let wanted = sample_size();
    let stride = (files.len() / wanted).max(1);
    let prepared: Vec<PreparedVariant> = files
        .iter()
        .step_by(stride)
        .map(|f| {
            let v = TestVector::load(f).expect("vector loads");
            PreparedVariant::new(&bundles, &v, &v.preconditions.variants[0]).expect("prepares")
        })
        .collect();
    assert!(
        prepared.len() >= wanted.min(files.len()),
        "sampled {} of {wanted} vectors",
        prepared.len()
    );
    Some(prepared)
}

/// Asserts two runs have identical consensus results and traces.
fn assert_same_results(what: &str, a: &RunOutcome, b: &RunOutcome) {
    assert_eq!(a.state_root, b.state_root, "{what}: state root");
    assert_eq!(a.messages.len(), b.messages.len(), "{what}: messages");
    for (i, (x, y)) in a.messages.iter().zip(&b.messages).enumerate() {
        assert_eq!(x.exit_code, y.exit_code, "{what}: message {i} exit code");
        assert_eq!(x.gas_used, y.gas_used, "{what}: message {i} gas used");
        assert_eq!(x.return_data, y.return_data, "{what}: message {i} return");
        let untimed = |o: &Observation| -> Vec<ExecutionEvent> {
            o.trace
                .iter()
                .cloned()
                .map(ExecutionEvent::without_elapsed)
                .collect()
        };
        assert_eq!(
            untimed(x),
            untimed(y),
            "{what}: message {i} execution trace"
        );
    }
}

#[test]
fn timing_and_instruction_profiles_change_no_result() {
    let Some(variants) = sample() else { return };
    threads::with_stack(move || {
        let plain = Modes::default();
        let timed = Modes {
            timing: true,
            ..Modes::default()
        };
        let profiled = Modes {
            instructions: true,
            ..Modes::default()
        };
        let (engine, profiling_engine) = (
            plain.engine(ENGINE_NV).unwrap(),
            profiled.engine(ENGINE_NV).unwrap(),
        );
        let mut timed_charges = 0;
        for (k, v) in variants.iter().enumerate() {
            let a = plain.run_variant(&engine, v).unwrap();
            let b = timed.run_variant(&engine, v).unwrap();
            let c = profiled.run_variant(&profiling_engine, v).unwrap();
            assert_same_results(&format!("vector {k}, timed"), &a, &b);
            assert_same_results(&format!("vector {k}, profiled"), &a, &c);
            // The plain run is the conformance result.
            assert_eq!(a.state_root, v.expected_root, "vector {k}");
            for ((x, y), z) in a.messages.iter().zip(&b.messages).zip(&c.messages) {
                assert!(!x.timed && x.instructions.is_none());
                assert!(x.charges().all(|(_, t)| t.is_none()));
                assert!(y.timed);
                timed_charges += y.charges().filter(|(_, t)| t.is_some()).count();
                let profile = z.instructions.expect("profiled");
                let wasm_ran = z
                    .charges()
                    .any(|(c, _)| c.name == "wasm_exec" && !c.total().is_zero());
                assert_eq!(profile.instructions() > 0, wasm_ran, "vector {k}");
            }
        }
        assert!(timed_charges > 100, "timed {timed_charges} charges");
    });
}

#[test]
fn repricing_is_inert_at_home_and_effective_elsewhere() {
    let Some(variants) = sample() else { return };
    threads::with_stack(move || {
        let plain = Modes::default();
        let engine = plain.engine(ENGINE_NV).unwrap();
        // One engine per (modes, network version), reused across vectors as every run does (an
        // engine caches prepared actors).
        let mut engines = BTreeMap::new();
        let mut engine_for = |modes: Modes, nv: u32| -> Engine {
            engines
                .entry((modes.price_nv, nv))
                .or_insert_with(|| modes.engine(nv).unwrap())
                .clone()
        };
        let mut changed = 0;
        for (k, v) in variants.iter().enumerate() {
            let a = plain.run_variant(&engine, v).unwrap();
            let home = Modes {
                price_nv: Some(v.params.nv),
                ..Modes::default()
            };
            let b = home.run_variant(&engine_for(home, v.params.nv), v).unwrap();
            assert_same_results(&format!("vector {k}, re-priced at home"), &a, &b);
            let away = Modes {
                price_nv: Some(21),
                ..Modes::default()
            };
            let c = away.run_variant(&engine_for(away, v.params.nv), v).unwrap();
            assert_eq!(c.messages.len(), a.messages.len());
            changed += a
                .messages
                .iter()
                .zip(&c.messages)
                .filter(|(x, y)| x.gas_used != y.gas_used)
                .count();
        }
        assert!(changed > 0, "nv21's prices changed no message's gas");
        let unsupported = Modes {
            price_nv: Some(15),
            ..Modes::default()
        };
        assert!(matches!(
            unsupported.engine(ENGINE_NV),
            Err(ObserveError::Network(_))
        ));
    });
}

#[test]
fn calibration_workloads_succeed_and_scale_with_their_size() {
    use ifvm_research::calibrate::{samples_of, workloads};
    let Some(actors) = data::actors() else {
        return;
    };
    threads::with_stack(move || {
        let (setup, labels) = workloads::setup(&BundleSet::new(actors)).unwrap();
        let modes = Modes {
            timing: true,
            ..Modes::default()
        };
        let run = modes
            .run_setup(&modes.engine(ENGINE_NV).unwrap(), &setup)
            .unwrap();
        assert_eq!(run.messages.len(), labels.len());
        for (o, label) in run.messages.iter().zip(&labels) {
            assert_eq!(o.exit_code, 0, "{label:?}");
            assert!(!samples_of("w", std::slice::from_ref(o)).is_empty());
        }
        // Within each workload, a larger size costs more gas.
        for w in workloads::WORKLOADS {
            let gas: Vec<u64> = run
                .messages
                .iter()
                .zip(&labels)
                .filter(|(_, l)| l.workload == w.name)
                .map(|(o, _)| o.gas_used)
                .collect();
            assert_eq!(gas.len(), w.sizes.len(), "{}", w.name);
            assert!(gas.windows(2).all(|p| p[0] < p[1]), "{}: {gas:?}", w.name);
        }
    });
}

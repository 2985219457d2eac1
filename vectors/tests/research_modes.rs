//! The research modes of issue 8 never leak into consensus results: on a sample of the Hygge
//! vectors, timed traces and instruction profiles give exactly the receipts, gas traces and
//! state roots of a plain run. Re-pricing with a run's own prices changes nothing, and with
//! another generation's prices it changes gas.

use std::path::PathBuf;

use ifvm_vectors::bundles::BundleSet;
use ifvm_vectors::observe::{Modes, ObserveError, RunOutcome, ENGINE_NV};
use ifvm_vectors::prepared::PreparedVariant;
use ifvm_vectors::schema::MessageVector;

/// `$var`, else `default` relative to the workspace root.
fn workspace_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(default)
    })
}

/// About a dozen Hygge variants spread over the corpus, prepared; `None` (after saying
/// `SKIPPED`) without vectors or bundles.
fn sample() -> Option<Vec<PreparedVariant>> {
    let hygge = workspace_path("IFVM_VECTORS", "../shared/fvm-test-vectors/corpus")
        .join("extracted/0002-hygge-01");
    let actors = workspace_path("IFVM_ACTORS", "../shared/actors");
    if !hygge.is_dir() || !actors.is_dir() {
        eprintln!("SKIPPED: needs the Hygge vectors and the bundles (IFVM_VECTORS, IFVM_ACTORS)");
        return None;
    }
    let bundles = BundleSet::new(actors);
    let files = ifvm_vectors::collect_vectors(&[hygge]).expect("list vectors");
    let stride = (files.len() / 12).max(1);
    let prepared: Vec<PreparedVariant> = files
        .iter()
        .step_by(stride)
        .map(|f| {
            let v = MessageVector::load(f).expect("vector loads");
            PreparedVariant::new(&bundles, &v, &v.preconditions.variants[0]).expect("prepares")
        })
        .collect();
    assert!(prepared.len() >= 10, "sampled {} vectors", prepared.len());
    Some(prepared)
}

/// Runs `f` on a thread with a stack deep enough for actor call stacks.
fn big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic");
}

/// Asserts two runs have identical consensus results and traces.
fn assert_same_results(what: &str, a: &RunOutcome, b: &RunOutcome) {
    assert_eq!(a.state_root, b.state_root, "{what}: state root");
    assert_eq!(a.messages.len(), b.messages.len(), "{what}: messages");
    for (i, (x, y)) in a.messages.iter().zip(&b.messages).enumerate() {
        assert_eq!(x.exit_code, y.exit_code, "{what}: message {i} exit code");
        assert_eq!(x.gas_used, y.gas_used, "{what}: message {i} gas used");
        assert_eq!(x.return_data, y.return_data, "{what}: message {i} return");
        assert_eq!(x.charges, y.charges, "{what}: message {i} gas trace");
    }
}

#[test]
fn timing_and_instruction_profiles_change_no_result() {
    let Some(variants) = sample() else { return };
    big_stack(move || {
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
                assert!(x.elapsed.is_empty() && x.instructions.is_none());
                assert_eq!(y.elapsed.len(), y.charges.len());
                timed_charges += y.elapsed.iter().flatten().count();
                let profile = z.instructions.expect("profiled");
                let wasm_ran = z
                    .charges
                    .iter()
                    .any(|c| c.name == "wasm_exec" && !c.total().is_zero());
                assert_eq!(profile.instructions() > 0, wasm_ran, "vector {k}");
            }
        }
        assert!(timed_charges > 100, "timed {timed_charges} charges");
    });
}

#[test]
fn repricing_is_inert_at_home_and_effective_elsewhere() {
    let Some(variants) = sample() else { return };
    big_stack(move || {
        let plain = Modes::default();
        let engine = plain.engine(ENGINE_NV).unwrap();
        let mut changed = 0;
        for (k, v) in variants.iter().enumerate() {
            let a = plain.run_variant(&engine, v).unwrap();
            let home = Modes {
                price_nv: Some(v.nv),
                ..Modes::default()
            };
            let b = home.run_variant(&home.engine(v.nv).unwrap(), v).unwrap();
            assert_same_results(&format!("vector {k}, re-priced at home"), &a, &b);
            let away = Modes {
                price_nv: Some(21),
                ..Modes::default()
            };
            let c = away.run_variant(&away.engine(v.nv).unwrap(), v).unwrap();
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
            price_nv: Some(17),
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
    use ifvm_vectors::calibrate::{samples_of, workloads};
    let actors = workspace_path("IFVM_ACTORS", "../shared/actors");
    if !actors.is_dir() {
        eprintln!("SKIPPED: needs the bundles (IFVM_ACTORS)");
        return;
    }
    big_stack(move || {
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

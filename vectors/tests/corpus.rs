//! The conformance corpus: every vector under `IFVM_VECTORS` (default
//! `../shared/fvm-test-vectors/corpus`) must pass or be skipped for a stated reason, with
//! builtin-actors bundles from `IFVM_ACTORS` (default `../shared/actors`).

mod common;

use common::{pool, run_corpus, runner, vectors_dir, workspace_path};
use ifvm_vectors::bundles::BundleSet;
use ifvm_vectors::runner::{Outcome, Runner};
use ifvm_vectors::schema::MessageVector;

#[test]
fn corpus_passes() {
    let (Some(dir), Some(runner)) = (vectors_dir(), runner()) else {
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
}

fn hygge_vector(method_dir: &str) -> Option<MessageVector> {
    let dir = workspace_path("IFVM_VECTORS", "../shared/fvm-test-vectors/corpus")
        .join("extracted/0002-hygge-01")
        .join(method_dir);
    let file = ifvm_vectors::collect_vectors(std::slice::from_ref(&dir))
        .ok()?
        .into_iter()
        .next();
    if file.is_none() {
        eprintln!("SKIPPED: no vector under {}", dir.display());
    }
    MessageVector::load(&file?).ok()
}

fn run_alone(runner: Runner, v: MessageVector) -> Outcome {
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
                !m.gas_trace.is_empty(),
                "a failing message comes with its gas trace"
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

/// Every import of every builtin actor of the bundles a supported network version runs must be
/// a syscall ifvm links (ref-fvm fails to link the actor otherwise).
#[test]
fn builtin_actors_import_only_linked_syscalls() {
    use ifvm_vectors::genesis::Genesis;
    let actors = workspace_path("IFVM_ACTORS", "../shared/actors");
    let bundles = BundleSet::new(&actors);
    let mut checked = 0;
    for nv in [18u32, 19, 20] {
        let version = ifvm_vectors::bundles::actors_version(nv).unwrap();
        let path = actors.join(format!("v{version}.tar.zst"));
        if !path.exists() {
            eprintln!("SKIPPED: {} not found", path.display());
            continue;
        }
        let store = ifvm_vectors::store::CollectingStore::default();
        let root = ifvm_actors::bundle::load_bundle_file(&store, &path, "mainnet").unwrap();
        let genesis = Genesis::new(bundles.for_network(nv).unwrap(), &root).unwrap();
        let manifest = genesis.manifest().clone();
        let state = genesis.finish().unwrap();
        let nc =
            ifvm_kernel::NetworkConfig::new(fvm_shared::version::NetworkVersion::from(nv)).unwrap();
        let machine = ifvm_kernel::Machine::new(
            nc.for_epoch(0, 0, state.root),
            state.store(),
            ifvm_vectors::scenario::DeterministicExterns,
            ifvm_interp::Engine::new(nc.engine_config()),
            std::sync::Arc::new(ifvm_kernel::AcceptAllProofs),
        )
        .unwrap();
        for (name, code) in manifest.entries() {
            let wasm = fvm_ipld_blockstore::Blockstore::get(machine.blockstore(), code)
                .unwrap()
                .unwrap();
            for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
                if let wasmparser::Payload::ImportSection(imports) = payload.unwrap() {
                    for import in imports {
                        let import = import.unwrap();
                        assert!(
                            machine.defines_syscall(import.module, import.name),
                            "nv{nv}: {name} imports {}::{}, which is not linked",
                            import.module,
                            import.name
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    eprintln!("checked {checked} imports");
}

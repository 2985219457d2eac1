//! The machine options nodes set, end to end on real bundles: an engine pool (one engine per
//! configuration, a limit on messages running at once, a whole bundle prepared ahead of use in
//! parallel, prepared modules kept on disk across starts), `actor_redirect` (debug networks)
//! and `flush_all_blocks`.

use std::num::NonZeroUsize;

use cid::Cid;
use fvm_ipld_encoding::IPLD_RAW;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use ifvm_kernel::{preload_all, AcceptAllProofs, ApplyKind, EnginePool, Executor, Machine};
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{
    apply_each, data, executor, threads, BundleSet, Genesis, PreparedVariant, Runner,
    RunnerOptions, Setup,
};
use multihash_codetable::{Code, MultihashDigest};

/// The network these tests run at.
const NV: u32 = 21;

fn n(v: usize) -> NonZeroUsize {
    NonZeroUsize::new(v).expect("non-zero")
}

/// A generated nv21 vector that creates a miner and changes it (it writes blocks that later
/// messages make unreachable), or `None` after saying `SKIPPED`.
fn miner_vector() -> Option<PreparedVariant> {
    let dir = data::present(
        data::generated_dir(),
        "generated vectors",
        data::GENERATED_VAR,
    )?;
    let bundles = BundleSet::new(data::actors()?);
    let v = TestVector::load(&dir.join("nv21/miner_create_and_change_info.json"))
        .expect("the vector loads");
    Some(PreparedVariant::new(&bundles, &v, &v.preconditions.variants[0]).expect("prepares"))
}

#[test]
fn a_pooled_executor_on_a_preloaded_bundle_matches_the_vector() {
    let Some(v) = miner_vector() else { return };
    let nc = v.params.network_config().expect("nv21 runs");
    let pool = EnginePool::new(n(1));
    let engine = pool.engine(&nc.engine_config());
    let store = v.store();
    let codes: Vec<Cid> = {
        let exec = v.ifvm_executor(&engine, false).expect("a machine");
        let entries = exec.machine().manifest().entries();
        entries.iter().map(|(_, c)| *c).collect()
    };
    let prepared = preload_all(&engine, &store, &codes, n(2)).expect("the bundle prepares");
    assert_eq!(prepared, codes.len(), "every actor of the bundle prepared");
    assert!(codes.iter().all(|c| engine.cached(c).is_some()));
    let again = pool.engine(&nc.engine_config());
    assert!(
        codes.iter().all(|c| again.cached(c).is_some()),
        "one engine per configuration"
    );

    let context = v.params.default_context().expect("a context");
    let machine = Machine::new(
        context,
        v.store(),
        v.externs(),
        engine,
        std::sync::Arc::new(AcceptAllProofs),
    )
    .expect("a machine");
    let mut exec = Executor::pooled(machine, pool.clone());
    let results = threads::with_stack(|| apply_each(&mut exec, v.messages.iter().cloned()))
        .expect("the messages apply");
    let receipts: Vec<(u32, u64)> = results.iter().map(|r| (r.exit_code, r.gas_used)).collect();
    let expected: Vec<(u32, u64)> = v.expected.iter().map(|(c, _, g)| (*c, *g)).collect();
    assert_eq!(receipts, expected);
    assert_eq!(results.last().map(|r| r.state_root), Some(v.expected_root));
    assert_eq!(pool.running(), 0, "every message gave its slot back");
}

#[test]
fn flushing_all_blocks_writes_more_and_the_same_root() {
    let Some(v) = miner_vector() else { return };
    let engine = ifvm_vectors::engine(NV).expect("an engine");
    let run = |flush_all: bool| {
        let mut context = v.params.default_context().expect("a context");
        context.flush_all_blocks = flush_all;
        let mut exec = executor(context, &engine, v.store(), v.externs()).expect("a machine");
        threads::with_stack(|| {
            for (msg, len) in &v.messages {
                exec.execute_message(msg.clone(), ApplyKind::Explicit, *len)
                    .expect("applies");
            }
        });
        let root = exec.flush().expect("flushes");
        (root, exec.into_machine().into_blockstore().into_own().len())
    };
    let (reachable_root, reachable) = run(false);
    let (all_root, all) = run(true);
    assert_eq!(reachable_root, v.expected_root);
    assert_eq!(
        all_root, reachable_root,
        "the state root does not depend on it"
    );
    assert!(
        all > reachable,
        "{all} blocks written against {reachable} reachable"
    );
}

/// An actor whose `invoke` returns `result` without a value, or traps when `result` is `None`.
fn actor(result: Option<i32>) -> Vec<u8> {
    let body = match result {
        Some(r) => format!("(i32.const {r})"),
        None => "(unreachable)".into(),
    };
    wat::parse_str(format!(
        r#"(module (memory (export "memory") 1)
             (func (export "invoke") (param i32) (result i32) {body}))"#
    ))
    .expect("valid WAT")
}

#[test]
fn a_redirected_actor_runs_the_other_code_and_keeps_its_own() {
    let Some(actors) = data::actors() else { return };
    let (bundle, root) = BundleSet::new(actors).with_root(NV).expect("the bundle");
    let mut genesis = Genesis::new(bundle, &root).expect("a genesis");
    let sender = Address::new_secp256k1(&[1; 65]).expect("a key");
    genesis
        .account(sender, TokenAmount::from_whole(1_000))
        .expect("an account");
    let state = genesis.put_cbor(&Vec::<u8>::new()).expect("a state");
    let (good, trapping) = (actor(Some(0)), actor(None));
    let (id, to) = genesis
        .code_actor(&good, state, TokenAmount::default())
        .expect("the actor");
    // The trapping code is in the store (as a second actor's), never the first actor's.
    genesis
        .code_actor(&trapping, state, TokenAmount::default())
        .expect("the other actor");
    let code = |wasm: &[u8]| Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm));
    let message = Message {
        version: 0,
        from: sender,
        to,
        sequence: 0,
        value: TokenAmount::default(),
        method_num: 2,
        params: Default::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(100),
        gas_premium: TokenAmount::from_atto(1),
    };
    let setup = Setup::new(genesis.finish().expect("a state"), NV, vec![message]);
    let engine = ifvm_vectors::engine(NV).expect("an engine");
    let run = |redirect: Vec<(Cid, Cid)>| {
        let mut context = setup.params().default_context().expect("a context");
        context.network.redirect_actors(redirect);
        let mut exec = executor(
            context,
            &engine,
            setup.state.store(),
            ifvm_vectors::DeterministicExterns,
        )
        .expect("a machine");
        let (msg, len) = setup.decoded_messages().remove(0);
        let ret = threads::with_stack(|| exec.execute_message(msg, ApplyKind::Explicit, len))
            .expect("applies");
        let actor = exec
            .machine()
            .state_tree()
            .get_actor(id)
            .expect("reads")
            .expect("exists");
        (ret.msg_receipt.exit_code, actor.code)
    };
    assert_eq!(run(vec![]), (ExitCode::OK, code(&good)));
    assert_eq!(
        run(vec![(code(&good), code(&trapping))]),
        (ExitCode::SYS_ILLEGAL_INSTRUCTION, code(&good)),
        "the redirected actor ran the trapping code and kept its own code CID"
    );
    let unrelated = code(b"not an actor's code");
    assert_eq!(
        run(vec![(unrelated, code(&trapping))]),
        (ExitCode::OK, code(&good)),
        "a redirect of other code changes nothing"
    );
}

/// A node's second start: a runner whose engines load every prepared module from the on-disk
/// cache an earlier runner wrote (ref-fvm 2's metering at nv17, ref-fvm 4's at nv28) passes
/// the same vectors, preparing nothing.
#[test]
fn a_warm_module_cache_prepares_nothing_and_changes_no_result() {
    let Some(actors) = data::actors() else { return };
    let Some(generated) = data::present(
        data::generated_dir(),
        "generated vectors",
        data::GENERATED_VAR,
    ) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("ifvm-module-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let pool = crate::common::pool();
    let run = |expect_prepared: bool| {
        let disk = ifvm_interp::DiskCache::open(&dir).expect("a temporary module cache");
        let options = RunnerOptions {
            module_cache: Some(disk.clone()),
            ..RunnerOptions::default()
        };
        let runner = Runner::with_options(BundleSet::new(&actors), options);
        for nv in ["nv17", "nv28"] {
            let tally = crate::common::run_corpus(&generated.join(nv), &runner, &pool);
            assert!(
                tally.failures.is_empty() && tally.skipped.is_empty() && tally.passed >= 50,
                "{nv}: {}",
                tally.summary()
            );
        }
        let stats = disk.stats();
        assert_eq!(stats.problems, 0, "{:?}", disk.take_problems());
        if expect_prepared {
            assert!(
                stats.written > 0 && stats.written == stats.misses,
                "{stats:?}"
            );
        } else {
            assert_eq!((stats.misses, stats.written), (0, 0), "{stats:?}");
            assert!(stats.hits > 0, "{stats:?}");
        }
    };
    run(true);
    run(false);
    let _ = std::fs::remove_dir_all(&dir);
}

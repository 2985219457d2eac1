//! Broken inputs outside the chain, on the real bundles (issue 17, item 5): a bundle archive cut
//! short; a manifest without an actor the network version needs; a bundle whose code is not a
//! valid actor (garbage, an unknown import); and a blockstore that fails or lies at any one
//! read, or fails its writes, over a message's whole run. Each gives a typed error, or the
//! receipt ref-fvm gives, never a panic; an executor error leaves the executor refusing to
//! apply or flush more, and nothing reaches the base store before a flush (so the last flushed
//! state stays whole). The synthetic bundles of `crates/actors/tests/broken_bundles.rs` cover
//! every cut and bit flip of a CAR.

use std::cell::Cell;
use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{to_vec, DAG_CBOR, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use ifvm_actors::bundle::{load_archive, BundleError};
use ifvm_actors::{BuiltinActor, ManifestError};
use ifvm_kernel::{
    preload_all, ApplyKind, ApplyRet, ExecutorError, MachineError, PreloadError, Unusable,
};
use ifvm_vectors::generate::driver::message;
use ifvm_vectors::{
    data, executor, threads, BuildError, BundleSet, CollectingStore, DeterministicExterns, Genesis,
    RunStore, Setup, SharedBlocks,
};
use multihash_codetable::{Code, MultihashDigest};

/// A network version of each ABI: ref-fvm 2's, 3's and 4's.
const NETWORKS: [u32; 3] = [17, 18, 21];

/// The bundle and its root for each of [`NETWORKS`], or `None` after saying `SKIPPED`.
fn bundles() -> Option<Vec<(u32, SharedBlocks, Cid)>> {
    let set = BundleSet::new(data::actors()?);
    let with_root = |nv| {
        let (bundle, root) = set.with_root(nv).expect("the bundle loads");
        (nv, bundle, root)
    };
    Some(NETWORKS.into_iter().map(with_root).collect())
}

fn key(n: u8) -> Address {
    Address::new_secp256k1(&[n; 65]).expect("a key address")
}

/// A genesis on `bundle` with a funded sender (`key(1)`) and a second account (`key(2)`),
/// and messages from the sender: a transfer creating an account (the init actor's and the
/// account's code run), a call of that account's method 2 (its code reads its state), and a
/// plain transfer.
fn setup(nv: u32, bundle: SharedBlocks, root: &Cid) -> Setup {
    let mut g = Genesis::new(bundle, root).expect("a genesis");
    g.account(key(1), TokenAmount::from_whole(1_000))
        .expect("an account");
    g.account(key(2), TokenAmount::default())
        .expect("an account");
    let fresh = key(3);
    let messages = vec![
        message(key(1), fresh, 0, TokenAmount::from_whole(1), 0, vec![]),
        message(key(1), fresh, 1, TokenAmount::default(), 2, vec![]),
        message(key(1), key(2), 2, TokenAmount::from_atto(5), 0, vec![]),
    ];
    Setup::new(g.finish().expect("a state"), nv, messages)
}

/// Runs `f`; a panic fails the test, naming `what`.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("{what} panicked: {msg}")
    })
}

/// A release archive cut short anywhere before the end of its mainnet CAR (in the zstd frame
/// header, in the tar headers, inside the CAR) is a typed error; cut after it (in the archive's
/// other networks or its padding) it loads the whole bundle, checked block by block.
#[test]
fn a_cut_bundle_archive_is_a_typed_error() {
    let Some(dir) = data::actors() else { return };
    let path = dir.join("v12.tar.zst");
    let Ok(archive) = std::fs::read(&path) else {
        eprintln!("SKIPPED: no {}", path.display());
        return;
    };
    let whole = load_archive(&CollectingStore::default(), archive.as_slice(), "mainnet")
        .expect("the whole archive loads");
    let n = archive.len();
    let mut refused = 0;
    for cut in [0, 3, 10, 600, n / 4, n / 2, n - 100, n - 1] {
        let loaded = no_panic(&format!("loading the archive cut at {cut}"), || {
            load_archive(&CollectingStore::default(), &archive[..cut], "mainnet")
        });
        match loaded {
            Err(BundleError::Zstd(_) | BundleError::Tar(_) | BundleError::Car(_)) => refused += 1,
            Ok(root) if root == whole => {}
            other => panic!("cut at {cut} of {n}: {other:?}"),
        }
    }
    assert!(refused >= 6, "{refused} cuts refused");
}

/// A bundle root over the manifest `entries`, stored with `bundle`'s blocks.
fn bundle_with_manifest(
    bundle: &SharedBlocks,
    entries: &[(String, Cid)],
    extra: &[(Cid, Vec<u8>)],
) -> (SharedBlocks, Cid) {
    let store = CollectingStore::default();
    let put = |data: &[u8], codec| {
        let cid = Cid::new_v1(codec, Code::Blake2b256.digest(data));
        store.put_keyed(&cid, data).expect("a memory store");
        cid
    };
    let manifest = put(&to_vec(&entries).expect("encodes"), DAG_CBOR);
    let root = put(&to_vec(&(1u32, manifest)).expect("encodes"), DAG_CBOR);
    for (cid, data) in extra {
        store.put_keyed(cid, data).expect("a memory store");
    }
    let reader = RunStore::new(vec![bundle.clone()]);
    for cid in bundle.cids() {
        let data = reader.get(&cid).expect("reads").expect("present");
        store.put_keyed(&cid, &data).expect("a memory store");
    }
    (SharedBlocks::freeze(store), root)
}

/// The entries of the manifest at `root` in `bundle`.
fn entries(bundle: &SharedBlocks, root: &Cid) -> Vec<(String, Cid)> {
    let store = RunStore::new(vec![bundle.clone()]);
    let manifest = ifvm_actors::Manifest::load_bundle_root(&store, root).expect("a manifest");
    manifest.entries().to_vec()
}

/// Regression: from nv18 on a machine needs the placeholder, EAM and Ethereum account actors,
/// as ref-fvm 3 and 4 do (ifvm built the machine without them); nv17 (actors v9) has none. A
/// manifest (the override) without the system or account actor is refused at every version.
#[test]
fn a_manifest_without_a_needed_actor_refuses_the_machine() {
    let Some(bundles) = bundles() else { return };
    for (nv, bundle, root) in bundles {
        let setup = setup(nv, bundle.clone(), &root);
        let all = entries(&bundle, &root);
        let mut needed = vec!["system", "account", "init"];
        if nv >= 18 {
            needed.extend(["placeholder", "eam", "ethaccount"]);
        }
        for missing in needed {
            let without: Vec<_> = all.iter().filter(|(n, _)| n != missing).cloned().collect();
            let (blocks, override_root) = bundle_with_manifest(&bundle, &without, &[]);
            let mut context = setup.params().default_context().expect("a context");
            context.network.builtin_actors_override = Some(override_root);
            let store = RunStore::new(vec![blocks]);
            for (k, v) in &setup.state.blocks {
                store.put_keyed(k, v).expect("a memory store");
            }
            let engine = ifvm_vectors::engine(nv).expect("an engine");
            let built = no_panic("building a machine", || {
                executor(context, &engine, store, DeterministicExterns)
            });
            assert!(
                matches!(&built, Err(MachineError::Manifest(ManifestError::Missing(m))) if *m == missing),
                "nv{nv} without {missing}: {:?}",
                built.err()
            );
        }
    }
}

/// The executor's result for each of `setup`'s messages, flushing after each, on a fresh
/// executor over `store`; an executor error ends the list.
fn apply_all<B: ifvm_kernel::Store>(
    setup: &Setup,
    engine: &ifvm_interp::Engine,
    store: B,
) -> Result<Vec<ApplyRet>, BuildError> {
    let mut exec = setup
        .params()
        .executor(engine, store, DeterministicExterns, false)?;
    let mut rets = Vec::new();
    threads::with_stack(|| {
        for (msg, len) in setup.decoded_messages() {
            match exec.execute_message(msg, ApplyKind::Explicit, len) {
                Ok(ret) => rets.push(ret),
                Err(_) => break,
            }
            exec.flush().expect("flushes");
        }
    });
    Ok(rets)
}

/// A bundle whose account code is not a valid actor: garbage bytes, or a module importing a
/// syscall that does not exist. Preloading the bundle names the code CID; a message that runs
/// the code gets ref-fvm's receipt for a fatal error (`SYS_ASSERTION_FAILED`, the whole gas
/// limit used — ref-fvm fails to instantiate the module and aborts fatally); a transfer that
/// runs no code succeeds. (ref-fvm's production builds refuse the bundle when they build the
/// executor, preloading every actor; ifvm leaves that check to `preload_all`.)
#[test]
fn a_bundle_with_invalid_actor_code_is_named_and_fatal_to_its_calls() {
    let bad_import = wat::parse_str(
        r#"(module (import "vm" "no_such_syscall" (func (param i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    )
    .expect("valid WAT");
    let Some(bundles) = bundles() else { return };
    for (nv, bundle, root) in bundles {
        for code in [b"\0asm\x01\0\0\0garbage".to_vec(), bad_import.clone()] {
            let cid = Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(&code));
            let mut manifest = entries(&bundle, &root);
            for (name, c) in &mut manifest {
                if name == BuiltinActor::Account.name() {
                    *c = cid;
                }
            }
            let (blocks, bad_root) = bundle_with_manifest(&bundle, &manifest, &[(cid, code)]);
            let setup = setup(nv, blocks, &bad_root);
            let engine = ifvm_vectors::engine(nv).expect("an engine");
            let codes: Vec<Cid> = manifest.iter().map(|(_, c)| *c).collect();
            let store = setup.state.store();
            let preloaded = no_panic("preloading", || {
                preload_all(&engine, &store, &codes, NonZeroUsize::MIN)
            });
            match preloaded {
                Err(PreloadError::Prepare { code, .. }) => assert_eq!(code, cid, "nv{nv}"),
                // An unknown import is found when the module is linked, not prepared (as in
                // ref-fvm, whose preloading compiles without linking).
                Ok(_) if code_imports(&setup, &cid) => {}
                other => panic!("nv{nv}: preloading {other:?}"),
            }
            let rets = no_panic("applying", || {
                apply_all(&setup, &engine, setup.state.store())
            })
            .expect("a machine");
            let codes: Vec<_> = rets
                .iter()
                .map(|r| (r.msg_receipt.exit_code, r.msg_receipt.gas_used))
                .collect();
            let limit = setup.messages[0].gas_limit;
            assert_eq!(codes.len(), 3, "nv{nv}: {codes:?}");
            assert_eq!(
                codes[0],
                (ExitCode::SYS_ASSERTION_FAILED, limit),
                "nv{nv}: creating an account runs its constructor"
            );
            assert_eq!(codes[2].0, ExitCode::OK, "nv{nv}: a transfer runs no code");
        }
    }
}

/// Whether the code `cid` in `setup`'s state imports something (so it is the module with the
/// unknown import, which prepares).
fn code_imports(setup: &Setup, cid: &Cid) -> bool {
    let wasm = setup
        .state
        .store()
        .get(cid)
        .expect("reads")
        .expect("present");
    let imports = wasmparser::Parser::new(0)
        .parse_all(&wasm)
        .any(|p| matches!(p, Ok(wasmparser::Payload::ImportSection(_))));
    imports
}

/// How a [`Faulty`] store misbehaves.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Every read and write succeeds.
    None,
    /// Read number `n` (from 0) fails.
    FailRead(usize),
    /// Read number `n` returns the block cut to half its length.
    Truncate(usize),
    /// Read number `n` returns the block with one bit flipped.
    FlipBit(usize),
    /// Read number `n` returns the previous read's block.
    OtherBlock(usize),
    /// Writes fail from write number `n` on.
    FailWritesFrom(usize),
}

/// A run's store that misbehaves as its fault says, counting reads and writes.
struct Faulty {
    inner: RunStore,
    fault: Cell<Fault>,
    reads: Cell<usize>,
    writes: Cell<usize>,
    previous: std::cell::RefCell<Vec<u8>>,
}

impl Faulty {
    fn new(setup: &Setup, fault: Fault) -> Self {
        Self {
            inner: setup.state.store(),
            fault: Cell::new(fault),
            reads: Cell::new(0),
            writes: Cell::new(0),
            previous: Default::default(),
        }
    }
}

impl Blockstore for Faulty {
    fn get(&self, k: &Cid) -> anyhow::Result<Option<Vec<u8>>> {
        let n = self.reads.get();
        self.reads.set(n + 1);
        let block = self.inner.get(k)?;
        let lie = |mut data: Vec<u8>, fault| match fault {
            Fault::Truncate(_) => {
                data.truncate(data.len() / 2);
                data
            }
            Fault::FlipBit(_) => {
                let middle = data.len() / 2;
                if let Some(b) = data.get_mut(middle) {
                    *b ^= 0x10;
                }
                data
            }
            _ => self.previous.borrow().clone(),
        };
        let served = match (self.fault.get(), block) {
            (Fault::FailRead(at), _) if at == n => anyhow::bail!("read {n} of {k} fails"),
            (f @ (Fault::Truncate(at) | Fault::FlipBit(at) | Fault::OtherBlock(at)), Some(b))
                if at == n =>
            {
                Some(lie(b, f))
            }
            (_, b) => b,
        };
        if let Some(b) = &served {
            self.previous.replace(b.clone());
        }
        Ok(served)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> anyhow::Result<()> {
        let n = self.writes.get();
        if matches!(self.fault.get(), Fault::FailWritesFrom(from) if n >= from) {
            anyhow::bail!("write {n} of {k} fails");
        }
        self.writes.set(n + 1);
        self.inner.put_keyed(k, block)
    }
}

/// A lie at the `n`th read.
type LieAt = fn(usize) -> Fault;

/// What each message of one run with a fault gave, after checking what holds whatever the
/// fault, and how many reads the run made.
fn faulty_run(setup: &Setup, engine: &ifvm_interp::Engine, fault: Fault) -> (Vec<Outcome>, usize) {
    let what = format!("nv{} with {fault:?}", setup.nv);
    let mut exec = match no_panic(&what, || {
        setup.params().executor(
            engine,
            Faulty::new(setup, fault),
            DeterministicExterns,
            false,
        )
    }) {
        Ok(exec) => exec,
        Err(BuildError::Machine(_)) => return (vec![Outcome::NoMachine], 0),
        Err(e) => panic!("{what}: {e}"),
    };
    let mut outcomes = Vec::new();
    threads::with_stack(|| {
        for (msg, len) in setup.decoded_messages() {
            let writes = exec.machine().blockstore().base().writes.get();
            let ret = no_panic(&what, || {
                exec.execute_message(msg.clone(), ApplyKind::Explicit, len)
            });
            assert_eq!(
                exec.machine().blockstore().base().writes.get(),
                writes,
                "{what}: applying writes nothing to the base store"
            );
            match ret {
                Ok(ret) => match no_panic(&what, || exec.flush()) {
                    Ok(root) => outcomes.push(Outcome::Applied(
                        ret.msg_receipt.exit_code,
                        ret.msg_receipt.gas_used,
                        root,
                    )),
                    Err(_) => {
                        outcomes.push(Outcome::FlushFailed);
                        break;
                    }
                },
                Err(e) => {
                    assert!(
                        !matches!(
                            e,
                            ExecutorError::InvalidMessage(_) | ExecutorError::Unusable(_)
                        ),
                        "{what}: {e}"
                    );
                    let again = exec.execute_message(msg, ApplyKind::Explicit, len);
                    assert!(
                        matches!(again, Err(ExecutorError::Unusable(Unusable::Failed { .. }))),
                        "{what}: usable after {e}"
                    );
                    assert!(exec.flush().is_err(), "{what}: flushes after {e}");
                    outcomes.push(Outcome::Stopped);
                    break;
                }
            }
        }
    });
    (outcomes, exec.machine().blockstore().base().reads.get())
}

/// What a message of a run with a fault came to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// The machine could not be built (a typed `MachineError`).
    NoMachine,
    /// A receipt (exit code, gas used) and the state root flushed after it.
    Applied(ExitCode, u64, Cid),
    /// An executor error; the executor refused to go on.
    Stopped,
    /// The flush failed.
    FlushFailed,
}

/// A store that fails any one read, over the setup's whole run (the machine's construction,
/// each message, each flush; every network's ABI), or lies at it (the block cut short, a bit
/// flipped, another block's bytes). A failed read gives a typed error that stops the executor,
/// or a message's fatal receipt (`SYS_ASSERTION_FAILED` with the whole gas limit used, ref-fvm's
/// rule for a fatal error inside the call stack), never another receipt; once the fault is
/// past, a receipt like the clean run's comes with the clean run's state root. A lie gives a
/// typed error or a receipt. Neither panics nor writes to the base store while applying.
#[test]
fn a_store_failing_or_lying_at_any_read_gives_typed_errors() {
    let mut runs = 0;
    let started = std::time::Instant::now();
    let Some(bundles) = bundles() else { return };
    for (nv, bundle, root) in bundles {
        let setup = setup(nv, bundle, &root);
        let engine = ifvm_vectors::engine(nv).expect("an engine");
        faulty_run(&setup, &engine, Fault::None);
        // The engine now holds the prepared code: the sweep reaches the state's reads.
        let (clean, reads) = faulty_run(&setup, &engine, Fault::None);
        assert!(
            clean.len() == 3 && clean.iter().all(|o| matches!(o, Outcome::Applied(..))),
            "nv{nv}: {clean:?}"
        );
        let limit = setup.messages[0].gas_limit;
        let mut fatal = 0;
        for n in 0..reads {
            let (outcomes, _) = faulty_run(&setup, &engine, Fault::FailRead(n));
            runs += 1;
            // Whether an earlier message's outcome differed from the clean run's.
            let mut past = false;
            for (i, o) in outcomes.iter().enumerate() {
                let fatal_receipt = matches!(o,
                    Outcome::Applied(ExitCode::SYS_ASSERTION_FAILED, gas, _) if *gas == limit);
                assert!(
                    past || o == &clean[i] || fatal_receipt || !matches!(o, Outcome::Applied(..)),
                    "nv{nv}, read {n} fails: message {i} gave {o:?}, clean {:?}",
                    clean[i]
                );
                if o != &clean[i] && !past {
                    past = true;
                    fatal += usize::from(fatal_receipt);
                }
            }
        }
        eprintln!("nv{nv}: {reads} reads, each failed in turn ({fatal} fatal receipts)");
        // Each kind of lie must change some outcome, or the injection would be exercising
        // nothing.
        let lies: [(&str, LieAt); 3] = [
            ("truncated", Fault::Truncate),
            ("bit-flipped", Fault::FlipBit),
            ("another block's", Fault::OtherBlock),
        ];
        for (kind, lie) in lies {
            let mut changed = 0;
            for n in 0..reads {
                let (outcomes, _) = faulty_run(&setup, &engine, lie(n));
                runs += 1;
                changed += usize::from(outcomes != clean);
            }
            assert!(changed > 0, "nv{nv}: no {kind} read changed an outcome");
        }
    }
    eprintln!(
        "{runs} faulty runs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Regression: a flush whose writes to the base store fail (from any one write on) is an
/// error, and a retry once the store works writes the whole state: the flush kept the blocks it
/// could not write (it lost them, so the retry returned a root whose blocks were nowhere). A
/// new machine over the base store at that root applies the next message as the clean run does.
#[test]
fn a_flush_whose_writes_fail_can_be_retried() {
    let Some(bundles) = bundles() else { return };
    for (nv, bundle, root) in bundles {
        let setup = setup(nv, bundle, &root);
        let engine = ifvm_vectors::engine(nv).expect("an engine");
        let (clean, _) = faulty_run(&setup, &engine, Fault::None);
        let Outcome::Applied(_, _, first_root) = clean[0] else {
            panic!("nv{nv}: {clean:?}")
        };
        let messages = setup.decoded_messages();
        let mut from = 0;
        loop {
            let store = Faulty::new(&setup, Fault::None);
            let mut exec = setup
                .params()
                .executor(&engine, store, DeterministicExterns, false)
                .expect("a machine");
            let (msg, len) = messages[0].clone();
            threads::with_stack(|| exec.execute_message(msg, ApplyKind::Explicit, len))
                .expect("applies");
            let base = exec.machine().blockstore().base();
            let written = base.writes.get();
            base.fault.set(Fault::FailWritesFrom(written + from));
            let failed = no_panic("flushing", || exec.flush());
            exec.machine().blockstore().base().fault.set(Fault::None);
            let root = exec.flush().expect("the retry flushes");
            assert_eq!(root, first_root, "nv{nv}, writes failing from {from}");
            if failed.is_ok() {
                break;
            }
            let mut params = setup.params();
            params.state_root = root;
            let store = exec.into_machine().into_blockstore();
            let mut next = params
                .executor(&engine, store, DeterministicExterns, false)
                .expect("a machine over the flushed state");
            let (msg, len) = messages[1].clone();
            let ret = threads::with_stack(|| next.execute_message(msg, ApplyKind::Explicit, len))
                .expect("applies");
            let next_root = next.flush().expect("flushes");
            assert_eq!(
                Outcome::Applied(
                    ret.msg_receipt.exit_code,
                    ret.msg_receipt.gas_used,
                    next_root
                ),
                clean[1],
                "nv{nv}, writes failing from {from}"
            );
            from += 1;
        }
        assert!(from > 1, "nv{nv}: the flush writes several blocks");
    }
}

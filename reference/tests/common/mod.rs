//! Shared setup for differential tests: bundles, genesis states, WAT actors, and running a
//! scenario on both engines.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_interp::Engine;
use ifvm_vectors::bundles::BundleSet;
use ifvm_vectors::genesis::Genesis;
use ifvm_vectors::scenario::{run_ifvm, MessageResult, Setup};
use ifvm_vectors::store::{CollectingStore, SharedBlocks};

/// Where builtin-actors bundles are: `IFVM_ACTORS`, default `../shared/actors`.
pub fn actors_dir() -> PathBuf {
    std::env::var_os("IFVM_ACTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/actors"))
}

/// The mainnet bundle of actors version `version` and its root, or `None` (with a note on
/// stderr) if the bundles are not available.
pub fn bundle(version: u32) -> Option<(SharedBlocks, Cid)> {
    let path = actors_dir().join(format!("v{version}.tar.zst"));
    if !path.exists() {
        eprintln!(
            "SKIPPED: builtin-actors bundle {} not found (set IFVM_ACTORS)",
            path.display()
        );
        return None;
    }
    let store = CollectingStore::default();
    let root =
        ifvm_actors::bundle::load_bundle_file(&store, &path, "mainnet").expect("valid bundle");
    Some((SharedBlocks::freeze(store), root))
}

/// A bundle set over the actors directory (for the vector runner).
pub fn bundle_set() -> BundleSet {
    BundleSet::new(actors_dir())
}

/// One ifvm engine for all tests.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let nc = ifvm_kernel::NetworkConfig::new(fvm_shared::version::NetworkVersion::V18).unwrap();
        Engine::new(nc.engine_config())
    })
}

/// Runs `f` on a thread with a large stack, as both engines need for deep call stacks.
pub fn big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic")
}

/// Runs `setup` on ifvm and on ref-fvm; panics (naming `what`) if anything differs. Returns
/// the (identical) results.
pub fn assert_same(what: &str, setup: Setup) -> Vec<MessageResult> {
    let s = setup.clone();
    let ours = big_stack(move || run_ifvm(&s, engine()));
    let theirs =
        big_stack(move || ifvm_reference::run_ref_fvm(&setup).map_err(|e| format!("{e:#}")));
    let (ours, theirs) = (
        ours.unwrap_or_else(|e| panic!("{what}: ifvm: {e}")),
        theirs.unwrap_or_else(|e| panic!("{what}: ref-fvm: {e}")),
    );
    assert_eq!(ours.len(), theirs.len(), "{what}: message count");
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(
            a, b,
            "{what}: message {i} differs (left: ifvm, right: ref-fvm)"
        );
    }
    ours
}

/// A message from `from` to `to`.
pub fn message(
    from: Address,
    to: Address,
    seq: u64,
    method: u64,
    value: TokenAmount,
    params: Vec<u8>,
) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence: seq,
        value,
        method_num: method,
        params: params.into(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(1000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

/// A deterministic secp256k1 account address.
pub fn secp_address(seed: u8) -> Address {
    Address::new_secp256k1(&[seed; 65]).unwrap()
}

/// A setup around `genesis` at nv18 with `messages`.
pub fn setup(genesis: Genesis, nv: u32, messages: Vec<Message>) -> Setup {
    Setup {
        state: genesis.finish().expect("genesis"),
        nv,
        epoch: 2_700_000,
        base_fee: TokenAmount::from_atto(100),
        circ_supply: TokenAmount::from_whole(400_000_000),
        chain_id: 314,
        messages,
    }
}

/// `bytes` as a WAT string literal body.
pub fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

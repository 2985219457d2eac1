//! Shared setup for the v4 syscall tests: bundles, genesis states with WAT test actors, and
//! running a setup on ifvm and on ref-fvm 4.8.
#![allow(dead_code)]

use std::sync::OnceLock;

use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_interp::Engine;
use ifvm_kernel::NetworkConfig;
use ifvm_vectors::genesis::Genesis;
use ifvm_vectors::scenario::{run_ifvm, MessageResult, Setup};

/// The network version the tests run at (nv21, actors v12).
pub const NV: u32 = 21;
/// The actors version of [`NV`].
pub const ACTORS_VERSION: u32 = 12;
/// The epoch messages run at.
pub const EPOCH: ChainEpoch = 2_700_000;

#[path = "../common/mod.rs"]
mod base;
pub use base::bundle;

/// One ifvm engine for [`NV`].
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let nc = NetworkConfig::new(NetworkVersion::from(NV)).unwrap();
        Engine::new(nc.engine_config())
    })
}

/// Runs `f` on a thread with a large stack, as both engines need for deep call stacks.
pub use ifvm_reference::differential::with_deep_stack as big_stack;

/// Runs `setup` on ref-fvm 4.8, flushing after every message.
pub use ifvm_reference::run_ref_fvm;

/// Runs `setup` on ifvm.
pub fn run_ours(setup: &Setup) -> Vec<MessageResult> {
    let s = setup.clone();
    big_stack(move || run_ifvm(&s, engine())).unwrap_or_else(|e| panic!("ifvm: {e}"))
}

/// Runs `setup` on ifvm and on ref-fvm 4.8; panics (naming `what`) if anything differs.
/// Returns the (identical) results.
pub fn assert_same(what: &str, setup: Setup) -> Vec<MessageResult> {
    let ours = run_ours(&setup);
    let theirs = big_stack(move || run_ref_fvm(&setup).map_err(|e| format!("{e:#}")))
        .unwrap_or_else(|e| panic!("{what}: ref-fvm: {e}"));
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
pub fn message(from: Address, to: Address, seq: u64, method: u64, value: TokenAmount) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence: seq,
        value,
        method_num: method,
        params: Default::default(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(1000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

/// A deterministic secp256k1 account address.
pub fn secp_address(seed: u8) -> Address {
    Address::new_secp256k1(&[seed; 65]).unwrap()
}

/// A setup around `genesis` at [`NV`] with `messages`.
pub fn setup(genesis: Genesis, messages: Vec<Message>) -> Setup {
    Setup {
        state: genesis.finish().expect("genesis"),
        nv: NV,
        epoch: EPOCH,
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

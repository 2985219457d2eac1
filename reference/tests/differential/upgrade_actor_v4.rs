//! `actor::upgrade_actor` (nv21+). ref-fvm links it only with its `upgrade-actor` feature, which
//! mainnet builds leave off (builtin actors never import it), so there is no reference run to
//! compare with: these are ref-fvm 4.8's semantics, checked directly.

use cid::Cid;
use fvm_ipld_encoding::{to_vec, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::upgrade::UpgradeInfo;
use ifvm_kernel::Abi;
use multihash_codetable::{Code, MultihashDigest};

use crate::harness::*;

/// Method 2 upgrades to the code at 4096; method 5 to the code at 4200; method 3 sends method 2
/// to itself (re-entering). Failures exit with 100 + errno, failed upgrades with 200 + their
/// exit code, and the sub-call of method 3 with its exit code.
const UPGRADER: &str = r#"(module
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "vm" "message_context" (func $msg_ctx (param i32) (result i32)))
  (import "actor" "upgrade_actor" (func $upgrade (param i32 i32 i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
  (memory (export "memory") 1)
  DATA
  (func $exit_with (param i32) (drop (call $exit (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0))))
  (func $try_upgrade (param $code i32) (local $r i32)
    (local.set $r (call $upgrade (i32.const 600) (local.get $code) (i32.const 0)))
    (if (local.get $r) (then (call $exit_with (i32.add (i32.const 100) (local.get $r)))))
    (call $exit_with (i32.add (i32.const 200) (i32.load (i32.const 600)))))
  (func (export "invoke") (param i32) (result i32) (local $m i64)
    (drop (call $msg_ctx (i32.const 0)))
    (local.set $m (i64.load (i32.const 32)))
    (if (i64.eq (local.get $m) (i64.const 2)) (then (call $try_upgrade (i32.const 4096))))
    (if (i64.eq (local.get $m) (i64.const 5)) (then (call $try_upgrade (i32.const 4200))))
    (drop (call $send (i32.const 600) (i32.const 4300) (i32.const 2) (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
    (call $exit_with (i32.load (i32.const 600)))
    (i32.const 0)))"#;

/// The new code: `upgrade` returns its upgrade-info block; `invoke` returns "B".
const UPGRADED: &str = r#"(module
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "B")
  (func (export "upgrade") (param i32 i32) (result i32) (local.get 1))
  (func (export "invoke") (param i32) (result i32)
    (drop (call $block_create (i32.const 512) (i64.const 0x55) (i32.const 1024) (i32.const 1)))
    (i32.load (i32.const 512))))"#;

/// Code without an `upgrade` export.
const NOT_UPGRADABLE: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#;

fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm))
}

#[test]
fn upgrade_actor_semantics() {
    let net = net(Abi::V4);
    let Some((bundle, root)) = net.bundle() else {
        return;
    };
    let mut g = funded_genesis(&bundle, &root);
    let state = g.put_cbor(&Vec::<u8>::new()).unwrap();
    let upgraded = wat::parse_str(UPGRADED).unwrap();
    let not_upgradable = wat::parse_str(NOT_UPGRADABLE).unwrap();
    // Store both codes (as the codes of other actors).
    for wasm in [&upgraded, &not_upgradable] {
        g.code_actor(wasm, state, TokenAmount::default()).unwrap();
    }
    let id = 103;
    let data = [
        (4096, code_cid(&upgraded).to_bytes()),
        (4200, code_cid(&not_upgradable).to_bytes()),
        (4300, Address::new_id(id).to_bytes()),
    ]
    .iter()
    .map(|(off, b)| format!("(data (i32.const {off}) \"{}\")", wat_bytes(b)))
    .collect::<String>();
    let upgrader = wat::parse_str(UPGRADER.replace("DATA", &data)).unwrap();
    let (actual_id, addr) = g
        .code_actor(&upgrader, state, TokenAmount::default())
        .unwrap();
    assert_eq!(actual_id, id);
    let messages = calls(addr, &[(5, 0), (3, 0), (2, 0), (2, 0)]);
    let results = net.run_ours(&net.setup(g, messages));

    // New code without an `upgrade` export: the upgrade fails, the code stays.
    let invalid_receiver = ExitCode::SYS_INVALID_RECEIVER.value();
    assert_eq!(results[0].exit_code, 200 + invalid_receiver);
    // The sub-call re-enters the actor, which may then not upgrade.
    assert_eq!(
        results[1].exit_code,
        100 + fvm_shared::error::ErrorNumber::Forbidden as u32
    );
    // The upgrade succeeds: the caller exits with the upgrade's return value.
    assert_eq!(results[2].exit_code, 0);
    let info = UpgradeInfo {
        old_code_cid: code_cid(&upgrader),
    };
    assert_eq!(results[2].return_data, to_vec(&info).unwrap());
    // The actor now runs the new code.
    assert_eq!(results[3].exit_code, 0);
    assert_eq!(results[3].return_data, b"B");
    assert_ne!(results[1].state_root, results[2].state_root);
}

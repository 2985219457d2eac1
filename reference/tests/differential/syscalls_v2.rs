//! Differential test of the v2 syscalls (nv17): test actors written in WAT call ref-fvm 2's
//! forms of the syscalls whose arguments are addresses (`resolve_address`, `send`,
//! `self_destruct`, `verify_signature`) with every kind of address — f4 among them, which
//! ref-fvm 2 does not know and reads as an unknown protocol — and its signed `gas::charge`;
//! every scenario runs on ifvm and on ref-fvm 2.12 and must give identical exit codes, return
//! data, gas and state roots. Each actor exits with 100 plus the last syscall's error number,
//! so the exit code tells which error each engine returned. Nothing is hard-coded: ref-fvm is
//! the expected result.

use crate::harness::*;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use ifvm_kernel::Abi;

/// The syscalls test actors import (v2 ABI; value-returning syscalls take an out-pointer first).
const IMPORTS: &str = r#"
  (import "vm" "abort" (func $abort (param i32 i32 i32) (result i32)))
  (import "actor" "resolve_address" (func $resolve (param i32 i32 i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64) (result i32)))
  (import "self" "self_destruct" (func $self_destruct (param i32 i32) (result i32)))
  (import "crypto" "verify_signature" (func $verify_sig (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gas" "charge" (func $charge (param i32 i32 i64) (result i32)))
"#;

/// A test actor running `main`, then exiting with 100 + `$r` (the error number `main` left).
/// Memory holds a gas-charge name (`refund`, 6 bytes) at 900, `address`'s length (4 bytes,
/// little-endian) at 1020 and its bytes at 1024.
fn actor(main: &str, address: &Address) -> Vec<u8> {
    let address = address.to_bytes();
    let mut data = (address.len() as u32).to_le_bytes().to_vec();
    data.extend_from_slice(&address);
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 900) "refund")
  (data (i32.const 1020) "{data}")
  (func (export "invoke") (param $p i32) (result i32)
    (local $r i32)
    {main}
    (drop (call $abort (i32.add (i32.const 100) (local.get $r)) (i32.const 0) (i32.const 0)))
    (i32.const 0)))"#,
        data = wat_bytes(&data),
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("invalid test actor: {e}\n{wat}"))
}

/// A scenario: a test actor's syscall and the address it takes.
struct Scenario {
    name: &'static str,
    /// Sets `$r`.
    main: &'static str,
    address: fn() -> Address,
}

fn f4() -> Address {
    Address::new_delegated(10, &[7; 20]).expect("a valid f4 address")
}

fn unknown_f2() -> Address {
    Address::new_actor(b"nobody")
}

fn fresh_secp() -> Address {
    secp_address(9)
}

const RESOLVE: &str =
    "(local.set $r (call $resolve (i32.const 0) (i32.const 1024) (i32.load (i32.const 1020))))";
const SEND: &str = "(local.set $r (call $send (i32.const 0) (i32.const 1024) (i32.load (i32.const 1020)) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1)))";
const SELF_DESTRUCT: &str =
    "(local.set $r (call $self_destruct (i32.const 1024) (i32.load (i32.const 1020))))";
const VERIFY: &str = "(local.set $r (call $verify_sig (i32.const 0) (i32.const 1) (i32.const 2000) (i32.const 65) (i32.const 1024) (i32.load (i32.const 1020)) (i32.const 1024) (i32.const 4)))";

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "resolve an f4 address",
        main: RESOLVE,
        address: f4,
    },
    Scenario {
        name: "resolve an unknown f2 address",
        main: RESOLVE,
        address: unknown_f2,
    },
    Scenario {
        name: "resolve the sender's key address",
        main: RESOLVE,
        address: sender,
    },
    Scenario {
        name: "send to an f4 address",
        main: SEND,
        address: f4,
    },
    Scenario {
        name: "send to an unknown f2 address",
        main: SEND,
        address: unknown_f2,
    },
    Scenario {
        name: "send to a new secp256k1 address",
        main: SEND,
        address: fresh_secp,
    },
    Scenario {
        name: "self-destruct to an f4 beneficiary",
        main: SELF_DESTRUCT,
        address: f4,
    },
    Scenario {
        name: "self-destruct to the sender",
        main: SELF_DESTRUCT,
        address: sender,
    },
    Scenario {
        name: "verify a signature by an f4 signer",
        main: VERIFY,
        address: f4,
    },
    Scenario {
        name: "verify a signature by the sender",
        main: VERIFY,
        address: sender,
    },
    Scenario {
        name: "a negative gas charge refunds",
        main: "(local.set $r (call $charge (i32.const 900) (i32.const 6) (i64.const -5000)))",
        address: sender,
    },
];

#[test]
fn v2_syscalls_match_ref_fvm() {
    let net = net(Abi::V2);
    let Some((bundle, root)) = net.bundle() else {
        return;
    };
    let mut exit_codes = std::collections::BTreeSet::new();
    for s in SCENARIOS {
        let mut g = funded_genesis(&bundle, &root);
        let code = actor(s.main, &(s.address)());
        let state = g.put_cbor(&Vec::<u8>::new()).unwrap();
        let (_, addr) = g
            .code_actor(&code, state, TokenAmount::from_atto(1000))
            .unwrap();
        let results = net.assert_same(s.name, net.setup(g, calls(addr, &[(2, 0)])));
        exit_codes.insert(results[0].exit_code);
    }
    // Success, an unknown address and an unknown protocol at least.
    assert!(
        exit_codes.len() >= 3,
        "the scenarios reach different outcomes: {exit_codes:?}"
    );
}

//! Differential test of the v3 syscalls (nv18): test actors written in WAT exercise each
//! syscall's success and error paths (bad pointers, missing blocks, oversized blocks, unknown
//! codecs, bad addresses, insufficient funds, read-only violations, the depth limit, traps,
//! aborts, reverts); every scenario runs on ifvm and on ref-fvm 3.14 and must give identical
//! exit codes, return data, gas, events and state roots. Nothing is hard-coded: ref-fvm is the
//! expected result.

use crate::harness::*;
use fvm_ipld_encoding::{to_vec, DAG_CBOR};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use ifvm_kernel::Abi;
use multihash_codetable::{Code, MultihashDigest};

/// The syscalls test actors import (v3 ABI; value-returning syscalls take an out-pointer first).
const IMPORTS: &str = r#"
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "vm" "message_context" (func $msg_ctx (param i32) (result i32)))
  (import "ipld" "block_open" (func $block_open (param i32 i32) (result i32)))
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (import "ipld" "block_read" (func $block_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_stat" (func $block_stat (param i32 i32) (result i32)))
  (import "ipld" "block_link" (func $block_link (param i32 i32 i64 i32 i32 i32) (result i32)))
  (import "self" "root" (func $root (param i32 i32 i32) (result i32)))
  (import "self" "set_root" (func $set_root (param i32) (result i32)))
  (import "self" "current_balance" (func $balance (param i32) (result i32)))
  (import "self" "self_destruct" (func $self_destruct (param i32 i32) (result i32)))
  (import "actor" "resolve_address" (func $resolve (param i32 i32 i32) (result i32)))
  (import "actor" "get_actor_code_cid" (func $code_cid (param i32 i64 i32 i32) (result i32)))
  (import "actor" "create_actor" (func $create_actor (param i64 i32 i32 i32) (result i32)))
  (import "actor" "get_code_cid_for_type" (func $code_for_type (param i32 i32 i32 i32) (result i32)))
  (import "actor" "get_builtin_actor_type" (func $builtin_type (param i32 i32) (result i32)))
  (import "actor" "balance_of" (func $balance_of (param i32 i64) (result i32)))
  (import "actor" "next_actor_address" (func $next_addr (param i32 i32 i32) (result i32)))
  (import "actor" "lookup_delegated_address" (func $delegated (param i32 i64 i32 i32) (result i32)))
  (import "crypto" "hash" (func $hash (param i32 i64 i32 i32 i32 i32) (result i32)))
  (import "crypto" "verify_signature" (func $verify_sig (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "crypto" "recover_secp_public_key" (func $recover (param i32 i32 i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
  (import "gas" "charge" (func $charge (param i32 i32 i64) (result i32)))
  (import "gas" "available" (func $available (param i32) (result i32)))
  (import "event" "emit_event" (func $emit (param i32 i32) (result i32)))
  (import "rand" "get_chain_randomness" (func $rand (param i32 i64 i64 i32 i32) (result i32)))
  (import "network" "tipset_cid" (func $tipset (param i32 i64 i32 i32) (result i32)))
  (import "network" "context" (func $net_ctx (param i32) (result i32)))
  (import "network" "total_fil_circ_supply" (func $circ (param i32) (result i32)))
"#;

/// A test actor: `main` runs for method 2, `callee` for method 3. Helpers: `$fail(errno)` exits
/// with 100 + errno; `$check(errno)` fails on a non-zero errno; `$return_bytes(off, len)`
/// returns the bytes as a raw block. Data segments: `data` at 1024.
fn actor(main: &str, callee: &str, data: &[u8]) -> Vec<u8> {
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 1024) "{data}")
  (func $fail (param i32) (drop (call $exit (i32.add (i32.const 100) (local.get 0)) (i32.const 0) (i32.const 0) (i32.const 0))))
  (func $check (param i32) (if (local.get 0) (then (call $fail (local.get 0)))))
  (func $return_bytes (param i32 i32) (result i32)
    (call $check (call $block_create (i32.const 512) (i64.const 0x55) (local.get 0) (local.get 1)))
    (i32.load (i32.const 512)))
  (func $method (result i64) (call $check (call $msg_ctx (i32.const 0))) (i64.load (i32.const 32)))
  (func (export "invoke") (param $p i32) (result i32)
    (local $r i32) (local $x i64)
    (if (i64.eq (call $method) (i64.const 3)) (then {callee}))
    {main}
    (i32.const 0)))"#,
        data = wat_bytes(data),
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("invalid test actor: {e}\n{wat}"))
}

/// A scenario: a test actor (plus an optional second one), and messages from an account.
struct Scenario {
    name: &'static str,
    main: &'static str,
    callee: &'static str,
    /// Bytes at 1024 in the actor's memory; the actor's own address and ID are appended by
    /// `data_fn` when given.
    data: fn(&Ctx) -> Vec<u8>,
    /// (method, value in attoFIL) of each message to the actor.
    calls: &'static [(u64, u64)],
}

/// What a scenario's data may refer to.
struct Ctx {
    actor_id: u64,
    sender: Address,
}

fn no_data(_: &Ctx) -> Vec<u8> {
    vec![]
}

fn cid_bytes(data: &[u8]) -> Vec<u8> {
    cid::Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(data)).to_bytes()
}

fn id_address(id: u64) -> Vec<u8> {
    Address::new_id(id).to_bytes()
}

const SCENARIOS: &[Scenario] = &[
    Scenario { name: "return nothing", main: "", callee: "", data: no_data, calls: &[(2, 0), (2, 7)] },
    Scenario {
        name: "exit with a user code and message",
        main: r#"(drop (call $exit (i32.const 200) (i32.const 0) (i32.const 1024) (i32.const 5)))"#,
        callee: "",
        data: |_| b"oops!".to_vec(),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "exit with a system code",
        main: r#"(drop (call $exit (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "exit with a return block",
        main: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x51) (i32.const 1024) (i32.const 3)))
                 (drop (call $exit (i32.const 201) (i32.load (i32.const 512)) (i32.const 0) (i32.const 0)))"#,
        callee: "",
        data: |_| vec![0x82, 0x01, 0x02],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "exit with a missing block",
        main: r#"(drop (call $exit (i32.const 202) (i32.const 99) (i32.const 0) (i32.const 0)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "return a block",
        main: r#"(return (call $return_bytes (i32.const 1024) (i32.const 300)))"#,
        callee: "",
        data: |_| vec![7; 300],
        calls: &[(2, 0)],
    },
    Scenario { name: "return a missing block", main: "(return (i32.const 77))", callee: "", data: no_data, calls: &[(2, 0)] },
    Scenario { name: "trap: unreachable", main: "unreachable", callee: "", data: no_data, calls: &[(2, 0)] },
    Scenario {
        name: "trap: memory out of bounds",
        main: "(drop (i32.load (i32.const 70000)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "trap: division by zero",
        main: "(drop (i32.div_u (i32.const 1) (i32.sub (i32.const 1) (i32.const 1))))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario { name: "out of gas in a loop", main: "(loop (br 0))", callee: "", data: no_data, calls: &[(2, 0)] },
    Scenario {
        name: "memory.grow beyond the instance limit",
        main: "(if (i32.ne (memory.grow (i32.const 8193)) (i32.const -1)) (then unreachable))
               (if (i32.eq (memory.grow (i32.const 100)) (i32.const -1)) (then unreachable))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_open: cid out of bounds",
        main: "(call $fail (call $block_open (i32.const 600) (i32.const 70000)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_open: missing block",
        main: "(call $fail (call $block_open (i32.const 600) (i32.const 1024)))",
        callee: "",
        data: |_| cid_bytes(b"not in the store"),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_open: own state, then read and stat",
        main: r#"(call $check (call $root (i32.const 600) (i32.const 2000) (i32.const 100)))
                 (call $check (call $block_open (i32.const 600) (i32.const 2000)))
                 (call $check (call $block_stat (i32.const 700) (i32.load (i32.const 608))))
                 (call $check (call $block_read (i32.const 800) (i32.load (i32.const 608)) (i32.const 0) (i32.const 3000) (i32.const 100)))
                 (return (call $return_bytes (i32.const 3000) (i32.const 16)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_open: return pointer out of bounds",
        main: r#"(call $check (call $root (i32.const 600) (i32.const 2000) (i32.const 100)))
                 (call $fail (call $block_open (i32.const 65530) (i32.const 2000)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_create: forbidden codec",
        main: "(call $fail (call $block_create (i32.const 600) (i64.const 0x70) (i32.const 1024) (i32.const 1)))",
        callee: "",
        data: |_| vec![0],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_create: oversized",
        main: r#"(drop (memory.grow (i32.const 17)))
                 (call $fail (call $block_create (i32.const 600) (i64.const 0x55) (i32.const 0) (i32.const 1048577)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_create: data out of bounds",
        main: "(call $fail (call $block_create (i32.const 600) (i64.const 0x55) (i32.const 60000) (i32.const 6000)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_read: invalid handle",
        main: "(call $fail (call $block_read (i32.const 600) (i32.const 42) (i32.const 0) (i32.const 3000) (i32.const 10)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_read: offset overflow",
        main: "(call $fail (call $block_read (i32.const 600) (i32.const 42) (i32.const 0x7ffffff0) (i32.const 3000) (i32.const 100)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_read: past the end",
        main: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x55) (i32.const 1024) (i32.const 10)))
                 (call $check (call $block_read (i32.const 600) (i32.load (i32.const 512)) (i32.const 20) (i32.const 3000) (i32.const 3)))
                 (call $fail (i32.add (i32.load (i32.const 600)) (i32.const 50)))"#,
        callee: "",
        data: |_| vec![1; 10],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_stat: invalid handle",
        main: "(call $fail (call $block_stat (i32.const 600) (i32.const 0)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_link: unsupported hash",
        main: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 1024) (i32.const 3)))
                 (call $fail (call $block_link (i32.const 600) (i32.load (i32.const 512)) (i64.const 0x12) (i32.const 32) (i32.const 2000) (i32.const 100)))"#,
        callee: "",
        data: |_| vec![0x82, 0x01, 0x02],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "block_link: cid buffer too small",
        main: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 1024) (i32.const 3)))
                 (call $fail (call $block_link (i32.const 600) (i32.load (i32.const 512)) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 10)))"#,
        callee: "",
        data: |_| vec![0x82, 0x01, 0x02],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "set_root to a linked block",
        main: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 1024) (i32.const 3)))
                 (call $check (call $block_link (i32.const 600) (i32.load (i32.const 512)) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)))
                 (call $check (call $set_root (i32.const 2000)))"#,
        callee: "",
        data: |_| vec![0x82, 0x01, 0x02],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "set_root then abort reverts",
        main: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 1024) (i32.const 3)))
                 (call $check (call $block_link (i32.const 600) (i32.load (i32.const 512)) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)))
                 (call $check (call $set_root (i32.const 2000)))
                 (call $fail (i32.const 99))"#,
        callee: "",
        data: |_| vec![0x82, 0x01, 0x02],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "set_root: garbage cid",
        main: "(call $fail (call $set_root (i32.const 1024)))",
        callee: "",
        data: |_| vec![0xff; 8],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "root: buffer too small",
        main: "(call $fail (call $root (i32.const 600) (i32.const 2000) (i32.const 5)))",
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "current_balance and circulating supply",
        main: r#"(call $check (call $balance (i32.const 600)))
                 (call $check (call $circ (i32.const 616)))
                 (call $check (call $net_ctx (i32.const 640)))
                 (return (call $return_bytes (i32.const 600) (i32.const 84)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 12345)],
    },
    Scenario {
        name: "resolve_address: unknown and malformed",
        main: r#"(local.set $r (call $resolve (i32.const 600) (i32.const 1024) (i32.const 21)))
                 (if (i32.ne (local.get $r) (i32.const 6)) (then (call $fail (local.get $r))))
                 (call $fail (call $resolve (i32.const 600) (i32.const 1045) (i32.const 2)))"#,
        callee: "",
        data: |_| {
            let mut d = Address::new_secp256k1(&[9; 65]).unwrap().to_bytes();
            d.extend_from_slice(&[7, 1]);
            d
        },
        calls: &[(2, 0)],
    },
    Scenario {
        name: "resolve_address: the sender",
        main: r#"(call $check (call $resolve (i32.const 600) (i32.const 1024) (i32.const 21)))
                 (return (call $return_bytes (i32.const 600) (i32.const 8)))"#,
        callee: "",
        data: |c| c.sender.to_bytes(),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "get_actor_code_cid: unknown actor, then own code",
        main: r#"(local.set $r (call $code_cid (i32.const 600) (i64.const 99999) (i32.const 2000) (i32.const 100)))
                 (if (i32.ne (local.get $r) (i32.const 6)) (then (call $fail (local.get $r))))
                 (call $check (call $code_cid (i32.const 600) (i64.load (i32.const 24)) (i32.const 2000) (i32.const 100)))
                 (call $check (call $builtin_type (i32.const 700) (i32.const 2000)))
                 (return (call $return_bytes (i32.const 600) (i32.const 104)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "create_actor: forbidden outside init",
        main: "(call $fail (call $create_actor (i64.const 5000) (i32.const 1024) (i32.const 0) (i32.const 0)))",
        callee: "",
        data: |_| cid_bytes(b"code"),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "get_code_cid_for_type: unknown type, then the account type",
        main: r#"(local.set $r (call $code_for_type (i32.const 600) (i32.const 999) (i32.const 2000) (i32.const 100)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (call $check (call $code_for_type (i32.const 600) (i32.const 4) (i32.const 2000) (i32.const 100)))
                 (return (call $return_bytes (i32.const 2000) (i32.const 40)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "balance_of and lookup_delegated_address: unknown actor",
        main: r#"(local.set $r (call $balance_of (i32.const 600) (i64.const 99999)))
                 (if (i32.ne (local.get $r) (i32.const 6)) (then (call $fail (local.get $r))))
                 (call $fail (call $delegated (i32.const 600) (i64.const 99999) (i32.const 2000) (i32.const 100)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "next_actor_address: buffer too small, then ok",
        main: r#"(local.set $r (call $next_addr (i32.const 600) (i32.const 2000) (i32.const 20)))
                 (if (i32.ne (local.get $r) (i32.const 12)) (then (call $fail (local.get $r))))
                 (call $check (call $next_addr (i32.const 600) (i32.const 2000) (i32.const 100)))
                 (return (call $return_bytes (i32.const 2000) (i32.const 21)))"#,
        callee: "",
        data: no_data,
        calls: &[(2, 0)],
    },
    Scenario {
        name: "hash: unsupported code, then every supported one",
        main: r#"(local.set $r (call $hash (i32.const 600) (i64.const 0x99) (i32.const 1024) (i32.const 5) (i32.const 2000) (i32.const 64)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (call $check (call $hash (i32.const 600) (i64.const 0x12) (i32.const 1024) (i32.const 5) (i32.const 2000) (i32.const 32)))
                 (call $check (call $hash (i32.const 600) (i64.const 0xb220) (i32.const 1024) (i32.const 5) (i32.const 2032) (i32.const 32)))
                 (call $check (call $hash (i32.const 600) (i64.const 0xb240) (i32.const 1024) (i32.const 5) (i32.const 2064) (i32.const 64)))
                 (call $check (call $hash (i32.const 600) (i64.const 0x1b) (i32.const 1024) (i32.const 5) (i32.const 2128) (i32.const 32)))
                 (call $check (call $hash (i32.const 600) (i64.const 0x1053) (i32.const 1024) (i32.const 5) (i32.const 2160) (i32.const 10)))
                 (return (call $return_bytes (i32.const 2000) (i32.const 170)))"#,
        callee: "",
        data: |_| b"hello".to_vec(),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "verify_signature: bad type, bad signature; recover: bad signature",
        main: r#"(local.set $r (call $verify_sig (i32.const 600) (i32.const 9) (i32.const 1024) (i32.const 65) (i32.const 1100) (i32.const 21) (i32.const 1024) (i32.const 5)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (call $check (call $verify_sig (i32.const 600) (i32.const 1) (i32.const 1024) (i32.const 65) (i32.const 1100) (i32.const 21) (i32.const 1024) (i32.const 5)))
                 (if (i32.ne (i32.load (i32.const 600)) (i32.const -1)) (then unreachable))
                 (call $fail (call $recover (i32.const 2000) (i32.const 1024) (i32.const 1024)))"#,
        callee: "",
        data: |c| {
            let mut d = vec![0xee; 76];
            d.extend_from_slice(&c.sender.to_bytes());
            d
        },
        calls: &[(2, 0)],
    },
    Scenario {
        name: "send: missing actor, no funds, bad flags, read-only value",
        main: r#"(local.set $r (call $send (i32.const 600) (i32.const 1024) (i32.const 4) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1) (i64.const -1) (i64.const 0)))
                 (if (i32.ne (local.get $r) (i32.const 6)) (then (call $fail (local.get $r))))
                 (local.set $r (call $send (i32.const 600) (i32.const 1028) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 1) (i64.const 0) (i64.const -1) (i64.const 0)))
                 (if (i32.ne (local.get $r) (i32.const 5)) (then (call $fail (local.get $r))))
                 (local.set $r (call $send (i32.const 600) (i32.const 1028) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0xff)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (call $fail (call $send (i32.const 600) (i32.const 1028) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1) (i64.const -1) (i64.const 1)))"#,
        callee: "",
        data: |c| {
            let mut d = id_address(99999);
            d.extend_from_slice(&c.sender.to_bytes());
            d
        },
        calls: &[(2, 0)],
    },
    Scenario {
        name: "send: value to new f1 and f4 addresses creates actors",
        main: r#"(call $check (call $send (i32.const 600) (i32.const 1024) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 5) (i64.const -1) (i64.const 0)))
                 (call $check (i32.load (i32.const 600)))
                 (call $check (call $send (i32.const 600) (i32.const 1045) (i32.const 22) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 6) (i64.const -1) (i64.const 0)))
                 (call $check (call $send (i32.const 600) (i32.const 1045) (i32.const 22) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 7) (i64.const -1) (i64.const 0)))
                 (call $fail (call $send (i32.const 600) (i32.const 1067) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1) (i64.const -1) (i64.const 0)))"#,
        callee: "",
        data: |_| {
            let mut d = Address::new_secp256k1(&[42; 65]).unwrap().to_bytes();
            d.extend_from_slice(&Address::new_delegated(10, &[3; 20]).unwrap().to_bytes());
            d.extend_from_slice(&Address::new_actor(b"nobody").to_bytes());
            d
        },
        calls: &[(2, 1000)],
    },
    Scenario {
        name: "send: to self, callee aborts and its state reverts",
        main: r#"(call $check (call $send (i32.const 600) (i32.const 1024) (i32.const 2) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 2) (i64.const -1) (i64.const 0)))
                 (call $fail (i32.add (i32.load (i32.const 600)) (i32.const 20)))"#,
        callee: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 1040) (i32.const 3)))
                   (call $check (call $block_link (i32.const 600) (i32.load (i32.const 512)) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)))
                   (call $check (call $set_root (i32.const 2000)))
                   (drop (call $exit (i32.const 33) (i32.const 0) (i32.const 0) (i32.const 0)))"#,
        data: |c| {
            let mut d = id_address(c.actor_id);
            d.resize(16, 0);
            d.extend_from_slice(&[0x82, 0x01, 0x02]);
            d
        },
        calls: &[(2, 0)],
    },
    Scenario {
        name: "send: read-only callee may not set its root",
        main: r#"(call $check (call $send (i32.const 600) (i32.const 1024) (i32.const 2) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 1)))
                 (call $fail (i32.add (i32.load (i32.const 600)) (i32.const 20)))"#,
        callee: r#"(call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 1040) (i32.const 3)))
                   (call $check (call $block_link (i32.const 600) (i32.load (i32.const 512)) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)))
                   (call $fail (call $set_root (i32.const 2000)))"#,
        data: |c| {
            let mut d = id_address(c.actor_id);
            d.resize(16, 0);
            d.extend_from_slice(&[0x82, 0x01, 0x02]);
            d
        },
        calls: &[(2, 0)],
    },
    Scenario {
        name: "send: sub-call runs out of its own gas limit",
        main: r#"(call $check (call $send (i32.const 600) (i32.const 1024) (i32.const 2) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const 300000) (i64.const 0)))
                 (call $fail (i32.add (i32.load (i32.const 600)) (i32.const 20)))"#,
        callee: "(loop (br 0))",
        data: |c| id_address(c.actor_id),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "send: recursion to the call depth limit",
        main: r#"(local.set $r (call $send (i32.const 600) (i32.const 1024) (i32.const 2) (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
                 (if (i32.eq (local.get $r) (i32.const 3)) (then (return (i32.const 0))))
                 (call $check (local.get $r))
                 (call $check (i32.load (i32.const 600)))"#,
        callee: "",
        data: |c| id_address(c.actor_id),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "gas: charge more than available",
        main: r#"(call $check (call $available (i32.const 600)))
                 (call $fail (call $charge (i32.const 1024) (i32.const 4) (i64.const 99999999999)))"#,
        callee: "",
        data: |_| b"test".to_vec(),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "gas: invalid utf-8 charge name",
        main: "(call $fail (call $charge (i32.const 1024) (i32.const 2) (i64.const 1)))",
        callee: "",
        data: |_| vec![0xff, 0xfe],
        calls: &[(2, 0)],
    },
    Scenario {
        name: "events: valid, malformed, bad codec, too many entries",
        main: r#"(call $check (call $emit (i32.const 1024) (i32.const 10)))
                 (local.set $r (call $emit (i32.const 1034) (i32.const 3)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (local.set $r (call $emit (i32.const 1037) (i32.const 10)))
                 (if (i32.ne (local.get $r) (i32.const 9)) (then (call $fail (local.get $r))))"#,
        callee: "",
        data: |_| {
            use fvm_shared::event::{ActorEvent, Entry, Flags};
            let event = |codec| ActorEvent {
                entries: vec![Entry { flags: Flags::FLAG_INDEXED_ALL, key: "k".into(), codec, value: vec![1, 2] }],
            };
            let mut d = to_vec(&event(0x55)).unwrap();
            assert_eq!(d.len(), 10);
            d.extend_from_slice(&[0x81, 0x84, 0xff]);
            d.extend_from_slice(&to_vec(&event(0x71)).unwrap());
            d
        },
        calls: &[(2, 0)],
    },
    Scenario {
        name: "randomness and tipset cids",
        main: r#"(call $check (call $rand (i32.const 2000) (i64.const 7) (i64.const 2699990) (i32.const 1024) (i32.const 4)))
                 (local.set $r (call $tipset (i32.const 600) (i64.const 2700005) (i32.const 2100) (i32.const 100)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (call $check (call $tipset (i32.const 600) (i64.const 2699999) (i32.const 2032) (i32.const 100)))
                 (call $check (call $tipset (i32.const 600) (i64.const 2699500) (i32.const 2100) (i32.const 100)))
                 (return (call $return_bytes (i32.const 2000) (i32.const 140)))"#,
        callee: "",
        data: |_| b"seed".to_vec(),
        calls: &[(2, 0)],
    },
    Scenario {
        name: "self_destruct: to itself, bad address, then to the sender",
        main: r#"(local.set $r (call $self_destruct (i32.const 1024) (i32.const 2)))
                 (if (i32.ne (local.get $r) (i32.const 11)) (then (call $fail (local.get $r))))
                 (local.set $r (call $self_destruct (i32.const 1040) (i32.const 2)))
                 (if (i32.ne (local.get $r) (i32.const 1)) (then (call $fail (local.get $r))))
                 (call $check (call $self_destruct (i32.const 1048) (i32.const 21)))
                 (local.set $r (call $root (i32.const 600) (i32.const 2000) (i32.const 100)))
                 (if (i32.ne (local.get $r) (i32.const 2)) (then (call $fail (local.get $r))))"#,
        callee: "",
        data: |c| {
            let mut d = id_address(c.actor_id);
            d.resize(16, 0);
            d.extend_from_slice(&[7, 1]);
            d.resize(24, 0);
            d.extend_from_slice(&c.sender.to_bytes());
            d
        },
        calls: &[(2, 500)],
    },
];

#[test]
fn v3_syscalls_match_ref_fvm() {
    let net = net(Abi::V3);
    let Some((bundle, root)) = net.bundle() else {
        return;
    };
    let mut ran = 0;
    for s in SCENARIOS {
        let mut g = funded_genesis(&bundle, &root);
        // The actor's data may refer to its own ID, which is the next one assigned.
        let ctx = Ctx {
            actor_id: 101,
            sender: sender(),
        };
        let state = g.put_cbor(&Vec::<u8>::new()).unwrap();
        let (id, addr) = g
            .code_actor(
                &actor(s.main, s.callee, &(s.data)(&ctx)),
                state,
                TokenAmount::from_atto(1000),
            )
            .unwrap();
        assert_eq!(id, ctx.actor_id);
        net.assert_same(s.name, net.setup(g, calls(addr, s.calls)));
        ran += 1;
    }
    assert_eq!(ran, SCENARIOS.len());
}

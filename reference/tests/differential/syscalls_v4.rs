//! Differential test of the v4 syscalls (nv21): test actors written in WAT exercise what
//! changed from ref-fvm 3 to 4 (IPLD reachability and link scanning, the split event ABI,
//! randomness and tipset lookbacks, burning self-destruct, BLS aggregates, link-tracking
//! charges, the call depth with gas limits) and the unchanged syscalls' error paths; every
//! scenario runs on ifvm and on ref-fvm 4.8 and must give identical exit codes, return data,
//! gas, events and state roots. Nothing is hard-coded: ref-fvm is the expected result.

use crate::harness::*;
use bls_signatures::Serialize as _;
use cid::Cid;
use fvm_ipld_encoding::{to_vec, DAG_CBOR, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use ifvm_kernel::Abi;
use ifvm_reference::syscall_fuzz::event_entry as entry;
use multihash_codetable::{Code, Multihash, MultihashDigest};

/// The syscalls test actors import (v4 ABI; value-returning syscalls take an out-pointer first).
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
  (import "self" "self_destruct" (func $self_destruct (param i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
  (import "gas" "charge" (func $charge (param i32 i32 i64) (result i32)))
  (import "gas" "available" (func $available (param i32) (result i32)))
  (import "event" "emit_event" (func $emit (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "rand" "get_chain_randomness" (func $rand (param i32 i64) (result i32)))
  (import "rand" "get_beacon_randomness" (func $beacon (param i32 i64) (result i32)))
  (import "network" "tipset_cid" (func $tipset (param i32 i64 i32 i32) (result i32)))
  (import "crypto" "verify_bls_aggregate" (func $bls_agg (param i32 i32 i32 i32 i32 i32) (result i32)))
"#;

/// Where scenario data starts (scratch space is below it, zeros above 32 KiB).
const DATA: u32 = 4096;

/// A test actor's parts: `main` runs for method 2, `callee` for method 3, `second` for
/// method 4. Helpers: `$fail(errno)` exits with 100 + errno; `$check(errno)` fails on a non-zero
/// errno; `$expect(got, want)` fails with 100 + `got` unless equal; `$create(codec, off, len)`
/// creates a block and returns its handle; `$return_bytes(off, len)` returns the bytes as a raw
/// block. Scratch: block handles at 512, out-pointers at 600, buffers from 2000.
#[derive(Default)]
struct Actor {
    main: String,
    callee: String,
    second: String,
    /// Byte strings at offsets.
    data: Vec<(u32, Vec<u8>)>,
}

fn wasm(a: &Actor) -> Vec<u8> {
    let data: String = a
        .data
        .iter()
        .map(|(off, bytes)| format!("(data (i32.const {off}) \"{}\")\n", wat_bytes(bytes)))
        .collect();
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  {data}
  (func $fail (param i32) (drop (call $exit (i32.add (i32.const 100) (local.get 0)) (i32.const 0) (i32.const 0) (i32.const 0))))
  (func $check (param i32) (if (local.get 0) (then (call $fail (local.get 0)))))
  (func $expect (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then (call $fail (local.get 0)))))
  (func $create (param i64 i32 i32) (result i32)
    (call $check (call $block_create (i32.const 512) (local.get 0) (local.get 1) (local.get 2)))
    (i32.load (i32.const 512)))
  (func $return_bytes (param i32 i32) (result i32) (call $create (i64.const 0x55) (local.get 0) (local.get 1)))
  (func $method (result i64) (call $check (call $msg_ctx (i32.const 0))) (i64.load (i32.const 32)))
  (func (export "invoke") (param $p i32) (result i32)
    (local $r i32) (local $id i32)
    (if (i64.eq (call $method) (i64.const 3)) (then {callee}))
    (if (i64.eq (call $method) (i64.const 4)) (then {second}))
    {main}
    (i32.const 0)))"#,
        callee = a.callee,
        second = a.second,
        main = a.main,
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("invalid test actor: {e}\n{wat}"))
}

/// What a scenario's actor may refer to.
struct Ctx {
    actor_id: u64,
    sender: Address,
}

/// A scenario: a test actor, and (method, value in attoFIL) of each message to it.
struct Scenario {
    name: &'static str,
    actor: fn(&Ctx) -> Actor,
    calls: &'static [(u64, u64)],
}

fn raw_cid(data: &[u8]) -> Cid {
    Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(data))
}

const LEAF: &[u8] = b"leaf";

/// The DAG-CBOR block `[leaf]`.
fn parent_block() -> Vec<u8> {
    to_vec(&vec![raw_cid(LEAF)]).unwrap()
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "return a block, exit with a block, exit with a missing block",
            actor: |_| {
                Actor {
                main: "(return (call $return_bytes (i32.const 4096) (i32.const 300)))".into(),
                second: r#"(local.set $id (call $create (i64.const 0x51) (i32.const 4096) (i32.const 3)))
                           (drop (call $exit (i32.const 201) (local.get $id) (i32.const 0) (i32.const 0)))"#
                    .into(),
                callee: "(drop (call $exit (i32.const 202) (i32.const 99) (i32.const 0) (i32.const 0)))"
                    .into(),
                data: vec![(DATA, vec![0x82; 300])],
            }
            },
            calls: &[(2, 0), (4, 0), (3, 0)],
        },
        Scenario {
            name: "ipld: the state root is reachable once read, other blocks are not",
            actor: |_| {
                Actor {
                // Opening an unreachable CID is NotFound, whether or not the block exists.
                main: r#"(call $expect (call $block_open (i32.const 600) (i32.const 4096)) (i32.const 6))
                         (call $check (call $root (i32.const 600) (i32.const 2000) (i32.const 100)))
                         (call $check (call $block_open (i32.const 600) (i32.const 2000)))
                         (call $check (call $block_stat (i32.const 700) (i32.load (i32.const 608))))
                         (return (call $return_bytes (i32.const 600) (i32.const 24)))"#
                    .into(),
                data: vec![(DATA, raw_cid(b"nowhere").to_bytes())],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "ipld: links must be reachable; linked blocks become reachable; set_root",
            actor: |_| {
                Actor {
                main: r#"(local.set $r (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4200) (i32.load (i32.const 4196))))
                         (call $expect (local.get $r) (i32.const 6))
                         (call $expect (call $set_root (i32.const 4100)) (i32.const 6))
                         (local.set $id (call $create (i64.const 0x55) (i32.const 4096) (i32.const 4)))
                         (call $check (call $block_link (i32.const 600) (local.get $id) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)))
                         (local.set $id (call $create (i64.const 0x71) (i32.const 4200) (i32.load (i32.const 4196))))
                         (call $check (call $block_link (i32.const 600) (local.get $id) (i64.const 0xb220) (i32.const 32) (i32.const 2100) (i32.const 100)))
                         (call $check (call $set_root (i32.const 2100)))"#
                    .into(),
                // A new invocation: the root's links are reachable once the root is opened.
                second: r#"(call $expect (call $block_open (i32.const 600) (i32.const 4100)) (i32.const 6))
                           (call $check (call $root (i32.const 600) (i32.const 2000) (i32.const 100)))
                           (call $check (call $block_open (i32.const 600) (i32.const 2000)))
                           (call $check (call $block_open (i32.const 600) (i32.const 4100)))
                           (call $expect (call $block_read (i32.const 700) (i32.load (i32.const 608)) (i32.const 0) (i32.const 2200) (i32.const 4)) (i32.const 0))
                           (return (call $return_bytes (i32.const 2200) (i32.const 4)))"#
                    .into(),
                data: vec![
                    (DATA, LEAF.to_vec()),
                    (4100, raw_cid(LEAF).to_bytes()),
                    (4196, (parent_block().len() as u32).to_le_bytes().to_vec()),
                    (4200, parent_block()),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 0), (4, 0)],
        },
        Scenario {
            name: "ipld: malformed DAG-CBOR, forbidden codecs and hashes, inline CIDs",
            actor: |_| {
                Actor {
                main: r#"(call $expect (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4096) (i32.const 1)) (i32.const 10))
                         (call $expect (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4100) (i32.const 2)) (i32.const 10))
                         (call $expect (call $block_create (i32.const 512) (i64.const 0x70) (i32.const 4100) (i32.const 1)) (i32.const 9))
                         (call $expect (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4200) (i32.load (i32.const 4196))) (i32.const 6))
                         (call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4400) (i32.load (i32.const 4396))))
                         (call $expect (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4600) (i32.load (i32.const 4596))) (i32.const 6))
                         (call $check (call $block_create (i32.const 512) (i64.const 0x51) (i32.const 4200) (i32.load (i32.const 4196))))
                         (call $check (call $block_create (i32.const 512) (i64.const 0x71) (i32.const 4800) (i32.load (i32.const 4796))))
                         (return (i32.load (i32.const 512)))"#
                    .into(),
                data: {
                    let sha = Cid::new_v1(IPLD_RAW, Code::Sha2_256.digest(b"x"));
                    let inline_raw =
                        Cid::new_v1(IPLD_RAW, Multihash::wrap(0, b"inline").unwrap());
                    let inline_dag = Cid::new_v1(
                        DAG_CBOR,
                        Multihash::wrap(0, &parent_block()).unwrap(),
                    );
                    let with = |cid: Cid| to_vec(&(1u8, cid, "x")).unwrap();
                    let mut map = std::collections::BTreeMap::new();
                    map.insert("a", vec![1u64, 2, 3]);
                    map.insert("b", vec![]);
                    let fields = to_vec(&(map, -5i64, 1.5f64, true, (), "text")).unwrap();
                    let len = |v: &[u8]| (v.len() as u32).to_le_bytes().to_vec();
                    vec![
                        (DATA, vec![0x5b]),
                        (4100, vec![0x01, 0x02]),
                        (4196, len(&with(sha))),
                        (4200, with(sha)),
                        (4396, len(&with(inline_raw))),
                        (4400, with(inline_raw)),
                        // An inline block linking to an unreachable block.
                        (4596, len(&with(inline_dag))),
                        (4600, with(inline_dag)),
                        (4796, len(&fields)),
                        (4800, fields),
                    ]
                },
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "ipld: inline CIDs are never reachable; bad link hashes",
            actor: |_| {
                Actor {
                main: r#"(call $expect (call $block_open (i32.const 600) (i32.const 4096)) (i32.const 6))
                         (call $expect (call $set_root (i32.const 4096)) (i32.const 6))
                         (local.set $id (call $create (i64.const 0x55) (i32.const 4200) (i32.const 4)))
                         (call $expect (call $block_link (i32.const 600) (local.get $id) (i64.const 0x12) (i32.const 32) (i32.const 2000) (i32.const 100)) (i32.const 8))
                         (call $expect (call $block_link (i32.const 600) (local.get $id) (i64.const 0xb220) (i32.const 20) (i32.const 2000) (i32.const 100)) (i32.const 8))
                         (call $expect (call $block_link (i32.const 600) (local.get $id) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 10)) (i32.const 12))
                         (call $expect (call $block_link (i32.const 600) (i32.const 77) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)) (i32.const 7))"#
                    .into(),
                data: vec![
                    (DATA, Cid::new_v1(IPLD_RAW, Multihash::wrap(0, b"inline").unwrap()).to_bytes()),
                    (4200, LEAF.to_vec()),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "ipld: params and returns carry reachability across sends",
            actor: |c| {
                Actor {
                // Link the leaf, send [leaf] to self; the callee opens the leaf through its
                // params and returns [leaf]; the caller reads the returned block.
                main: r#"(local.set $id (call $create (i64.const 0x55) (i32.const 4096) (i32.const 4)))
                         (call $check (call $block_link (i32.const 600) (local.get $id) (i64.const 0xb220) (i32.const 32) (i32.const 2000) (i32.const 100)))
                         (local.set $id (call $create (i64.const 0x71) (i32.const 4200) (i32.load (i32.const 4196))))
                         (call $check (call $send (i32.const 600) (i32.const 4300) (i32.load (i32.const 4296)) (i64.const 3) (local.get $id) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 0))
                         (local.set $id (i32.load (i32.const 604)))
                         (call $check (call $send (i32.const 600) (i32.const 4300) (i32.load (i32.const 4296)) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 106))
                         (return (local.get $id))"#
                    .into(),
                callee: r#"(call $check (call $block_open (i32.const 700) (i32.const 4100)))
                           (return (local.get $p))"#
                    .into(),
                data: vec![
                    (DATA, LEAF.to_vec()),
                    (4100, raw_cid(LEAF).to_bytes()),
                    (4196, (parent_block().len() as u32).to_le_bytes().to_vec()),
                    (4200, parent_block()),
                    (4296, 2u32.to_le_bytes().to_vec()),
                    (4300, Address::new_id(c.actor_id).to_bytes()),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "events: valid, bad flags, long key, bad codec, bad UTF-8, leftover buffers",
            actor: |_| {
                Actor {
                main: r#"(call $check (call $emit (i32.const 4096) (i32.const 2) (i32.const 4200) (i32.const 3) (i32.const 4210) (i32.const 3)))
                         (call $expect (call $emit (i32.const 4300) (i32.const 1) (i32.const 4200) (i32.const 1) (i32.const 4210) (i32.const 0)) (i32.const 1))
                         (call $expect (call $emit (i32.const 4400) (i32.const 1) (i32.const 5000) (i32.const 32) (i32.const 4210) (i32.const 0)) (i32.const 3))
                         (call $expect (call $emit (i32.const 4500) (i32.const 1) (i32.const 4200) (i32.const 1) (i32.const 4210) (i32.const 1)) (i32.const 9))
                         (call $expect (call $emit (i32.const 4600) (i32.const 1) (i32.const 4220) (i32.const 2) (i32.const 4210) (i32.const 0)) (i32.const 1))
                         (call $expect (call $emit (i32.const 4600) (i32.const 1) (i32.const 4200) (i32.const 3) (i32.const 4210) (i32.const 0)) (i32.const 1))
                         (call $expect (call $emit (i32.const 4600) (i32.const 1) (i32.const 4200) (i32.const 2) (i32.const 4210) (i32.const 2)) (i32.const 1))
                         (call $check (call $emit (i32.const 4600) (i32.const 1) (i32.const 4200) (i32.const 2) (i32.const 4210) (i32.const 0)))
                         (call $check (call $emit (i32.const 4600) (i32.const 0) (i32.const 4200) (i32.const 0) (i32.const 4210) (i32.const 0)))"#
                    .into(),
                data: vec![
                    (
                        DATA,
                        [entry(3, 0x55, 1, 2), entry(1, 0x51, 2, 1)].concat(),
                    ),
                    (4200, b"abc".to_vec()),
                    (4210, vec![1, 2, 3]),
                    (4220, vec![0xff, 0xfe]),
                    (4300, entry(4, 0x55, 1, 0)),
                    (4400, entry(0, 0x55, 32, 0)),
                    (4500, entry(2, 0x71, 1, 1)),
                    (4600, entry(0, 0x55, 2, 0)),
                    (5000, vec![b'k'; 32]),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "events: limits, bad pointers, read-only, reverted with the call",
            actor: |c| {
                Actor {
                main: r#"(call $expect (call $emit (i32.const 32768) (i32.const 256) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const 3))
                         (call $expect (call $emit (i32.const 32768) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 32768) (i32.const 8193)) (i32.const 3))
                         (call $expect (call $emit (i32.const 32768) (i32.const 0x10000000) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const 1))
                         (call $expect (call $emit (i32.const 65530) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const 1))
                         (call $expect (call $emit (i32.const 32768) (i32.const 255) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const 9))
                         (call $check (call $send (i32.const 600) (i32.const 4300) (i32.load (i32.const 4296)) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 1)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 113))
                         (call $check (call $send (i32.const 600) (i32.const 4300) (i32.load (i32.const 4296)) (i64.const 4) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 77))
                         (call $check (call $emit (i32.const 4096) (i32.const 1) (i32.const 4200) (i32.const 1) (i32.const 4210) (i32.const 1)))"#
                    .into(),
                callee: r#"(call $check (call $emit (i32.const 4096) (i32.const 1) (i32.const 4200) (i32.const 1) (i32.const 4210) (i32.const 1)))"#
                    .into(),
                second: r#"(call $check (call $emit (i32.const 4096) (i32.const 1) (i32.const 4200) (i32.const 1) (i32.const 4210) (i32.const 1)))
                           (drop (call $exit (i32.const 77) (i32.const 0) (i32.const 0) (i32.const 0)))"#
                    .into(),
                data: vec![
                    (DATA, entry(3, 0x55, 1, 1)),
                    (4200, b"k".to_vec()),
                    (4210, vec![9]),
                    (4296, 2u32.to_le_bytes().to_vec()),
                    (4300, Address::new_id(c.actor_id).to_bytes()),
                ],
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "randomness and tipset CIDs: lookbacks are priced, not limited",
            actor: |_| {
                Actor {
                main: r#"(call $check (call $rand (i32.const 2000) (i64.const 2699990)))
                         (call $check (call $beacon (i32.const 2032) (i64.const 1000)))
                         (call $check (call $rand (i32.const 2064) (i64.const 2700000)))
                         (call $expect (call $tipset (i32.const 600) (i64.const 2700000) (i32.const 2100) (i32.const 100)) (i32.const 1))
                         (call $expect (call $tipset (i32.const 600) (i64.const 2700001) (i32.const 2100) (i32.const 100)) (i32.const 1))
                         (call $expect (call $tipset (i32.const 600) (i64.const -1) (i32.const 2100) (i32.const 100)) (i32.const 1))
                         (call $check (call $tipset (i32.const 600) (i64.const 2699999) (i32.const 2096) (i32.const 100)))
                         (call $check (call $tipset (i32.const 600) (i64.const 2000000) (i32.const 2140) (i32.const 100)))
                         (call $expect (call $tipset (i32.const 600) (i64.const 2699999) (i32.const 2100) (i32.const 10)) (i32.const 12))
                         (return (call $return_bytes (i32.const 2000) (i32.const 180)))"#
                    .into(),
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "randomness from the future costs everything",
            actor: |_| Actor {
                main: "(call $check (call $rand (i32.const 2000) (i64.const 2700001)))".into(),
                ..Actor::default()
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "self_destruct: unspent funds, burning them, then the actor is gone",
            actor: |_| {
                Actor {
                main: r#"(call $expect (call $self_destruct (i32.const 0)) (i32.const 2))
                         (call $check (call $self_destruct (i32.const 7)))
                         (call $expect (call $root (i32.const 600) (i32.const 2000) (i32.const 100)) (i32.const 2))
                         (call $check (call $balance (i32.const 600)))
                         (call $check (call $self_destruct (i32.const 0)))
                         (return (call $return_bytes (i32.const 600) (i32.const 16)))"#
                    .into(),
                ..Actor::default()
            }
            },
            calls: &[(2, 500)],
        },
        Scenario {
            name: "self_destruct: read-only",
            actor: |c| {
                Actor {
                main: r#"(call $check (call $send (i32.const 600) (i32.const 4300) (i32.load (i32.const 4296)) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 1)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 113))"#
                    .into(),
                callee: "(call $check (call $self_destruct (i32.const 1)))".into(),
                data: vec![
                    (4296, 2u32.to_le_bytes().to_vec()),
                    (4300, Address::new_id(c.actor_id).to_bytes()),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "verify_bls_aggregate: valid, invalid, no signers, bad lengths",
            actor: |_| {
                Actor {
                main: r#"(call $check (call $bls_agg (i32.const 600) (i32.const 2) (i32.const 4096) (i32.const 4200) (i32.const 4300) (i32.const 4320)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 0))
                         (call $check (call $bls_agg (i32.const 600) (i32.const 2) (i32.const 4096) (i32.const 4200) (i32.const 4300) (i32.const 4328)))
                         (call $expect (i32.load (i32.const 600)) (i32.const -1))
                         (call $check (call $bls_agg (i32.const 600) (i32.const 2) (i32.const 4096) (i32.const 4200) (i32.const 4300) (i32.const 4336)))
                         (call $expect (i32.load (i32.const 600)) (i32.const -1))
                         (call $check (call $bls_agg (i32.const 600) (i32.const 0) (i32.const 4096) (i32.const 4200) (i32.const 4300) (i32.const 4320)))
                         (call $expect (i32.load (i32.const 600)) (i32.const 0))
                         (call $expect (call $bls_agg (i32.const 600) (i32.const 0x10000000) (i32.const 4096) (i32.const 4200) (i32.const 4300) (i32.const 4320)) (i32.const 1))
                         (call $expect (call $bls_agg (i32.const 600) (i32.const 1) (i32.const 65500) (i32.const 4200) (i32.const 4300) (i32.const 4320)) (i32.const 1))"#
                    .into(),
                data: {
                    use bls_signatures::{aggregate, PrivateKey};
                    let keys = [PrivateKey::new([1u8; 32]), PrivateKey::new([2u8; 32])];
                    let msgs: [&[u8]; 2] = [b"hello", b"world!"];
                    let sigs: Vec<_> = keys.iter().zip(msgs).map(|(k, m)| k.sign(m)).collect();
                    let sig = aggregate(&sigs).unwrap().as_bytes();
                    let pubs: Vec<u8> = keys.iter().flat_map(|k| k.public_key().as_bytes()).collect();
                    let lens = |a: u32, b: u32| [a.to_le_bytes(), b.to_le_bytes()].concat();
                    // ref-fvm reads the lengths through a `*const u32`: keep them aligned.
                    vec![
                        (DATA, sig),
                        (4200, pubs),
                        (4300, b"helloworld!".to_vec()),
                        (4320, lens(5, 6)),
                        // Same bytes, split differently: a wrong signature.
                        (4328, lens(6, 5)),
                        // Duplicate plaintexts.
                        (4336, lens(0, 0)),
                    ]
                },
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "send: missing actor, no funds, bad flags, read-only value",
            actor: |c| {
                Actor {
                main: r#"(call $expect (call $send (i32.const 600) (i32.const 4096) (i32.const 4) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1) (i64.const -1) (i64.const 0)) (i32.const 6))
                         (call $expect (call $send (i32.const 600) (i32.const 4100) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 1) (i64.const 0) (i64.const -1) (i64.const 0)) (i32.const 5))
                         (call $expect (call $send (i32.const 600) (i32.const 4100) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0xff)) (i32.const 1))
                         (call $fail (call $send (i32.const 600) (i32.const 4100) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1) (i64.const -1) (i64.const 1)))"#
                    .into(),
                data: vec![
                    (DATA, Address::new_id(99999).to_bytes()),
                    (4100, c.sender.to_bytes()),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "send: value to new f1 and f4 addresses creates actors",
            actor: |_| {
                Actor {
                main: r#"(call $check (call $send (i32.const 600) (i32.const 4096) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 5) (i64.const -1) (i64.const 0)))
                         (call $check (i32.load (i32.const 600)))
                         (call $check (call $send (i32.const 600) (i32.const 4200) (i32.const 22) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 6) (i64.const -1) (i64.const 0)))
                         (call $check (call $send (i32.const 600) (i32.const 4200) (i32.const 22) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 7) (i64.const -1) (i64.const 0)))
                         (call $fail (call $send (i32.const 600) (i32.const 4300) (i32.const 21) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 1) (i64.const -1) (i64.const 0)))"#
                    .into(),
                data: vec![
                    (DATA, secp_address(42).to_bytes()),
                    (4200, Address::new_delegated(10, &[3; 20]).unwrap().to_bytes()),
                    (4300, Address::new_actor(b"nobody").to_bytes()),
                ],
                ..Actor::default()
            }
            },
            calls: &[(2, 1000)],
        },
        Scenario {
            name: "send: sub-call runs out of its own gas limit",
            actor: |c| {
                Actor {
                main: r#"(call $check (call $send (i32.const 600) (i32.const 4096) (i32.const 2) (i64.const 3) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const 300000) (i64.const 0)))
                         (call $fail (i32.add (i32.load (i32.const 600)) (i32.const 20)))"#
                    .into(),
                callee: "(loop (br 0))".into(),
                data: vec![(DATA, Address::new_id(c.actor_id).to_bytes())],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "send: recursion to the call depth limit, with gas limits",
            actor: |c| {
                Actor {
                main: r#"(local.set $r (call $send (i32.const 600) (i32.const 4096) (i32.const 2) (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const 9000000000) (i64.const 0)))
                         (if (i32.eq (local.get $r) (i32.const 3)) (then (return (call $return_bytes (i32.const 0) (i32.const 0)))))
                         (call $check (local.get $r))
                         (call $check (i32.load (i32.const 600)))
                         (call $check (call $available (i32.const 700)))
                         (return (call $return_bytes (i32.const 700) (i32.const 8)))"#
                    .into(),
                data: vec![(DATA, Address::new_id(c.actor_id).to_bytes())],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
        Scenario {
            name: "gas: charge more than available",
            actor: |_| {
                Actor {
                main: r#"(call $check (call $available (i32.const 600)))
                         (call $fail (call $charge (i32.const 4096) (i32.const 4) (i64.const 99999999999)))"#
                    .into(),
                data: vec![(DATA, b"test".to_vec())],
                ..Actor::default()
            }
            },
            calls: &[(2, 0)],
        },
    ]
}

#[test]
fn v4_syscalls_match_ref_fvm() {
    let net = net(Abi::V4);
    let Some((bundle, root)) = net.bundle() else {
        return;
    };
    let all = scenarios();
    for s in &all {
        let mut g = funded_genesis(&bundle, &root);
        // The actor may refer to its own ID, which is the next one assigned.
        let ctx = Ctx {
            actor_id: 101,
            sender: sender(),
        };
        let state = g.put_cbor(&Vec::<u8>::new()).unwrap();
        let (id, addr) = g
            .code_actor(&wasm(&(s.actor)(&ctx)), state, TokenAmount::from_atto(1000))
            .unwrap();
        assert_eq!(id, ctx.actor_id);
        let results = net.assert_same(s.name, net.setup(g, calls(addr, s.calls)));
        eprintln!(
            "{}: {:?}",
            s.name,
            results.iter().map(|r| r.exit_code).collect::<Vec<_>>()
        );
    }
}

/// Calling an actor whose code has no `invoke` export exits with `SYS_INVALID_RECEIVER`.
#[test]
fn actor_without_invoke_matches_ref_fvm() {
    let net = net(Abi::V4);
    let Some((bundle, root)) = net.bundle() else {
        return;
    };
    let mut g = funded_genesis(&bundle, &root);
    let state = g.put_cbor(&Vec::<u8>::new()).unwrap();
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "other") (param i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let (_, addr) = g
        .code_actor(&wasm, state, TokenAmount::from_atto(1000))
        .unwrap();
    let results = net.assert_same(
        "no invoke export",
        net.setup(g, calls(addr, &[(2, 0), (0, 5)])),
    );
    assert_eq!(
        results[0].exit_code,
        fvm_shared::error::ExitCode::SYS_INVALID_RECEIVER.value()
    );
    assert_eq!(results[1].exit_code, 0, "a plain send runs no code");
}

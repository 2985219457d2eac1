//! Wasm-heavy workloads: test actors in WAT (v3 ABI), each doing one kind of work many times in
//! one message, so the time per gas of that kind of work can be compared between engines.

use fvm_ipld_encoding::BytesSer;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_vectors::BundleSet;
use ifvm_vectors::Genesis;
use ifvm_vectors::Setup;

/// The syscalls the workload actors import (v3 ABI: value-returning syscalls take an
/// out-pointer first).
const IMPORTS: &str = r#"
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_open" (func $block_open (param i32 i32) (result i32)))
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (import "ipld" "block_read" (func $block_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_link" (func $block_link (param i32 i32 i64 i32 i32 i32) (result i32)))
  (import "self" "root" (func $root (param i32 i32 i32) (result i32)))
  (import "self" "set_root" (func $set_root (param i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
"#;

/// Helpers every workload actor has: `$check(errno)` exits with 100 + errno on an error;
/// `$return_i64(x)` returns `x` as an 8-byte raw block (so results can be compared).
const HELPERS: &str = r#"
  (func $check (param i32)
    (if (local.get 0) (then
      (drop (call $exit (i32.add (i32.const 100) (local.get 0)) (i32.const 0) (i32.const 0) (i32.const 0))))))
  (func $return_i64 (param i64) (result i32)
    (i64.store (i32.const 512) (local.get 0))
    (call $check (call $block_create (i32.const 600) (i64.const 0x55) (i32.const 512) (i32.const 8)))
    (i32.load (i32.const 600)))
"#;

/// One workload: a name and the body of `$run`, which returns an `i64` result. The callee's
/// address bytes are at 1024, their length at 1020.
pub struct Workload {
    /// The benchmark name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    funcs: &'static str,
}

/// The workloads.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "arithmetic_loop",
        description: "2M iterations of an i64 LCG step with xor-shift (locals, mul, add, branch)",
        funcs: r#"
  (func $run (result i64) (local $x i64) (local $i i32)
    (local.set $x (i64.const 0x9E3779B97F4A7C15))
    (loop $l
      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))
                             (i64.const 1442695040888963407)))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 29))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 2000000))))
    (local.get $x))"#,
    },
    Workload {
        name: "hash_in_wasm",
        description: "a 64-bit multiply-rotate hash over 64 KiB of memory, 200 times (12.5 MiB hashed in Wasm)",
        funcs: r#"
  (func $run (result i64) (local $h i64) (local $p i32) (local $r i32)
    (memory.fill (i32.const 65536) (i32.const 0xA5) (i32.const 65536))
    (local.set $h (i64.const 0x27D4EB2F165667C5))
    (loop $round
      (local.set $p (i32.const 65536))
      (loop $word
        (local.set $h
          (i64.mul
            (i64.rotl
              (i64.xor (local.get $h) (i64.mul (i64.load (local.get $p)) (i64.const 0xC2B2AE3D27D4EB4F)))
              (i64.const 31))
            (i64.const 0x9E3779B185EBCA87)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br_if $word (i32.lt_u (local.get $p) (i32.const 131072))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const 200))))
    (local.get $h))"#,
    },
    Workload {
        name: "memory_copy_fill",
        description: "memory.fill then memory.copy of 512 KiB, 200 times (200 MiB written)",
        funcs: r#"
  (func $run (result i64) (local $r i32)
    (loop $round
      (memory.fill (i32.const 65536) (local.get $r) (i32.const 524288))
      (memory.copy (i32.const 589824) (i32.const 65536) (i32.const 524288))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const 200))))
    (i64.load (i32.const 1000000)))"#,
    },
    Workload {
        name: "deep_recursion",
        description: "a 300-deep recursive call chain, 5000 times (1.5M calls)",
        funcs: r#"
  (func $rec (param $d i32) (result i64)
    (if (result i64) (i32.eqz (local.get $d))
      (then (i64.const 1))
      (else (i64.add (call $rec (i32.sub (local.get $d) (i32.const 1)))
                     (i64.extend_i32_u (local.get $d))))))
  (func $run (result i64) (local $r i32) (local $acc i64)
    (loop $round
      (local.set $acc (i64.add (local.get $acc) (call $rec (i32.const 300))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const 5000))))
    (local.get $acc))"#,
    },
    Workload {
        name: "many_small_sends",
        description: "300 sends (method 2, no value, no params) to an actor that returns at once",
        funcs: r#"
  (func $run (result i64) (local $r i32)
    (loop $round
      (call $check (call $send (i32.const 700) (i32.const 1024) (i32.load (i32.const 1020))
        (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
      (call $check (i32.load (i32.const 700)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const 300))))
    (i64.extend_i32_u (local.get $r)))"#,
    },
    Workload {
        name: "ipld_state_update",
        description: "300 times: read the state root, open and read its 256-byte block, bump a counter, create, link and set the new root",
        funcs: r#"
  (func $run (result i64) (local $r i32)
    (loop $round
      (call $check (call $root (i32.const 700) (i32.const 4096) (i32.const 100)))
      (call $check (call $block_open (i32.const 700) (i32.const 4096)))
      (call $check (call $block_read (i32.const 720) (i32.load (i32.const 708)) (i32.const 0)
        (i32.const 2048) (i32.const 259)))
      (i64.store (i32.const 2051) (i64.add (i64.load (i32.const 2051)) (i64.const 1)))
      (call $check (call $block_create (i32.const 700) (i64.const 0x71) (i32.const 2048) (i32.const 259)))
      (call $check (call $block_link (i32.const 720) (i32.load (i32.const 700)) (i64.const 0xb220)
        (i32.const 32) (i32.const 4096) (i32.const 100)))
      (call $check (call $set_root (i32.const 4096)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const 300))))
    (i64.load (i32.const 2051)))"#,
    },
];

/// An actor that returns at once (the target of `many_small_sends`).
const CALLEE: &str = r#"(module (memory (export "memory") 1)
  (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#;

/// The gas limit of a workload message (the block gas limit).
const GAS_LIMIT: u64 = 10_000_000_000;

impl Workload {
    /// The actor's Wasm.
    pub fn wasm(&self, callee: &Address) -> Vec<u8> {
        let callee = callee.to_bytes();
        let data: String = callee.iter().map(|b| format!("\\{b:02x}")).collect();
        let wat = format!(
            r#"(module {IMPORTS}
  (memory (export "memory") 18)
  (data (i32.const 1020) "\{len:02x}\00\00\00{data}")
  {HELPERS}
  {funcs}
  (func (export "invoke") (param i32) (result i32) (call $return_i64 (call $run))))"#,
            len = callee.len(),
            funcs = self.funcs,
        );
        wat::parse_str(&wat).unwrap_or_else(|e| panic!("workload {}: {e}\n{wat}", self.name))
    }

    /// A state (nv18, actors v10) with a funded account, this workload's actor and the callee,
    /// and one message from the account to the actor's method 2.
    pub fn setup(&self, bundles: &BundleSet) -> anyhow::Result<Setup> {
        const NV: u32 = 18;
        let (bundle, root) = bundles.with_root(NV)?;
        let mut genesis = Genesis::new(bundle, &root)?;
        let sender = Address::new_secp256k1(&[7; 65])?;
        genesis.account(sender, TokenAmount::from_whole(1000))?;
        let state = genesis.put_cbor(&BytesSer(&[0u8; 256]))?;
        let (_, callee) =
            genesis.code_actor(&wat::parse_str(CALLEE)?, state, TokenAmount::default())?;
        let (_, actor) = genesis.code_actor(&self.wasm(&callee), state, TokenAmount::default())?;
        let message = Message {
            version: 0,
            from: sender,
            to: actor,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: 2,
            params: Default::default(),
            gas_limit: GAS_LIMIT,
            gas_fee_cap: TokenAmount::from_atto(1000),
            gas_premium: TokenAmount::from_atto(100),
        };
        Ok(Setup::new(genesis.finish()?, NV, vec![message]))
    }
}

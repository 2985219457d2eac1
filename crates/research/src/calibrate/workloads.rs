//! Calibration workloads: small test actors (WAT, v3 ABI, nv18) each sweeping one kind of work
//! over a range of sizes, so that every charge type they exercise is seen at many gas amounts:
//! Wasm execution (integer, memory, call and float loops; bulk memory), memory growth and
//! initialization, hashing, block creation, linking, opening and reading, and cheap syscalls.
//!
//! (The benchmark suite's workloads in `benches/` are fixed-size and live in a crate that
//! depends on ref-fvm; these are parameterized sweeps the CLI can run on its own.)

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use ifvm_vectors::BundleSet;
use ifvm_vectors::Genesis;
use ifvm_vectors::Setup;

/// The syscalls workload actors import (v3 ABI: value-returning syscalls take an out-pointer
/// first).
const IMPORTS: &str = r#"
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (import "ipld" "block_link" (func $block_link (param i32 i32 i64 i32 i32 i32) (result i32)))
  (import "ipld" "block_open" (func $block_open (param i32 i32) (result i32)))
  (import "ipld" "block_read" (func $block_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "crypto" "hash" (func $hash (param i32 i64 i32 i32 i32 i32) (result i32)))
  (import "network" "context" (func $net_ctx (param i32) (result i32)))
"#;

/// `$check(errno)`: exit with 100 + errno if a syscall failed.
const CHECK: &str = r#"
  (func $check (param i32)
    (if (local.get 0) (then
      (drop (call $exit (i32.add (i32.const 100) (local.get 0)) (i32.const 0) (i32.const 0) (i32.const 0))))))
"#;

/// Scratch memory below this offset holds syscall results; workload data starts here.
const DATA: u32 = 4096;

/// Bytes in a Wasm page.
const PAGE: u32 = 65536;

/// One workload: a kind of work and the sizes it is run at.
pub struct Workload {
    /// A short name.
    pub name: &'static str,
    /// What one unit of size is.
    pub unit: &'static str,
    /// The sizes, one actor and one message each.
    pub sizes: &'static [u32],
    /// The memory pages and the `$run` function for a size.
    code: fn(u32) -> (u32, String),
}

/// A counted loop running `body` `n` times, with `$i` the iteration.
fn counted_loop(n: u32, locals: &str, body: &str, after: &str) -> String {
    format!(
        r#"(func $run (local $i i32) {locals}
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const {n})))
      {body}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    {after})"#
    )
}

/// Pages holding the scratch area and `bytes` of data.
fn pages_for(bytes: u32) -> u32 {
    (DATA + bytes).div_ceil(PAGE).max(1)
}

const LOOP_SIZES: &[u32] = &[1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000];
const BYTE_SIZES: &[u32] = &[256, 4_096, 32_768, 131_072, 524_288, 1_048_576];

/// The workloads.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "integer_loop",
        unit: "iterations of an i64 multiply-add-xorshift step",
        sizes: LOOP_SIZES,
        code: |n| {
            let body = r#"(local.set $x (i64.add (i64.mul (local.get $x) (i64.const 0x5851F42D4C957F2D)) (i64.const 0x14057B7EF767814F)))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 33))))"#;
            (
                1,
                counted_loop(
                    n,
                    "(local $x i64)",
                    body,
                    "(i64.store (i32.const 0) (local.get $x))",
                ),
            )
        },
    },
    Workload {
        name: "memory_loop",
        unit: "iterations of an i64 load, add and store walking 64 KiB",
        sizes: LOOP_SIZES,
        code: |n| {
            let body = format!(
                r#"(i64.store (local.get $p) (i64.add (i64.load (local.get $p)) (i64.extend_i32_u (local.get $i))))
      (local.set $p (i32.add (i32.const {DATA}) (i32.and (i32.add (local.get $p) (i32.const 8)) (i32.const 0xfff8))))"#
            );
            (
                pages_for(PAGE + 8),
                counted_loop(
                    n,
                    &format!("(local $p i32) (local.set $p (i32.const {DATA}))"),
                    &body,
                    "",
                ),
            )
        },
    },
    Workload {
        name: "call_loop",
        unit: "calls of a small function",
        sizes: LOOP_SIZES,
        code: |n| {
            let run = counted_loop(
                n,
                "(local $x i64)",
                "(local.set $x (call $step (local.get $x) (local.get $i)))",
                "(i64.store (i32.const 0) (local.get $x))",
            );
            (
                1,
                format!(
                    r#"(func $step (param i64 i32) (result i64)
    (i64.add (i64.rotl (local.get 0) (i64.const 7)) (i64.extend_i32_u (local.get 1))))
  {run}"#
                ),
            )
        },
    },
    Workload {
        name: "float_loop",
        unit: "iterations of f64 multiply, add, square root and conversion",
        sizes: LOOP_SIZES,
        code: |n| {
            let body = r#"(local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.999999)) (f64.convert_i32_u (local.get $i))))
      (local.set $y (f64.add (local.get $y) (f64.sqrt (local.get $x))))"#;
            (
                1,
                counted_loop(
                    n,
                    "(local $x f64) (local $y f64)",
                    body,
                    "(f64.store (i32.const 0) (local.get $y))",
                ),
            )
        },
    },
    Workload {
        name: "memory_copy",
        unit: "bytes copied with memory.copy (memory sized to hold them twice)",
        sizes: BYTE_SIZES,
        code: |n| {
            (
                pages_for(2 * n),
                format!(
                    "(func $run (memory.copy (i32.const {}) (i32.const {DATA}) (i32.const {n})))",
                    DATA + n
                ),
            )
        },
    },
    Workload {
        name: "memory_fill",
        unit: "bytes filled with memory.fill",
        sizes: BYTE_SIZES,
        code: |n| {
            (
                pages_for(n),
                format!(
                    "(func $run (memory.fill (i32.const {DATA}) (i32.const 0xA5) (i32.const {n})))"
                ),
            )
        },
    },
    Workload {
        name: "memory_grow",
        unit: "pages grown with memory.grow",
        sizes: &[1, 4, 16, 64, 128],
        code: |n| {
            (
                1,
                format!(
                    r#"(func $run (if (i32.lt_s (memory.grow (i32.const {n})) (i32.const 0)) (then unreachable)))"#
                ),
            )
        },
    },
    Workload {
        name: "memory_init",
        unit: "pages of initial memory",
        sizes: &[1, 8, 32, 64, 128, 256],
        code: |n| (n, "(func $run)".to_string()),
    },
    Workload {
        name: "hash",
        unit: "bytes hashed with blake2b-256 (the crypto.hash syscall)",
        sizes: BYTE_SIZES,
        code: |n| {
            (
                pages_for(n),
                format!(
                    "(func $run (call $check (call $hash (i32.const 0) (i64.const 0xb220) (i32.const {DATA}) (i32.const {n}) (i32.const 64) (i32.const 32))))"
                ),
            )
        },
    },
    Workload {
        name: "block_io",
        unit: "bytes of a block created, linked (blake2b-256), opened and read back",
        sizes: BYTE_SIZES,
        code: |n| {
            (
                pages_for(2 * n),
                format!(
                    r#"(func $run (local $id i32)
    (memory.fill (i32.const {DATA}) (i32.const 0x5A) (i32.const {n}))
    (call $check (call $block_create (i32.const 0) (i64.const 0x55) (i32.const {DATA}) (i32.const {n})))
    (local.set $id (i32.load (i32.const 0)))
    (call $check (call $block_link (i32.const 0) (local.get $id) (i64.const 0xb220) (i32.const 32) (i32.const 128) (i32.const 100)))
    (call $check (call $block_open (i32.const 0) (i32.const 128)))
    (local.set $id (i32.load (i32.const 8)))
    (call $check (call $block_read (i32.const 0) (local.get $id) (i32.const 0) (i32.const {}) (i32.const {n}))))"#,
                    DATA + n
                ),
            )
        },
    },
    Workload {
        name: "cheap_syscalls",
        unit: "network.context syscalls",
        sizes: &[500, 2_000],
        code: |n| {
            (
                1,
                counted_loop(n, "", "(call $check (call $net_ctx (i32.const 0)))", ""),
            )
        },
    },
];

impl Workload {
    /// The actor's Wasm at size `n`.
    pub fn wasm(&self, n: u32) -> Result<Vec<u8>, String> {
        let (pages, run) = (self.code)(n);
        let wat = format!(
            r#"(module {IMPORTS}
  (memory (export "memory") {pages})
  {CHECK}
  {run}
  (func (export "invoke") (param i32) (result i32) (call $run) (i32.const 0)))"#
        );
        wat::parse_str(&wat).map_err(|e| format!("workload {} at {n}: {e}", self.name))
    }
}

/// A message of the calibration setup: which workload at which size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadMessage {
    /// The workload's name.
    pub workload: &'static str,
    /// The size.
    pub size: u32,
}

/// The network version workloads run at.
pub const NV: u32 = 18;

/// A state (nv18) with a funded account and one actor per workload and size, and one message
/// from the account to each actor, in [`WORKLOADS`] order.
pub fn setup(bundles: &BundleSet) -> Result<(Setup, Vec<WorkloadMessage>), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let (bundle, root) = bundles.with_root(NV).map_err(|e| err(&e))?;
    let mut genesis = Genesis::new(bundle, &root).map_err(|e| err(&e))?;
    let sender = Address::new_secp256k1(&[3; 65]).map_err(|e| err(&e))?;
    genesis
        .account(sender, TokenAmount::from_whole(1_000_000))
        .map_err(|e| err(&e))?;
    let state = genesis.put_cbor(&()).map_err(|e| err(&e))?;
    let (mut messages, mut labels) = (Vec::new(), Vec::new());
    for w in WORKLOADS {
        for &size in w.sizes {
            let (_, to) = genesis
                .code_actor(&w.wasm(size)?, state, TokenAmount::default())
                .map_err(|e| err(&e))?;
            messages.push(Message {
                version: 0,
                from: sender,
                to,
                sequence: messages.len() as u64,
                value: TokenAmount::default(),
                method_num: 2,
                params: Default::default(),
                gas_limit: 10_000_000_000,
                gas_fee_cap: TokenAmount::from_atto(1000),
                gas_premium: TokenAmount::from_atto(100),
            });
            labels.push(WorkloadMessage {
                workload: w.name,
                size,
            });
        }
    }
    let setup = Setup::new(genesis.finish().map_err(|e| err(&e))?, NV, messages);
    Ok((setup, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_compiles_at_every_size() {
        for w in WORKLOADS {
            assert!(!w.sizes.is_empty());
            for &n in w.sizes {
                let wasm = w.wasm(n).unwrap();
                wasmparser::Validator::new().validate_all(&wasm).unwrap();
            }
        }
    }
}

//! Every protocol limit at its edge, against ref-fvm (ref-fvm 3.14 for the v3 ABI, 4.8 for v4):
//! the call depth, the Wasm stack, memory per instance (by `memory.grow` and by a module's
//! initial memory) and across nested instances, the block size (created, sent as parameters,
//! read and returned), event entries, key lengths and value sizes, table elements, the value a
//! send may carry, the value and gas limit of a message, and parameter sizes. For each limit a
//! probe actor is parameterised by `n` (given as its method number); the edge is the largest
//! `n` whose message succeeds. Where ifvm's configuration names the limit, the test checks the
//! edge is there; otherwise it finds the edge on ifvm by bisection. Either way, ifvm and ref-fvm
//! must agree exactly (receipts, gas, events, traces, state roots) on the last allowed value
//! and the first refused one. Last, an actor pushing every limit at once must complete on both
//! engines with identical results, on the message thread's bounded native stack.

use crate::harness::*;
use cid::Cid;
use fvm_ipld_encoding::{to_vec, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::{ActorEvent, Entry, Flags};
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use ifvm_kernel::{Abi, NetworkConfig};
use ifvm_reference::syscall_fuzz::event_entry;
use ifvm_vectors::{Genesis, Setup, SharedBlocks};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Probe methods are `BASE + n`.
const BASE: u64 = 1000;

/// A probe's method numbers from here on run its callee part (with `n` less this).
const CALLEE: u64 = 1 << 40;

/// The probe actor's ID (the first after the sender's), whose ID address the actor keeps at 1024.
const ACTOR_ID: u64 = 101;

/// The probe actor's balance, in attoFIL.
const ACTOR_BALANCE: u64 = 1000;

/// Where probe data starts in the actor's memory (scratch space is below it).
const DATA: u32 = 4096;

/// The Wasm page size.
const PAGE: u64 = ifvm_gas::WASM_PAGE_SIZE as u64;

/// Held by each test that gives ifvm close to 2 GiB of Wasm memory, so that no two of them run
/// at once (the test binary runs tests in parallel).
static LARGE_MEMORY: Mutex<()> = Mutex::new(());

/// Waits for [`LARGE_MEMORY`].
fn one_large_memory_test_at_a_time() -> MutexGuard<'static, ()> {
    LARGE_MEMORY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A probe actor's parts. In `body`, `$n` (i64) is the method number less [`BASE`] and `$p` the
/// parameters' block; a refusal must end in a non-zero exit. Helpers: `$fail(errno)` exits with
/// 100 + errno; `$check(errno)` fails on a non-zero errno; `$create(off, len)` creates a raw
/// block and returns its handle; `$send_self(n, params)` sends method `BASE + n` to the actor
/// itself, exits with the callee's exit code if it failed (plus 1000 if that was a system
/// code), and returns the callee's return block. Memory: the actor's ID address at 1024, the
/// sender's address at 1100, `data` from [`DATA`].
struct Probe {
    body: String,
    /// Extra functions.
    funcs: String,
    /// Bytes at [`DATA`].
    data: Vec<u8>,
    /// Initial memory pages (at least what `data` needs).
    pages: u64,
    /// A funcref table of this many elements.
    table: Option<u64>,
}

impl Probe {
    /// A probe running `body`, with one page of memory, no data and no table.
    fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            funcs: String::new(),
            data: Vec::new(),
            pages: 1,
            table: None,
        }
    }

    /// The probe with `data` at [`DATA`] (and the memory to hold it).
    fn data(mut self, data: Vec<u8>) -> Self {
        self.pages = self
            .pages
            .max((u64::from(DATA) + data.len() as u64).div_ceil(PAGE));
        self.data = data;
        self
    }

    /// The probe's module, importing `abi`'s form of `event::emit_event`.
    fn wasm(&self, abi: Abi) -> Vec<u8> {
        let emit = match abi {
            Abi::V4 => "(param i32 i32 i32 i32 i32 i32)",
            _ => "(param i32 i32)",
        };
        let own = wat_bytes(&Address::new_id(ACTOR_ID).to_bytes());
        let sender = wat_bytes(&sender().to_bytes());
        let table = self
            .table
            .map_or(String::new(), |n| format!("(table {n} funcref)"));
        let wat = format!(
            r#"(module
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "vm" "message_context" (func $msg_ctx (param i32) (result i32)))
  (import "ipld" "block_create" (func $block_create (param i32 i64 i32 i32) (result i32)))
  (import "ipld" "block_read" (func $block_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
  (import "event" "emit_event" (func $emit {emit} (result i32)))
  (memory (export "memory") {pages})
  {table}
  (data (i32.const 1024) "{own}")
  (data (i32.const 1100) "{sender}")
  (data (i32.const {DATA}) "{data}")
  (func $fail (param i32) (drop (call $exit (i32.add (i32.const 100) (local.get 0)) (i32.const 0) (i32.const 0) (i32.const 0))))
  (func $check (param i32) (if (local.get 0) (then (call $fail (local.get 0)))))
  (func $create (param i32 i32) (result i32)
    (call $check (call $block_create (i32.const 512) (i64.const {IPLD_RAW}) (local.get 0) (local.get 1)))
    (i32.load (i32.const 512)))
  (func $send_self (param $n i64) (param $params i32) (result i32)
    (local $code i32)
    (call $check (call $send (i32.const 600) (i32.const 1024) (i32.const {own_len})
      (i64.add (local.get $n) (i64.const {BASE})) (local.get $params)
      (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
    (local.set $code (i32.load (i32.const 600)))
    (if (local.get $code) (then
      (if (i32.lt_u (local.get $code) (i32.const 16))
        (then (local.set $code (i32.add (local.get $code) (i32.const 1000)))))
      (drop (call $exit (local.get $code) (i32.const 0) (i32.const 0) (i32.const 0)))))
    (i32.load (i32.const 604)))
  {funcs}
  (func (export "invoke") (param $p i32) (result i32)
    (local $n i64) (local $r i32)
    (call $check (call $msg_ctx (i32.const 0)))
    (local.set $n (i64.sub (i64.load (i32.const 32)) (i64.const {BASE})))
    {body}
    (i32.const 0)))"#,
            pages = self.pages,
            own_len = Address::new_id(ACTOR_ID).to_bytes().len(),
            data = wat_bytes(&self.data),
            funcs = self.funcs,
            body = self.body,
        );
        wat::parse_str(&wat).unwrap_or_else(|e| panic!("invalid probe actor: {e}\n{wat}"))
    }
}

/// A limit's probe on one network: the setup that tries `n`.
struct Limit<'a> {
    net: &'a Net,
    name: &'a str,
    bundle: (SharedBlocks, Cid),
    probe: Box<dyn Fn(u64) -> Probe + 'a>,
    messages: Box<Messages<'a>>,
}

/// A limit's messages for `n`, added to a genesis that holds the probe actor.
type Messages<'a> = dyn Fn(u64, &mut Genesis) -> Vec<Message> + 'a;

impl<'a> Limit<'a> {
    /// The probe actor `probe(n)`, called by one message with method `BASE + n`.
    fn actor(net: &'a Net, name: &'a str, probe: impl Fn(u64) -> Probe + 'a) -> Self {
        Self::new(net, name, probe, |n, _| calls(own(), &[(BASE + n, 0)]))
    }

    /// The probe actor `probe(n)`, called by one message (method `BASE`) that `edit(n, _)`
    /// changes.
    fn message(
        net: &'a Net,
        name: &'a str,
        probe: impl Fn(u64) -> Probe + 'a,
        edit: impl Fn(u64, &mut Message) + 'a,
    ) -> Self {
        Self::new(net, name, probe, move |n, _| {
            let mut m = calls(own(), &[(BASE, 0)]).remove(0);
            edit(n, &mut m);
            vec![m]
        })
    }

    /// The probe actor `probe(n)`, and `messages(n, genesis)` (after the actor is created).
    fn new(
        net: &'a Net,
        name: &'a str,
        probe: impl Fn(u64) -> Probe + 'a,
        messages: impl Fn(u64, &mut Genesis) -> Vec<Message> + 'a,
    ) -> Self {
        Self {
            net,
            name,
            bundle: net.bundle().expect("the caller checked the bundle"),
            probe: Box::new(probe),
            messages: Box::new(messages),
        }
    }

    /// The setup that tries `n`.
    fn setup(&self, n: u64) -> Setup {
        let (bundle, root) = &self.bundle;
        let mut g = funded_genesis(bundle, root);
        let state = g.put_cbor(&Vec::<u8>::new()).expect("empty state");
        let (id, _) = g
            .code_actor(
                &(self.probe)(n).wasm(self.net.abi),
                state,
                TokenAmount::from_atto(ACTOR_BALANCE),
            )
            .expect("probe actor");
        assert_eq!(id, ACTOR_ID, "the probe actor's ID");
        let messages = (self.messages)(n, &mut g);
        self.net.setup(g, messages)
    }

    /// Whether ifvm's last receipt for `n` succeeds.
    fn allowed_on_ifvm(&self, n: u64) -> bool {
        let results = self.net.run_ours(&self.setup(n));
        results.last().expect("a probe sends messages").exit_code == 0
    }

    /// Runs `n` on both engines (which must agree); whether its last receipt succeeds.
    fn allowed(&self, n: u64) -> bool {
        let what = format!("{} ({:?}) at {n}", self.name, self.net.abi);
        let results = self.net.assert_same(&what, self.setup(n));
        results.last().expect("a probe sends messages").exit_code == 0
    }

    /// Checks that `edge` is allowed and `edge + 1` refused, identically on both engines.
    fn assert_edge(&self, edge: u64) {
        assert!(self.allowed(edge), "{}: {edge} must be allowed", self.name);
        assert!(
            !self.allowed(edge + 1),
            "{}: {} must be refused",
            self.name,
            edge + 1
        );
    }

    /// Finds on ifvm, by bisection, the `n` in `lo..hi` after which the outcome changes (`lo`
    /// and `hi` must differ), and checks both engines agree on `n` and `n + 1`. Returns `n`.
    fn find_edge(&self, lo: u64, hi: u64) -> u64 {
        let at_lo = self.allowed_on_ifvm(lo);
        assert_ne!(
            at_lo,
            self.allowed_on_ifvm(hi),
            "{}: the outcome must change between {lo} and {hi}",
            self.name
        );
        let (mut lo, mut hi) = (lo, hi);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.allowed_on_ifvm(mid) == at_lo {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        assert_eq!(self.allowed(lo), at_lo, "{}: at {lo}", self.name);
        assert_eq!(self.allowed(hi), !at_lo, "{}: at {hi}", self.name);
        lo
    }
}

/// The networks these tests run on (the first of the v3 and v4 ABIs), with bundles; says
/// `SKIPPED` for each without.
fn nets() -> Vec<Net> {
    [Abi::V3, Abi::V4]
        .into_iter()
        .map(net)
        .filter(|n| n.bundle().is_some())
        .collect()
}

/// The probe actor's address.
fn own() -> Address {
    Address::new_id(ACTOR_ID)
}

/// ifvm's configuration of `net`, whose limits the probes check.
fn config(net: &Net) -> NetworkConfig {
    NetworkConfig::new(NetworkVersion::from(net.nv)).expect("a supported network")
}

/// `$n` as an i32.
const N32: &str = "(i32.wrap_i64 (local.get $n))";

/// The body that recurses in sends to itself, `$n` calls deep.
const RECURSE: &str = "(if (i64.gt_u (local.get $n) (i64.const 0))
    (then (drop (call $send_self (i64.sub (local.get $n) (i64.const 1)) (i32.const 0)))))";

#[test]
fn call_depth_and_wasm_stack_limits_match_ref_fvm() {
    for net in nets() {
        let config = config(&net);
        // `n` nested sends below the message's own call.
        let depth = Limit::actor(&net, "call depth", |_| Probe::new(RECURSE));
        let frames = config.max_call_depth + u32::from(net.abi.allows_extra_call_frame());
        depth.assert_edge(u64::from(frames) - 1);

        // `n` Wasm frames, each with `locals` locals.
        for locals in [0, 100] {
            let stack = Limit::actor(&net, "Wasm stack", move |_| {
                let mut p = Probe::new("(call $rec (local.get $n))");
                p.funcs = format!(
                    "(func $rec (param $d i64) {} (if (i64.gt_u (local.get $d) (i64.const 0))
                       (then (call $rec (i64.sub (local.get $d) (i64.const 1))))))",
                    "(local i64)".repeat(locals)
                );
                p
            });
            let edge = stack.find_edge(0, 4 * u64::from(config.max_wasm_stack));
            assert!(edge > 0, "the Wasm stack allows some recursion");
        }
    }
}

#[test]
fn memory_limits_match_ref_fvm() {
    let _memory = one_large_memory_test_at_a_time();
    for net in nets() {
        let config = config(&net);
        let max_pages = config.max_inst_memory_bytes / PAGE;
        // Grown by `memory.grow` to `n` pages, the last byte written.
        let grown = Limit::actor(&net, "instance memory (grown)", |_| {
            Probe::new(format!(
                "(if (i32.eq (memory.grow (i32.sub {N32} (i32.const 1))) (i32.const -1))
                   (then (call $fail (i32.const 0))))
                 (i32.store8 (i32.sub (i32.shl {N32} (i32.const 16)) (i32.const 1)) (i32.const 1))"
            ))
        });
        grown.assert_edge(max_pages);

        // A module whose initial memory is `n` pages.
        let initial = Limit::actor(&net, "instance memory (initial)", |n| Probe {
            pages: n,
            ..Probe::new("")
        });
        initial.assert_edge(max_pages);

        // Five nested instances, each grown to `n` pages: `n = pages * 16 + depth`.
        const INSTANCES: u64 = 5;
        let nested = Limit::new(
            &net,
            "memory across nested instances",
            |_| {
                Probe::new(
                "(if (i32.eq (memory.grow (i32.sub (i32.wrap_i64 (i64.shr_u (local.get $n) (i64.const 4))) (i32.const 1))) (i32.const -1))
                   (then (call $fail (i32.const 0))))
                 (if (i64.gt_u (i64.and (local.get $n) (i64.const 15)) (i64.const 0))
                   (then (drop (call $send_self (i64.sub (local.get $n) (i64.const 1)) (i32.const 0)))))",
                )
            },
            |pages, _| calls(own(), &[(BASE + pages * 16 + INSTANCES - 1, 0)]),
        );
        nested.assert_edge(config.max_memory_bytes / PAGE / INSTANCES);

        // Growth the instance limit refuses still counts toward the call stack's total until
        // the call returns, as ref-fvm's limiter sees it (a regression test): the actor is
        // refused a whole instance's memory `REFUSED` times, then its callee grows by `n` pages.
        const REFUSED: u64 = 3;
        let refuse = format!(
            "(if (i32.ne (memory.grow (i32.const {max_pages})) (i32.const -1)) (then unreachable))"
        );
        let refused = Limit::actor(&net, "memory counted after a refused growth", |_| {
            Probe::new(format!(
                "(if (i64.ge_u (local.get $n) (i64.const {CALLEE})) (then
                   (if (i32.eq (memory.grow (i32.wrap_i64 (i64.sub (local.get $n) (i64.const {CALLEE}))))
                         (i32.const -1))
                     (then (call $fail (i32.const 0))))
                   (return (i32.const 0))))
                 {refusals}
                 (drop (call $send_self (i64.add (local.get $n) (i64.const {CALLEE})) (i32.const 0)))",
                refusals = refuse.repeat(REFUSED as usize),
            ))
        });
        // Less the caller's and the callee's initial page.
        let left = config.max_memory_bytes - REFUSED * config.max_inst_memory_bytes;
        refused.assert_edge(left / PAGE - 2);
    }
}

#[test]
fn block_and_value_limits_match_ref_fvm() {
    for net in nets() {
        let config = config(&net);
        // A raw block of `n` bytes, created, sent to the actor itself as parameters, read back
        // by the callee and returned in a new block, which the caller returns.
        let block = Limit::actor(&net, "block size", |_| {
            Probe {
            pages: 40,
            ..Probe::new(format!(
                "(if (i64.ge_u (local.get $n) (i64.const {CALLEE})) (then
                   (local.set $n (i64.sub (local.get $n) (i64.const {CALLEE})))
                   (call $check (call $block_read (i32.const 700) (local.get $p) (i32.const 0) (i32.const 65536) {N32}))
                   (return (call $create (i32.const 65536) {N32}))))
                 (return (call $send_self (i64.add (local.get $n) (i64.const {CALLEE}))
                   (call $create (i32.const 65536) {N32})))"
            ))
        }
        });
        block.assert_edge(config.max_block_size as u64);

        // Blocks created until the gas runs out: the block count is limited by gas alone.
        let count = Limit::actor(&net, "block count", |_| {
            Probe::new("(loop (drop (call $create (i32.const 0) (i32.const 1))) (br 0))")
        });
        assert!(!count.allowed(0), "creating blocks forever runs out of gas");

        // A send of `n` attoFIL to the sender.
        let value = Limit::actor(&net, "send value", |_| {
            Probe::new(
                "(call $check (call $send (i32.const 600) (i32.const 1100) (i32.const 21) (i64.const 0)
                   (i32.const 0) (i64.const 0) (local.get $n) (i64.const -1) (i64.const 0)))
                 (call $check (i32.load (i32.const 600)))",
            )
        });
        value.assert_edge(ACTOR_BALANCE);

        // A message carrying `n` attoFIL from an account whose balance covers the gas limit's
        // reserve and `COVERED` attoFIL more.
        const COVERED: u64 = 1_000_000;
        let message_value = Limit::new(
            &net,
            "message value",
            |_| Probe::new(""),
            |n, g| {
                let poor = secp_address(2);
                let m = message(poor, own(), 0, BASE, TokenAmount::from_atto(n), vec![]);
                let reserve = m.gas_fee_cap.clone() * m.gas_limit;
                g.account(poor, reserve + TokenAmount::from_atto(COVERED))
                    .expect("account");
                vec![m]
            },
        );
        message_value.assert_edge(COVERED);

        // A message with a gas limit of `n`: too little to include it is refused.
        let gas_limit = Limit::message(
            &net,
            "message gas limit",
            |_| Probe::new(""),
            |n, m| m.gas_limit = n,
        );
        gas_limit.find_edge(1, 100_000_000);

        // A message with `n` bytes of parameters, which the actor reads: the block size limit
        // binds what actors create, not the parameters a message brings (both engines accept
        // one byte past it).
        let params = Limit::message(
            &net,
            "message parameters",
            |_| Probe {
                pages: 40,
                ..Probe::new(format!(
                    "(call $check (call $block_read (i32.const 700) (local.get $p) (i32.const 0)
                       (i32.const 65536) (i32.const {})))",
                    2 * config.max_block_size
                ))
            },
            |n, m| m.params = vec![0x40; n as usize].into(),
        );
        for n in [
            config.max_block_size as u64,
            config.max_block_size as u64 + 1,
        ] {
            assert!(
                params.allowed(n),
                "message parameters of {n} bytes are accepted"
            );
        }
    }
}

/// An actor emitting one event of `entries` entries, each with a key of `key_len` bytes and a
/// raw value of `value_len` bytes, in `abi`'s form.
fn event_probe(abi: Abi, entries: u64, key_len: u64, value_len: u64) -> Probe {
    let key = "k".repeat(key_len as usize);
    let value = vec![7u8; value_len as usize];
    match abi {
        Abi::V4 => {
            let mut data = Vec::new();
            for _ in 0..entries {
                data.extend(event_entry(0, IPLD_RAW, key_len as u32, value_len as u32));
            }
            let (headers, keys) = (data.len() as u64, entries * key_len);
            data.extend(key.repeat(entries as usize).bytes());
            for _ in 0..entries {
                data.extend_from_slice(&value);
            }
            let (h, k, v) = (
                DATA as u64,
                DATA as u64 + headers,
                DATA as u64 + headers + keys,
            );
            Probe::new(format!(
                "(call $check (call $emit (i32.const {h}) (i32.const {entries}) (i32.const {k})
                   (i32.const {keys}) (i32.const {v}) (i32.const {values})))",
                values = entries * value_len,
            ))
            .data(data)
        }
        _ => {
            let entry = Entry {
                flags: Flags::empty(),
                key,
                codec: IPLD_RAW,
                value,
            };
            let event = ActorEvent {
                entries: vec![entry; entries as usize],
            };
            let data = to_vec(&event).expect("an event encodes");
            Probe::new(format!(
                "(call $check (call $emit (i32.const {DATA}) (i32.const {})))",
                data.len()
            ))
            .data(data)
        }
    }
}

#[test]
fn event_limits_match_ref_fvm() {
    for net in nets() {
        let abi = net.abi;
        let entries = Limit::actor(&net, "event entries", |n| event_probe(abi, n, 1, 1));
        entries.find_edge(1, 1024);
        let key = Limit::actor(&net, "event key length", |n| event_probe(abi, 1, n, 1));
        key.find_edge(1, 256);
        let values = Limit::actor(&net, "event value size", |n| event_probe(abi, 1, 1, n));
        values.find_edge(1, 1 << 16);
    }
}

#[test]
fn table_limit_matches_ref_fvm() {
    for net in nets() {
        let table = Limit::actor(&net, "table elements", |n| Probe {
            table: Some(n),
            ..Probe::new("")
        });
        table.find_edge(0, 1 << 20);
        // A table of one element grown by `n` more with `table.grow` (of the element it holds:
        // `ref.null` is not among the instructions the FVM prices), up to the pool's limit.
        let grown = Limit::actor(&net, "table elements (grown)", |_| Probe {
            table: Some(1),
            ..Probe::new(format!(
                "(if (i32.eq (table.grow (table.get (i32.const 0)) {N32}) (i32.const -1))
                   (then (call $fail (i32.const 0))))"
            ))
        });
        grown.find_edge(0, 1 << 20);
    }
}

/// Calls deeper than the call depth limit allows, for the actor pushing every limit at once.
const TOO_DEEP: u64 = 1100;

/// The actor pushing every limit at once, for `n = wasm_depth * 2048 + calls`: each call emits
/// an event at the limits, asks for a whole instance's memory (every 256th call; refused once
/// the call stack's total is reached), creates a block of the largest size (refused while its
/// memory is too small), recurses `wasm_depth` frames in Wasm and, at the bottom, sends to
/// itself with one call less, ignoring the outcome, until `calls` is 0 or the depth limit
/// refuses the send.
fn everything(abi: Abi, config: &NetworkConfig) -> Probe {
    let event = event_probe(abi, 255, 31, 32);
    let max_pages = config.max_inst_memory_bytes / PAGE;
    let mut p = Probe::new(format!(
        "(i64.store (i32.const 800) (local.get $n))
         (if (i64.eqz (i64.rem_u (local.get $n) (i64.const 256)))
           (then (drop (memory.grow (i32.const {grow})))))
         (drop (call $block_create (i32.const 512) (i64.const {IPLD_RAW}) (i32.const 0) (i32.const {block})))
         {emit}
         (call $deep (i64.shr_u (local.get $n) (i64.const 11)))",
        grow = max_pages - 1,
        block = config.max_block_size,
        emit = event.body,
    ));
    p.funcs = format!(
        "(func $deep (param $w i64)
           (if (i64.gt_u (local.get $w) (i64.const 0))
             (then (call $deep (i64.sub (local.get $w) (i64.const 1))))
             (else (if (i64.gt_u (i64.and (i64.load (i32.const 800)) (i64.const 2047)) (i64.const 0))
               (then (drop (call $send (i32.const 600) (i32.const 1024) (i32.const {own_len})
                 (i64.add (i64.sub (i64.load (i32.const 800)) (i64.const 1)) (i64.const {BASE}))
                 (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0))))))))",
        own_len = own().to_bytes().len(),
    );
    p.data(event.data)
}

#[test]
fn an_actor_pushing_every_limit_at_once_matches_ref_fvm() {
    let _memory = one_large_memory_test_at_a_time();
    for net in nets() {
        let config = config(&net);
        let abi = net.abi;
        // The deepest Wasm recursion the stack allows this actor, found without sends.
        let stack = Limit::new(
            &net,
            "every limit (Wasm stack)",
            |_| everything(abi, &config),
            |wasm_depth, _| calls(own(), &[(BASE + wasm_depth * 2048, 0)]),
        );
        let wasm_depth = stack.find_edge(0, u64::from(config.max_wasm_stack));
        let all = Limit::actor(&net, "every limit at once", |_| everything(abi, &config));
        let results = net.assert_same(
            "every limit at once",
            all.setup(wasm_depth * 2048 + TOO_DEEP),
        );
        assert_eq!(results[0].exit_code, 0, "the actor ran to the end");
        let frames = config.max_call_depth + u32::from(abi.allows_extra_call_frame());
        assert_eq!(
            results[0].events.len(),
            frames as usize,
            "every call down to the depth limit emitted its event"
        );
    }
}

//! The syscall-boundary fuzzer: from a seed, an actor module that calls the syscalls of an ABI
//! (every one ifvm links, taken from [`syscall_imports`]) with edge and random arguments —
//! pointers and lengths out of bounds or overlapping, huge lengths, unknown and malformed CIDs
//! and block handles, bad CBOR, invalid addresses, unknown methods, values beyond the balance,
//! re-entrant and read-only sends, unreachable blocks — and messages that call it. Each case
//! runs on ifvm and on ref-fvm (3.14 for the v3 ABI, 4.8 for v4) and every receipt, event, state
//! root and trace must be identical.
//!
//! The actor (method 2 runs the main sequence, any other method the callee's, which never
//! sends) stores each call's status in its memory and returns the first [`REPORT_LEN`] bytes —
//! every out-buffer and the statuses — so a difference in what a syscall wrote or returned
//! shows in the receipt, not only one in gas or state.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cid::Cid;
use fvm_ipld_encoding::{to_vec, DAG_CBOR, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::{ActorEvent, Entry, Flags};
use fvm_shared::message::Message;
use ifvm_actors::BuiltinActor;
use ifvm_interp::{Engine, HostImport, ValueType};
use ifvm_kernel::{syscall_imports, Abi};
use ifvm_vectors::generate::random::SplitMix64;
use ifvm_vectors::{run_ifvm, Genesis, Setup, SharedBlocks};
use multihash_codetable::{Code, Multihash, MultihashDigest};

use crate::outcome::Outcome;
use crate::run_ref_fvm;

/// Bytes of the actor's memory it returns: out-buffers from [`OUT`], statuses from [`LOG`].
pub const REPORT_LEN: u32 = 2048;
/// Where out-buffers start (below: zeros the fuzzer may point at).
const OUT: u32 = 256;
/// Where each call's status is stored, four bytes per call.
const LOG: u32 = 1792;
/// Where the dispatcher reads the message context (outside the report).
const CONTEXT: u32 = 2048;
/// Where the report's block handle is written.
const REPORT_HANDLE: u32 = 2304;
/// Where the data regions start.
const DATA: u32 = 4096;
/// The size of the actor's one page of memory.
const PAGE: u32 = 65536;
/// Syscalls in the main sequence (method 2) and in the callee's.
const MAIN_CALLS: usize = 24;
const CALLEE_CALLS: usize = 10;
/// The ID the fuzz actor gets in its genesis (the sender is 100).
const FUZZ_ACTOR_ID: u64 = 101;
/// The fuzz actor's balance, in attoFIL.
const FUZZ_BALANCE: u64 = 10_000;

/// Syscalls the fuzzer leaves out, and why.
pub const EXCLUDED: &[(&str, &str, &str)] = &[(
    "actor",
    "upgrade_actor",
    "ref-fvm links it only with its `upgrade-actor` feature, which mainnet builds leave out; \
     the upgrade_actor_v4 differential test covers it against ref-fvm 4.8's semantics",
)];

/// Why a fuzz case cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// The ABI links a syscall the fuzzer has no argument roles for (or roles whose types differ
    /// from its signature): the table in this file must follow the ABI.
    #[error("no argument roles for syscall {module}::{name} with parameters {params:?}")]
    UnknownSyscall {
        /// Import module.
        module: &'static str,
        /// Import name.
        name: &'static str,
        /// Its Wasm parameters.
        params: Vec<ValueType>,
    },
    /// The genesis state could not be built.
    #[error("genesis: {0}")]
    Genesis(#[from] ifvm_vectors::GenesisError),
    /// The generated module is not valid WAT (a bug in this file).
    #[error("generated module: {0}")]
    Wat(#[from] wat::Error),
}

/// What an argument means, which decides the values drawn for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// An out-pointer for a fixed-size result (`i32`).
    Out,
    /// An input buffer: offset and length (`i32`, `i32`).
    Buf,
    /// An input buffer meant to hold an address (`i32`, `i32`).
    Addr,
    /// A pointer to a CID or a fixed-size input (`i32`).
    Ptr,
    /// An output buffer: offset and length (`i32`, `i32`).
    OutBuf,
    /// A block handle (`i32`).
    Handle,
    /// A small number: an exit code, signature or actor type, an offset, a flag (`i32`).
    Small,
    /// A codec (`i64`).
    Codec,
    /// An actor ID (`i64`).
    Actor,
    /// A method number (`i64`).
    Method,
    /// A token amount: high and low 64 bits (`i64`, `i64`).
    Value,
    /// A send's gas limit (`i64`).
    Gas,
    /// An amount of gas to charge (`i64`).
    Charge,
    /// Send flags (`i64`).
    SendFlags,
    /// A chain epoch (`i64`).
    Epoch,
    /// A multihash code, personalization or proof type (`i64`).
    Code64,
    /// A digest length (`i32`).
    HashLen,
    /// ref-fvm 4's event arguments: entries, count, keys and values buffers (six `i32`).
    Event,
}

impl Role {
    /// The Wasm parameters the role fills.
    fn types(self) -> &'static [ValueType] {
        use ValueType::{I32, I64};
        match self {
            Role::Out | Role::Ptr | Role::Handle | Role::Small | Role::HashLen => &[I32],
            Role::Buf | Role::Addr | Role::OutBuf => &[I32, I32],
            Role::Codec
            | Role::Actor
            | Role::Method
            | Role::Gas
            | Role::Charge
            | Role::SendFlags
            | Role::Epoch
            | Role::Code64 => &[I64],
            Role::Value => &[I64, I64],
            Role::Event => &[I32; 6],
        }
    }
}

/// Each syscall's argument roles. A name may have several forms (one per ABI); the one whose
/// types match the linked signature is used.
const ROLES: &[(&str, &str, &[Role])] = {
    use Role::*;
    &[
        ("vm", "exit", &[Small, Handle, Buf]),
        ("vm", "message_context", &[Out]),
        ("network", "context", &[Out]),
        ("network", "total_fil_circ_supply", &[Out]),
        ("network", "tipset_cid", &[Out, Epoch, OutBuf]),
        ("ipld", "block_open", &[Out, Ptr]),
        ("ipld", "block_create", &[Out, Codec, Buf]),
        ("ipld", "block_read", &[Out, Handle, Small, Buf]),
        ("ipld", "block_stat", &[Out, Handle]),
        (
            "ipld",
            "block_link",
            &[Out, Handle, Code64, HashLen, OutBuf],
        ),
        ("self", "root", &[Out, OutBuf]),
        ("self", "set_root", &[Ptr]),
        ("self", "current_balance", &[Out]),
        ("self", "self_destruct", &[Addr]),
        ("self", "self_destruct", &[Small]),
        ("actor", "resolve_address", &[Out, Addr]),
        ("actor", "lookup_delegated_address", &[Out, Actor, OutBuf]),
        ("actor", "get_actor_code_cid", &[Out, Actor, OutBuf]),
        ("actor", "next_actor_address", &[Out, OutBuf]),
        ("actor", "create_actor", &[Actor, Ptr, Buf]),
        ("actor", "get_builtin_actor_type", &[Out, Ptr]),
        ("actor", "get_code_cid_for_type", &[Out, Small, OutBuf]),
        ("actor", "balance_of", &[Out, Actor]),
        ("crypto", "verify_signature", &[Out, Small, Buf, Addr, Buf]),
        (
            "crypto",
            "verify_bls_aggregate",
            &[Out, Small, Ptr, Ptr, Ptr, Ptr],
        ),
        ("crypto", "recover_secp_public_key", &[Out, Ptr, Ptr]),
        ("crypto", "hash", &[Out, Code64, Buf, OutBuf]),
        (
            "crypto",
            "compute_unsealed_sector_cid",
            &[Out, Code64, Buf, OutBuf],
        ),
        ("crypto", "verify_post", &[Out, Buf]),
        ("crypto", "verify_consensus_fault", &[Out, Buf, Buf, Buf]),
        ("crypto", "verify_aggregate_seals", &[Out, Buf]),
        ("crypto", "verify_replica_update", &[Out, Buf]),
        ("crypto", "batch_verify_seals", &[Buf, Ptr]),
        (
            "send",
            "send",
            &[Out, Addr, Method, Handle, Value, Gas, SendFlags],
        ),
        ("event", "emit_event", &[Buf]),
        ("event", "emit_event", &[Event]),
        ("rand", "get_chain_randomness", &[Out, Code64, Epoch, Buf]),
        ("rand", "get_chain_randomness", &[Out, Epoch]),
        ("rand", "get_beacon_randomness", &[Out, Code64, Epoch, Buf]),
        ("rand", "get_beacon_randomness", &[Out, Epoch]),
        ("gas", "charge", &[Buf, Charge]),
        ("gas", "available", &[Out]),
        ("debug", "log", &[Buf]),
        ("debug", "enabled", &[Out]),
        ("debug", "store_artifact", &[Buf, Buf]),
    ]
};

/// A syscall the fuzzer calls, with its argument roles.
#[derive(Clone, Debug)]
pub struct FuzzedSyscall {
    /// Import module.
    pub module: &'static str,
    /// Import name.
    pub name: &'static str,
    roles: &'static [Role],
}

impl FuzzedSyscall {
    /// `module::name`.
    pub fn path(&self) -> String {
        format!("{}::{}", self.module, self.name)
    }
}

/// Every syscall `abi` links, with argument roles, except the [`EXCLUDED`] ones; fails if one
/// has no roles matching its signature.
pub fn fuzzed_syscalls(abi: Abi) -> Result<Vec<FuzzedSyscall>, FuzzError> {
    syscall_imports(abi)
        .into_iter()
        .filter(|i| {
            !EXCLUDED
                .iter()
                .any(|&(m, n, _)| m == i.module && n == i.name)
        })
        .map(|i| {
            let roles = ROLES
                .iter()
                .find(|&&(m, n, roles)| {
                    m == i.module
                        && n == i.name
                        && roles.iter().flat_map(|r| r.types()).eq(i.params.iter())
                })
                .map(|&(_, _, roles)| roles);
            match roles {
                Some(roles) => Ok(FuzzedSyscall {
                    module: i.module,
                    name: i.name,
                    roles,
                }),
                None => {
                    let HostImport {
                        module,
                        name,
                        params,
                    } = i;
                    Err(FuzzError::UnknownSyscall {
                        module,
                        name,
                        params,
                    })
                }
            }
        })
        .collect()
}

/// A seed's case: the state and messages, and which syscall each call of the main sequence is.
pub struct FuzzCase {
    /// The state (the fuzz actor among the bundle's) and the messages.
    pub setup: Setup,
    /// The syscall of each call of the main sequence, in order.
    main_calls: Vec<String>,
}

/// The data regions placed in the actor's memory, and where each went.
struct Regions {
    /// (offset, length) of each region.
    spans: Vec<(u32, u32)>,
    /// The regions holding addresses (valid or not).
    addresses: Vec<(u32, u32)>,
    /// ref-fvm 4's event arguments: (entries, count, keys, keys length, values, values length).
    event: [u32; 6],
    /// The `(data ...)` segments.
    wat: String,
}

/// The bytes the fuzz actor has at hand: blocks, bad CBOR, addresses, CIDs (present, absent,
/// identity, truncated), signatures, events, names.
fn regions(genesis: &Genesis, state: &Cid) -> Regions {
    let raw = |data: &[u8]| Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(data));
    let manifest = genesis.manifest();
    let identity = Multihash::wrap(0, b"fuzz").expect("short digest");
    let event3 = ActorEvent::from(vec![Entry {
        flags: Flags::FLAG_INDEXED_ALL,
        key: "k".into(),
        codec: IPLD_RAW,
        value: vec![1, 2, 3],
    }]);
    let mut entries = event_entry(3, IPLD_RAW, 1, 3);
    entries.extend(event_entry(0, IPLD_RAW, 2, 0));
    let addresses = [
        Address::new_id(FUZZ_ACTOR_ID).to_bytes(),
        Address::new_id(100).to_bytes(),
        sender().to_bytes(),
        Address::new_delegated(10, &[3; 20]).expect("f4").to_bytes(),
        Address::new_actor(b"nobody").to_bytes(),
        Address::new_bls(&[1; 48]).expect("f3").to_bytes(),
        vec![0x07, 0x01],
    ];
    let mut blobs: Vec<Vec<u8>> = addresses.to_vec();
    blobs.extend([
        to_vec(&vec![raw(b"leaf")]).expect("CBOR"),
        b"leaf".to_vec(),
        vec![0xff, 0x9f, 0x01, 0x02],
        vec![0x80],
        b"fuzz-name".to_vec(),
        state.to_bytes(),
        raw(b"leaf").to_bytes(),
        manifest.code(BuiltinActor::Account).to_bytes(),
        manifest.code(BuiltinActor::Placeholder).to_bytes(),
        Cid::new_v1(IPLD_RAW, identity).to_bytes(),
        vec![0x01, 0x71, 0xa0, 0xe4, 0x02, 0x20, 0x01],
        vec![7; 65],
        vec![9; 96],
        vec![5; 32],
        to_vec(&event3).expect("CBOR"),
        entries,
        b"kab".to_vec(),
        vec![1, 2, 3],
        4u32.to_le_bytes().to_vec(),
    ]);
    let mut spans = Vec::new();
    let mut wat = String::new();
    let mut at = DATA;
    for blob in &blobs {
        let len = blob.len() as u32;
        spans.push((at, len));
        let bytes: String = blob.iter().map(|b| format!("\\{b:02x}")).collect();
        let _ = writeln!(wat, "  (data (i32.const {at}) \"{bytes}\")");
        at = (at + len + 7) & !7;
    }
    let n = spans.len();
    let (entries, keys, values) = (spans[n - 4], spans[n - 3], spans[n - 2]);
    Regions {
        addresses: spans[..addresses.len()].to_vec(),
        spans,
        event: [entries.0, 2, keys.0, keys.1, values.0, values.1],
        wat,
    }
}

/// An `fvm_shared::sys::EventEntry` as ref-fvm 4's `event::emit_event` reads it: flags, codec,
/// key length, value length (packed, little-endian).
pub fn event_entry(flags: u64, codec: u64, key_len: u32, value_len: u32) -> Vec<u8> {
    let mut b = flags.to_le_bytes().to_vec();
    b.extend_from_slice(&codec.to_le_bytes());
    b.extend_from_slice(&key_len.to_le_bytes());
    b.extend_from_slice(&value_len.to_le_bytes());
    b
}

/// The account fuzz messages come from (secp256k1, ID 100).
fn sender() -> Address {
    Address::new_secp256k1(&[1; 65]).expect("secp address")
}

/// Draws argument values.
struct Draw<'a> {
    rng: SplitMix64,
    regions: &'a Regions,
    epoch: i64,
}

impl Draw<'_> {
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *self.rng.pick(items)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.chance(percent)
    }

    fn below(&mut self, n: u64) -> u32 {
        self.rng.below(n) as u32
    }

    fn edge32(&mut self) -> u32 {
        self.pick(&[
            0,
            1,
            0x7fff_ffff,
            0x8000_0000,
            u32::MAX,
            PAGE - 1,
            PAGE,
            PAGE + 1,
        ])
    }

    fn region(&mut self) -> (u32, u32) {
        let spans = &self.regions.spans;
        spans[self.rng.below(spans.len() as u64) as usize]
    }

    fn address(&mut self) -> (u32, u32) {
        if self.chance(75) {
            let spans = &self.regions.addresses;
            spans[self.rng.below(spans.len() as u64) as usize]
        } else {
            self.buf()
        }
    }

    fn out(&mut self) -> u32 {
        match self.rng.below(20) {
            0..=15 => OUT + 16 * self.below(80),
            16 => PAGE - self.below(16),
            17 => DATA + self.below(64),
            _ => self.edge32(),
        }
    }

    fn ptr(&mut self) -> u32 {
        match self.rng.below(10) {
            0..=5 => self.region().0,
            6 => OUT + 16 * self.below(80),
            7 => PAGE - self.below(40),
            8 => self.edge32(),
            _ => self.below(u64::from(PAGE) + 64),
        }
    }

    fn buf(&mut self) -> (u32, u32) {
        match self.rng.below(20) {
            0..=11 => self.region(),
            12..=13 => {
                let (off, len) = self.region();
                (off, (len + self.below(16)).saturating_sub(8))
            }
            14..=17 => self.pick(&[
                (0, 0),
                (0, 64),
                (OUT, 32),
                (PAGE, 0),
                (PAGE - 1, 1),
                (PAGE - 4, 8),
                (PAGE, 1),
                (u32::MAX, 1),
                (u32::MAX - 15, 32),
                (DATA, u32::MAX),
                (DATA, PAGE),
                (DATA, 2 << 20),
            ]),
            _ => (self.below(u64::from(PAGE) + 64), self.below(512)),
        }
    }

    fn out_buf(&mut self) -> (u32, u32) {
        if self.chance(65) {
            let len = self.pick(&[0, 1, 8, 20, 32, 38, 64, 100, 256]);
            (OUT + 16 * self.below(64), len)
        } else {
            self.pick(&[
                (PAGE - 8, 64),
                (PAGE, 0),
                (u32::MAX, 1),
                (0, 0x8000_0000),
                (OUT, u32::MAX),
                (DATA, 64),
                (LOG - 64, 64),
            ])
        }
    }

    fn small(&mut self) -> u32 {
        if self.chance(85) {
            self.pick(&[0, 1, 2, 3, 4, 5, 8, 13, 20, 32, 64, 65, 96, 255])
        } else {
            let random = self.rng.next_u64() as u32;
            self.pick(&[0x8000_0000, u32::MAX, random])
        }
    }

    fn handle(&mut self) -> u32 {
        self.pick(&[0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 255, u32::MAX])
    }

    fn i64(&mut self, role: Role) -> u64 {
        let random = self.rng.next_u64();
        let epoch = self.epoch as u64;
        match role {
            Role::Codec => self.pick(&[
                IPLD_RAW, IPLD_RAW, DAG_CBOR, DAG_CBOR, 0x51, 0x00, 0x70, random,
            ]),
            Role::Actor => self.pick(&[
                0,
                1,
                2,
                3,
                4,
                5,
                6,
                7,
                10,
                99,
                100,
                FUZZ_ACTOR_ID,
                FUZZ_ACTOR_ID + 1,
                u64::MAX,
                1 << 63,
                random,
            ]),
            Role::Method => self.pick(&[0, 1, 2, 3, 3, 4, 1000, 3_844_450_837, u64::MAX, random]),
            Role::Gas => self.pick(&[
                0,
                1,
                10_000,
                1_000_000,
                100_000_000,
                10_000_000_000,
                i64::MAX as u64,
                u64::MAX,
                random % 1_000_000_000,
            ]),
            Role::Charge => self.pick(&[
                0,
                1,
                1_000,
                1_000_000,
                random % 100_000_000,
                random % 10_000_000_000,
                u64::MAX,
            ]),
            Role::SendFlags => self.pick(&[0, 0, 0, 0, 1, 1, 2, 3, u64::MAX, random]),
            Role::Epoch => self.pick(&[
                epoch,
                epoch - 1,
                epoch - 900,
                epoch - 901,
                epoch - 2000,
                epoch + 1,
                0,
                u64::MAX,
                i64::MIN as u64,
                i64::MAX as u64,
                random,
            ]),
            Role::Code64 => self.pick(&[
                0,
                1,
                2,
                5,
                8,
                0x12,
                0x1b,
                0x1053,
                0xb220,
                0xb240,
                u64::MAX,
                random,
            ]),
            _ => unreachable!("{role:?} is not a 64-bit role"),
        }
    }

    /// The WAT arguments for `roles`.
    fn args(&mut self, roles: &[Role]) -> String {
        let mut out = String::new();
        let i32s = |out: &mut String, values: &[u32]| {
            for v in values {
                let _ = write!(out, " (i32.const {})", *v as i32);
            }
        };
        for &role in roles {
            match role {
                Role::Out => i32s(&mut out, &[self.out()]),
                Role::Ptr => i32s(&mut out, &[self.ptr()]),
                Role::Handle => i32s(&mut out, &[self.handle()]),
                Role::Small => i32s(&mut out, &[self.small()]),
                Role::HashLen => {
                    let len = self.pick(&[32, 32, 32, 0, 20, 31, 33, 64, u32::MAX]);
                    i32s(&mut out, &[len]);
                }
                Role::Buf => {
                    let (off, len) = self.buf();
                    i32s(&mut out, &[off, len]);
                }
                Role::Addr => {
                    let (off, len) = self.address();
                    i32s(&mut out, &[off, len]);
                }
                Role::OutBuf => {
                    let (off, len) = self.out_buf();
                    i32s(&mut out, &[off, len]);
                }
                Role::Event => {
                    let mut event = self.regions.event;
                    if self.chance(50) {
                        for v in &mut event {
                            if self.chance(30) {
                                *v = self.pick(&[0, 1, 3, 1000, PAGE, u32::MAX]);
                            }
                        }
                    }
                    i32s(&mut out, &event);
                }
                Role::Value => {
                    let (hi, lo) = self.pick(&[
                        (0, 0),
                        (0, 1),
                        (0, 500),
                        (0, FUZZ_BALANCE),
                        (0, FUZZ_BALANCE + 1),
                        (0, 10u64.pow(19)),
                        (1, 0),
                        (u64::MAX, u64::MAX),
                    ]);
                    let _ = write!(out, " (i64.const {}) (i64.const {})", hi as i64, lo as i64);
                }
                _ => {
                    let v = self.i64(role);
                    let _ = write!(out, " (i64.const {})", v as i64);
                }
            }
        }
        out
    }

    /// `count` random calls of `syscalls`, each storing its status in the log; returns the WAT
    /// and the syscall of each call.
    fn sequence(&mut self, syscalls: &[&FuzzedSyscall], count: usize) -> (String, Vec<String>) {
        let mut wat = String::new();
        let mut names = Vec::new();
        for i in 0..count {
            let s = *self.rng.pick(syscalls);
            let args = self.args(s.roles);
            let _ = writeln!(
                wat,
                "    (i32.store (i32.const {}) (call ${}.{}{args}))",
                LOG + 4 * i as u32,
                s.module,
                s.name
            );
            names.push(s.path());
        }
        (wat, names)
    }
}

/// The fuzz actor's module and the syscall of each call of its main sequence.
fn module(
    syscalls: &[FuzzedSyscall],
    draw: &mut Draw<'_>,
) -> Result<(Vec<u8>, Vec<String>), FuzzError> {
    let mut imports = String::new();
    for s in syscalls {
        let params: String = s
            .roles
            .iter()
            .flat_map(|r| r.types())
            .map(|t| match t {
                ValueType::I32 => " i32",
                ValueType::I64 => " i64",
            })
            .collect();
        let _ = writeln!(
            imports,
            "  (import \"{m}\" \"{n}\" (func ${m}.{n} (param{params}) (result i32)))",
            m = s.module,
            n = s.name
        );
    }
    let exit = syscalls
        .iter()
        .find(|s| s.path() == "vm::exit")
        .expect("every ABI exits");
    // The main sequence does not self-destruct (later messages would find no actor); the
    // callee's does not send (no unbounded recursion) but may self-destruct under a caller.
    let pool = |leave_out: &str| -> Vec<&FuzzedSyscall> {
        syscalls
            .iter()
            .filter(|s| s.path() != "vm::exit" && s.path() != leave_out)
            .collect()
    };
    let (main, main_calls) = draw.sequence(&pool("self::self_destruct"), MAIN_CALLS);
    let (callee, _) = draw.sequence(&pool("send::send"), CALLEE_CALLS);
    let ending = |draw: &mut Draw<'_>| {
        if draw.chance(15) {
            format!("(drop (call $vm.exit{}))", draw.args(exit.roles))
        } else {
            String::new()
        }
    };
    let (main_end, callee_end) = (ending(draw), ending(draw));
    let wat = format!(
        r#"(module
{imports}  (memory (export "memory") 1)
{data}  (func $report (result i32)
    (drop (call $ipld.block_create (i32.const {REPORT_HANDLE}) (i64.const {IPLD_RAW}) (i32.const 0) (i32.const {REPORT_LEN})))
    (i32.load (i32.const {REPORT_HANDLE})))
  (func (export "invoke") (param i32) (result i32)
    (drop (call $vm.message_context (i32.const {CONTEXT})))
    (if (i64.eq (i64.load (i32.const {method})) (i64.const 2))
      (then
{main}    {main_end}
    (return (call $report))))
{callee}    {callee_end}
    (call $report)))
"#,
        data = draw.regions.wat,
        method = CONTEXT + 32,
    );
    Ok((wat::parse_str(&wat)?, main_calls))
}

/// The case of `seed` at network version `nv` on `bundle`, calling `syscalls` (the
/// [`fuzzed_syscalls`] of the version's ABI): a genesis with a funded sender and the fuzz actor,
/// and four messages to it (the main sequence twice, the callee's, a random method), with random
/// values, parameters and gas limits.
pub fn fuzz_case(
    bundle: &SharedBlocks,
    root: &Cid,
    nv: u32,
    syscalls: &[FuzzedSyscall],
    seed: u64,
) -> Result<FuzzCase, FuzzError> {
    let mut genesis = Genesis::new(bundle.clone(), root)?;
    genesis.account(sender(), TokenAmount::from_whole(1_000_000))?;
    let state = genesis.put_cbor(&Vec::<u8>::new())?;
    let regions = regions(&genesis, &state);
    let mut draw = Draw {
        rng: SplitMix64::new(seed),
        regions: &regions,
        epoch: ifvm_vectors::SCENARIO_EPOCH,
    };
    let (wasm, main_calls) = module(syscalls, &mut draw)?;
    let (id, addr) = genesis.code_actor(&wasm, state, TokenAmount::from_atto(FUZZ_BALANCE))?;
    debug_assert_eq!(id, FUZZ_ACTOR_ID);
    let random_method = draw.i64(Role::Method);
    let messages = [2, 2, 3, random_method]
        .into_iter()
        .enumerate()
        .map(|(seq, method)| {
            let params = match draw.rng.below(3) {
                0 => vec![],
                1 => to_vec(&(seq as u64, "fuzz")).expect("CBOR"),
                _ => (0..draw.below(64)).map(|_| draw.below(256) as u8).collect(),
            };
            let value = draw.pick(&[0, 0, 0, 7, 1_000, 10u64.pow(18)]);
            let gas_limit = if draw.chance(85) {
                10_000_000_000
            } else {
                1_000_000 + u64::from(draw.below(60_000_000))
            };
            Message {
                version: 0,
                from: sender(),
                to: if draw.chance(50) {
                    addr
                } else {
                    Address::new_id(id)
                },
                sequence: seq as u64,
                value: TokenAmount::from_atto(value),
                method_num: method,
                params: params.into(),
                gas_limit,
                gas_fee_cap: TokenAmount::from_atto(1000),
                gas_premium: TokenAmount::from_atto(100),
            }
        })
        .collect();
    Ok(FuzzCase {
        setup: Setup::new(genesis.finish()?, nv, messages),
        main_calls,
    })
}

/// Runs `case` on ifvm (on `engine`) and on ref-fvm, and compares. Call it on a thread with
/// the message stack ([`ifvm_vectors::threads::with_stack`]).
pub fn run_case(case: &FuzzCase, engine: &Engine) -> Outcome {
    let first = |k: usize| {
        let mut setup = case.setup.clone();
        setup.messages.truncate(k);
        setup
    };
    Outcome::compare(
        case.setup.messages.len(),
        |k| run_ifvm(&first(k), engine),
        |k| run_ref_fvm(&first(k)),
    )
}

/// What the main sequences reported, per syscall: calls that returned, and of those, how many
/// succeeded.
#[derive(Default, Debug)]
pub struct Coverage {
    /// Cases where both engines failed ([`Outcome::BothFailed`]).
    pub both_failed: usize,
    /// Messages applied.
    pub messages: usize,
    /// Messages whose main sequence ran to its report.
    pub reports: usize,
    /// Messages per exit code.
    pub exit_codes: BTreeMap<u32, usize>,
    /// Per syscall (`module::name`): (calls that returned a status, calls that returned 0).
    pub per_syscall: BTreeMap<String, (usize, usize)>,
}

impl Coverage {
    /// Adds `case`'s outcome (nothing for a mismatch).
    pub fn add(&mut self, case: &FuzzCase, outcome: &Outcome) {
        let results = match outcome {
            Outcome::Same(results) => results,
            Outcome::BothFailed { .. } => {
                self.both_failed += 1;
                return;
            }
            Outcome::Mismatch(_) => return,
        };
        self.messages += results.len();
        for (message, result) in case.setup.messages.iter().zip(results) {
            *self.exit_codes.entry(result.exit_code).or_default() += 1;
            let report = &result.return_data;
            if message.method_num != 2
                || result.exit_code != 0
                || report.len() != REPORT_LEN as usize
            {
                continue;
            }
            self.reports += 1;
            for (i, name) in case.main_calls.iter().enumerate() {
                let at = (LOG as usize) + 4 * i;
                let status = u32::from_le_bytes(report[at..at + 4].try_into().expect("4 bytes"));
                let entry = self.per_syscall.entry(name.clone()).or_default();
                entry.0 += 1;
                entry.1 += usize::from(status == 0);
            }
        }
    }
}

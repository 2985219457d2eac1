//! The deepest message the protocol allows, for measuring and testing the native stack: an
//! actor (WAT, the v3 syscall ABI of nv18) that recurses in Wasm `wasm_depth` frames and then
//! sends to itself, until the call depth limit (1024) refuses the send; the innermost call then
//! exits with [`DEPTH_LIMIT_REACHED`], and every caller exits with its callee's code, so the
//! message's exit code says whether the recursion reached the limit.

use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::ActorID;

use crate::genesis::{Genesis, GenesisError};
use crate::scenario::Setup;
use crate::store::SharedBlocks;

/// The network version the actor runs at (its imports are the v3 syscall ABI's).
pub const NV: u32 = 18;

/// Wasm frames per call: the most the FVM's Wasm stack limit lets `$deep` nest (one more
/// traps with an exhausted Wasm stack).
pub const DEFAULT_WASM_DEPTH: u32 = 156;

/// The exit code of a message whose recursion reached the call depth limit.
pub const DEPTH_LIMIT_REACHED: u32 = 42;

/// The sender's ID and the recursing actor's, in the state [`setup`] builds.
const SENDER_ID: ActorID = 100;
const ACTOR_ID: ActorID = 101;

/// The recursing actor's code. Memory: its own ID address at 1024, send's out-pointer at 600.
fn actor(wasm_depth: u32) -> Vec<u8> {
    let address: String = Address::new_id(ACTOR_ID)
        .to_bytes()
        .iter()
        .map(|b| format!("\\{b:02x}"))
        .collect();
    let address_len = Address::new_id(ACTOR_ID).to_bytes().len();
    let wat = format!(
        r#"(module
  (import "vm" "exit" (func $exit (param i32 i32 i32 i32) (result i32)))
  (import "send" "send" (func $send (param i32 i32 i32 i64 i32 i64 i64 i64 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{address}")
  (func $deep (param $n i32) (result i32)
    (local $r i32)
    (if (result i32) (local.get $n)
      (then (call $deep (i32.sub (local.get $n) (i32.const 1))))
      (else
        (local.set $r (call $send (i32.const 600) (i32.const 1024) (i32.const {address_len})
          (i64.const 2) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const -1) (i64.const 0)))
        (if (i32.eq (local.get $r) (i32.const 3))
          (then (drop (call $exit (i32.const {DEPTH_LIMIT_REACHED}) (i32.const 0) (i32.const 0) (i32.const 0)))))
        (if (local.get $r) (then (unreachable)))
        (i32.load (i32.const 600)))))
  (func (export "invoke") (param i32) (result i32)
    (drop (call $exit (call $deep (i32.const {wasm_depth})) (i32.const 0) (i32.const 0) (i32.const 0)))
    (i32.const 0)))"#
    );
    wat::parse_str(&wat).expect("the recursing actor is valid WAT")
}

/// A state with a funded sender and the recursing actor, and the one message that starts the
/// recursion (nv18, bundle `bundle` at `root`: the v10 bundle).
pub fn setup(bundle: &SharedBlocks, root: &Cid, wasm_depth: u32) -> Result<Setup, GenesisError> {
    let mut genesis = Genesis::new(bundle.clone(), root)?;
    let sender = Address::new_secp256k1(&[1; 65]).expect("a valid key");
    let sender_id = genesis.account(sender, TokenAmount::from_whole(1_000_000))?;
    let state = genesis.put_cbor(&Vec::<u8>::new())?;
    let (actor_id, actor) =
        genesis.code_actor(&actor(wasm_depth), state, TokenAmount::from_atto(0))?;
    assert_eq!(
        (sender_id, actor_id),
        (SENDER_ID, ACTOR_ID),
        "IDs are assigned in order"
    );
    let message = Message {
        version: 0,
        from: sender,
        to: actor,
        sequence: 0,
        value: TokenAmount::from_atto(0),
        method_num: 2,
        params: Default::default(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(1000),
        gas_premium: TokenAmount::from_atto(100),
    };
    Ok(Setup::new(genesis.finish()?, NV, vec![message]))
}

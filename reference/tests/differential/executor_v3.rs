//! Differential test of message application at nv18: pre-validation failures (nonce, balance,
//! gas limit, sender type), top-level sends (transfers, account creation, missing receivers),
//! and actors whose code is malformed or lacks what the VM requires. ifvm and ref-fvm 3.14
//! must give identical receipts and state roots after every message.

use crate::harness::*;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use ifvm_kernel::Abi;
use ifvm_vectors::Genesis;

#[test]
fn message_application_matches_ref_fvm() {
    let net = net(Abi::V3);
    let Some((bundle, root)) = net.bundle() else {
        return;
    };
    let mut g = Genesis::new(bundle, &root).unwrap();
    let alice = secp_address(1);
    let bob = Address::new_bls(&[3; 48]).unwrap();
    g.account(alice, TokenAmount::from_whole(1_000)).unwrap();
    g.account(bob, TokenAmount::from_atto(5)).unwrap();
    let state = g.put_cbor(&Vec::<u8>::new()).unwrap();
    let no_invoke = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "other") (param i32) (result i32) (i32.const 0)))"#).unwrap();
    let no_memory = wat::parse_str(
        r#"(module (memory 1) (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let simd = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "invoke") (param i32) (result i32) (drop (v128.const i64x2 0 0)) (i32.const 0)))"#).unwrap();
    let (_, no_invoke) = g
        .code_actor(&no_invoke, state, TokenAmount::default())
        .unwrap();
    let (_, no_memory) = g
        .code_actor(&no_memory, state, TokenAmount::default())
        .unwrap();
    let (_, simd) = g.code_actor(&simd, state, TokenAmount::default()).unwrap();
    let (_, garbage) = g
        .code_actor(b"\0asm\x01\0\0\0garbage", state, TokenAmount::default())
        .unwrap();
    let fresh = secp_address(7);
    let t = TokenAmount::from_atto;
    let f = TokenAmount::from_whole;
    let mut low_gas = message(alice, fresh, 0, 0, t(1), vec![]);
    low_gas.gas_limit = 100;
    let mut poor = message(bob, alice, 0, 0, t(1), vec![]);
    poor.gas_fee_cap = t(10);
    let messages = vec![
        message(alice, fresh, 5, 0, t(1), vec![]), // wrong nonce
        low_gas,                                   // gas limit below inclusion cost
        poor,                                      // cannot pay for gas
        message(fresh, alice, 0, 0, t(1), vec![]), // unknown sender
        message(alice, fresh, 0, 0, f(2), vec![]), // creates an account
        message(alice, fresh, 1, 2, t(0), vec![0x80]), // invokes the new account
        message(alice, Address::new_id(9999), 2, 0, t(1), vec![]), // no such receiver
        message(alice, bob, 3, 0, f(2_000), vec![]), // more than alice has
        message(
            alice,
            Address::new_delegated(10, &[1; 20]).unwrap(),
            4,
            0,
            t(9),
            vec![],
        ), // placeholder
        message(alice, no_invoke, 5, 2, t(0), vec![]),
        message(alice, no_memory, 6, 2, t(0), vec![]),
        message(alice, simd, 7, 2, t(0), vec![]),
        message(alice, garbage, 8, 2, t(0), vec![]),
        message(alice, Address::new_actor(b"unknown"), 9, 2, t(0), vec![]),
        message(alice, bob, 10, 0, t(0), vec![]), // zero-value transfer
        message(alice, alice, 11, 0, t(3), vec![]), // to itself
    ];
    let n = messages.len();
    let results = net.assert_same("message application", net.setup(g, messages));
    assert_eq!(results.len(), n);
}

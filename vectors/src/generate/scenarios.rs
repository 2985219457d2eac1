//! Named scenarios: message sequences over a [`TestNetwork`], each exercising one area of the VM
//! and the builtin actors, failures included.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{from_slice, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::receipt::Receipt;
use fvm_shared::METHOD_SEND;
use ifvm_actors::{
    BURNT_FUNDS_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID, STORAGE_MARKET_ACTOR_ID,
    STORAGE_POWER_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID,
};

use super::driver::{DriveError, Driver};
use super::evm;
use super::keys::{BlsKey, SecpKey};
use super::network::{Key, TestNetwork, ACCOUNTS_PER_KIND};
use super::params::{self, cbor, frc42_method};

/// A named message sequence.
pub struct Scenario {
    /// The name (unique; the generated vector's file name).
    pub name: &'static str,
    /// Builds and applies the messages.
    pub run: fn(&mut Driver) -> Result<(), DriveError>,
    /// Whether it needs the Ethereum actors (EVM contracts, Ethereum accounts, the EAM), which
    /// networks before nv18 lack.
    pub needs_fevm: bool,
}

type Step = Result<(), DriveError>;

fn fil(n: u64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

/// Account addresses by kind and index.
fn secp(d: &Driver, i: usize) -> Address {
    d.net().account(i).address()
}
fn bls(d: &Driver, i: usize) -> Address {
    d.net().account(ACCOUNTS_PER_KIND as usize + i).address()
}
fn eth(d: &Driver, i: usize) -> Address {
    d.net()
        .account(2 * ACCOUNTS_PER_KIND as usize + i)
        .address()
}
/// The Ethereum account `i` where the network has them, else the BLS account `i`: a payee of
/// another kind than the scenario's senders on every network.
fn payee(d: &Driver, i: usize) -> Address {
    if d.net().fevm {
        eth(d, i)
    } else {
        bls(d, i)
    }
}
fn secp_key(d: &Driver, i: usize) -> SecpKey {
    match &d.net().account(i).key {
        Key::Secp(k) => k.clone(),
        _ => unreachable!("the first accounts are secp256k1"),
    }
}
fn bls_key(d: &Driver, i: usize) -> BlsKey {
    match &d.net().account(ACCOUNTS_PER_KIND as usize + i).key {
        Key::Bls(k) => k.clone(),
        _ => unreachable!("the second group of accounts is BLS"),
    }
}

fn code(d: &Driver, name: &str) -> Result<Cid, DriveError> {
    d.code(name)
        .ok_or_else(|| DriveError(format!("bundle has no {name} actor")))
}

/// The ID address in an init `Exec` (or power `CreateMiner`) return value.
fn created_address(d: &Driver, r: &Receipt) -> Result<Address, DriveError> {
    if !r.exit_code.is_success() {
        return Err(DriveError(format!(
            "creation failed: exit code {}: {}",
            r.exit_code,
            d.last_failure().unwrap_or_default()
        )));
    }
    let ret: params::CreatedAddresses =
        from_slice(r.return_data.bytes()).map_err(|e| DriveError(e.to_string()))?;
    Ok(ret.id_address)
}

fn exec_params(code_cid: Cid, constructor: Vec<u8>) -> Vec<u8> {
    cbor(&params::ExecParams {
        code_cid,
        constructor_params: RawBytes::new(constructor),
    })
}

fn create_multisig(
    d: &mut Driver,
    creator: Address,
    signers: Vec<Address>,
    threshold: u64,
    value: TokenAmount,
    vesting: Option<(i64, i64)>,
) -> Result<Address, DriveError> {
    let (start_epoch, unlock_duration) = vesting.unwrap_or((0, 0));
    let ctor = cbor(&params::MultisigConstructor {
        signers,
        num_approvals_threshold: threshold,
        unlock_duration,
        start_epoch,
    });
    let p = exec_params(code(d, "multisig")?, ctor);
    let r = d.send(
        creator,
        Address::new_id(INIT_ACTOR_ID),
        value,
        params::init::EXEC,
        p,
    )?;
    created_address(d, &r)
}

fn propose(
    d: &mut Driver,
    signer: Address,
    msig: Address,
    to: Address,
    value: TokenAmount,
    method: u64,
    p: Vec<u8>,
) -> Step {
    let p = cbor(&params::ProposeParams {
        to,
        value,
        method,
        params: RawBytes::new(p),
    });
    d.send(
        signer,
        msig,
        TokenAmount::default(),
        params::multisig::PROPOSE,
        p,
    )?;
    Ok(())
}

fn txn(d: &mut Driver, signer: Address, msig: Address, method: u64, id: i64) -> Step {
    let p = cbor(&params::TxnIdParams {
        id,
        proposal_hash: Vec::new(),
    });
    d.send(signer, msig, TokenAmount::default(), method, p)?;
    Ok(())
}

/// Every scenario that runs on `net`: all of them from nv18 on, those without the Ethereum
/// actors before.
pub fn for_network(net: &TestNetwork) -> Vec<Scenario> {
    all()
        .into_iter()
        .filter(|s| net.fevm || !s.needs_fevm)
        .collect()
}

/// Every scenario.
pub fn all() -> Vec<Scenario> {
    macro_rules! scenarios {
        (any: [$($any:ident),* $(,)?], fevm: [$($fevm:ident),* $(,)?] $(,)?) => {
            vec![
                $(Scenario { name: stringify!($any), run: $any, needs_fevm: false },)*
                $(Scenario { name: stringify!($fevm), run: $fevm, needs_fevm: true },)*
            ]
        };
    }
    scenarios!(any: [
        transfer_to_id_address,
        transfer_to_key_addresses,
        transfer_creates_secp_account,
        transfer_creates_bls_account,
        transfer_zero_to_self,
        transfer_to_singletons,
        transfer_chain_across_kinds,
        fail_insufficient_funds_for_value,
        fail_bad_nonce,
        fail_gas_limit_below_inclusion,
        fail_gas_limit_above_block_limit,
        fail_insufficient_funds_for_gas,
        fail_unknown_sender,
        fail_sender_not_an_account,
        fail_unknown_method,
        fail_malformed_params,
        fail_out_of_gas_in_nested_calls,
        fail_init_exec_forbidden_code,
        account_authenticate_message,
        multisig_propose_approve,
        multisig_propose_cancel,
        multisig_one_of_one_and_outsider,
        multisig_vesting_locked_funds,
        multisig_add_signer_through_self,
        paych_secp_update_settle_collect,
        paych_bls_payer_vouchers,
        paych_bad_signature,
        market_add_and_withdraw_balance,
        miner_create_and_change_info,
        miner_change_owner,
        miner_create_with_secp_worker_fails,
        verifreg_verifier_and_client,
        verifreg_unauthorized,
        datacap_transfer_and_balance,
    ], fevm: [
        transfer_creates_placeholder_then_eth_account,
        transfer_from_eth_account,
        evm_storage_read_write,
        evm_logs,
        evm_prevrandao,
        evm_revert,
        evm_self_destruct,
        evm_calls_contracts_and_native_actors,
        evm_precompiles,
        evm_create_from_contract,
        evm_call_depth_exhaustion,
        evm_deploy_failures,
    ])
}

fn transfer_to_id_address(d: &mut Driver) -> Step {
    let to = Address::new_id(d.net().account(5).id);
    d.send(secp(d, 0), to, fil(1), METHOD_SEND, vec![])?;
    d.send(secp(d, 0), to, fil(2), METHOD_SEND, vec![])?;
    Ok(())
}

fn transfer_to_key_addresses(d: &mut Driver) -> Step {
    d.send(secp(d, 0), bls(d, 1), fil(3), METHOD_SEND, vec![])?;
    d.send(bls(d, 1), secp(d, 2), fil(1), METHOD_SEND, vec![])?;
    d.send(secp(d, 2), payee(d, 1), fil(1), METHOD_SEND, vec![])?;
    Ok(())
}

fn transfer_creates_secp_account(d: &mut Driver) -> Step {
    let new = SecpKey::from_seed(500).address();
    d.send(secp(d, 0), new, fil(10), METHOD_SEND, vec![])?;
    d.send(new, secp(d, 0), fil(1), METHOD_SEND, vec![])?;
    d.send(
        secp(d, 1),
        new,
        TokenAmount::from_atto(1),
        METHOD_SEND,
        vec![],
    )?;
    Ok(())
}

fn transfer_creates_bls_account(d: &mut Driver) -> Step {
    let new = BlsKey::from_seed(500).address();
    d.send(bls(d, 0), new, fil(10), METHOD_SEND, vec![])?;
    d.send(new, bls(d, 0), fil(1), METHOD_SEND, vec![])?;
    Ok(())
}

fn transfer_creates_placeholder_then_eth_account(d: &mut Driver) -> Step {
    let new = SecpKey::from_seed(600).f4_address();
    d.send(secp(d, 0), new, fil(10), METHOD_SEND, vec![])?;
    d.send(eth(d, 0), new, fil(1), METHOD_SEND, vec![])?;
    // The placeholder's first message turns it into an Ethereum account.
    d.send(new, secp(d, 0), fil(1), METHOD_SEND, vec![])?;
    d.send(new, eth(d, 0), fil(1), METHOD_SEND, vec![])?;
    Ok(())
}

fn transfer_from_eth_account(d: &mut Driver) -> Step {
    d.send(eth(d, 0), secp(d, 2), fil(5), METHOD_SEND, vec![])?;
    d.send(eth(d, 0), eth(d, 1), fil(5), METHOD_SEND, vec![])?;
    d.send(eth(d, 1), bls(d, 2), fil(5), METHOD_SEND, vec![])?;
    Ok(())
}

fn transfer_zero_to_self(d: &mut Driver) -> Step {
    d.send(
        secp(d, 3),
        secp(d, 3),
        TokenAmount::default(),
        METHOD_SEND,
        vec![],
    )?;
    d.send(secp(d, 3), secp(d, 3), fil(7), METHOD_SEND, vec![])?;
    Ok(())
}

fn transfer_to_singletons(d: &mut Driver) -> Step {
    for id in [
        BURNT_FUNDS_ACTOR_ID,
        STORAGE_POWER_ACTOR_ID,
        STORAGE_MARKET_ACTOR_ID,
        3,
        0,
    ] {
        d.send(secp(d, 1), Address::new_id(id), fil(1), METHOD_SEND, vec![])?;
    }
    Ok(())
}

fn transfer_chain_across_kinds(d: &mut Driver) -> Step {
    let n = d.net().accounts.len();
    for i in 0..n {
        let from = d.net().account(i).address();
        let to = d.net().account((i + 1) % n).address();
        d.send(
            from,
            to,
            TokenAmount::from_atto(1_000_000 * (i as u64 + 1)),
            METHOD_SEND,
            vec![],
        )?;
    }
    Ok(())
}

fn fail_insufficient_funds_for_value(d: &mut Driver) -> Step {
    d.send(secp(d, 0), secp(d, 1), fil(1_000_000), METHOD_SEND, vec![])?;
    d.send(secp(d, 0), secp(d, 1), fil(1), METHOD_SEND, vec![])?;
    Ok(())
}

fn fail_bad_nonce(d: &mut Driver) -> Step {
    let mut m = d.message(secp(d, 0), secp(d, 1), fil(1), METHOD_SEND, vec![]);
    m.sequence += 5;
    d.apply(m)?;
    d.send(secp(d, 0), secp(d, 1), fil(1), METHOD_SEND, vec![])?;
    let mut m = d.message(secp(d, 0), secp(d, 1), fil(1), METHOD_SEND, vec![]);
    m.sequence -= 1;
    d.apply(m)?;
    Ok(())
}

fn fail_gas_limit_below_inclusion(d: &mut Driver) -> Step {
    for limit in [1, 100, 10_000] {
        let mut m = d.message(bls(d, 0), secp(d, 1), fil(1), METHOD_SEND, vec![]);
        m.gas_limit = limit;
        d.apply(m)?;
    }
    Ok(())
}

fn fail_gas_limit_above_block_limit(d: &mut Driver) -> Step {
    let mut m = d.message(bls(d, 0), secp(d, 1), fil(1), METHOD_SEND, vec![]);
    m.gas_limit = 10_000_000_001;
    d.apply(m)?;
    Ok(())
}

fn fail_insufficient_funds_for_gas(d: &mut Driver) -> Step {
    let mut m = d.message(bls(d, 1), secp(d, 1), fil(1), METHOD_SEND, vec![]);
    m.gas_fee_cap = fil(1);
    d.apply(m)?;
    Ok(())
}

fn fail_unknown_sender(d: &mut Driver) -> Step {
    d.send(
        SecpKey::from_seed(700).address(),
        secp(d, 0),
        fil(1),
        METHOD_SEND,
        vec![],
    )?;
    d.send(
        Address::new_id(9999),
        secp(d, 0),
        fil(1),
        METHOD_SEND,
        vec![],
    )?;
    Ok(())
}

fn fail_sender_not_an_account(d: &mut Driver) -> Step {
    d.send(
        Address::new_id(STORAGE_POWER_ACTOR_ID),
        secp(d, 0),
        fil(1),
        METHOD_SEND,
        vec![],
    )?;
    Ok(())
}

fn fail_unknown_method(d: &mut Driver) -> Step {
    d.send(secp(d, 0), secp(d, 1), fil(1), 12345, vec![])?;
    d.send(
        secp(d, 0),
        Address::new_id(STORAGE_POWER_ACTOR_ID),
        TokenAmount::default(),
        999,
        vec![],
    )?;
    d.send(
        secp(d, 0),
        Address::new_id(INIT_ACTOR_ID),
        TokenAmount::default(),
        frc42_method("NoSuchMethod"),
        vec![],
    )?;
    Ok(())
}

fn fail_malformed_params(d: &mut Driver) -> Step {
    let init = Address::new_id(INIT_ACTOR_ID);
    d.send(
        secp(d, 0),
        init,
        TokenAmount::default(),
        params::init::EXEC,
        vec![0xff, 0x00],
    )?;
    d.send(
        secp(d, 0),
        init,
        TokenAmount::default(),
        params::init::EXEC,
        cbor(&(1u8, 2u8)),
    )?;
    let market = Address::new_id(STORAGE_MARKET_ACTOR_ID);
    d.send(
        secp(d, 0),
        market,
        fil(1),
        params::market::ADD_BALANCE,
        vec![0x82],
    )?;
    Ok(())
}

fn fail_out_of_gas_in_nested_calls(d: &mut Driver) -> Step {
    let ctor = cbor(&params::MultisigConstructor {
        signers: vec![secp(d, 0), secp(d, 1)],
        num_approvals_threshold: 1,
        unlock_duration: 0,
        start_epoch: 0,
    });
    let p = exec_params(code(d, "multisig")?, ctor);
    for limit in [1_000_000, 3_000_000, 6_000_000, 12_000_000] {
        let mut m = d.message(
            secp(d, 0),
            Address::new_id(INIT_ACTOR_ID),
            fil(1),
            params::init::EXEC,
            p.clone(),
        );
        m.gas_limit = limit;
        d.apply(m)?;
    }
    Ok(())
}

fn fail_init_exec_forbidden_code(d: &mut Driver) -> Step {
    let init = Address::new_id(INIT_ACTOR_ID);
    let account = code(d, "account")?;
    d.send(
        secp(d, 0),
        init,
        TokenAmount::default(),
        params::init::EXEC,
        exec_params(account, vec![]),
    )?;
    let unknown = Cid::new_v1(
        fvm_ipld_encoding::IPLD_RAW,
        multihash_codetable::MultihashDigest::digest(
            &multihash_codetable::Code::Blake2b256,
            b"no such actor",
        ),
    );
    d.send(
        secp(d, 0),
        init,
        TokenAmount::default(),
        params::init::EXEC,
        exec_params(unknown, vec![]),
    )?;
    Ok(())
}

fn account_authenticate_message(d: &mut Driver) -> Step {
    #[derive(Serialize_tuple)]
    struct AuthenticateMessageParams {
        #[serde(with = "fvm_ipld_encoding::strict_bytes")]
        signature: Vec<u8>,
        #[serde(with = "fvm_ipld_encoding::strict_bytes")]
        message: Vec<u8>,
    }
    let method = frc42_method("AuthenticateMessage");
    let secp_sig = secp_key(d, 1).sign(b"a message");
    let bls_sig = bls_key(d, 1).sign(b"a message");
    let cases = [
        (secp(d, 1), secp_sig.bytes().to_vec(), b"a message".to_vec()),
        (
            secp(d, 1),
            secp_sig.bytes().to_vec(),
            b"another message".to_vec(),
        ),
        (bls(d, 1), bls_sig.bytes().to_vec(), b"a message".to_vec()),
        (bls(d, 1), bls_sig.bytes().to_vec(), b"tampered".to_vec()),
        (bls(d, 1), vec![1, 2, 3], b"a message".to_vec()),
    ];
    for (account, signature, message) in cases {
        let p = cbor(&AuthenticateMessageParams { signature, message });
        d.send(secp(d, 0), account, TokenAmount::default(), method, p)?;
    }
    Ok(())
}

fn multisig_propose_approve(d: &mut Driver) -> Step {
    let signers = vec![secp(d, 0), bls(d, 0), secp(d, 1)];
    let msig = create_multisig(d, secp(d, 0), signers, 2, fil(100), None)?;
    propose(
        d,
        secp(d, 0),
        msig,
        secp(d, 3),
        fil(10),
        METHOD_SEND,
        vec![],
    )?;
    txn(d, bls(d, 0), msig, params::multisig::APPROVE, 0)?;
    // Approving an executed transaction fails.
    txn(d, secp(d, 1), msig, params::multisig::APPROVE, 0)?;
    Ok(())
}

fn multisig_propose_cancel(d: &mut Driver) -> Step {
    let signers = vec![secp(d, 0), secp(d, 1)];
    let msig = create_multisig(d, secp(d, 1), signers, 2, fil(50), None)?;
    propose(d, secp(d, 0), msig, bls(d, 3), fil(5), METHOD_SEND, vec![])?;
    // Only the proposer may cancel.
    txn(d, secp(d, 1), msig, params::multisig::CANCEL, 0)?;
    txn(d, secp(d, 0), msig, params::multisig::CANCEL, 0)?;
    txn(d, secp(d, 1), msig, params::multisig::APPROVE, 0)?;
    Ok(())
}

fn multisig_one_of_one_and_outsider(d: &mut Driver) -> Step {
    let msig = create_multisig(d, bls(d, 2), vec![bls(d, 2)], 1, fil(20), None)?;
    propose(d, bls(d, 2), msig, payee(d, 2), fil(3), METHOD_SEND, vec![])?;
    propose(
        d,
        secp(d, 2),
        msig,
        payee(d, 2),
        fil(3),
        METHOD_SEND,
        vec![],
    )?;
    propose(
        d,
        bls(d, 2),
        msig,
        payee(d, 2),
        fil(300),
        METHOD_SEND,
        vec![],
    )?;
    Ok(())
}

fn multisig_vesting_locked_funds(d: &mut Driver) -> Step {
    let signers = vec![secp(d, 2)];
    let msig = create_multisig(d, secp(d, 2), signers, 1, fil(1000), Some((500, 2000)))?;
    propose(
        d,
        secp(d, 2),
        msig,
        secp(d, 3),
        fil(900),
        METHOD_SEND,
        vec![],
    )?;
    propose(
        d,
        secp(d, 2),
        msig,
        secp(d, 3),
        fil(100),
        METHOD_SEND,
        vec![],
    )?;
    Ok(())
}

fn multisig_add_signer_through_self(d: &mut Driver) -> Step {
    #[derive(Serialize_tuple)]
    struct AddSignerParams {
        signer: Address,
        increase: bool,
    }
    let msig = create_multisig(d, secp(d, 0), vec![secp(d, 0)], 1, fil(10), None)?;
    let p = cbor(&AddSignerParams {
        signer: bls(d, 3),
        increase: true,
    });
    propose(
        d,
        secp(d, 0),
        msig,
        msig,
        TokenAmount::default(),
        params::multisig::ADD_SIGNER,
        p,
    )?;
    propose(d, secp(d, 0), msig, secp(d, 1), fil(1), METHOD_SEND, vec![])?;
    txn(d, bls(d, 3), msig, params::multisig::APPROVE, 1)?;
    Ok(())
}

fn create_paych(
    d: &mut Driver,
    from: Address,
    to: Address,
    value: TokenAmount,
) -> Result<Address, DriveError> {
    let ctor = cbor(&params::PaychConstructor { from, to });
    let p = exec_params(code(d, "paymentchannel")?, ctor);
    let r = d.send(
        from,
        Address::new_id(INIT_ACTOR_ID),
        value,
        params::init::EXEC,
        p,
    )?;
    created_address(d, &r)
}

fn voucher(ch: Address, lane: u64, nonce: u64, amount: TokenAmount) -> params::SignedVoucher {
    params::SignedVoucher {
        channel_addr: ch,
        time_lock_min: 0,
        time_lock_max: 0,
        secret_pre_image: Vec::new(),
        extra: None,
        lane,
        nonce,
        amount,
        min_settle_height: 0,
        merges: Vec::new(),
        signature: None,
    }
}

fn update(d: &mut Driver, by: Address, sv: params::SignedVoucher) -> Step {
    let ch = sv.channel_addr;
    let p = cbor(&params::UpdateChannelStateParams {
        sv,
        secret: Vec::new(),
    });
    d.send(
        by,
        ch,
        TokenAmount::default(),
        params::paych::UPDATE_CHANNEL_STATE,
        p,
    )?;
    Ok(())
}

fn paych_secp_update_settle_collect(d: &mut Driver) -> Step {
    let (from, to) = (secp(d, 0), secp(d, 1));
    let ch = create_paych(d, from, to, fil(10))?;
    let payer = secp_key(d, 0);
    for (nonce, amount) in [(1, 1), (2, 3)] {
        let mut sv = voucher(ch, 0, nonce, fil(amount));
        sv.signature = Some(payer.sign(&sv.signing_bytes()));
        update(d, to, sv)?;
    }
    // A stale nonce is rejected.
    let mut sv = voucher(ch, 0, 1, fil(5));
    sv.signature = Some(payer.sign(&sv.signing_bytes()));
    update(d, to, sv)?;
    d.send(
        from,
        ch,
        TokenAmount::default(),
        params::paych::SETTLE,
        vec![],
    )?;
    d.send(
        to,
        ch,
        TokenAmount::default(),
        params::paych::COLLECT,
        vec![],
    )?;
    Ok(())
}

fn paych_bls_payer_vouchers(d: &mut Driver) -> Step {
    let (from, to) = (bls(d, 0), secp(d, 2));
    let ch = create_paych(d, from, to, fil(20))?;
    let payer = bls_key(d, 0);
    for lane in 0..3 {
        let mut sv = voucher(ch, lane, 1, fil(lane + 1));
        sv.signature = Some(payer.sign(&sv.signing_bytes()));
        update(d, to, sv)?;
    }
    let mut sv = voucher(ch, 3, 1, fil(30));
    sv.signature = Some(payer.sign(&sv.signing_bytes()));
    update(d, to, sv)?;
    Ok(())
}

fn paych_bad_signature(d: &mut Driver) -> Step {
    let (from, to) = (secp(d, 2), secp(d, 3));
    let ch = create_paych(d, from, to, fil(5))?;
    let mut sv = voucher(ch, 0, 1, fil(1));
    sv.signature = Some(secp_key(d, 3).sign(&sv.signing_bytes()));
    update(d, to, sv.clone())?;
    sv.signature = None;
    update(d, to, sv)?;
    Ok(())
}

fn market_add_and_withdraw_balance(d: &mut Driver) -> Step {
    let market = Address::new_id(STORAGE_MARKET_ACTOR_ID);
    let client = secp(d, 1);
    d.send(
        client,
        market,
        fil(5),
        params::market::ADD_BALANCE,
        cbor(&client),
    )?;
    d.send(
        bls(d, 1),
        market,
        fil(2),
        params::market::ADD_BALANCE,
        cbor(&client),
    )?;
    let w = |amount| {
        cbor(&params::WithdrawBalanceParams {
            provider_or_client: client,
            amount,
        })
    };
    d.send(
        client,
        market,
        TokenAmount::default(),
        params::market::WITHDRAW_BALANCE,
        w(fil(3)),
    )?;
    d.send(
        client,
        market,
        TokenAmount::default(),
        params::market::WITHDRAW_BALANCE,
        w(fil(100)),
    )?;
    d.send(
        bls(d, 1),
        market,
        TokenAmount::default(),
        params::market::WITHDRAW_BALANCE,
        w(fil(1)),
    )?;
    Ok(())
}

fn create_miner(
    d: &mut Driver,
    owner: Address,
    worker: Address,
) -> Result<(Receipt, Address), DriveError> {
    let p = cbor(&params::CreateMinerParams {
        owner,
        worker,
        window_post_proof_type: params::miner::window_post_32gib(d.net().nv),
        peer: b"peer-1".to_vec(),
        multiaddrs: vec![params::BytesParam(b"/ip4/127.0.0.1/tcp/1".to_vec())],
    });
    // From actors v17 on, a miner's creation locks a deposit (about 32 FIL here).
    let r = d.send(
        owner,
        Address::new_id(STORAGE_POWER_ACTOR_ID),
        fil(40),
        params::power::CREATE_MINER,
        p,
    )?;
    let addr = created_address(d, &r)?;
    Ok((r, addr))
}

fn miner_create_and_change_info(d: &mut Driver) -> Step {
    let owner = secp(d, 0);
    let (_, miner) = create_miner(d, owner, bls(d, 0))?;
    let none = TokenAmount::default();
    d.send(
        owner,
        miner,
        none.clone(),
        params::miner::CHANGE_PEER_ID,
        cbor(&params::ChangePeerIdParams {
            new_id: b"peer-2".to_vec(),
        }),
    )?;
    let addrs = vec![
        params::BytesParam(b"/ip4/10.0.0.1/tcp/2".to_vec()),
        params::BytesParam(b"/dns4/x/tcp/3".to_vec()),
    ];
    d.send(
        owner,
        miner,
        none.clone(),
        params::miner::CHANGE_MULTIADDRS,
        cbor(&params::ChangeMultiaddrsParams {
            new_multi_addrs: addrs,
        }),
    )?;
    let change = params::ChangeWorkerAddressParams {
        new_worker: bls(d, 1),
        new_control_addresses: vec![secp(d, 2), bls(d, 2)],
    };
    d.send(
        owner,
        miner,
        none.clone(),
        params::miner::CHANGE_WORKER_ADDRESS,
        cbor(&change),
    )?;
    d.send(
        owner,
        miner,
        none.clone(),
        params::miner::CONFIRM_CHANGE_WORKER_ADDRESS,
        vec![],
    )?;
    d.send(
        secp(d, 3),
        miner,
        none.clone(),
        params::miner::CONTROL_ADDRESSES,
        vec![],
    )?;
    d.send(
        secp(d, 3),
        miner,
        none,
        params::miner::CHANGE_PEER_ID,
        cbor(&params::ChangePeerIdParams {
            new_id: b"evil".to_vec(),
        }),
    )?;
    Ok(())
}

fn miner_change_owner(d: &mut Driver) -> Step {
    let owner = secp(d, 1);
    let (_, miner) = create_miner(d, owner, bls(d, 1))?;
    let none = TokenAmount::default();
    // The miner accepts only an ID address as the proposed owner.
    let new_owner = Address::new_id(d.net().account(2).id);
    d.send(
        owner,
        miner,
        none.clone(),
        params::miner::CHANGE_OWNER_ADDRESS,
        cbor(&new_owner),
    )?;
    d.send(
        secp(d, 3),
        miner,
        none.clone(),
        params::miner::CHANGE_OWNER_ADDRESS,
        cbor(&new_owner),
    )?;
    d.send(
        new_owner,
        miner,
        none.clone(),
        params::miner::CHANGE_OWNER_ADDRESS,
        cbor(&new_owner),
    )?;
    d.send(
        owner,
        miner,
        none,
        params::miner::CHANGE_PEER_ID,
        cbor(&params::ChangePeerIdParams {
            new_id: b"old owner".to_vec(),
        }),
    )?;
    Ok(())
}

fn miner_create_with_secp_worker_fails(d: &mut Driver) -> Step {
    let p = cbor(&params::CreateMinerParams {
        owner: secp(d, 0),
        worker: secp(d, 1),
        window_post_proof_type: params::miner::window_post_32gib(d.net().nv),
        peer: Vec::new(),
        multiaddrs: Vec::new(),
    });
    d.send(
        secp(d, 0),
        Address::new_id(STORAGE_POWER_ACTOR_ID),
        TokenAmount::default(),
        params::power::CREATE_MINER,
        p,
    )?;
    Ok(())
}

fn verifier_params(address: Address, allowance: u64) -> Vec<u8> {
    cbor(&params::VerifierParams {
        address,
        allowance: BigInt::from(allowance),
    })
}

fn verifreg_verifier_and_client(d: &mut Driver) -> Step {
    let verifreg = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let none = TokenAmount::default();
    let (root, verifier, client) = (secp(d, 0), secp(d, 1), bls(d, 2));
    d.send(
        root,
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIER,
        verifier_params(verifier, 1 << 40),
    )?;
    d.send(
        verifier,
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIED_CLIENT,
        verifier_params(client, 1 << 35),
    )?;
    // Below the minimum allocation, and above the verifier's allowance.
    d.send(
        verifier,
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIED_CLIENT,
        verifier_params(secp(d, 3), 100),
    )?;
    d.send(
        verifier,
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIED_CLIENT,
        verifier_params(secp(d, 3), 1 << 41),
    )?;
    d.send(
        root,
        verifreg,
        none,
        params::verifreg::REMOVE_VERIFIER,
        cbor(&verifier),
    )?;
    Ok(())
}

fn verifreg_unauthorized(d: &mut Driver) -> Step {
    let verifreg = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let none = TokenAmount::default();
    d.send(
        secp(d, 2),
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIER,
        verifier_params(secp(d, 3), 1 << 40),
    )?;
    d.send(
        secp(d, 2),
        verifreg,
        none,
        params::verifreg::ADD_VERIFIED_CLIENT,
        verifier_params(secp(d, 3), 1 << 35),
    )?;
    Ok(())
}

fn datacap_transfer_and_balance(d: &mut Driver) -> Step {
    let verifreg = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let datacap = Address::new_id(DATACAP_ACTOR_ID);
    let none = TokenAmount::default();
    let (root, verifier, client) = (secp(d, 0), secp(d, 1), secp(d, 2));
    d.send(
        root,
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIER,
        verifier_params(verifier, 1 << 40),
    )?;
    d.send(
        verifier,
        verifreg,
        none.clone(),
        params::verifreg::ADD_VERIFIED_CLIENT,
        verifier_params(client, 1 << 35),
    )?;
    d.send(
        secp(d, 3),
        datacap,
        none.clone(),
        frc42_method("Balance"),
        cbor(&client),
    )?;
    d.send(
        secp(d, 3),
        datacap,
        none.clone(),
        frc42_method("TotalSupply"),
        vec![],
    )?;
    d.send(
        secp(d, 3),
        datacap,
        none.clone(),
        frc42_method("Name"),
        vec![],
    )?;
    let transfer = |to| {
        cbor(&params::TransferParams {
            to,
            amount: fil(1),
            operator_data: RawBytes::default(),
        })
    };
    d.send(
        client,
        datacap,
        none.clone(),
        frc42_method("Transfer"),
        transfer(secp(d, 3)),
    )?;
    d.send(
        client,
        datacap,
        none,
        frc42_method("Transfer"),
        transfer(verifreg),
    )?;
    Ok(())
}

/// A deployed EVM contract.
struct Contract {
    /// Its f410 address.
    address: Address,
    /// Its Ethereum address.
    eth: [u8; 20],
}

/// Deploys `runtime` through the EAM from the Ethereum account `from`.
fn deploy_evm(
    d: &mut Driver,
    from: Address,
    runtime: &[u8],
) -> Result<(Receipt, Option<Contract>), DriveError> {
    let initcode = evm::deploy(runtime);
    let r = d.send(
        from,
        Address::new_id(EAM_ACTOR_ID),
        TokenAmount::default(),
        params::eam::CREATE_EXTERNAL,
        cbor(&params::BytesParam(initcode)),
    )?;
    if !r.exit_code.is_success() {
        return Ok((r, None));
    }
    #[derive(Deserialize_tuple)]
    struct CreateReturn {
        _actor_id: u64,
        _robust_address: Option<Address>,
        #[serde(with = "fvm_ipld_encoding::strict_bytes")]
        eth_address: Vec<u8>,
    }
    let ret: CreateReturn =
        from_slice(r.return_data.bytes()).map_err(|e| DriveError(e.to_string()))?;
    let eth: [u8; 20] = ret
        .eth_address
        .as_slice()
        .try_into()
        .map_err(|_| DriveError("20-byte address".into()))?;
    let address = Address::new_delegated(super::EAM_NAMESPACE, &eth)
        .map_err(|e| DriveError(e.to_string()))?;
    Ok((r, Some(Contract { address, eth })))
}

fn deployed(d: &mut Driver, from: Address, runtime: &[u8]) -> Result<Contract, DriveError> {
    match deploy_evm(d, from, runtime)? {
        (_, Some(c)) => Ok(c),
        (r, None) => Err(DriveError(format!(
            "deployment failed: exit code {}: {}",
            r.exit_code,
            d.last_failure().unwrap_or_default()
        ))),
    }
}

fn invoke(
    d: &mut Driver,
    from: Address,
    contract: Address,
    value: TokenAmount,
    calldata: Vec<u8>,
) -> Result<Receipt, DriveError> {
    d.send(
        from,
        contract,
        value,
        frc42_method("InvokeEVM"),
        cbor(&params::BytesParam(calldata)),
    )
}

fn word(n: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&n.to_be_bytes());
    w
}

/// Proxy calldata: the target's address word, then the input.
fn via(target: &[u8; 20], input: &[u8]) -> Vec<u8> {
    let mut c = evm::address_word(target).to_vec();
    c.extend_from_slice(input);
    c
}

fn evm_storage_read_write(d: &mut Driver) -> Step {
    let c = deployed(d, eth(d, 0), &evm::storage())?;
    invoke(
        d,
        eth(d, 0),
        c.address,
        TokenAmount::default(),
        word(5).to_vec(),
    )?;
    invoke(
        d,
        secp(d, 1),
        c.address,
        TokenAmount::default(),
        word(7).to_vec(),
    )?;
    invoke(d, bls(d, 1), c.address, TokenAmount::default(), Vec::new())?;
    invoke(d, eth(d, 1), c.address, fil(1), word(u64::MAX).to_vec())?;
    Ok(())
}

fn evm_logs(d: &mut Driver) -> Step {
    let c = deployed(d, eth(d, 1), &evm::logger())?;
    invoke(d, eth(d, 0), c.address, TokenAmount::default(), Vec::new())?;
    invoke(
        d,
        secp(d, 0),
        c.address,
        TokenAmount::from_atto(77),
        Vec::new(),
    )?;
    Ok(())
}

/// `PREVRANDAO` draws beacon randomness, which the vector then records.
fn evm_prevrandao(d: &mut Driver) -> Step {
    let c = deployed(d, eth(d, 0), &evm::prevrandao())?;
    invoke(d, eth(d, 1), c.address, TokenAmount::default(), Vec::new())?;
    invoke(d, secp(d, 2), c.address, TokenAmount::default(), Vec::new())?;
    Ok(())
}

fn evm_revert(d: &mut Driver) -> Step {
    let c = deployed(d, eth(d, 2), &evm::reverter())?;
    invoke(d, eth(d, 2), c.address, TokenAmount::default(), Vec::new())?;
    invoke(d, eth(d, 2), c.address, fil(1), Vec::new())?;
    // Init code that reverts deploys nothing.
    d.send(
        eth(d, 2),
        Address::new_id(EAM_ACTOR_ID),
        TokenAmount::default(),
        params::eam::CREATE_EXTERNAL,
        cbor(&params::BytesParam(evm::reverter())),
    )?;
    Ok(())
}

fn evm_self_destruct(d: &mut Driver) -> Step {
    let c = deployed(d, eth(d, 3), &evm::self_destructing())?;
    d.send(secp(d, 0), c.address, fil(3), METHOD_SEND, vec![])?;
    invoke(d, eth(d, 3), c.address, TokenAmount::default(), Vec::new())?;
    invoke(d, eth(d, 3), c.address, TokenAmount::default(), Vec::new())?;
    d.send(secp(d, 0), c.address, fil(1), METHOD_SEND, vec![])?;
    Ok(())
}

fn evm_calls_contracts_and_native_actors(d: &mut Driver) -> Step {
    let proxy = deployed(d, eth(d, 0), &evm::proxy())?;
    let store = deployed(d, eth(d, 0), &evm::storage())?;
    invoke(
        d,
        eth(d, 1),
        proxy.address,
        TokenAmount::default(),
        via(&store.eth, &word(11)),
    )?;
    invoke(
        d,
        eth(d, 1),
        proxy.address,
        fil(2),
        via(&store.eth, &word(1)),
    )?;
    let account = d.net().account(1).id;
    invoke(
        d,
        eth(d, 1),
        proxy.address,
        fil(1),
        via(&evm::id_address(account), &[]),
    )?;
    invoke(
        d,
        eth(d, 1),
        proxy.address,
        fil(1),
        via(&evm::id_address(STORAGE_POWER_ACTOR_ID), &[1, 2, 3]),
    )?;
    invoke(
        d,
        eth(d, 1),
        proxy.address,
        TokenAmount::default(),
        via(&[0x42; 20], &[]),
    )?;
    // The proxy calling itself through itself.
    let inner = via(&store.eth, &word(2));
    invoke(
        d,
        eth(d, 2),
        proxy.address,
        TokenAmount::default(),
        via(&proxy.eth, &inner),
    )?;
    Ok(())
}

fn evm_precompiles(d: &mut Driver) -> Step {
    let proxy = deployed(d, eth(d, 1), &evm::proxy())?;
    let from = eth(d, 1);
    let call = |d: &mut Driver, n: u8, input: Vec<u8>| {
        invoke(
            d,
            from,
            proxy.address,
            TokenAmount::default(),
            via(&evm::precompile(n), &input),
        )
    };
    // ecrecover: hash, v, r, s.
    let key = secp_key(d, 2);
    let sig = key.sign(b"precompile");
    let hash = multihash_codetable::MultihashDigest::digest(
        &multihash_codetable::Code::Blake2b256,
        b"precompile",
    );
    let mut input = hash.digest().to_vec();
    input.extend_from_slice(&word(27 + u64::from(sig.bytes()[64])));
    input.extend_from_slice(&sig.bytes()[..64]);
    call(d, 1, input.clone())?;
    input[63] = 30; // invalid v
    call(d, 1, input)?;
    call(d, 2, b"abc".to_vec())?;
    call(d, 3, b"abc".to_vec())?;
    call(d, 4, vec![7; 100])?;
    // modexp: 3^5 mod 7 with one-byte lengths.
    let mut modexp = Vec::new();
    for len in [1, 1, 1] {
        modexp.extend_from_slice(&word(len));
    }
    modexp.extend_from_slice(&[3, 5, 7]);
    call(d, 5, modexp)?;
    // bn254: G1 generator (1, 2) added to itself, doubled, and a point off the curve.
    let g1 = [word(1), word(2)].concat();
    call(d, 6, [g1.clone(), g1.clone()].concat())?;
    call(d, 7, [g1.clone(), word(2).to_vec()].concat())?;
    call(d, 6, [word(1), word(3), word(1), word(2)].concat())?;
    // An empty pairing check holds.
    call(d, 8, Vec::new())?;
    Ok(())
}

fn evm_create_from_contract(d: &mut Driver) -> Step {
    let create = deployed(d, eth(d, 2), &evm::factory(false))?;
    let create2 = deployed(d, eth(d, 2), &evm::factory(true))?;
    let init = evm::deploy(&evm::storage());
    invoke(
        d,
        eth(d, 2),
        create.address,
        TokenAmount::default(),
        init.clone(),
    )?;
    invoke(
        d,
        eth(d, 2),
        create.address,
        TokenAmount::default(),
        init.clone(),
    )?;
    invoke(
        d,
        eth(d, 2),
        create2.address,
        TokenAmount::default(),
        init.clone(),
    )?;
    // The same salt and init code again: the address is taken.
    invoke(d, eth(d, 2), create2.address, TokenAmount::default(), init)?;
    invoke(
        d,
        eth(d, 2),
        create.address,
        TokenAmount::default(),
        evm::reverter(),
    )?;
    Ok(())
}

fn evm_call_depth_exhaustion(d: &mut Driver) -> Step {
    let c = deployed(d, eth(d, 3), &evm::recursive())?;
    let mut m = d.message(
        eth(d, 3),
        c.address,
        TokenAmount::default(),
        frc42_method("InvokeEVM"),
        cbor(&params::BytesParam(Vec::new())),
    );
    m.gas_limit = 9_000_000_000;
    d.apply(m)?;
    // And with little gas: out of gas deep in the recursion.
    let mut m = d.message(
        eth(d, 3),
        c.address,
        TokenAmount::default(),
        frc42_method("InvokeEVM"),
        cbor(&params::BytesParam(Vec::new())),
    );
    m.gas_limit = 60_000_000;
    d.apply(m)?;
    Ok(())
}

fn evm_deploy_failures(d: &mut Driver) -> Step {
    // Only Ethereum accounts may CreateExternal.
    let init = cbor(&params::BytesParam(evm::deploy(&evm::storage())));
    d.send(
        secp(d, 0),
        Address::new_id(EAM_ACTOR_ID),
        TokenAmount::default(),
        params::eam::CREATE_EXTERNAL,
        init,
    )?;
    // Garbage init code.
    d.send(
        eth(d, 0),
        Address::new_id(EAM_ACTOR_ID),
        TokenAmount::default(),
        params::eam::CREATE_EXTERNAL,
        cbor(&params::BytesParam(vec![0xfe, 0x01])),
    )?;
    d.send(
        eth(d, 0),
        Address::new_id(EAM_ACTOR_ID),
        TokenAmount::default(),
        params::eam::CREATE_EXTERNAL,
        vec![0x01],
    )?;
    Ok(())
}

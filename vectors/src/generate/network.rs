//! Genesis-like networks from a builtin-actors bundle: every singleton actor set up by its own
//! constructor (run as an implicit message from the system actor, as a genesis builder does), and
//! funded accounts with secp256k1, BLS and (where the bundle has the Ethereum actors) Ethereum
//! keys.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{ActorID, METHOD_CONSTRUCTOR};
use ifvm_actors::{
    BuiltinActor, CRON_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, REWARD_ACTOR_ID,
    STORAGE_MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID, SYSTEM_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID,
};
use ifvm_interp::Engine;
use ifvm_kernel::ApplyKind;

use super::keys::{BlsKey, SecpKey};
use super::params;
use crate::bundles::BundleSet;
use crate::externs::{ReplayExterns, Unrecorded};
use crate::genesis::{Genesis, GenesisError, GenesisState};
use crate::machine::MachineParams;

/// How many accounts of each kind a network starts with.
pub const ACCOUNTS_PER_KIND: u64 = 4;

/// Every genesis account's balance, in whole FIL.
pub const ACCOUNT_BALANCE_FIL: u64 = 100_000;

/// A funded account.
#[derive(Clone)]
pub struct Account {
    /// Its actor ID.
    pub id: ActorID,
    /// Its key.
    pub key: Key,
}

/// An account's key and kind.
#[derive(Clone)]
pub enum Key {
    /// A secp256k1 account (f1).
    Secp(SecpKey),
    /// A BLS account (f3).
    Bls(BlsKey),
    /// An Ethereum account (f410), keyed by secp256k1.
    Eth(SecpKey),
}

impl Key {
    /// A signature of `message` with this key (secp256k1 over its Blake2b-256, or BLS).
    pub fn sign(&self, message: &[u8]) -> Signature {
        match self {
            Key::Secp(k) | Key::Eth(k) => k.sign(message),
            Key::Bls(k) => k.sign(message),
        }
    }
}

impl Account {
    /// The account's robust address: f1, f3 or f410.
    pub fn address(&self) -> Address {
        match &self.key {
            Key::Secp(k) => k.address(),
            Key::Bls(k) => k.address(),
            Key::Eth(k) => k.f4_address(),
        }
    }

    /// The account's ID address.
    pub fn id_address(&self) -> Address {
        Address::new_id(self.id)
    }
}

/// A genesis state of network version `nv` and its accounts.
#[derive(Clone)]
pub struct TestNetwork {
    /// The network version.
    pub nv: u32,
    /// The state.
    pub state: GenesisState,
    /// The secp256k1 accounts, then the BLS ones, then the Ethereum ones (none before nv18).
    pub accounts: Vec<Account>,
    /// Whether the bundle has the Ethereum actors (EAM, EVM, Ethereum accounts): FEVM, from
    /// actors v10 (nv18) on.
    pub fevm: bool,
}

/// A singleton and its constructor's CBOR parameters (`None`: no parameters).
struct Singleton {
    id: ActorID,
    name: &'static str,
    params: Option<Vec<u8>>,
}

impl TestNetwork {
    /// Builds the network of `nv` from its mainnet bundle in `bundles`, constructing the
    /// singletons with ifvm on `engine`. Bundles without the Ethereum actors (actors v9, nv17)
    /// get no Ethereum accounts and no EAM.
    pub fn build(bundles: &BundleSet, nv: u32, engine: &Engine) -> Result<Self, GenesisError> {
        let (bundle, root) = bundles.with_root(nv).map_err(GenesisError::from_display)?;
        let mut genesis = Genesis::new(bundle, &root)?;
        let balance = TokenAmount::from_whole(ACCOUNT_BALANCE_FIL);
        let mut accounts = Vec::new();
        for seed in 0..ACCOUNTS_PER_KIND {
            let key = SecpKey::from_seed(seed);
            let id = genesis.account(key.address(), balance.clone())?;
            accounts.push(Account {
                id,
                key: Key::Secp(key),
            });
        }
        for seed in 0..ACCOUNTS_PER_KIND {
            let key = BlsKey::from_seed(seed);
            let id = genesis.account(key.address(), balance.clone())?;
            accounts.push(Account {
                id,
                key: Key::Bls(key),
            });
        }
        let fevm = genesis.manifest().code_by_name("eam").is_some();
        let eth_accounts = if fevm { ACCOUNTS_PER_KIND } else { 0 };
        for seed in 0..eth_accounts {
            let key = SecpKey::from_seed(1000 + seed);
            let code = *genesis.manifest().code(BuiltinActor::EthAccount);
            let addr = key.f4_address();
            let id = genesis.actor_at_address(
                addr,
                code,
                fvm_shared::EMPTY_ARR_CID,
                balance.clone(),
                Some(addr),
            )?;
            accounts.push(Account {
                id,
                key: Key::Eth(key),
            });
        }
        let root_key = accounts[0].id_address();
        let singletons = [
            Singleton {
                id: REWARD_ACTOR_ID,
                name: "reward",
                // No realized power yet: the big integer 0 (empty bytes).
                params: Some(params::cbor(&params::BytesParam(Vec::new()))),
            },
            Singleton {
                id: CRON_ACTOR_ID,
                name: "cron",
                params: Some(params::cron_constructor()),
            },
            Singleton {
                id: STORAGE_POWER_ACTOR_ID,
                name: "storagepower",
                params: None,
            },
            Singleton {
                id: STORAGE_MARKET_ACTOR_ID,
                name: "storagemarket",
                params: None,
            },
            Singleton {
                id: VERIFIED_REGISTRY_ACTOR_ID,
                name: "verifiedregistry",
                params: Some(params::cbor(&root_key)),
            },
            Singleton {
                id: DATACAP_ACTOR_ID,
                name: "datacap",
                params: Some(params::cbor(&Address::new_id(VERIFIED_REGISTRY_ACTOR_ID))),
            },
            Singleton {
                id: EAM_ACTOR_ID,
                name: "eam",
                params: None,
            },
        ];
        let singletons: Vec<_> = singletons
            .into_iter()
            .filter(|s| fevm || s.id != EAM_ACTOR_ID)
            .collect();
        for s in &singletons {
            if s.id == REWARD_ACTOR_ID {
                continue; // Genesis::new placed it, funded.
            }
            let code = genesis
                .manifest()
                .code_by_name(s.name)
                .copied()
                .ok_or_else(|| GenesisError::from_display(format!("bundle has no {}", s.name)))?;
            genesis.actor_at_id(
                s.id,
                code,
                fvm_shared::EMPTY_ARR_CID,
                TokenAmount::default(),
            );
        }
        let state = construct(genesis.finish()?, nv, &singletons, engine)?;
        Ok(Self {
            nv,
            state,
            accounts,
            fevm,
        })
    }

    /// The account at `index` (see [`TestNetwork::accounts`] for the order).
    pub fn account(&self, index: usize) -> &Account {
        &self.accounts[index % self.accounts.len()]
    }

    /// The accounts of one kind.
    pub fn of_kind(&self, kind: fn(&Key) -> bool) -> Vec<&Account> {
        self.accounts.iter().filter(|a| kind(&a.key)).collect()
    }
}

/// Runs each singleton's constructor at epoch 0 and returns the resulting state.
fn construct(
    state: GenesisState,
    nv: u32,
    singletons: &[Singleton],
    engine: &Engine,
) -> Result<GenesisState, GenesisError> {
    let mut exec = MachineParams::new(nv, 0, state.root)
        .map_err(GenesisError::from_display)?
        .executor(
            engine,
            state.store(),
            ReplayExterns::new(Vec::new(), Unrecorded::Derived),
            false,
        )
        .map_err(GenesisError::from_display)?;
    for (sequence, s) in singletons.iter().enumerate() {
        let msg = Message {
            version: 0,
            from: Address::new_id(SYSTEM_ACTOR_ID),
            to: Address::new_id(s.id),
            sequence: sequence as u64,
            value: TokenAmount::default(),
            method_num: METHOD_CONSTRUCTOR,
            params: s.params.clone().map(RawBytes::new).unwrap_or_default(),
            gas_limit: 10_000_000_000,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let ret = exec
            .execute_message(msg, ApplyKind::Implicit, 0)
            .map_err(GenesisError::from_display)?;
        if !ret.msg_receipt.exit_code.is_success() {
            return Err(GenesisError::from_display(format!(
                "{} constructor failed with exit code {}: {:?}",
                s.name, ret.msg_receipt.exit_code, ret.failure_info
            )));
        }
    }
    let root = exec.flush().map_err(GenesisError::from_display)?;
    let blocks = exec.into_machine().into_blockstore().into_own();
    Ok(GenesisState {
        root,
        blocks,
        bundle: state.bundle,
    })
}

/// The current epoch of generated traffic (genesis is at 0).
pub const EPOCH: ChainEpoch = 1000;

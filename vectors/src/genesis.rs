//! Building genesis-like states from a builtin-actors bundle: the system, init, reward and
//! burnt-funds actors, key-address accounts, and actors running arbitrary code.

use cid::Cid;
use fvm_ipld_blockstore::{Block, Blockstore};
use fvm_ipld_encoding::{CborStore, IPLD_RAW};
use fvm_ipld_hamt::Hamt;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::StateTreeVersion;
use fvm_shared::{ActorID, HAMT_BIT_WIDTH};
use ifvm_actors::state::{AccountState, InitState, SystemState};
use ifvm_actors::{
    BuiltinActor, Manifest, BURNT_FUNDS_ACTOR_ID, INIT_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID,
};
use ifvm_kernel::{ActorState, StateTree};
use multihash_codetable::Code;

use crate::store::{RunStore, SharedBlocks};

/// A genesis state cannot be built.
#[derive(Debug, thiserror::Error)]
#[error("genesis: {0}")]
pub struct GenesisError(String);

impl GenesisError {
    /// An error with `e`'s message.
    pub fn from_display(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

fn err(e: impl std::fmt::Display) -> GenesisError {
    GenesisError::from_display(e)
}

/// A built state: its root, the blocks written, and the bundle it uses.
#[derive(Clone)]
pub struct GenesisState {
    /// The state root.
    pub root: Cid,
    /// Every block written (the bundle's are not copied).
    pub blocks: Vec<(Cid, Vec<u8>)>,
    /// The bundle's blocks.
    pub bundle: SharedBlocks,
}

impl GenesisState {
    /// A blockstore holding the state and the bundle.
    pub fn store(&self) -> RunStore {
        let store = RunStore::new(vec![self.bundle.clone()]);
        for (k, v) in &self.blocks {
            fvm_ipld_blockstore::Blockstore::put_keyed(&store, k, v).expect("memory store");
        }
        store
    }
}

/// A state under construction, over a bundle.
pub struct Genesis {
    tree: StateTree<RunStore>,
    manifest: Manifest,
    bundle: SharedBlocks,
    next_id: ActorID,
}

impl Genesis {
    /// A state with the system, init, reward and burnt-funds actors of the bundle whose root is
    /// `bundle_root` in `bundle`. Actor IDs from 100 on are free.
    pub fn new(bundle: SharedBlocks, bundle_root: &Cid) -> Result<Self, GenesisError> {
        let store = RunStore::new(vec![bundle.clone()]);
        let manifest_cid = ifvm_actors::bundle_manifest_cid(&store, bundle_root).map_err(err)?;
        let manifest = Manifest::load(&store, &manifest_cid).map_err(err)?;
        // Bundles before actors v10 (no Ethereum actors) run on nv17, whose state tree is
        // version 4; later ones on version 5.
        let version = if manifest.code_by_name("eam").is_some() {
            StateTreeVersion::V5
        } else {
            StateTreeVersion::V4
        };
        let mut tree = StateTree::new_with_version(store, version).map_err(err)?;
        let system = tree
            .store()
            .put_cbor(
                &SystemState {
                    builtin_actors: manifest_cid,
                },
                Code::Blake2b256,
            )
            .map_err(err)?;
        let empty_map = Hamt::<_, ActorID>::new_with_bit_width(tree.store(), HAMT_BIT_WIDTH)
            .flush()
            .map_err(err)?;
        let init = tree
            .store()
            .put_cbor(
                &InitState {
                    address_map: empty_map,
                    next_id: 100,
                    network_name: "ifvm-test".into(),
                },
                Code::Blake2b256,
            )
            .map_err(err)?;
        let code = |name: &str| {
            manifest
                .code_by_name(name)
                .copied()
                .ok_or_else(|| GenesisError(format!("bundle has no {name} actor")))
        };
        let actor = |code, state| ActorState {
            code,
            state,
            sequence: 0,
            balance: TokenAmount::default(),
            delegated_address: None,
        };
        tree.set_actor(
            SYSTEM_ACTOR_ID,
            actor(*manifest.code(BuiltinActor::System), system),
        );
        tree.set_actor(
            INIT_ACTOR_ID,
            actor(*manifest.code(BuiltinActor::Init), init),
        );
        let mut reward = actor(code("reward")?, fvm_shared::EMPTY_ARR_CID);
        reward.balance = TokenAmount::from_whole(1_000_000_000);
        tree.set_actor(REWARD_ACTOR_ID, reward);
        let burnt = tree
            .store()
            .put_cbor(
                &AccountState {
                    address: Address::new_id(BURNT_FUNDS_ACTOR_ID),
                },
                Code::Blake2b256,
            )
            .map_err(err)?;
        tree.set_actor(
            BURNT_FUNDS_ACTOR_ID,
            actor(*manifest.code(BuiltinActor::Account), burnt),
        );
        Ok(Self {
            tree,
            manifest,
            bundle,
            next_id: 100,
        })
    }

    /// The bundle's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Adds an account for the key address `addr` (f1 or f3) with `balance`; returns its ID.
    pub fn account(
        &mut self,
        addr: Address,
        balance: TokenAmount,
    ) -> Result<ActorID, GenesisError> {
        let state = self
            .tree
            .store()
            .put_cbor(&AccountState { address: addr }, Code::Blake2b256)
            .map_err(err)?;
        let code = *self.manifest.code(BuiltinActor::Account);
        self.actor_at_address(addr, code, state, balance, None)
    }

    /// Adds an actor running `wasm` with state `state`; returns its ID and robust address.
    pub fn code_actor(
        &mut self,
        wasm: &[u8],
        state: Cid,
        balance: TokenAmount,
    ) -> Result<(ActorID, Address), GenesisError> {
        let code = self
            .tree
            .store()
            .put(Code::Blake2b256, &Block::new(IPLD_RAW, wasm))
            .map_err(err)?;
        let addr = Address::new_actor(&self.next_id.to_be_bytes());
        let id = self.actor_at_address(addr, code, state, balance, None)?;
        Ok((id, addr))
    }

    /// Adds an actor with `code` at robust address `addr`; returns its ID.
    pub fn actor_at_address(
        &mut self,
        addr: Address,
        code: Cid,
        state: Cid,
        balance: TokenAmount,
        delegated_address: Option<Address>,
    ) -> Result<ActorID, GenesisError> {
        let id = self.tree.register_new_address(&addr).map_err(err)?;
        self.next_id = id + 1;
        self.tree.set_actor(
            id,
            ActorState {
                code,
                state,
                sequence: 0,
                balance,
                delegated_address,
            },
        );
        Ok(id)
    }

    /// Puts an actor with `code` at the singleton ID `id` (below the IDs `register` hands out).
    pub fn actor_at_id(&mut self, id: ActorID, code: Cid, state: Cid, balance: TokenAmount) {
        self.tree.set_actor(
            id,
            ActorState {
                code,
                state,
                sequence: 0,
                balance,
                delegated_address: None,
            },
        );
    }

    /// Stores a CBOR value; returns its CID.
    pub fn put_cbor<T: serde::Serialize>(&mut self, value: &T) -> Result<Cid, GenesisError> {
        self.tree
            .store()
            .put_cbor(value, Code::Blake2b256)
            .map_err(err)
    }

    /// The finished state.
    pub fn finish(mut self) -> Result<GenesisState, GenesisError> {
        let root = self.tree.flush().map_err(err)?;
        Ok(GenesisState {
            root,
            blocks: self.tree.into_store().into_own(),
            bundle: self.bundle,
        })
    }
}

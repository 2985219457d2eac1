//! The machine: network configuration, the state tree over a buffered blockstore, the builtin
//! actors manifest, externs, and the Wasm engine and syscalls actors run with.

use std::sync::Arc;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{CborStore, DAG_CBOR};
use fvm_shared::chainid::ChainID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::version::NetworkVersion;
use ifvm_actors::state::SystemState;
use ifvm_actors::{BuiltinActor, Manifest, SYSTEM_ACTOR_ID};
use ifvm_gas::PriceList;
use ifvm_interp::{Engine, EngineConfig, HostFunctions};
use multihash_codetable::Code;

use crate::abi::Abi;
use crate::blockstore::BufferedBlockstore;
use crate::error::{Classify, ExecutionError, Fatal, Result};
use crate::kernel::{Ext, Kernel, Store};
use crate::proofs::ProofVerifier;
use crate::state_tree::StateTree;

/// All FIL that will ever exist, in whole FIL: the circulating supply when none is given.
pub const TOTAL_FILECOIN: i64 = 2_000_000_000;

/// A network's parameters (as ref-fvm's `NetworkConfig`).
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// The network version (fixed at construction, with the ABI it selects).
    network_version: NetworkVersion,
    /// The ABI of `network_version`.
    abi: Abi,
    /// The chain ID (314 on mainnet, 314159 on calibration).
    pub chain_id: ChainID,
    /// The deepest call stack allowed.
    pub max_call_depth: u32,
    /// The instrumented Wasm stack limit.
    pub max_wasm_stack: u32,
    /// The largest memory of one instance, in bytes.
    pub max_inst_memory_bytes: u64,
    /// The memory of a whole call stack, in bytes.
    pub max_memory_bytes: u64,
    /// The largest block an actor may create.
    pub max_block_size: usize,
    /// A bundle root (`[version, manifest]`) to use instead of the system actor's manifest.
    pub builtin_actors_override: Option<Cid>,
    /// Whether actors may log (the `debug` syscalls).
    pub actor_debugging: bool,
    /// The prices in force: the network version's, unless
    /// [`reprice_as`](Self::reprice_as) replaced them.
    pub price_list: &'static PriceList,
    /// Code to run in place of other code (ref-fvm's `actor_redirect`, for debug networks): an
    /// actor whose code CID is the first of a pair runs the Wasm stored under the second (the
    /// last pair wins); its state keeps the first. Empty on real networks.
    pub actor_redirect: Vec<(Cid, Cid)>,
}

/// The largest linear memory a Wasm32 instance can have (65,536 pages of 64 KiB).
const WASM32_MAX_MEMORY_BYTES: u64 = 1 << 32;

/// The network version is not one ifvm runs.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("unsupported network version {0}")]
pub struct UnsupportedNetworkVersion(pub NetworkVersion);

impl NetworkConfig {
    /// ref-fvm's defaults for `nv`.
    pub fn new(nv: NetworkVersion) -> std::result::Result<Self, UnsupportedNetworkVersion> {
        let price_list =
            ifvm_gas::price_list_for(nv.into()).ok_or(UnsupportedNetworkVersion(nv))?;
        let abi = Abi::for_network(nv).ok_or(UnsupportedNetworkVersion(nv))?;
        // ref-fvm 2 limits neither memory (beyond the Wasm32 maximum) nor block sizes.
        let (max_inst_memory_bytes, max_memory_bytes, max_block_size) = if abi.prices_wasm_memory()
        {
            (512 << 20, 2 << 30, 1 << 20)
        } else {
            (WASM32_MAX_MEMORY_BYTES, u64::MAX, usize::MAX)
        };
        Ok(Self {
            network_version: nv,
            abi,
            chain_id: ChainID::from(0),
            max_call_depth: 1024,
            max_wasm_stack: 2048,
            max_inst_memory_bytes,
            max_memory_bytes,
            max_block_size,
            builtin_actors_override: None,
            actor_debugging: false,
            price_list,
            actor_redirect: Vec::new(),
        })
    }

    /// The context for executing messages at `epoch` from `initial_state_root`, with a zero
    /// base fee and ref-fvm's default circulating supply (the total FIL supply before nv21,
    /// zero from nv21 on).
    pub fn for_epoch(
        &self,
        epoch: ChainEpoch,
        timestamp: u64,
        initial_state_root: Cid,
    ) -> MachineContext {
        MachineContext {
            network: self.clone(),
            epoch,
            timestamp,
            base_fee: TokenAmount::default(),
            initial_state_root,
            circ_supply: self.abi().default_circ_supply(),
            tracing: false,
            timing: false,
            flush_all_blocks: false,
        }
    }

    /// **Not consensus.** Replaces the price list with network version `nv`'s, keeping everything
    /// else (the ABI, the syscalls, the actors, the limits) of this configuration's version. For
    /// research only: to see what another version's prices would do to the same messages. The
    /// results are generally not the chain's: gas differs, so exit codes, receipts and state
    /// roots may too. Functions of one price-list generation that the other lacks price at the
    /// other list's values for the fields they share, and at zero for the rest.
    pub fn reprice_as(
        &mut self,
        nv: NetworkVersion,
    ) -> std::result::Result<(), UnsupportedNetworkVersion> {
        self.price_list =
            ifvm_gas::price_list_for(nv.into()).ok_or(UnsupportedNetworkVersion(nv))?;
        Ok(())
    }

    /// Sets [`actor_redirect`](Self::actor_redirect) (as ref-fvm's `redirect_actors`).
    pub fn redirect_actors(&mut self, actor_redirect: Vec<(Cid, Cid)>) -> &mut Self {
        self.actor_redirect = actor_redirect;
        self
    }

    /// The code an actor with code CID `code` runs: `code`, unless redirected.
    pub fn code_to_run<'a>(&'a self, code: &'a Cid) -> &'a Cid {
        self.actor_redirect
            .iter()
            .rfind(|(from, _)| from == code)
            .map_or(code, |(_, to)| to)
    }

    /// The engine configuration these parameters call for.
    pub fn engine_config(&self) -> EngineConfig {
        let mut c = EngineConfig::new(self.price_list.wasm_rules().clone());
        c.max_wasm_stack = self.max_wasm_stack;
        c.max_instance_memory_bytes =
            usize::try_from(self.max_inst_memory_bytes).unwrap_or(usize::MAX);
        c
    }

    /// The network version.
    pub fn network_version(&self) -> NetworkVersion {
        self.network_version
    }

    /// The syscall ABI and semantics the network version runs with.
    pub fn abi(&self) -> Abi {
        self.abi
    }
}

/// Everything about the epoch a machine executes at.
#[derive(Debug, Clone)]
pub struct MachineContext {
    /// The network.
    pub network: NetworkConfig,
    /// The epoch.
    pub epoch: ChainEpoch,
    /// The epoch's timestamp.
    pub timestamp: u64,
    /// The base fee.
    pub base_fee: TokenAmount,
    /// The state root the machine starts from.
    pub initial_state_root: Cid,
    /// The circulating supply actors see.
    pub circ_supply: TokenAmount,
    /// Whether to record the execution trace of every message: calls, returns, invocations and
    /// gas charges, as ref-fvm does (see [`crate::trace`]) into
    /// [`ApplyRet::exec_trace`](crate::ApplyRet).
    pub tracing: bool,
    /// Whether to also time every gas charge ([`ifvm_gas::timing`]; implies `tracing`). Research
    /// only, off by default: timings are recorded into the trace's charges and never influence
    /// gas, exit codes or state.
    pub timing: bool,
    /// Whether [`Machine::flush`] writes every block the messages wrote to the base blockstore,
    /// not only those reachable from the new state root (ref-fvm's `flush_all_blocks`: for
    /// nodes that index or serve intermediate blocks). Off by default; the state root is the
    /// same either way.
    pub flush_all_blocks: bool,
}

/// A machine cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    /// The blockstore lacks the initial state root.
    #[error("blockstore doesn't have the initial state-root {0}")]
    MissingStateRoot(Cid),
    /// The blockstore failed.
    #[error("blockstore error")]
    Blockstore(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The state tree or the system actor cannot be loaded.
    #[error("cannot load state: {0}")]
    State(#[from] crate::error::ExecutionError),
    /// The state tree's version is not the one the network version uses.
    #[error("state tree version {found:?} where the network version uses {expected:?}")]
    StateTreeVersion {
        /// The version of the initial state root.
        found: fvm_shared::state::StateTreeVersion,
        /// The network version's.
        expected: fvm_shared::state::StateTreeVersion,
    },
    /// The builtin actors manifest cannot be loaded, or lacks an actor the network version
    /// needs (from nv18 on, as in ref-fvm 3 and 4: the placeholder, EAM and Ethereum account).
    #[error(transparent)]
    Manifest(#[from] ifvm_actors::ManifestError),
}

/// The syscalls linked into actor instances.
pub(crate) type Syscalls<B, E> = HostFunctions<Kernel<B, E>>;

/// A machine: executes messages against a state tree, one at a time.
pub struct Machine<B: Store, E: Ext> {
    pub(crate) context: MachineContext,
    pub(crate) externs: E,
    pub(crate) state_tree: StateTree<BufferedBlockstore<B>>,
    pub(crate) manifest: Manifest,
    pub(crate) engine: Engine,
    pub(crate) syscalls: Arc<Syscalls<B, E>>,
    pub(crate) proofs: Arc<dyn ProofVerifier>,
}

impl<B, E> Machine<B, E>
where
    B: Store,
    E: Ext,
{
    /// A machine over `blockstore` at the state root of `context`. `engine` may be shared by
    /// many machines; `proofs` verifies seal and PoSt proofs.
    pub fn new(
        context: MachineContext,
        blockstore: B,
        externs: E,
        engine: Engine,
        proofs: Arc<dyn ProofVerifier>,
    ) -> std::result::Result<Self, MachineError> {
        let root = context.initial_state_root;
        if !blockstore
            .has(&root)
            .map_err(|e| MachineError::Blockstore(e.into()))?
        {
            return Err(MachineError::MissingStateRoot(root));
        }
        put_empty_array(&blockstore)?;
        let state_tree = StateTree::new_from_root(BufferedBlockstore::new(blockstore), &root)?;
        let expected = context.network.abi().state_tree_version();
        if state_tree.version() != expected {
            return Err(MachineError::StateTreeVersion {
                found: state_tree.version(),
                expected,
            });
        }
        let manifest = match context.network.builtin_actors_override {
            Some(bundle_root) => Manifest::load_bundle_root(state_tree.store(), &bundle_root)?,
            None => {
                let system = state_tree
                    .get_actor(SYSTEM_ACTOR_ID)?
                    .ok_or_else(|| ExecutionError::from(Fatal::msg("system actor not found")))?;
                let state: SystemState = state_tree
                    .store()
                    .get_cbor(&system.state)
                    .or_fatal("failed to load system actor state")?
                    .ok_or_else(|| {
                        ExecutionError::from(Fatal::msg("system actor state not found"))
                    })?;
                Manifest::load(state_tree.store(), &state.builtin_actors)?
            }
        };
        if context.network.abi().has_delegated_addresses() {
            for actor in [
                BuiltinActor::Placeholder,
                BuiltinActor::Eam,
                BuiltinActor::EthAccount,
            ] {
                manifest.require(actor)?;
            }
        }
        let syscalls = Arc::new(crate::syscalls::host_functions(context.network.abi()));
        Ok(Self {
            context,
            externs,
            state_tree,
            manifest,
            engine,
            syscalls,
            proofs,
        })
    }
}

impl<B: Store, E: Ext> Machine<B, E> {
    /// The machine's context.
    pub fn context(&self) -> &MachineContext {
        &self.context
    }

    /// The builtin actors manifest in force.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// True if actors on this machine can import the syscall `module::name`.
    pub fn defines_syscall(&self, module: &str, name: &str) -> bool {
        self.syscalls.defines(module, name)
    }

    /// The externs.
    pub fn externs(&self) -> &E {
        &self.externs
    }

    /// The state tree.
    pub fn state_tree(&self) -> &StateTree<BufferedBlockstore<B>> {
        &self.state_tree
    }

    /// The state tree, mutably (for embedders that set up state).
    pub fn state_tree_mut(&mut self) -> &mut StateTree<BufferedBlockstore<B>> {
        &mut self.state_tree
    }

    /// The buffered blockstore.
    pub fn blockstore(&self) -> &BufferedBlockstore<B> {
        self.state_tree.store()
    }

    /// Writes the state tree and the blocks reachable from it (every written block with
    /// [`MachineContext::flush_all_blocks`]); returns the new state root.
    pub fn flush(&mut self) -> Result<Cid> {
        let root = self.state_tree.flush()?;
        let flushed = if self.context.flush_all_blocks {
            self.blockstore().flush_all()
        } else {
            self.blockstore().flush_reachable(&root)
        };
        flushed.or_fatal("failed to flush blockstore")?;
        Ok(root)
    }

    /// The blockstore (after a [`flush`](Self::flush), the base store holds the new state).
    pub fn into_blockstore(self) -> B {
        self.state_tree.into_store().into_inner()
    }
}

/// ref-fvm stores the empty CBOR array block (`EMPTY_ARR_CID`, the state of a new actor) in
/// every machine's blockstore.
fn put_empty_array(store: &impl Blockstore) -> std::result::Result<(), MachineError> {
    let block = fvm_ipld_encoding::to_vec::<[(); 0]>(&[])
        .map_err(|e| MachineError::Blockstore(e.into()))?;
    let cid = store
        .put(
            Code::Blake2b256,
            &fvm_ipld_blockstore::Block::new(DAG_CBOR, block.as_slice()),
        )
        .map_err(|e| MachineError::Blockstore(e.into()))?;
    debug_assert_eq!(cid, fvm_shared::EMPTY_ARR_CID);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repricing_swaps_only_the_price_list() {
        let home = NetworkConfig::new(NetworkVersion::V18).unwrap();
        let mut repriced = home.clone();
        repriced.reprice_as(NetworkVersion::V21).unwrap();
        let nv21 = ifvm_gas::price_list_for(21).unwrap();
        assert!(std::ptr::eq(repriced.price_list, nv21));
        assert!(!std::ptr::eq(home.price_list, nv21));
        assert_eq!(repriced.network_version(), NetworkVersion::V18);
        assert_eq!(repriced.abi(), home.abi());
        assert!(repriced.reprice_as(NetworkVersion::V15).is_err());
        assert!(
            std::ptr::eq(repriced.price_list, nv21),
            "a failed repricing changes nothing"
        );
    }
}

//! ref-fvm 2.12, the reference of `Abi::V2` (nv17): executors for scenarios and vector
//! variants, with proofs accepted as ref-fvm's conformance runner accepts them.

use cid::Cid;
use fvm2::call_manager::{CallManager, DefaultCallManager};
use fvm2::executor::{ApplyKind, ApplyRet, DefaultExecutor, Executor};
use fvm2::gas::{Gas, PriceList};
use fvm2::kernel::{
    ActorOps, BlockId, BlockRegistry, BlockStat, CircSupplyOps, CryptoOps, DebugOps, GasOps,
    IpldBlockOps, Kernel, MessageOps, NetworkOps, RandomnessOps, Result, SelfOps, SendOps,
    SendResult,
};
use fvm2::machine::{DefaultMachine, Engine, EngineConfig, NetworkConfig};
use fvm2::DefaultKernel;
use fvm_ipld_encoding::{from_slice, to_vec};
use fvm_shared2::address::Address;
use fvm_shared2::clock::ChainEpoch;
use fvm_shared2::consensus::ConsensusFault;
use fvm_shared2::crypto::signature::{
    SignatureType, SECP_PUB_LEN, SECP_SIG_LEN, SECP_SIG_MESSAGE_HASH_SIZE,
};
use fvm_shared2::econ::TokenAmount;
use fvm_shared2::piece::PieceInfo;
use fvm_shared2::randomness::RANDOMNESS_LENGTH;
use fvm_shared2::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};
use fvm_shared2::version::NetworkVersion;
use fvm_shared2::{ActorID, MethodNum};
use ifvm_kernel::Externs;
use ifvm_vectors::{
    DeterministicExterns, GasPayouts, MachineParams, MessageResult, PreparedVariant, ReplayExterns,
    RunStore, Setup,
};
use multihash_codetable::Multihash;

use crate::externs::RefExterns;

/// ref-fvm 2's executor over a [`RunStore`] with externs `E`; proofs are accepted.
pub type RefExecutorV2<E> = DefaultExecutor<
    AcceptProofsKernelV2<DefaultCallManager<DefaultMachine<RunStore, RefExterns<E>>>>,
>;

/// ref-fvm 2's engine for nv17, shared by every run so actors are compiled once.
pub fn shared_engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let nc = NetworkConfig::new(NetworkVersion::V17);
        Engine::new_default(EngineConfig::from(&nc)).expect("ref-fvm 2's engine")
    })
}

fn tokens(t: &fvm_shared::econ::TokenAmount) -> TokenAmount {
    TokenAmount::from_atto(t.atto().clone())
}

fn executor<E: Externs + 'static>(
    p: &MachineParams,
    store: RunStore,
    externs: E,
    tracing: crate::Tracing,
) -> anyhow::Result<RefExecutorV2<E>> {
    anyhow::ensure!(
        crate::abi_of(p.nv)? == ifvm_kernel::Abi::V2,
        "nv{} is not a ref-fvm 2 network version",
        p.nv
    );
    let nv = NetworkVersion::try_from(p.nv).map_err(|e| anyhow::anyhow!("nv{}: {e:?}", p.nv))?;
    let nc = NetworkConfig::new(nv);
    let mut mc = nc.for_epoch(p.epoch, p.state_root);
    if tracing == crate::Tracing::On {
        mc.enable_tracing();
    }
    mc.set_base_fee(tokens(&p.base_fee));
    mc.set_circulating_supply(tokens(&p.circ_supply));
    let machine = DefaultMachine::new(shared_engine(), &mc, store, RefExterns(externs))?;
    Ok(DefaultExecutor::new(machine))
}

/// An executor at `setup`'s state. ref-fvm 2 runs only code its engine has loaded: the
/// builtin actors, loaded with the machine, and the setup's own actor code (every raw block of
/// its state), loaded here.
pub fn setup_executor(
    setup: &Setup,
    tracing: crate::Tracing,
) -> anyhow::Result<RefExecutorV2<DeterministicExterns>> {
    let code = setup
        .state
        .blocks
        .iter()
        .filter(|(cid, _)| cid.codec() == fvm_ipld_encoding::IPLD_RAW)
        .map(|(cid, _)| cid);
    shared_engine().preload(setup.state.store(), code)?;
    executor(
        &setup.params(),
        setup.state.store(),
        DeterministicExterns,
        tracing,
    )
}

/// An executor at a vector variant's pre-state.
pub fn variant_executor(
    variant: &PreparedVariant,
    tracing: crate::Tracing,
) -> anyhow::Result<RefExecutorV2<ReplayExterns>> {
    executor(&variant.params, variant.store(), variant.externs(), tracing)
}

/// Applies `msg` as an explicit message.
pub fn apply<E: Externs + 'static>(
    exec: &mut RefExecutorV2<E>,
    msg: &fvm_shared::message::Message,
    raw_length: usize,
) -> anyhow::Result<ApplyRet> {
    let msg: fvm_shared2::message::Message = from_slice(&to_vec(msg)?)?;
    exec.execute_message(msg, ApplyKind::Explicit, raw_length)
}

/// ref-fvm 2's `DefaultKernel`, except that proofs are charged for and accepted.
pub struct AcceptProofsKernelV2<C>(DefaultKernel<C>);

impl<C: CallManager> AcceptProofsKernelV2<C> {
    fn charge(&mut self, charge: fvm2::gas::GasCharge) -> Result<()> {
        let name = charge.name.clone();
        self.0.charge_gas(&name, charge.total())
    }
}

impl<C: CallManager> Kernel for AcceptProofsKernelV2<C> {
    type CallManager = C;

    fn into_inner(self) -> (C, BlockRegistry) {
        self.0.into_inner()
    }

    fn new(
        mgr: C,
        blocks: BlockRegistry,
        caller: ActorID,
        actor_id: ActorID,
        method: MethodNum,
        value_received: TokenAmount,
    ) -> Self {
        Self(DefaultKernel::new(
            mgr,
            blocks,
            caller,
            actor_id,
            method,
            value_received,
        ))
    }
}

impl<C: CallManager> CryptoOps for AcceptProofsKernelV2<C> {
    fn verify_signature(
        &mut self,
        sig_type: SignatureType,
        signature: &[u8],
        signer: &Address,
        plaintext: &[u8],
    ) -> Result<bool> {
        self.0
            .verify_signature(sig_type, signature, signer, plaintext)
    }

    fn recover_secp_public_key(
        &mut self,
        hash: &[u8; SECP_SIG_MESSAGE_HASH_SIZE],
        signature: &[u8; SECP_SIG_LEN],
    ) -> Result<[u8; SECP_PUB_LEN]> {
        self.0.recover_secp_public_key(hash, signature)
    }

    fn hash(&mut self, code: u64, data: &[u8]) -> Result<Multihash> {
        self.0.hash(code, data)
    }

    fn compute_unsealed_sector_cid(
        &mut self,
        proof_type: RegisteredSealProof,
        pieces: &[PieceInfo],
    ) -> Result<Cid> {
        self.0.compute_unsealed_sector_cid(proof_type, pieces)
    }

    fn verify_seal(&mut self, vi: &SealVerifyInfo) -> Result<bool> {
        let charge = self.0.price_list().on_verify_seal(vi);
        self.charge(charge)?;
        Ok(true)
    }

    fn verify_post(&mut self, verify_info: &WindowPoStVerifyInfo) -> Result<bool> {
        let charge = self.0.price_list().on_verify_post(verify_info);
        self.charge(charge)?;
        Ok(true)
    }

    fn verify_consensus_fault(
        &mut self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> Result<Option<ConsensusFault>> {
        self.0.verify_consensus_fault(h1, h2, extra)
    }

    fn batch_verify_seals(&mut self, vis: &[SealVerifyInfo]) -> Result<Vec<bool>> {
        Ok(vec![true; vis.len()])
    }

    fn verify_aggregate_seals(
        &mut self,
        aggregate: &AggregateSealVerifyProofAndInfos,
    ) -> Result<bool> {
        let charge = self.0.price_list().on_verify_aggregate_seals(aggregate);
        self.charge(charge)?;
        Ok(true)
    }

    fn verify_replica_update(&mut self, replica: &ReplicaUpdateInfo) -> Result<bool> {
        let charge = self.0.price_list().on_verify_replica_update(replica);
        self.charge(charge)?;
        Ok(true)
    }
}

impl<C: CallManager> ActorOps for AcceptProofsKernelV2<C> {
    fn resolve_address(&self, address: &Address) -> Result<Option<ActorID>> {
        self.0.resolve_address(address)
    }
    fn get_actor_code_cid(&self, id: ActorID) -> Result<Option<Cid>> {
        self.0.get_actor_code_cid(id)
    }
    fn new_actor_address(&mut self) -> Result<Address> {
        self.0.new_actor_address()
    }
    fn create_actor(&mut self, code_cid: Cid, actor_id: ActorID) -> Result<()> {
        self.0.create_actor(code_cid, actor_id)
    }
    fn get_builtin_actor_type(&self, code_cid: &Cid) -> u32 {
        self.0.get_builtin_actor_type(code_cid)
    }
    fn get_code_cid_for_type(&self, typ: u32) -> Result<Cid> {
        self.0.get_code_cid_for_type(typ)
    }
}

impl<C: CallManager> IpldBlockOps for AcceptProofsKernelV2<C> {
    fn block_open(&mut self, cid: &Cid) -> Result<(BlockId, BlockStat)> {
        self.0.block_open(cid)
    }
    fn block_create(&mut self, codec: u64, data: &[u8]) -> Result<BlockId> {
        self.0.block_create(codec, data)
    }
    fn block_link(&mut self, id: BlockId, hash_fun: u64, hash_len: u32) -> Result<Cid> {
        self.0.block_link(id, hash_fun, hash_len)
    }
    fn block_read(&mut self, id: BlockId, offset: u32, buf: &mut [u8]) -> Result<i32> {
        self.0.block_read(id, offset, buf)
    }
    fn block_stat(&mut self, id: BlockId) -> Result<BlockStat> {
        self.0.block_stat(id)
    }
}

impl<C: CallManager> SelfOps for AcceptProofsKernelV2<C> {
    fn root(&self) -> Result<Cid> {
        self.0.root()
    }
    fn set_root(&mut self, root: Cid) -> Result<()> {
        self.0.set_root(root)
    }
    fn current_balance(&self) -> Result<TokenAmount> {
        self.0.current_balance()
    }
    fn self_destruct(&mut self, beneficiary: &Address) -> Result<()> {
        self.0.self_destruct(beneficiary)
    }
}

impl<C: CallManager> SendOps for AcceptProofsKernelV2<C> {
    fn send(
        &mut self,
        recipient: &Address,
        method: u64,
        params: BlockId,
        value: &TokenAmount,
    ) -> Result<SendResult> {
        self.0.send(recipient, method, params, value)
    }
}

impl<C: CallManager> CircSupplyOps for AcceptProofsKernelV2<C> {
    fn total_fil_circ_supply(&self) -> Result<TokenAmount> {
        self.0.total_fil_circ_supply()
    }
}

impl<C: CallManager> DebugOps for AcceptProofsKernelV2<C> {
    fn log(&mut self, msg: String) {
        self.0.log(msg)
    }
    fn debug_enabled(&self) -> bool {
        self.0.debug_enabled()
    }
    fn store_artifact(&self, name: &str, data: &[u8]) -> Result<()> {
        self.0.store_artifact(name, data)
    }
}

impl<C: CallManager> GasOps for AcceptProofsKernelV2<C> {
    fn gas_used(&self) -> Gas {
        self.0.gas_used()
    }
    fn gas_available(&self) -> Gas {
        self.0.gas_available()
    }
    fn charge_gas(&mut self, name: &str, compute: Gas) -> Result<()> {
        self.0.charge_gas(name, compute)
    }
    fn price_list(&self) -> &PriceList {
        self.0.price_list()
    }
}

impl<C: CallManager> MessageOps for AcceptProofsKernelV2<C> {
    fn msg_caller(&self) -> ActorID {
        self.0.msg_caller()
    }
    fn msg_receiver(&self) -> ActorID {
        self.0.msg_receiver()
    }
    fn msg_method_number(&self) -> MethodNum {
        self.0.msg_method_number()
    }
    fn msg_value_received(&self) -> TokenAmount {
        self.0.msg_value_received()
    }
}

impl<C: CallManager> NetworkOps for AcceptProofsKernelV2<C> {
    fn network_epoch(&self) -> ChainEpoch {
        self.0.network_epoch()
    }
    fn network_version(&self) -> NetworkVersion {
        self.0.network_version()
    }
    fn network_base_fee(&self) -> &TokenAmount {
        self.0.network_base_fee()
    }
}

impl<C: CallManager> RandomnessOps for AcceptProofsKernelV2<C> {
    fn get_randomness_from_tickets(
        &mut self,
        personalization: i64,
        rand_epoch: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.0
            .get_randomness_from_tickets(personalization, rand_epoch, entropy)
    }
    fn get_randomness_from_beacon(
        &mut self,
        personalization: i64,
        rand_epoch: ChainEpoch,
        entropy: &[u8],
    ) -> Result<[u8; RANDOMNESS_LENGTH]> {
        self.0
            .get_randomness_from_beacon(personalization, rand_epoch, entropy)
    }
}

/// Applies each of `messages` on `exec`, flushing after every one.
pub fn apply_each<E: Externs + 'static>(
    exec: &mut RefExecutorV2<E>,
    messages: impl IntoIterator<Item = (fvm_shared::message::Message, usize)>,
) -> anyhow::Result<Vec<MessageResult>> {
    let mut out = Vec::new();
    for (msg, raw_length) in messages {
        let ret = apply(exec, &msg, raw_length)?;
        let receipt = &ret.msg_receipt;
        out.push(MessageResult {
            exit_code: receipt.exit_code.value(),
            return_data: receipt.return_data.to_vec(),
            gas_used: u64::try_from(receipt.gas_used)?,
            events_root: None,
            events: Vec::new(),
            state_root: exec.flush()?,
            payouts: GasPayouts {
                penalty: ret.penalty.atto().to_string(),
                miner_tip: ret.miner_tip.atto().to_string(),
                base_fee_burn: ret.base_fee_burn.atto().to_string(),
                over_estimation_burn: ret.over_estimation_burn.atto().to_string(),
                refund: ret.refund.atto().to_string(),
                gas_refund: u64::try_from(ret.gas_refund)?,
                gas_burned: u64::try_from(ret.gas_burned)?,
            },
            trace: crate::trace::from_v2(&ret.exec_trace),
        });
    }
    Ok(out)
}

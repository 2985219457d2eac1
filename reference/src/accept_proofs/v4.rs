//! A ref-fvm 4 kernel that charges for proof verification and accepts every proof, as ref-fvm's
//! conformance runner does and as ifvm's vector runs treat proofs (`AcceptAllProofs`): the
//! chain simulation's miners submit made-up seals, PoSts and replica updates. Everything else is
//! ref-fvm 4's `DefaultFilecoinKernel`.
//!
//! The operations are delegated with the `Delegate` derive ref-fvm re-exports; its generated
//! code names the kernel's `Result` unqualified, hence the glob imports.

use fvm4::call_manager::CallManager;
use fvm4::gas::GasCharge;
use fvm4::kernel::filecoin::{DefaultFilecoinKernel, FilecoinKernel};
use fvm4::kernel::prelude::*;
use fvm4::kernel::Result;
use fvm4::syscalls::Linker;
use fvm_shared::consensus::ConsensusFault;
use fvm_shared::piece::PieceInfo;
use fvm_shared::sector::{
    AggregateSealVerifyProofAndInfos, RegisteredSealProof, ReplicaUpdateInfo, SealVerifyInfo,
    WindowPoStVerifyInfo,
};

/// ref-fvm 4's `DefaultFilecoinKernel`, except that proofs (window PoSts, seals in cron's batch,
/// aggregate seals and replica updates) are charged for as ref-fvm charges them and accepted.
#[allow(clippy::duplicated_attributes)]
#[derive(Delegate)]
#[delegate(IpldBlockOps, where = "C: CallManager")]
#[delegate(ActorOps, where = "C: CallManager")]
#[delegate(CryptoOps, where = "C: CallManager")]
#[delegate(DebugOps, where = "C: CallManager")]
#[delegate(EventOps, where = "C: CallManager")]
#[delegate(MessageOps, where = "C: CallManager")]
#[delegate(NetworkOps, where = "C: CallManager")]
#[delegate(RandomnessOps, where = "C: CallManager")]
#[delegate(SelfOps, where = "C: CallManager")]
#[delegate(SendOps<K>, generics = "K", where = "K: FilecoinKernel")]
#[delegate(UpgradeOps<K>, generics = "K", where = "K: FilecoinKernel")]
pub struct AcceptProofsKernelV4<C>(DefaultFilecoinKernel<C>);

impl<C: CallManager> AcceptProofsKernelV4<C> {
    /// Charges `charge` as ref-fvm's kernel does before it verifies a proof.
    fn charge(&self, charge: GasCharge) -> Result<()> {
        let name = charge.name.clone();
        self.0.charge_gas(&name, charge.total()).map(|_| ())
    }

    fn price_list(&self) -> &PriceList {
        self.0 .0.call_manager.price_list()
    }
}

impl<C: CallManager> FilecoinKernel for AcceptProofsKernelV4<C> {
    fn compute_unsealed_sector_cid(
        &self,
        proof_type: RegisteredSealProof,
        pieces: &[PieceInfo],
    ) -> Result<Cid> {
        self.0.compute_unsealed_sector_cid(proof_type, pieces)
    }

    fn verify_post(&self, verify_info: &WindowPoStVerifyInfo) -> Result<bool> {
        self.charge(self.price_list().on_verify_post(verify_info))?;
        Ok(true)
    }

    fn verify_consensus_fault(
        &self,
        h1: &[u8],
        h2: &[u8],
        extra: &[u8],
    ) -> Result<Option<ConsensusFault>> {
        self.0.verify_consensus_fault(h1, h2, extra)
    }

    fn batch_verify_seals(&self, vis: &[SealVerifyInfo]) -> Result<Vec<bool>> {
        for vi in vis {
            self.charge(self.price_list().on_verify_seal(vi))?;
        }
        Ok(vec![true; vis.len()])
    }

    fn verify_aggregate_seals(&self, aggregate: &AggregateSealVerifyProofAndInfos) -> Result<bool> {
        self.charge(self.price_list().on_verify_aggregate_seals(aggregate))?;
        Ok(true)
    }

    fn verify_replica_update(&self, replica: &ReplicaUpdateInfo) -> Result<bool> {
        self.charge(self.price_list().on_verify_replica_update(replica))?;
        Ok(true)
    }

    fn total_fil_circ_supply(&self) -> Result<TokenAmount> {
        self.0.total_fil_circ_supply()
    }
}

impl<C: CallManager> Kernel for AcceptProofsKernelV4<C> {
    type CallManager = C;
    type Limiter = <DefaultFilecoinKernel<C> as Kernel>::Limiter;

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
        read_only: bool,
    ) -> Self {
        Self(DefaultFilecoinKernel::new(
            mgr,
            blocks,
            caller,
            actor_id,
            method,
            value_received,
            read_only,
        ))
    }

    fn machine(&self) -> &C::Machine {
        self.0.machine()
    }

    fn limiter_mut(&mut self) -> &mut Self::Limiter {
        self.0.limiter_mut()
    }

    fn gas_available(&self) -> Gas {
        self.0.gas_available()
    }

    fn charge_gas(&self, name: &str, compute: Gas) -> Result<GasTimer> {
        self.0.charge_gas(name, compute)
    }
}

/// The syscalls of ref-fvm's Filecoin kernel, bound to this kernel's operations.
impl<C: CallManager> SyscallHandler<AcceptProofsKernelV4<C>> for AcceptProofsKernelV4<C> {
    fn link_syscalls(linker: &mut Linker<AcceptProofsKernelV4<C>>) -> anyhow::Result<()> {
        DefaultFilecoinKernel::<C>::link_syscalls(linker)
    }
}

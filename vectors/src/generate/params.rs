//! Builtin actors' method numbers and parameter encodings, written from their published CBOR
//! schemas (tuple-encoded structs), for the messages generated traffic sends.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{strict_bytes, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::{bigint_ser, BigInt};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::MethodNum;
use multihash_codetable::{Code, MultihashDigest};

/// The CBOR encoding of `value`.
pub fn cbor<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    to_vec(value).expect("parameters serialize")
}

/// The FRC-0042 method number of an exported method `name`: the first 4-byte big-endian word of
/// Blake2b-512("1|" + name) that is at least 2^24.
pub fn frc42_method(name: &str) -> MethodNum {
    let digest = Code::Blake2b512.digest(format!("1|{name}").as_bytes());
    digest
        .digest()
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes(c.try_into().expect("4 bytes")))
        .find(|&n| n >= 1 << 24)
        .expect("a 64-byte digest has a large enough word") as MethodNum
}

/// Init actor methods.
pub mod init {
    /// `Exec`.
    pub const EXEC: u64 = 2;
}
/// Multisig methods.
pub mod multisig {
    /// `Propose`.
    pub const PROPOSE: u64 = 2;
    /// `Approve`.
    pub const APPROVE: u64 = 3;
    /// `Cancel`.
    pub const CANCEL: u64 = 4;
    /// `AddSigner`.
    pub const ADD_SIGNER: u64 = 5;
}
/// Payment channel methods.
pub mod paych {
    /// `UpdateChannelState`.
    pub const UPDATE_CHANNEL_STATE: u64 = 2;
    /// `Settle`.
    pub const SETTLE: u64 = 3;
    /// `Collect`.
    pub const COLLECT: u64 = 4;
}
/// Storage market methods.
pub mod market {
    /// `AddBalance`.
    pub const ADD_BALANCE: u64 = 2;
    /// `WithdrawBalance`.
    pub const WITHDRAW_BALANCE: u64 = 3;
}
/// Storage power methods.
pub mod power {
    /// `CreateMiner`.
    pub const CREATE_MINER: u64 = 2;
}
/// Miner methods.
pub mod miner {
    /// `ControlAddresses`.
    pub const CONTROL_ADDRESSES: u64 = 2;
    /// `ChangeWorkerAddress`.
    pub const CHANGE_WORKER_ADDRESS: u64 = 3;
    /// `ChangePeerID`.
    pub const CHANGE_PEER_ID: u64 = 4;
    /// `ChangeMultiaddrs`.
    pub const CHANGE_MULTIADDRS: u64 = 18;
    /// `ConfirmChangeWorkerAddress`.
    pub const CONFIRM_CHANGE_WORKER_ADDRESS: u64 = 21;
    /// `ChangeOwnerAddress`.
    pub const CHANGE_OWNER_ADDRESS: u64 = 23;
    /// `RegisteredPoStProof::StackedDRGWindow32GiBV1`.
    pub const WINDOW_POST_32GIB_V1: i64 = 8;
    /// `RegisteredPoStProof::StackedDRGWindow32GiBV1P1`.
    pub const WINDOW_POST_32GIB_V1P1: i64 = 13;
    /// The first network version whose miner actor takes only the V1P1 window PoSt proofs
    /// for new miners (nv19, actors v11; FIP-0061).
    pub const WINDOW_POST_V1P1_FROM_NV: u32 = 19;

    /// The 32 GiB window PoSt proof type new miners of network version `nv` use.
    pub fn window_post_32gib(nv: u32) -> i64 {
        if nv >= WINDOW_POST_V1P1_FROM_NV {
            WINDOW_POST_32GIB_V1P1
        } else {
            WINDOW_POST_32GIB_V1
        }
    }
}
/// Verified registry methods.
pub mod verifreg {
    /// `AddVerifier`.
    pub const ADD_VERIFIER: u64 = 2;
    /// `RemoveVerifier`.
    pub const REMOVE_VERIFIER: u64 = 3;
    /// `AddVerifiedClient`.
    pub const ADD_VERIFIED_CLIENT: u64 = 4;
}
/// Ethereum address manager methods.
pub mod eam {
    /// `CreateExternal`.
    pub const CREATE_EXTERNAL: u64 = 4;
}

/// The cron actor's constructor: the entries a genesis registers (power's `OnEpochTickEnd`,
/// market's `CronTick`).
pub fn cron_constructor() -> Vec<u8> {
    #[derive(Serialize_tuple)]
    struct Entry {
        receiver: Address,
        method_num: u64,
    }
    #[derive(Serialize_tuple)]
    struct Params {
        entries: Vec<Entry>,
    }
    cbor(&Params {
        entries: vec![
            Entry {
                receiver: Address::new_id(ifvm_actors::STORAGE_POWER_ACTOR_ID),
                method_num: 5,
            },
            Entry {
                receiver: Address::new_id(ifvm_actors::STORAGE_MARKET_ACTOR_ID),
                method_num: 9,
            },
        ],
    })
}

/// Init's `Exec`.
#[derive(Serialize_tuple)]
pub struct ExecParams {
    /// The code of the actor to create.
    pub code_cid: Cid,
    /// Its constructor's parameters.
    pub constructor_params: RawBytes,
}

/// Multisig's constructor.
#[derive(Serialize_tuple)]
pub struct MultisigConstructor {
    /// The signers.
    pub signers: Vec<Address>,
    /// Approvals needed.
    pub num_approvals_threshold: u64,
    /// Vesting duration.
    pub unlock_duration: ChainEpoch,
    /// Vesting start.
    pub start_epoch: ChainEpoch,
}

/// Multisig's `Propose`.
#[derive(Serialize_tuple)]
pub struct ProposeParams {
    /// The receiver.
    pub to: Address,
    /// The value.
    pub value: TokenAmount,
    /// The method.
    pub method: MethodNum,
    /// The parameters.
    pub params: RawBytes,
}

/// Multisig's `Approve` and `Cancel`.
#[derive(Serialize_tuple)]
pub struct TxnIdParams {
    /// The transaction.
    pub id: i64,
    /// Its proposal hash (empty: not checked).
    #[serde(with = "strict_bytes")]
    pub proposal_hash: Vec<u8>,
}

/// Payment channel constructor.
#[derive(Serialize_tuple)]
pub struct PaychConstructor {
    /// The payer.
    pub from: Address,
    /// The payee.
    pub to: Address,
}

/// A lane merge in a voucher.
#[derive(Serialize_tuple, Deserialize_tuple, Clone)]
pub struct Merge {
    /// The lane.
    pub lane: u64,
    /// Its nonce.
    pub nonce: u64,
}

/// A payment channel voucher; `signature` is `None` while computing the signing bytes.
#[derive(Serialize_tuple, Clone)]
pub struct SignedVoucher {
    /// The channel.
    pub channel_addr: Address,
    /// Earliest epoch.
    pub time_lock_min: ChainEpoch,
    /// Latest epoch (0: none).
    pub time_lock_max: ChainEpoch,
    /// Hash-lock preimage.
    #[serde(with = "strict_bytes")]
    pub secret_pre_image: Vec<u8>,
    /// Extra verification (none here).
    pub extra: Option<()>,
    /// The lane.
    pub lane: u64,
    /// The nonce.
    pub nonce: u64,
    /// The amount.
    pub amount: TokenAmount,
    /// Minimum settle height.
    pub min_settle_height: ChainEpoch,
    /// Lane merges.
    pub merges: Vec<Merge>,
    /// The signature.
    pub signature: Option<Signature>,
}

impl SignedVoucher {
    /// The bytes the signer signs: the voucher with a null signature.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature = None;
        cbor(&unsigned)
    }
}

/// Payment channel `UpdateChannelState`.
#[derive(Serialize_tuple)]
pub struct UpdateChannelStateParams {
    /// The voucher.
    pub sv: SignedVoucher,
    /// The hash-lock secret.
    #[serde(with = "strict_bytes")]
    pub secret: Vec<u8>,
}

/// Market `WithdrawBalance`.
#[derive(Serialize_tuple)]
pub struct WithdrawBalanceParams {
    /// The escrow account.
    pub provider_or_client: Address,
    /// The amount.
    pub amount: TokenAmount,
}

/// What init `Exec` and power `CreateMiner` return: the new actor's addresses.
#[derive(Deserialize_tuple)]
pub struct CreatedAddresses {
    /// Its ID address.
    pub id_address: Address,
    /// Its robust address.
    pub robust_address: Address,
}

/// Power `CreateMiner`.
#[derive(Serialize_tuple)]
pub struct CreateMinerParams {
    /// The owner.
    pub owner: Address,
    /// The worker (a BLS account).
    pub worker: Address,
    /// `RegisteredPoStProof`.
    pub window_post_proof_type: i64,
    /// libp2p peer ID.
    #[serde(with = "strict_bytes")]
    pub peer: Vec<u8>,
    /// Multiaddresses.
    pub multiaddrs: Vec<BytesParam>,
}

/// A CBOR byte string.
#[derive(serde::Serialize, Clone)]
#[serde(transparent)]
pub struct BytesParam(#[serde(with = "strict_bytes")] pub Vec<u8>);

/// Miner `ChangeWorkerAddress`.
#[derive(Serialize_tuple)]
pub struct ChangeWorkerAddressParams {
    /// The new worker.
    pub new_worker: Address,
    /// The new control addresses.
    pub new_control_addresses: Vec<Address>,
}

/// Miner `ChangePeerID`.
#[derive(Serialize_tuple)]
pub struct ChangePeerIdParams {
    /// The new peer ID.
    #[serde(with = "strict_bytes")]
    pub new_id: Vec<u8>,
}

/// Miner `ChangeMultiaddrs`.
#[derive(Serialize_tuple)]
pub struct ChangeMultiaddrsParams {
    /// The new multiaddresses.
    pub new_multi_addrs: Vec<BytesParam>,
}

/// Verified registry `AddVerifier` and `AddVerifiedClient`.
#[derive(Serialize_tuple)]
pub struct VerifierParams {
    /// The verifier or client.
    pub address: Address,
    /// The allowance in bytes.
    #[serde(with = "bigint_ser")]
    pub allowance: BigInt,
}

/// Datacap `Transfer` (FRC-46).
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct TransferParams {
    /// The receiver.
    pub to: Address,
    /// The amount.
    pub amount: TokenAmount,
    /// Data for the receiver hook.
    pub operator_data: RawBytes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frc42_numbers_match_the_published_ones() {
        // Published in FRC-0042 and the builtin actors (EVM InvokeContract, account
        // AuthenticateMessage).
        assert_eq!(frc42_method("InvokeEVM"), 3844450837);
        assert_eq!(frc42_method("AuthenticateMessage"), 2643134072);
    }
}

//! Storage deals and verified allocations as messages: the market's deal proposals and their
//! publication, the verified registry's allocation requests (sent with datacap), the
//! notifications that activate them, and made-up piece commitments. Tuple-encoded, written from
//! the actors' published CBOR schemas (v12–v18).

use cid::Cid;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};
use ifvm_actors::{DATACAP_ACTOR_ID, STORAGE_MARKET_ACTOR_ID};

use super::params::frc42_method;
use super::sectors::commitment_cid;
use ipld_core::ipld::Ipld;

/// A made-up piece commitment (CommP): the unsealed-commitment codec and hash, `seed`'s bytes as
/// the digest.
pub fn piece_cid(seed: [u8; 32]) -> Cid {
    const FIL_COMMITMENT_UNSEALED: u64 = 0xf101;
    const SHA2_256_TRUNC254_PADDED: u64 = 0x1012;
    commitment_cid(FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED, seed)
}

/// A storage deal's terms, as the client signs them.
#[derive(Clone, Serialize_tuple, Deserialize_tuple)]
pub struct DealProposal {
    /// The piece's commitment.
    pub piece_cid: Cid,
    /// Its padded size.
    pub piece_size: u64,
    /// Whether the deal spends the client's datacap.
    pub verified_deal: bool,
    /// The client.
    pub client: Address,
    /// The provider.
    pub provider: Address,
    /// A label (a text string).
    pub label: String,
    /// The epoch the deal starts; it must be activated by then.
    pub start_epoch: ChainEpoch,
    /// The epoch it ends.
    pub end_epoch: ChainEpoch,
    /// The client's price per epoch.
    pub storage_price_per_epoch: TokenAmount,
    /// The provider's collateral.
    pub provider_collateral: TokenAmount,
    /// The client's collateral.
    pub client_collateral: TokenAmount,
}

/// A proposal with the client's signature over its CBOR.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct ClientDealProposal {
    /// The proposal.
    pub proposal: DealProposal,
    /// The client's signature.
    pub client_signature: Signature,
}

/// `PublishStorageDeals`.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct PublishStorageDealsParams {
    /// The deals, all with one provider.
    pub deals: Vec<ClientDealProposal>,
}

/// What `PublishStorageDeals` returns.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct PublishStorageDealsReturn {
    /// The IDs of the deals published, in the order of the valid ones.
    pub ids: Vec<u64>,
    /// Which of the proposals were valid.
    pub valid_deals: BitField,
}

/// The market's `PublishStorageDeals`.
pub const PUBLISH_STORAGE_DEALS: MethodNum = 4;

/// The deals' messages with a short name each, for describing what a tipset did: the actor
/// each goes to, its method.
pub fn deal_messages() -> [(ActorID, MethodNum, &'static str); 3] {
    [
        (
            STORAGE_MARKET_ACTOR_ID,
            PUBLISH_STORAGE_DEALS,
            "a deal publication",
        ),
        (DATACAP_ACTOR_ID, frc42_method("Transfer"), "an allocation"),
        (
            STORAGE_MARKET_ACTOR_ID,
            frc42_method("SettleDealPayments"),
            "a deal settlement",
        ),
    ]
}

/// A request, carried by a datacap transfer to the verified registry, to allocate datacap to a
/// piece with a provider.
#[derive(Clone, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationRequest {
    /// The provider.
    pub provider: ActorID,
    /// The piece's commitment.
    pub data: Cid,
    /// Its padded size (the datacap spent).
    pub size: u64,
    /// The shortest term the provider must commit to.
    pub term_min: ChainEpoch,
    /// The longest term.
    pub term_max: ChainEpoch,
    /// The epoch by which the provider must claim it.
    pub expiration: ChainEpoch,
}

/// The operator data of a datacap transfer to the verified registry.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct AllocationRequests {
    /// New allocations.
    pub allocations: Vec<AllocationRequest>,
    /// Claim extensions (none here).
    pub extensions: Vec<()>,
}

/// A datacap transfer's return: the balances after it and the recipient's answer.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct TransferReturn {
    /// The sender's balance.
    pub from_balance: TokenAmount,
    /// The recipient's balance.
    pub to_balance: TokenAmount,
    /// The recipient's answer ([`AllocationsResponse`] from the verified registry).
    pub recipient_data: RawBytes,
}

/// The verified registry's answer to [`AllocationRequests`].
#[derive(Serialize_tuple, Deserialize_tuple)]
pub struct AllocationsResponse {
    /// Each request's result (`BatchReturn`, not read).
    pub allocation_results: Ipld,
    /// Each extension's result (not read).
    pub extension_results: Ipld,
    /// The IDs of the allocations made, in request order.
    pub new_allocations: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::keys::SecpKey;
    use crate::generate::params::cbor;
    use fvm_shared::commcid::cid_to_piece_commitment_v1;

    #[test]
    fn made_up_piece_commitments_are_valid_piece_cids() {
        let cid = piece_cid([0xff; 32]);
        let commitment = cid_to_piece_commitment_v1(&cid).expect("a piece CID");
        assert_eq!(commitment[31], 0x3f, "the top two bits are cleared");
        assert_ne!(piece_cid([1; 32]), piece_cid([2; 32]));
    }

    #[test]
    fn a_client_signs_the_proposal_as_the_market_serializes_it() {
        let key = SecpKey::from_seed(3);
        let proposal = DealProposal {
            piece_cid: piece_cid([7; 32]),
            piece_size: 1 << 20,
            verified_deal: false,
            client: Address::new_id(100),
            provider: Address::new_id(1000),
            label: "deal".into(),
            start_epoch: 10,
            end_epoch: 20,
            storage_price_per_epoch: TokenAmount::from_atto(1),
            provider_collateral: TokenAmount::default(),
            client_collateral: TokenAmount::default(),
        };
        let signed = ClientDealProposal {
            client_signature: key.sign(&cbor(&proposal)),
            proposal: proposal.clone(),
        };
        let params = cbor(&PublishStorageDealsParams {
            deals: vec![signed],
        });
        let back: PublishStorageDealsParams = fvm_ipld_encoding::from_slice(&params).unwrap();
        let deal = &back.deals[0];
        // What the account actor checks: the signature over the proposal's bytes.
        assert_eq!(cbor(&deal.proposal), cbor(&proposal));
        assert_eq!(
            deal.client_signature.bytes(),
            key.sign(&cbor(&proposal)).bytes()
        );
    }
}

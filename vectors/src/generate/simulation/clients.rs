//! The storage clients' side of the simulated chain: the verified registry's root key makes a
//! notary who grants the clients datacap; clients and providers put escrow in the market;
//! providers publish deals their clients signed (now and then one with a bad signature), and,
//! under direct data onboarding, clients allocate datacap to pieces with a provider by sending
//! it to the verified registry. The data agreed is read back from the receipts and handed to
//! the providers' lifecycles to put into sectors.

use std::collections::BTreeMap;

use fvm_ipld_encoding::{from_slice, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::ActorID;
use ifvm_actors::{DATACAP_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID};

use super::lifecycle::Piece;
use super::{succeeded, Miner, Nonces};
use crate::generate::market as m;
use crate::generate::network::{Key, TestNetwork};
use crate::generate::params::{self, cbor, frc42_method};
use crate::generate::random::SplitMix64;
use crate::generate::sectors::{has_direct_onboarding, EPOCHS_IN_DAY};
use crate::tipset::TipsetOutcome;

/// Datacap the notary may grant (bytes).
const NOTARY_ALLOWANCE: u64 = 1 << 50;
/// Datacap each client is granted (bytes).
const CLIENT_DATACAP: u64 = 1 << 42;
/// What each client and each provider puts in market escrow (whole FIL).
const ESCROW_FIL: u64 = 20;
/// The smallest and the largest piece, as powers of two (1 MiB, the smallest verified
/// allocation, to 8 GiB).
const PIECE_SIZE_LOG2: (u64, u64) = (20, 33);
/// The shortest deal and the shortest claim term.
const MIN_TERM: ChainEpoch = 180 * EPOCHS_IN_DAY;
/// The longest claim term asked for (within the five years allowed, beyond any extension).
const MAX_CLAIM_TERM: ChainEpoch = 3 * 365 * EPOCHS_IN_DAY;

/// A storage client.
struct Client {
    id: ActorID,
    address: Address,
    key: Key,
}

/// The clients, their notary and the registry's root key.
pub struct Clients {
    nv: u32,
    root: Address,
    notary: Address,
    clients: Vec<Client>,
    set_up: bool,
}

impl Clients {
    /// The clients of `net`: two secp256k1 accounts and a BLS one; its first account is the
    /// registry's root key, its second the notary.
    pub fn new(net: &TestNetwork) -> Self {
        let secp = net.of_kind(|k| matches!(k, Key::Secp(_)));
        let bls = net.of_kind(|k| matches!(k, Key::Bls(_)));
        let clients = [secp[2], secp[3], bls[0]]
            .into_iter()
            .map(|a| Client {
                id: a.id,
                address: a.address(),
                key: a.key.clone(),
            })
            .collect();
        Self {
            nv: net.nv,
            root: net.account(0).address(),
            notary: secp[1].address(),
            clients,
            set_up: false,
        }
    }

    /// The clients' and the deals' messages of the tipset at `epoch`.
    pub(super) fn messages(
        &mut self,
        rng: &mut SplitMix64,
        epoch: ChainEpoch,
        miners: &[Miner],
        nonces: &mut Nonces,
    ) -> Vec<Message> {
        let mut out = Vec::new();
        if !self.set_up {
            self.set_up = true;
            out.extend(self.set_up_messages(miners, nonces));
        }
        if rng.chance(15) {
            let miner = *rng.pick(miners);
            out.push(self.publish(rng, epoch, miner, nonces));
        }
        if has_direct_onboarding(self.nv) && rng.chance(12) {
            let miner = *rng.pick(miners);
            out.push(self.allocate(rng, epoch, miner, nonces));
        }
        out
    }

    /// The notary made, the clients' datacap granted, every client's and provider's escrow.
    fn set_up_messages(&self, miners: &[Miner], nonces: &mut Nonces) -> Vec<Message> {
        let verifreg = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
        let market = Address::new_id(STORAGE_MARKET_ACTOR_ID);
        let none = TokenAmount::default();
        let verifier = |address, allowance: u64| {
            cbor(&params::VerifierParams {
                address,
                allowance: BigInt::from(allowance),
            })
        };
        let mut out = vec![nonces.message(
            self.root,
            verifreg,
            none.clone(),
            params::verifreg::ADD_VERIFIER,
            verifier(self.notary, NOTARY_ALLOWANCE),
        )];
        for c in &self.clients {
            let id = Address::new_id(c.id);
            out.push(nonces.message(
                self.notary,
                verifreg,
                none.clone(),
                params::verifreg::ADD_VERIFIED_CLIENT,
                verifier(id, CLIENT_DATACAP),
            ));
            out.push(nonces.message(
                c.address,
                market,
                TokenAmount::from_whole(ESCROW_FIL),
                params::market::ADD_BALANCE,
                cbor(&id),
            ));
        }
        for miner in miners {
            out.push(nonces.message(
                miner.owner,
                market,
                TokenAmount::from_whole(ESCROW_FIL),
                params::market::ADD_BALANCE,
                cbor(&miner.id),
            ));
        }
        out
    }

    /// One to three deals with `miner`, signed by their clients (one in ten signed over other
    /// terms), published by its worker.
    fn publish(
        &self,
        rng: &mut SplitMix64,
        epoch: ChainEpoch,
        miner: Miner,
        nonces: &mut Nonces,
    ) -> Message {
        let deals = (0..1 + rng.below(3))
            .map(|_| {
                let client = rng.pick(&self.clients);
                let start_epoch = epoch + 300 + rng.below(1200) as ChainEpoch;
                let proposal = m::DealProposal {
                    piece_cid: m::piece_cid(rng.bytes32()),
                    piece_size: piece_size(rng),
                    verified_deal: false,
                    client: Address::new_id(client.id),
                    provider: miner.id,
                    label: format!("deal-{}", rng.below(1000)),
                    start_epoch,
                    end_epoch: start_epoch + MIN_TERM + rng.below(10) as ChainEpoch * EPOCHS_IN_DAY,
                    storage_price_per_epoch: TokenAmount::from_atto(rng.below(1000)),
                    provider_collateral: TokenAmount::from_atto(rng.below(1_000_000)),
                    client_collateral: TokenAmount::from_atto(rng.below(1_000_000)),
                };
                let mut signed = proposal.clone();
                if rng.chance(10) {
                    signed.start_epoch += 1;
                }
                m::ClientDealProposal {
                    client_signature: client.key.sign(&cbor(&signed)),
                    proposal,
                }
            })
            .collect();
        nonces.message(
            miner.worker,
            Address::new_id(STORAGE_MARKET_ACTOR_ID),
            TokenAmount::default(),
            m::PUBLISH_STORAGE_DEALS,
            cbor(&m::PublishStorageDealsParams { deals }),
        )
    }

    /// A client's datacap sent to the verified registry, allocated to a piece with `miner`.
    fn allocate(
        &self,
        rng: &mut SplitMix64,
        epoch: ChainEpoch,
        miner: Miner,
        nonces: &mut Nonces,
    ) -> Message {
        let client = rng.pick(&self.clients);
        let size = piece_size(rng);
        let request = m::AllocationRequest {
            provider: miner.id.id().unwrap_or_default(),
            data: m::piece_cid(rng.bytes32()),
            size,
            term_min: MIN_TERM,
            term_max: MAX_CLAIM_TERM,
            expiration: epoch + EPOCHS_IN_DAY + rng.below(30) as ChainEpoch * EPOCHS_IN_DAY,
        };
        nonces.message(
            client.address,
            Address::new_id(DATACAP_ACTOR_ID),
            TokenAmount::default(),
            frc42_method("Transfer"),
            cbor(&params::TransferParams {
                to: Address::new_id(VERIFIED_REGISTRY_ACTOR_ID),
                amount: TokenAmount::from_whole(size),
                operator_data: RawBytes::new(cbor(&m::AllocationRequests {
                    allocations: vec![request],
                    extensions: Vec::new(),
                })),
            }),
        )
    }

    /// The data `outcome`'s successful publications and allocations agreed, with the ID of the
    /// provider to store each.
    pub fn agreed(&self, outcome: &TipsetOutcome) -> Vec<(ActorID, Piece)> {
        let market = Address::new_id(STORAGE_MARKET_ACTOR_ID);
        let mut out = Vec::new();
        for applied in
            succeeded(outcome, m::PUBLISH_STORAGE_DEALS).filter(|a| a.message.to == market)
        {
            let (Ok(p), Ok(ret)) = (
                from_slice::<m::PublishStorageDealsParams>(applied.message.params.bytes()),
                from_slice::<m::PublishStorageDealsReturn>(
                    applied.applied.receipt.return_data.bytes(),
                ),
            ) else {
                continue;
            };
            let valid = ret
                .valid_deals
                .iter()
                .filter_map(|i| p.deals.get(i as usize));
            for (deal, id) in valid.zip(ret.ids) {
                let d = &deal.proposal;
                if let Ok(provider) = d.provider.id() {
                    out.push((
                        provider,
                        Piece {
                            cid: d.piece_cid,
                            size: d.piece_size,
                            deal: Some(id),
                            allocation: None,
                            end: d.end_epoch,
                            activate_by: d.start_epoch,
                        },
                    ));
                }
            }
        }
        let ids: BTreeMap<Address, ActorID> =
            self.clients.iter().map(|c| (c.address, c.id)).collect();
        let datacap = Address::new_id(DATACAP_ACTOR_ID);
        for applied in
            succeeded(outcome, frc42_method("Transfer")).filter(|a| a.message.to == datacap)
        {
            let Some(&client) = ids.get(&applied.message.from) else {
                continue;
            };
            let (Ok(p), Ok(ret)) = (
                from_slice::<params::TransferParams>(applied.message.params.bytes()),
                from_slice::<m::TransferReturn>(applied.applied.receipt.return_data.bytes()),
            ) else {
                continue;
            };
            let (Ok(requests), Ok(response)) = (
                from_slice::<m::AllocationRequests>(p.operator_data.bytes()),
                from_slice::<m::AllocationsResponse>(ret.recipient_data.bytes()),
            ) else {
                continue;
            };
            for (r, id) in requests.allocations.iter().zip(response.new_allocations) {
                out.push((
                    r.provider,
                    Piece {
                        cid: r.data,
                        size: r.size,
                        deal: None,
                        allocation: Some((client, id)),
                        end: 0,
                        activate_by: r.expiration,
                    },
                ));
            }
        }
        out
    }
}

/// A piece size: a power of two from 1 MiB to 8 GiB.
fn piece_size(rng: &mut SplitMix64) -> u64 {
    let (low, high) = PIECE_SIZE_LOG2;
    1 << (low + rng.below(high - low + 1))
}

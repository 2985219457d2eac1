//! Differential test: every public charge function of ifvm's price lists against ref-fvm's
//! (2.12 for nv16–nv17, 3.14 for nv18–nv20, 4.8 for nv21–nv29), over a grid of inputs. Any
//! drift fails.

use ifvm_gas::{price_list_for, GasCharge, HashFunction, PriceList, SignatureKind};

const SIZES: &[usize] = &[
    0,
    1,
    2,
    7,
    8,
    31,
    32,
    33,
    100,
    1000,
    4096,
    65536,
    1 << 20,
    1 << 31,
    u32::MAX as usize,
    1 << 40,
    usize::MAX,
];
const COUNTS: &[usize] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 25, 26, 32, 33, 51, 52, 64, 65, 102, 103, 204,
    205, 409, 410, 819, 1000,
];
const LOOKBACKS: &[i64] = &[-1, 0, 1, 2, 20, 900, 2880, 100_000, i64::MAX];
const HASHES: &[HashFunction] = &[
    HashFunction::Sha2_256,
    HashFunction::Blake2b256,
    HashFunction::Blake2b512,
    HashFunction::Keccak256,
    HashFunction::Ripemd160,
];

/// (name, compute milligas, other milligas): the comparable part of a charge.
type Charge = (String, u64, u64);

fn ours(c: GasCharge) -> Charge {
    (
        c.name.to_string(),
        c.compute_gas.as_milligas(),
        c.other_gas.as_milligas(),
    )
}

macro_rules! theirs {
    ($c:expr) => {{
        let c = $c;
        (
            c.name.to_string(),
            c.compute_gas.as_milligas(),
            c.other_gas.as_milligas(),
        )
    }};
}

/// Collects mismatches so one run reports all of them.
#[derive(Default)]
struct Diff(Vec<String>);

impl Diff {
    fn eq<T: PartialEq + std::fmt::Debug>(
        &mut self,
        nv: u32,
        what: impl std::fmt::Display,
        ours: T,
        theirs: T,
    ) {
        if ours != theirs {
            self.0.push(format!(
                "nv{nv} {what}: ifvm {ours:?} != ref-fvm {theirs:?}"
            ));
        }
    }

    fn assert_empty(self, compared: usize) {
        assert!(compared > 1000, "only {compared} values compared");
        assert!(
            self.0.is_empty(),
            "{} mismatches:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

mod v2 {
    use super::*;
    use fvm2::gas::PriceList as RefPrices;
    use fvm_shared2::crypto::signature::SignatureType;
    use fvm_shared2::econ::TokenAmount;
    use fvm_shared2::randomness::Randomness;
    use fvm_shared2::sector::*;

    /// A ref-fvm 2 charge (signed milligas; every compared charge is non-negative).
    fn theirs(c: fvm2::gas::GasCharge) -> Charge {
        let milligas = |g: fvm2::gas::Gas| u64::try_from(g.as_milligas()).expect("non-negative");
        (
            c.name.to_string(),
            milligas(c.compute_gas),
            milligas(c.storage_gas),
        )
    }

    fn post_info(proof: Option<i64>, sectors: usize) -> WindowPoStVerifyInfo {
        WindowPoStVerifyInfo {
            randomness: Randomness(vec![]),
            proofs: proof
                .map(|p| {
                    vec![PoStProof {
                        post_proof: RegisteredPoStProof::from(p),
                        proof_bytes: vec![],
                    }]
                })
                .unwrap_or_default(),
            challenged_sectors: vec![
                SectorInfo {
                    proof: RegisteredSealProof::StackedDRG2KiBV1,
                    sector_number: 0,
                    sealed_cid: cid3(),
                };
                sectors
            ],
            prover: 0,
        }
    }

    fn aggregate(proof: i64, n: usize) -> AggregateSealVerifyProofAndInfos {
        AggregateSealVerifyProofAndInfos {
            miner: 0,
            seal_proof: RegisteredSealProof::from(proof),
            aggregate_proof: RegisteredAggregateProof::SnarkPackV1,
            proof: vec![],
            infos: vec![
                AggregateSealVerifyInfo {
                    sector_number: 0,
                    randomness: Randomness(vec![]),
                    interactive_randomness: Randomness(vec![]),
                    sealed_cid: cid3(),
                    unsealed_cid: cid3(),
                };
                n
            ],
        }
    }

    pub fn compare(nv: u32, p: &PriceList, r: &RefPrices, d: &mut Diff) -> usize {
        let mut k = 0;
        let mut eq = |what: String, a: Charge, b: Charge| {
            k += 1;
            d.eq(nv, what, a, b)
        };
        // ref-fvm 2 converts sizes to i64 (beyond i64::MAX they wrap: no real size is).
        for &s in SIZES.iter().filter(|&&s| i64::try_from(s).is_ok()) {
            eq(
                format!("on_chain_message({s})"),
                ours(p.on_chain_message(s)),
                theirs(r.on_chain_message(s)),
            );
            eq(
                format!("on_chain_return_value({s})"),
                ours(p.on_chain_return_value_v2(s)),
                theirs(r.on_chain_return_value(s)),
            );
            eq(
                format!("on_block_open_per_byte({s})"),
                ours(p.on_block_open_per_byte_v2(s)),
                theirs(r.on_block_open_per_byte(s)),
            );
            eq(
                format!("on_block_read({s})"),
                ours(p.on_block_read(s)),
                theirs(r.on_block_read(s)),
            );
            eq(
                format!("on_block_create({s})"),
                ours(p.on_block_create_v2(s)),
                theirs(r.on_block_create(s)),
            );
            eq(
                format!("on_block_link({s})"),
                ours(p.on_block_link_v2(s)),
                theirs(r.on_block_link(s)),
            );
            eq(
                format!("on_hashing({s})"),
                ours(p.on_hashing_v2()),
                theirs(r.on_hashing(s)),
            );
            eq(
                format!("on_get_randomness({s})"),
                ours(p.on_get_randomness_v2(s)),
                theirs(r.on_get_randomness(s)),
            );
        }
        for value in [0u64, 1, 1 << 40] {
            for method in [0u64, 1, 2, 3844450837] {
                eq(
                    format!("on_method_invocation({value}, {method})"),
                    ours(p.on_method_invocation_v2(value != 0, method)),
                    theirs(r.on_method_invocation(&TokenAmount::from_atto(value), method)),
                );
            }
        }
        for (kind, sig) in [
            (SignatureKind::Secp256k1, SignatureType::Secp256k1),
            (SignatureKind::Bls, SignatureType::BLS),
        ] {
            eq(
                format!("on_verify_signature({sig:?})"),
                ours(p.on_verify_signature_v2(kind)),
                theirs(r.on_verify_signature(sig)),
            );
        }
        for proof in -1i64..=20 {
            for &n in COUNTS {
                eq(
                    format!("on_verify_aggregate_seals({proof}, {n})"),
                    ours(p.on_verify_aggregate_seals(proof, n)),
                    theirs(r.on_verify_aggregate_seals(&aggregate(proof, n))),
                );
            }
        }
        for proof in [
            None,
            Some(-1),
            Some(0),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(8),
            Some(9),
            Some(13),
            Some(100),
        ] {
            for &n in COUNTS {
                eq(
                    format!("on_verify_post({proof:?}, {n})"),
                    ours(p.on_verify_post(proof, n)),
                    theirs(r.on_verify_post(&post_info(proof, n))),
                );
            }
        }
        let seal = SealVerifyInfo {
            registered_proof: RegisteredSealProof::StackedDRG32GiBV1P1,
            sector_id: Default::default(),
            deal_ids: vec![],
            randomness: Randomness(vec![]),
            interactive_randomness: Randomness(vec![]),
            proof: vec![],
            sealed_cid: cid3(),
            unsealed_cid: cid3(),
        };
        let replica = ReplicaUpdateInfo {
            update_proof_type: RegisteredUpdateProof::StackedDRG32GiBV1,
            new_sealed_cid: cid3(),
            old_sealed_cid: cid3(),
            new_unsealed_cid: cid3(),
            proof: vec![],
        };
        let fixed = [
            ("on_syscall", ours(p.on_syscall()), theirs(r.on_syscall())),
            (
                "on_create_actor",
                ours(p.on_create_actor_v2()),
                theirs(r.on_create_actor()),
            ),
            (
                "on_recover_secp_public_key",
                ours(p.on_recover_secp_public_key()),
                theirs(r.on_recover_secp_public_key()),
            ),
            (
                "on_compute_unsealed_sector_cid",
                ours(p.on_compute_unsealed_sector_cid()),
                theirs(
                    r.on_compute_unsealed_sector_cid(RegisteredSealProof::StackedDRG32GiBV1P1, &[]),
                ),
            ),
            (
                "on_verify_seal",
                ours(p.on_verify_seal()),
                theirs(r.on_verify_seal(&seal)),
            ),
            (
                "on_verify_replica_update",
                ours(p.on_verify_replica_update()),
                theirs(r.on_verify_replica_update(&replica)),
            ),
            (
                "on_verify_consensus_fault",
                ours(p.on_verify_consensus_fault_v2()),
                theirs(r.on_verify_consensus_fault()),
            ),
            (
                "on_block_open_base",
                ours(p.on_block_open_base_v2()),
                theirs(r.on_block_open_base()),
            ),
            (
                "on_block_stat",
                ours(p.on_block_stat()),
                theirs(r.on_block_stat()),
            ),
        ];
        for (what, a, b) in fixed {
            eq(what.to_string(), a, b);
        }
        // ref-fvm 2's OnDeleteActor is a negative charge: ifvm's refund is its size.
        let delete = r.on_delete_actor();
        k += 1;
        d.eq(
            nv,
            "on_delete_actor",
            p.on_delete_actor_refund_v2().as_milligas() as i128,
            -i128::from(delete.compute_gas.as_milligas() + delete.storage_gas.as_milligas()),
        );
        k
    }
}

mod v3 {
    use super::*;
    use fvm3::gas::PriceList as RefPrices;
    use fvm3::kernel::SupportedHashes;
    use fvm_shared3::crypto::signature::SignatureType;
    use fvm_shared3::event::{ActorEvent, Entry, Flags};
    use fvm_shared3::randomness::Randomness;
    use fvm_shared3::sector::*;

    fn hash(h: HashFunction) -> SupportedHashes {
        match h {
            HashFunction::Sha2_256 => SupportedHashes::Sha2_256,
            HashFunction::Blake2b256 => SupportedHashes::Blake2b256,
            HashFunction::Blake2b512 => SupportedHashes::Blake2b512,
            HashFunction::Keccak256 => SupportedHashes::Keccak256,
            HashFunction::Ripemd160 => SupportedHashes::Ripemd160,
        }
    }

    fn post_info(proof: Option<i64>, sectors: usize) -> WindowPoStVerifyInfo {
        WindowPoStVerifyInfo {
            randomness: Randomness(vec![]),
            proofs: proof
                .map(|p| {
                    vec![PoStProof {
                        post_proof: RegisteredPoStProof::from(p),
                        proof_bytes: vec![],
                    }]
                })
                .unwrap_or_default(),
            challenged_sectors: vec![
                SectorInfo {
                    proof: RegisteredSealProof::StackedDRG2KiBV1,
                    sector_number: 0,
                    sealed_cid: cid3(),
                };
                sectors
            ],
            prover: 0,
        }
    }

    fn aggregate(proof: i64, n: usize) -> AggregateSealVerifyProofAndInfos {
        AggregateSealVerifyProofAndInfos {
            miner: 0,
            seal_proof: RegisteredSealProof::from(proof),
            aggregate_proof: RegisteredAggregateProof::SnarkPackV2,
            proof: vec![],
            infos: vec![
                AggregateSealVerifyInfo {
                    sector_number: 0,
                    randomness: Randomness(vec![]),
                    interactive_randomness: Randomness(vec![]),
                    sealed_cid: cid3(),
                    unsealed_cid: cid3(),
                };
                n
            ],
        }
    }

    fn event(entries: &[(u64, usize, usize)]) -> (ActorEvent, u32, usize) {
        let mut elements = 0;
        let mut bytes = 0;
        let entries = entries
            .iter()
            .map(|&(flags, key, value)| {
                let flags = Flags::from_bits_truncate(flags);
                if flags.contains(Flags::FLAG_INDEXED_KEY) {
                    elements += 1;
                    bytes += key;
                }
                if flags.contains(Flags::FLAG_INDEXED_VALUE) {
                    elements += 1;
                    bytes += value;
                }
                Entry {
                    flags,
                    key: "k".repeat(key),
                    codec: 0x55,
                    value: vec![0; value],
                }
            })
            .collect();
        (ActorEvent { entries }, elements, bytes)
    }

    pub fn compare(nv: u32, p: &PriceList, r: &RefPrices, d: &mut Diff) -> usize {
        let mut k = 0;
        let mut eq = |what: String, a: Charge, b: Charge| {
            k += 1;
            d.eq(nv, what, a, b)
        };
        for &s in SIZES {
            eq(
                format!("on_chain_message({s})"),
                ours(p.on_chain_message(s)),
                theirs!(r.on_chain_message(s)),
            );
            eq(
                format!("on_block_open_per_byte({s})"),
                ours(p.on_block_open_per_byte_v3(s)),
                theirs!(r.on_block_open_per_byte(s)),
            );
            eq(
                format!("on_block_read({s})"),
                ours(p.on_block_read(s)),
                theirs!(r.on_block_read(s)),
            );
            eq(
                format!("on_block_create({s})"),
                ours(p.on_block_create_v3(s)),
                theirs!(r.on_block_create(s)),
            );
            eq(
                format!("on_get_randomness({s})"),
                ours(p.on_get_randomness_v3(s)),
                theirs!(r.on_get_randomness(s)),
            );
            eq(
                format!("on_actor_event_validate({s})"),
                ours(p.on_actor_event_validate_v3(s)),
                theirs!(r.on_actor_event_validate(s)),
            );
            for &h in HASHES {
                eq(
                    format!("on_hashing({h:?}, {s})"),
                    ours(p.on_hashing(h, s)),
                    theirs!(r.on_hashing(hash(h), s)),
                );
                eq(
                    format!("on_block_link({h:?}, {s})"),
                    ours(p.on_block_link(h, s)),
                    theirs!(r.on_block_link(hash(h), s)),
                );
            }
            for (kind, t) in [
                (SignatureKind::Secp256k1, SignatureType::Secp256k1),
                (SignatureKind::Bls, SignatureType::BLS),
            ] {
                eq(
                    format!("on_verify_signature({kind:?}, {s})"),
                    ours(p.on_verify_signature(kind, s)),
                    theirs!(r.on_verify_signature(t, s)),
                );
            }
            let mem = |g: ifvm_gas::Gas| ("".to_string(), g.as_milligas(), 0);
            let rmem = |g: fvm3::gas::Gas| ("".to_string(), g.as_milligas(), 0);
            eq(
                format!("init_memory_gas({s})"),
                mem(p.wasm_rules().init_memory_gas(s)),
                rmem(r.init_memory_gas(s)),
            );
            eq(
                format!("grow_memory_gas({s})"),
                mem(p.wasm_rules().grow_memory_gas(s)),
                rmem(r.grow_memory_gas(s)),
            );
            eq(
                format!("init_table_gas({s})"),
                mem(p.wasm_rules().init_table_gas(s as u64)),
                rmem(r.init_table_gas(s as u64)),
            );
        }
        for depth in [0u32, 1, 2, 1024] {
            for s in [0u32, 1, 100, 1 << 20, u32::MAX] {
                let none = || ("no charge".to_string(), 0, 0);
                let a = p.on_method_return_v3(depth, s).map_or_else(none, ours);
                let b = r
                    .on_method_return(depth, s)
                    .map_or_else(none, |c| theirs!(c));
                eq(format!("on_method_return({depth}, {s})"), a, b);
            }
        }
        for new_address in [false, true] {
            eq(
                format!("on_create_actor({new_address})"),
                ours(p.on_create_actor(new_address)),
                theirs!(r.on_create_actor(new_address)),
            );
        }
        for historical in [false, true] {
            eq(
                format!("on_tipset_cid({historical})"),
                ours(p.on_tipset_cid_v3(historical)),
                theirs!(r.on_tipset_cid(historical)),
            );
        }
        for &c in COUNTS {
            for proof in -1..=20i64 {
                eq(
                    format!("on_verify_aggregate_seals({proof}, {c})"),
                    ours(p.on_verify_aggregate_seals(proof, c)),
                    theirs!(r.on_verify_aggregate_seals(&aggregate(proof, c))),
                );
            }
            for proof in [
                None,
                Some(-1),
                Some(0),
                Some(3),
                Some(5),
                Some(7),
                Some(8),
                Some(9),
                Some(10),
                Some(12),
                Some(13),
                Some(14),
                Some(15),
                Some(99),
            ] {
                eq(
                    format!("on_verify_post({proof:?}, {c})"),
                    ours(p.on_verify_post(proof, c)),
                    theirs!(r.on_verify_post(&post_info(proof, c))),
                );
            }
        }
        for entries in [
            vec![],
            vec![(0, 1, 1)],
            vec![(1, 5, 100), (2, 31, 8), (3, 2, 2000)],
            vec![(3, 255, 8192); 255],
        ] {
            let (evt, elements, bytes) = event(&entries);
            for s in [0usize, 1, 100, 10_000, usize::MAX - 100] {
                eq(
                    format!("on_actor_event_accept({entries:?}, {s})"),
                    ours(p.on_actor_event_accept_v3(elements, bytes, s)),
                    theirs!(r.on_actor_event_accept(&evt, s)),
                );
            }
        }
        let seal = SealVerifyInfo {
            registered_proof: RegisteredSealProof::StackedDRG32GiBV1P1,
            sector_id: fvm_shared3::sector::SectorID {
                miner: 0,
                number: 0,
            },
            deal_ids: vec![],
            randomness: Randomness(vec![]),
            interactive_randomness: Randomness(vec![]),
            proof: vec![],
            sealed_cid: cid3(),
            unsealed_cid: cid3(),
        };
        let replica = ReplicaUpdateInfo {
            update_proof_type: RegisteredUpdateProof::StackedDRG32GiBV1,
            new_sealed_cid: cid3(),
            old_sealed_cid: cid3(),
            new_unsealed_cid: cid3(),
            proof: vec![],
        };
        let fixed: Vec<(&str, GasCharge, Charge)> = vec![
            (
                "on_value_transfer",
                p.on_value_transfer(),
                theirs!(r.on_value_transfer()),
            ),
            (
                "on_method_invocation",
                p.on_method_invocation_v3(),
                theirs!(r.on_method_invocation()),
            ),
            ("on_syscall", p.on_syscall(), theirs!(r.on_syscall())),
            (
                "on_delete_actor",
                p.on_delete_actor(),
                theirs!(r.on_delete_actor()),
            ),
            (
                "on_recover_secp_public_key",
                p.on_recover_secp_public_key(),
                theirs!(r.on_recover_secp_public_key()),
            ),
            (
                "on_compute_unsealed_sector_cid",
                p.on_compute_unsealed_sector_cid(),
                theirs!(
                    r.on_compute_unsealed_sector_cid(RegisteredSealProof::StackedDRG32GiBV1P1, &[])
                ),
            ),
            (
                "on_verify_seal",
                p.on_verify_seal(),
                theirs!(r.on_verify_seal(&seal)),
            ),
            (
                "on_verify_replica_update",
                p.on_verify_replica_update(),
                theirs!(r.on_verify_replica_update(&replica)),
            ),
            (
                "on_verify_consensus_fault",
                p.on_verify_consensus_fault(),
                theirs!(r.on_verify_consensus_fault(10, 20, 30)),
            ),
            (
                "on_block_open_base",
                p.on_block_open_base(),
                theirs!(r.on_block_open_base()),
            ),
            (
                "on_block_stat",
                p.on_block_stat(),
                theirs!(r.on_block_stat()),
            ),
            (
                "on_actor_lookup",
                p.on_actor_lookup(),
                theirs!(r.on_actor_lookup()),
            ),
            (
                "on_actor_update",
                p.on_actor_update(),
                theirs!(r.on_actor_update()),
            ),
            (
                "on_actor_create",
                p.on_actor_create(),
                theirs!(r.on_actor_create()),
            ),
            (
                "on_self_balance",
                p.on_self_balance(),
                theirs!(r.on_self_balance()),
            ),
            (
                "on_balance_of",
                p.on_balance_of(),
                theirs!(r.on_balance_of()),
            ),
            (
                "on_resolve_address",
                p.on_resolve_address(),
                theirs!(r.on_resolve_address()),
            ),
            (
                "on_lookup_delegated_address",
                p.on_lookup_delegated_address(),
                theirs!(r.on_lookup_delegated_address()),
            ),
            (
                "on_get_actor_code_cid",
                p.on_get_actor_code_cid(),
                theirs!(r.on_get_actor_code_cid()),
            ),
            (
                "on_get_builtin_actor_type",
                p.on_get_builtin_actor_type(),
                theirs!(r.on_get_builtin_actor_type()),
            ),
            (
                "on_get_code_cid_for_type",
                p.on_get_code_cid_for_type(),
                theirs!(r.on_get_code_cid_for_type()),
            ),
            (
                "on_network_context",
                p.on_network_context(),
                theirs!(r.on_network_context()),
            ),
            (
                "on_message_context",
                p.on_message_context(),
                theirs!(r.on_message_context()),
            ),
        ];
        for (what, a, b) in fixed {
            eq(what.to_string(), ours(a), b);
        }
        k + compare_private_fields(nv, p, &format!("{r:?}"), d)
    }
}

mod v4 {
    use super::*;
    use fvm4::gas::PriceList as RefPrices;
    use fvm4::kernel::SupportedHashes;
    use fvm_shared4::crypto::signature::SignatureType;
    use fvm_shared4::randomness::Randomness;
    use fvm_shared4::sector::*;

    fn hash(h: HashFunction) -> SupportedHashes {
        match h {
            HashFunction::Sha2_256 => SupportedHashes::Sha2_256,
            HashFunction::Blake2b256 => SupportedHashes::Blake2b256,
            HashFunction::Blake2b512 => SupportedHashes::Blake2b512,
            HashFunction::Keccak256 => SupportedHashes::Keccak256,
            HashFunction::Ripemd160 => SupportedHashes::Ripemd160,
        }
    }

    fn post_info(proof: Option<i64>, sectors: usize) -> WindowPoStVerifyInfo {
        WindowPoStVerifyInfo {
            randomness: Randomness(vec![]),
            proofs: proof
                .map(|p| {
                    vec![PoStProof {
                        post_proof: RegisteredPoStProof::from(p),
                        proof_bytes: vec![],
                    }]
                })
                .unwrap_or_default(),
            challenged_sectors: vec![
                SectorInfo {
                    proof: RegisteredSealProof::StackedDRG2KiBV1,
                    sector_number: 0,
                    sealed_cid: fvm_shared4::EMPTY_ARR_CID,
                };
                sectors
            ],
            prover: 0,
        }
    }

    fn aggregate(proof: i64, n: usize) -> AggregateSealVerifyProofAndInfos {
        AggregateSealVerifyProofAndInfos {
            miner: 0,
            seal_proof: RegisteredSealProof::from(proof),
            aggregate_proof: RegisteredAggregateProof::SnarkPackV2,
            proof: vec![],
            infos: vec![
                AggregateSealVerifyInfo {
                    sector_number: 0,
                    randomness: Randomness(vec![]),
                    interactive_randomness: Randomness(vec![]),
                    sealed_cid: fvm_shared4::EMPTY_ARR_CID,
                    unsealed_cid: fvm_shared4::EMPTY_ARR_CID,
                };
                n
            ],
        }
    }

    pub fn compare(nv: u32, p: &PriceList, r: &RefPrices, d: &mut Diff) -> usize {
        let mut k = 0;
        let mut eq = |what: String, a: Charge, b: Charge| {
            k += 1;
            d.eq(nv, what, a, b)
        };
        for &s in SIZES {
            eq(
                format!("on_chain_message({s})"),
                ours(p.on_chain_message(s)),
                theirs!(r.on_chain_message(s)),
            );
            eq(
                format!("on_block_read({s})"),
                ours(p.on_block_read(s)),
                theirs!(r.on_block_read(s)),
            );
            eq(
                format!("on_utf8_validation({s})"),
                ours(p.on_utf8_validation_v4(s)),
                theirs!(r.on_utf8_validation(s)),
            );
            eq(
                format!("on_install_actor({s})"),
                ours(p.on_install_actor(s)),
                theirs!(r.on_install_actor(s)),
            );
            for &links in &[0usize, 1, 3, 1000] {
                eq(
                    format!("on_block_open({s}, {links})"),
                    ours(p.on_block_open_v4(s, links)),
                    theirs!(r.on_block_open(s, links)),
                );
                eq(
                    format!("on_block_create({s}, {links})"),
                    ours(p.on_block_create_v4(s, links)),
                    theirs!(r.on_block_create(s, links)),
                );
            }
            for &h in HASHES {
                eq(
                    format!("on_hashing({h:?}, {s})"),
                    ours(p.on_hashing(h, s)),
                    theirs!(r.on_hashing(hash(h), s)),
                );
                eq(
                    format!("on_block_link({h:?}, {s})"),
                    ours(p.on_block_link(h, s)),
                    theirs!(r.on_block_link(hash(h), s)),
                );
            }
            for (kind, t) in [
                (SignatureKind::Secp256k1, SignatureType::Secp256k1),
                (SignatureKind::Bls, SignatureType::BLS),
            ] {
                eq(
                    format!("on_verify_signature({kind:?}, {s})"),
                    ours(p.on_verify_signature(kind, s)),
                    theirs!(r.on_verify_signature(t, s)),
                );
            }
            for &sigs in &[0usize, 1, 2, 500, 1 << 20] {
                eq(
                    format!("on_verify_aggregate_signature({sigs}, {s})"),
                    ours(p.on_verify_aggregate_signature_v4(sigs, s)),
                    theirs!(r.on_verify_aggregate_signature(sigs, s)),
                );
            }
            for &(entries, vals) in &[(0usize, 0usize), (1, 10), (255, 8192 * 255), (s, s)] {
                eq(
                    format!("on_actor_event({entries}, {s}, {vals})"),
                    ours(p.on_actor_event_v4(entries, s, vals)),
                    theirs!(r.on_actor_event(entries, s, vals)),
                );
            }
        }
        for depth in [0u32, 1, 2, 1024] {
            for s in [0u32, 1, 100, 1 << 20, u32::MAX] {
                for links in [0usize, 1, 7] {
                    eq(
                        format!("on_method_return({depth}, {s}, {links})"),
                        ours(p.on_method_return_v4(depth, s, links)),
                        theirs!(r.on_method_return(depth, s, links)),
                    );
                }
            }
        }
        for links in [0usize, 1, 2, 1000, usize::MAX] {
            eq(
                format!("on_method_invocation({links})"),
                ours(p.on_method_invocation_v4(links)),
                theirs!(r.on_method_invocation(0, links)),
            );
        }
        for new_address in [false, true] {
            eq(
                format!("on_create_actor({new_address})"),
                ours(p.on_create_actor(new_address)),
                theirs!(r.on_create_actor(new_address)),
            );
        }
        for &l in LOOKBACKS {
            eq(
                format!("on_tipset_cid({l})"),
                ours(p.on_tipset_cid_v4(l)),
                theirs!(r.on_tipset_cid(l)),
            );
            eq(
                format!("on_get_randomness({l})"),
                ours(p.on_get_randomness_v4(l)),
                theirs!(r.on_get_randomness(l)),
            );
        }
        for &c in COUNTS {
            for proof in -1..=21i64 {
                eq(
                    format!("on_verify_aggregate_seals({proof}, {c})"),
                    ours(p.on_verify_aggregate_seals(proof, c)),
                    theirs!(r.on_verify_aggregate_seals(&aggregate(proof, c))),
                );
            }
            for proof in [
                None,
                Some(-1),
                Some(0),
                Some(3),
                Some(5),
                Some(7),
                Some(8),
                Some(9),
                Some(10),
                Some(12),
                Some(13),
                Some(14),
                Some(15),
                Some(99),
            ] {
                eq(
                    format!("on_verify_post({proof:?}, {c})"),
                    ours(p.on_verify_post(proof, c)),
                    theirs!(r.on_verify_post(&post_info(proof, c))),
                );
            }
        }
        let seal = SealVerifyInfo {
            registered_proof: RegisteredSealProof::StackedDRG32GiBV1P1,
            sector_id: fvm_shared4::sector::SectorID {
                miner: 0,
                number: 0,
            },
            deal_ids: vec![],
            randomness: Randomness(vec![]),
            interactive_randomness: Randomness(vec![]),
            proof: vec![],
            sealed_cid: fvm_shared4::EMPTY_ARR_CID,
            unsealed_cid: fvm_shared4::EMPTY_ARR_CID,
        };
        let replica = ReplicaUpdateInfo {
            update_proof_type: RegisteredUpdateProof::StackedDRG32GiBV1,
            new_sealed_cid: fvm_shared4::EMPTY_ARR_CID,
            old_sealed_cid: fvm_shared4::EMPTY_ARR_CID,
            new_unsealed_cid: fvm_shared4::EMPTY_ARR_CID,
            proof: vec![],
        };
        let fixed: Vec<(&str, GasCharge, Charge)> = vec![
            (
                "on_value_transfer",
                p.on_value_transfer(),
                theirs!(r.on_value_transfer()),
            ),
            (
                "on_delete_actor",
                p.on_delete_actor(),
                theirs!(r.on_delete_actor()),
            ),
            (
                "on_recover_secp_public_key",
                p.on_recover_secp_public_key(),
                theirs!(r.on_recover_secp_public_key()),
            ),
            (
                "on_compute_unsealed_sector_cid",
                p.on_compute_unsealed_sector_cid(),
                theirs!(
                    r.on_compute_unsealed_sector_cid(RegisteredSealProof::StackedDRG32GiBV1P1, &[])
                ),
            ),
            (
                "on_verify_seal",
                p.on_verify_seal(),
                theirs!(r.on_verify_seal(&seal)),
            ),
            (
                "on_verify_replica_update",
                p.on_verify_replica_update(),
                theirs!(r.on_verify_replica_update(&replica)),
            ),
            (
                "on_verify_consensus_fault",
                p.on_verify_consensus_fault(),
                theirs!(r.on_verify_consensus_fault(10, 20, 30)),
            ),
            (
                "on_block_open_base",
                p.on_block_open_base(),
                theirs!(r.on_block_open_base()),
            ),
            (
                "on_block_stat",
                p.on_block_stat(),
                theirs!(r.on_block_stat()),
            ),
            (
                "on_actor_lookup",
                p.on_actor_lookup(),
                theirs!(r.on_actor_lookup()),
            ),
            (
                "on_actor_update",
                p.on_actor_update(),
                theirs!(r.on_actor_update()),
            ),
            (
                "on_actor_create",
                p.on_actor_create(),
                theirs!(r.on_actor_create()),
            ),
            (
                "on_self_balance",
                p.on_self_balance(),
                theirs!(r.on_self_balance()),
            ),
            (
                "on_balance_of",
                p.on_balance_of(),
                theirs!(r.on_balance_of()),
            ),
            (
                "on_resolve_address",
                p.on_resolve_address(),
                theirs!(r.on_resolve_address()),
            ),
            (
                "on_lookup_delegated_address",
                p.on_lookup_delegated_address(),
                theirs!(r.on_lookup_delegated_address()),
            ),
            (
                "on_get_actor_code_cid",
                p.on_get_actor_code_cid(),
                theirs!(r.on_get_actor_code_cid()),
            ),
            (
                "on_get_builtin_actor_type",
                p.on_get_builtin_actor_type(),
                theirs!(r.on_get_builtin_actor_type()),
            ),
            (
                "on_get_code_cid_for_type",
                p.on_get_code_cid_for_type(),
                theirs!(r.on_get_code_cid_for_type()),
            ),
            (
                "on_network_context",
                p.on_network_context(),
                theirs!(r.on_network_context()),
            ),
            (
                "on_message_context",
                p.on_message_context(),
                theirs!(r.on_message_context()),
            ),
            ("on_get_root", p.on_get_root_v4(), theirs!(r.on_get_root())),
            ("on_set_root", p.on_set_root_v4(), theirs!(r.on_set_root())),
        ];
        for (what, a, b) in fixed {
            eq(what.to_string(), ours(a), b);
        }
        k + compare_private_fields(nv, p, &format!("{r:?}"), d)
    }
}

/// The text of field `name` in a `Debug` rendering: from after `name: ` to the matching close
/// of the brackets it opens (or the next comma at depth 0).
fn debug_field<'a>(debug: &'a str, name: &str) -> &'a str {
    let start = debug
        .find(&format!("{name}: "))
        .unwrap_or_else(|| panic!("no field {name}"))
        + name.len()
        + 2;
    let mut depth = 0i32;
    for (i, c) in debug[start..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return debug[start..start + i].trim(),
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return debug[start..start + i].trim(),
            _ => {}
        }
    }
    debug[start..].trim()
}

/// ref-fvm keeps some prices in crate-private fields; compare them through its `Debug` output:
/// the preloaded actors, the Wasm rules, and the host-call cost (a Wasm rule in 4.x, the syscall
/// cost in 3.x).
fn compare_private_fields(nv: u32, p: &PriceList, theirs: &str, d: &mut Diff) -> usize {
    let ours = format!("{p:?}");
    d.eq(
        nv,
        "preloaded_actors",
        debug_field(&ours, "preloaded_actors"),
        debug_field(theirs, "preloaded_actors"),
    );
    let their_rules = debug_field(theirs, "wasm_rules");
    // ifvm's rules also name their metering generation, which ref-fvm 3 and 4 have implicitly.
    let our_rules_full = debug_field(&ours, "wasm_rules");
    d.eq(
        nv,
        "metering",
        debug_field(our_rules_full, "metering"),
        "Fvm3",
    );
    let our_rules = our_rules_full.replace(", metering: Fvm3", "");
    let our_rules = our_rules.as_str();
    let (our_rules, host_call) = if nv <= 20 {
        let cut = our_rules
            .find(", host_call_cost")
            .expect("host_call_cost field");
        d.eq(
            nv,
            "syscall cost",
            debug_field(&ours, "host_call_cost"),
            debug_field(theirs, "syscall_cost"),
        );
        (format!("{} }}", &our_rules[..cut]), 1)
    } else {
        (our_rules.to_string(), 0)
    };
    d.eq(nv, "wasm_rules", our_rules.as_str(), their_rules);
    2 + host_call
}

#[test]
fn price_lists_match_ref_fvm_for_every_network_version() {
    let mut diff = Diff::default();
    let mut compared = 0;
    for nv in 16..=17u32 {
        let version = fvm_shared2::version::NetworkVersion::try_from(nv).expect("a version");
        let theirs = fvm2::gas::price_list_by_network_version(version);
        compared += v2::compare(nv, price_list_for(nv).unwrap(), theirs, &mut diff);
    }
    for nv in 18..=20u32 {
        let theirs = fvm3::gas::price_list_by_network_version(nv.into());
        compared += v3::compare(nv, price_list_for(nv).unwrap(), theirs, &mut diff);
    }
    for nv in 21..=29u32 {
        let theirs = fvm4::gas::price_list_by_network_version(nv.into());
        compared += v4::compare(nv, price_list_for(nv).unwrap(), theirs, &mut diff);
    }
    diff.assert_empty(compared);
}

/// Any CID: prices never depend on it (both fvm_shared versions use the same `cid` crate).
fn cid3() -> cid::Cid {
    fvm_shared4::EMPTY_ARR_CID
}

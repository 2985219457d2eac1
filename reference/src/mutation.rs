//! The message and state mutation differential: from a seed, one vector variant with one
//! message changed (a field — version, addresses, nonce, value, method, parameters, gas limit,
//! fee cap, premium — or its raw bytes) or one of its state blocks corrupted (a bit flipped,
//! truncated, extended, emptied, or another block's or another shape's bytes under its CID),
//! applied on ifvm and on ref-fvm of the variant's version; every receipt, event, state root
//! and trace must be identical, or both engines must fail.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cid::Cid;
use fvm_ipld_blockstore::Blockstore as _;
use fvm_ipld_encoding::{to_vec, IPLD_RAW};
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use ifvm_interp::Engine;
use ifvm_vectors::generate::case::replay_ifvm;
use ifvm_vectors::generate::random::SplitMix64;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{decode_message, BundleSet, PreparedVariant};

use crate::outcome::Outcome;
use crate::run_variant;

/// Messages applied after a corrupted block, at most.
const STATE_MUTANT_MESSAGES: usize = 3;

/// A variant with one mutation.
pub struct Mutant {
    /// The index of the variant it mutates, in the list it was drawn from.
    pub source: usize,
    /// What was mutated.
    pub mutation: Mutation,
    /// The mutated variant.
    pub variant: PreparedVariant,
}

/// What a mutant changed.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// A field of message `index` (the messages after the next one are left out).
    Field {
        /// The message.
        index: usize,
        /// The field(s) changed.
        fields: Vec<&'static str>,
    },
    /// The raw bytes of message `index`, which still decode.
    Raw {
        /// The message.
        index: usize,
    },
    /// A state block served with other bytes (the first messages are applied).
    Block {
        /// The block.
        cid: Cid,
        /// How its bytes were changed.
        how: &'static str,
    },
}

/// The variants mutants are drawn from.
#[derive(Default)]
pub struct Variants {
    /// The variants.
    pub variants: Vec<PreparedVariant>,
    /// Each one's name: its file and variant id.
    pub names: Vec<String>,
    /// Variants left out: tipset vectors, and versions without a bundle.
    pub left_out: usize,
}

/// Every message-class variant of the vectors in `files` whose bundle `bundles` has, in file
/// order.
pub fn variants(bundles: &BundleSet, files: &[PathBuf]) -> anyhow::Result<Variants> {
    let mut out = Variants::default();
    for file in files {
        let vector = TestVector::load(file)?;
        for variant in &vector.preconditions.variants {
            match PreparedVariant::new(bundles, &vector, variant) {
                Ok(v) => {
                    out.variants.push(v);
                    out.names
                        .push(format!("{} [{}]", file.display(), variant.id));
                }
                Err(_) => out.left_out += 1,
            }
        }
    }
    Ok(out)
}

/// Draws the mutant of `seed` from `variants`. `None` when the drawn mutation is not a message a
/// node would pass to a VM (raw bytes that no longer decode) or the variant has nothing to
/// mutate; the caller draws the next seed.
pub fn mutant(variants: &[PreparedVariant], seed: u64) -> Option<Mutant> {
    let mut rng = SplitMix64::new(seed);
    let source = rng.below(variants.len() as u64) as usize;
    let original = &variants[source];
    if original.messages.is_empty() {
        return None;
    }
    let (mutation, variant) = if rng.chance(30) {
        corrupt_block(original, &mut rng)?
    } else {
        mutate_message(original, &mut rng)?
    };
    Some(Mutant {
        source,
        mutation,
        variant,
    })
}

/// Applies `mutant` on ifvm (on `engine`, the engine of its network version) and on ref-fvm.
/// Call it on a thread with the message stack ([`ifvm_vectors::threads::with_stack`]).
pub fn run_mutant(mutant: &Mutant, engine: &Engine) -> Outcome {
    compare_variant(&mutant.variant, engine)
}

/// Applies `variant` on ifvm (on `engine`) and on ref-fvm, and compares.
pub fn compare_variant(variant: &PreparedVariant, engine: &Engine) -> Outcome {
    let first = |k: usize| {
        let mut v = variant.clone();
        v.messages.truncate(k);
        v
    };
    Outcome::compare(
        variant.messages.len(),
        |k| replay_ifvm(&first(k), engine).map(|r| r.results),
        |k| run_variant(&first(k)),
    )
}

/// ifvm's engines, one per network version, built on first use.
#[derive(Default)]
pub struct Engines(BTreeMap<u32, Engine>);

impl Engines {
    /// The engine of network version `nv`.
    pub fn get(&mut self, nv: u32) -> anyhow::Result<&Engine> {
        Ok(match self.0.entry(nv) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(ifvm_vectors::engine(nv)?),
        })
    }
}

/// One message of `original` mutated (a field or its raw bytes), after the messages before it
/// and followed by at most one more.
fn mutate_message(
    original: &PreparedVariant,
    rng: &mut SplitMix64,
) -> Option<(Mutation, PreparedVariant)> {
    let index = rng.below(original.messages.len() as u64) as usize;
    let (message, length) = original.messages[index].clone();
    let (mutation, mutated) = if rng.chance(20) {
        let mut bytes = to_vec(&message).expect("messages encode");
        mutate_bytes(&mut bytes, rng);
        (Mutation::Raw { index }, decode_message(&bytes).ok()?)
    } else {
        let mut message = message;
        let mut fields = vec![mutate_field(&mut message, rng)];
        if rng.chance(20) {
            fields.push(mutate_field(&mut message, rng));
        }
        (Mutation::Field { index, fields }, (message, length))
    };
    let mut variant = original.clone();
    variant.messages.truncate(index + 2);
    variant.messages[index] = mutated;
    Some((mutation, variant))
}

/// Changes one field of `m`; returns its name.
fn mutate_field(m: &mut Message, rng: &mut SplitMix64) -> &'static str {
    let atto = |n: i128| TokenAmount::from_atto(BigInt::from(n));
    match rng.below(10) {
        0 => {
            // ref-fvm 2's messages hold the version as an `i64`: larger ones cannot reach it.
            m.version = *rng.pick(&[1, 2, i64::MAX as u64]);
            "version"
        }
        1 => {
            m.from = address(rng, m);
            "from"
        }
        2 => {
            m.to = address(rng, m);
            "to"
        }
        3 => {
            let s = m.sequence;
            m.sequence = *rng.pick(&[s + 1, s.wrapping_sub(1), 0, u64::MAX]);
            "sequence"
        }
        4 => {
            let v = m.value.clone();
            m.value = rng
                .pick(&[
                    atto(0),
                    &v + atto(1),
                    &v * 2u64,
                    atto(-1),
                    TokenAmount::from_whole(2_000_000_000),
                    TokenAmount::from_atto(BigInt::from(1) << 200),
                ])
                .clone();
            "value"
        }
        5 => {
            let (method, random) = (m.method_num, rng.next_u64());
            m.method_num = *rng.pick(&[0, 1, method + 1, 3_844_450_837, u64::MAX, random]);
            "method"
        }
        6 => {
            let mut params = m.params.to_vec();
            if params.is_empty() || rng.chance(20) {
                params = (0..rng.below(40)).map(|_| rng.below(256) as u8).collect();
            } else {
                mutate_bytes(&mut params, rng);
            }
            m.params = params.into();
            "params"
        }
        7 => {
            let g = m.gas_limit;
            m.gas_limit = *rng.pick(&[
                0,
                1,
                g / 2,
                g / 10,
                g + 1,
                10_000_000_000,
                10_000_000_001,
                i64::MAX as u64,
                u64::MAX,
            ]);
            "gas limit"
        }
        8 => {
            let f = m.gas_fee_cap.clone();
            m.gas_fee_cap = rng
                .pick(&[
                    atto(0),
                    atto(1),
                    atto(99),
                    &f * 2u64,
                    atto(-1),
                    atto(i128::MAX),
                ])
                .clone();
            "fee cap"
        }
        _ => {
            let f = m.gas_fee_cap.clone();
            m.gas_premium = rng
                .pick(&[atto(0), &f + atto(1), atto(-1), atto(i128::MAX)])
                .clone();
            "premium"
        }
    }
}

/// An address for a message's `from` or `to`: singletons, IDs around the state's, unknown
/// keys and actors, delegated ones, or the message's other address.
fn address(rng: &mut SplitMix64, m: &Message) -> Address {
    let key = rng.bytes32();
    match rng.below(9) {
        0 => Address::new_id(rng.below(8)),
        1 => Address::new_id(99 + rng.below(40)),
        2 => Address::new_id(1000 + rng.below(5000)),
        3 => Address::new_id(u64::MAX),
        4 => Address::new_secp256k1(&[key.as_slice(), &key, &[4]].concat()).expect("65 bytes"),
        5 => Address::new_actor(&key),
        6 => Address::new_bls(&[key.as_slice(), &key[..16]].concat()).expect("48 bytes"),
        7 => Address::new_delegated(*rng.pick(&[10, 32, 1000]), &key[..20]).expect("f4"),
        _ => {
            if rng.chance(50) {
                m.to
            } else {
                m.from
            }
        }
    }
}

/// A number below `n` (0 when `n` is 0).
fn at(rng: &mut SplitMix64, n: usize) -> usize {
    rng.below(n.max(1) as u64) as usize
}

/// Flips a bit, deletes, inserts or overwrites a byte, or truncates.
fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut SplitMix64) {
    match rng.below(5) {
        0 if !bytes.is_empty() => {
            let i = at(rng, bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        1 if !bytes.is_empty() => {
            let i = at(rng, bytes.len());
            bytes.remove(i);
        }
        2 => {
            let i = at(rng, bytes.len() + 1).min(bytes.len());
            bytes.insert(i, rng.below(256) as u8);
        }
        3 if !bytes.is_empty() => {
            let i = at(rng, bytes.len());
            bytes[i] = *rng.pick(&[0x00, 0xff, 0x80, 0xa0, 0xf6, 0x5f, 0x9f]);
        }
        _ => bytes.truncate(at(rng, bytes.len())),
    }
}

/// One of the vector's own state blocks (not actor code) served with other bytes; the first
/// messages are applied.
fn corrupt_block(
    original: &PreparedVariant,
    rng: &mut SplitMix64,
) -> Option<(Mutation, PreparedVariant)> {
    let store = original.store();
    let blocks: Vec<(Cid, Vec<u8>)> = original
        .own_block_cids()
        .into_iter()
        .filter_map(|cid| Some((cid, store.get(&cid).ok()??)))
        .filter(|(cid, bytes)| !(cid.codec() == IPLD_RAW && bytes.starts_with(b"\0asm")))
        .collect();
    if blocks.is_empty() {
        return None;
    }
    let (cid, bytes) = &blocks[at(rng, blocks.len())];
    let mut bytes = bytes.clone();
    let how = match rng.below(4) {
        0 => {
            mutate_bytes(&mut bytes, rng);
            "bytes"
        }
        1 => {
            bytes = rng
                .pick(&[vec![], vec![0x80], vec![0xa0], vec![0xf6], vec![0x40]])
                .clone();
            "another shape"
        }
        2 => {
            bytes = blocks[at(rng, blocks.len())].1.clone();
            "another block's bytes"
        }
        _ => {
            bytes.truncate(at(rng, bytes.len()));
            "truncated"
        }
    };
    let mut variant = original.with_block_replaced(*cid, bytes);
    variant.messages.truncate(STATE_MUTANT_MESSAGES);
    Some((Mutation::Block { cid: *cid, how }, variant))
}

/// Counts of a mutation run.
#[derive(Default, Debug)]
pub struct Tally {
    /// Mutants applied on both engines with identical results.
    pub same: usize,
    /// Mutants both engines failed to apply, at the same message.
    pub both_failed: usize,
    /// Of those, mutants both engines failed to load the state of.
    pub both_failed_loading: usize,
    /// Mutants whose results differ.
    pub mismatches: usize,
    /// Seeds that drew no mutant (raw bytes that no longer decode, nothing to mutate).
    pub undrawn: usize,
    /// Messages applied in identical runs.
    pub messages: usize,
    /// Mutants per kind (`field:NAME`, `raw`, `block:HOW`).
    pub kinds: BTreeMap<String, usize>,
}

impl Tally {
    /// Adds a mutant's outcome.
    pub fn add(&mut self, mutant: &Mutant, outcome: &Outcome) {
        let kind = match &mutant.mutation {
            Mutation::Field { fields, .. } => format!("field:{}", fields.join("+")),
            Mutation::Raw { .. } => "raw".into(),
            Mutation::Block { how, .. } => format!("block:{how}"),
        };
        *self.kinds.entry(kind).or_default() += 1;
        match outcome {
            Outcome::Same(results) => {
                self.same += 1;
                self.messages += results.len();
            }
            Outcome::BothFailed { at, .. } => {
                self.both_failed += 1;
                self.both_failed_loading += usize::from(at.is_none());
            }
            Outcome::Mismatch(_) => self.mismatches += 1,
        }
    }

    /// Mutants applied.
    pub fn mutants(&self) -> usize {
        self.same + self.both_failed + self.mismatches
    }
}

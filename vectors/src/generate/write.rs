//! Writes generated cases (`message` class) and windows of the simulated chain (`tipset` class)
//! as test vectors in the `fvm-test-vectors` schema, complete so that any standard driver runs
//! them as they are: what generated them (`_meta.gen`), the pre- and post-state's blocks with
//! both roots in the CAR (never the actors' code: a driver loads the bundle the system actor
//! names), the messages or tipsets, every randomness they drew, and the expected receipts
//! (and receipts roots) and state root.

use std::collections::BTreeSet;

use base64::Engine as _;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{from_slice, to_vec, DAG_CBOR, IPLD_RAW};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::IDENTITY_HASH;
use ipld_core::ipld::Ipld;
use serde::Serialize;

use super::case::{Case, Replay};
use crate::car::car_gz;
use crate::scenario::MessageResult;
use crate::schema::{GenerationData, RandomnessMatch};
use crate::store::SharedBlocks;
use crate::tipset::{Tipset, TipsetOutcome};

#[derive(Serialize)]
struct Vector<'a> {
    class: &'static str,
    #[serde(rename = "_meta")]
    meta: Meta<'a>,
    car: String,
    preconditions: Preconditions,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    apply_messages: Vec<Bytes>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    apply_tipsets: Vec<TipsetJson>,
    postconditions: Postconditions,
    randomness: &'a [RandomnessMatch],
}

#[derive(Serialize)]
struct TipsetJson {
    epoch_offset: ChainEpoch,
    /// A decimal string, as the schema writes big integers.
    basefee: String,
    blocks: Vec<BlockJson>,
}

#[derive(Serialize)]
struct BlockJson {
    miner_addr: String,
    win_count: i64,
    messages: Vec<String>,
}

#[derive(Serialize)]
struct Meta<'a> {
    id: &'a str,
    description: String,
    gen: &'a [GenerationData],
}

#[derive(Serialize)]
struct Preconditions {
    variants: [Variant; 1],
    state_tree: StateTree,
    basefee: u128,
    circ_supply: u128,
}

#[derive(Serialize)]
struct Variant {
    id: String,
    epoch: i64,
    nv: u32,
}

#[derive(Serialize)]
struct StateTree {
    root_cid: Link,
}

#[derive(Serialize)]
struct Link {
    #[serde(rename = "/")]
    cid: String,
}

#[derive(Serialize)]
struct Bytes {
    bytes: String,
}

#[derive(Serialize)]
struct Postconditions {
    state_tree: StateTree,
    receipts: Vec<Receipt>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    receipts_roots: Vec<Link>,
}

#[derive(Serialize)]
struct Receipt {
    exit_code: u32,
    #[serde(rename = "return")]
    return_data: String,
    gas_used: u64,
    /// `null` when the message emitted no events.
    events_root: Option<Link>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn link(cid: &Cid) -> Link {
    Link {
        cid: cid.to_string(),
    }
}

/// What a vector of a case records besides the case itself.
pub struct Recorded<'a> {
    /// What the vector is.
    pub description: String,
    /// What generated it.
    pub gen: &'a [GenerationData],
    /// One result per message, from the reference: the postconditions.
    pub expected: &'a [MessageResult],
    /// ifvm's replay of the case (identical results): the randomness drawn and the blocks
    /// written.
    pub replay: &'a Replay,
}

/// The vector JSON of `case` with what `recorded` says.
pub fn vector_json(case: &Case, recorded: &Recorded) -> String {
    let state = &case.net.state;
    let id = format!("{}-nv{}", case.name, case.net.nv);
    let expected = recorded.expected;
    let final_root = expected.last().map_or(state.root, |r| r.state_root);
    let mut roots = vec![state.root];
    if final_root != state.root {
        roots.push(final_root);
    }
    let mut blocks = state.blocks.clone();
    blocks.extend(recorded.replay.written.iter().cloned());
    let v = Vector {
        class: "message",
        meta: Meta {
            id: &id,
            description: recorded.description.clone(),
            gen: recorded.gen,
        },
        car: b64(&car_gz(&roots, &blocks)),
        preconditions: Preconditions {
            variants: [Variant {
                id: format!("nv{}", case.net.nv),
                epoch: super::network::EPOCH,
                nv: case.net.nv,
            }],
            state_tree: StateTree {
                root_cid: link(&state.root),
            },
            basefee: crate::prepared::DEFAULT_BASE_FEE,
            circ_supply: ifvm_kernel::TOTAL_FILECOIN as u128 * 1_000_000_000_000_000_000,
        },
        apply_messages: case
            .messages
            .iter()
            .map(|m| Bytes {
                bytes: b64(&to_vec(m).expect("messages serialize")),
            })
            .collect(),
        postconditions: Postconditions {
            state_tree: StateTree {
                root_cid: link(&final_root),
            },
            receipts: expected
                .iter()
                .map(|r| Receipt {
                    exit_code: r.exit_code,
                    return_data: b64(&r.return_data),
                    gas_used: r.gas_used,
                    events_root: r.events_root.as_ref().map(link),
                })
                .collect(),
            receipts_roots: Vec::new(),
        },
        apply_tipsets: Vec::new(),
        randomness: &recorded.replay.randomness,
    };
    serde_json::to_string_pretty(&v).expect("vectors serialize")
}

/// A window of the simulated chain: tipsets applied from a state, and their expected outcomes.
pub struct TipsetWindow<'a> {
    /// The vector's identifier.
    pub id: String,
    /// What the vector is.
    pub description: String,
    /// What generated it.
    pub gen: &'a [GenerationData],
    /// The network version.
    pub nv: u32,
    /// The epoch of the first tipset's parent (the variant's epoch).
    pub base_epoch: ChainEpoch,
    /// The state before the first tipset.
    pub pre_root: Cid,
    /// The tipsets.
    pub tipsets: &'a [Tipset],
    /// Their outcomes, from the reference: the postconditions.
    pub expected: &'a [TipsetOutcome],
    /// The blocks of the pre- and post-states ([`reachable_blocks`]).
    pub blocks: &'a [(Cid, Vec<u8>)],
    /// Every randomness the tipsets drew.
    pub randomness: &'a [RandomnessMatch],
}

/// The `tipset`-class vector JSON of `window`. Its machines see no circulating supply (as
/// Lotus's driver runs tipsets), and its variant's base fee is the default (each tipset names
/// its own).
pub fn tipset_vector_json(window: &TipsetWindow) -> String {
    let final_root = window
        .expected
        .last()
        .map_or(window.pre_root, |o| o.state_root);
    let mut roots = vec![window.pre_root];
    if final_root != window.pre_root {
        roots.push(final_root);
    }
    let v = Vector {
        class: "tipset",
        meta: Meta {
            id: &window.id,
            description: window.description.clone(),
            gen: window.gen,
        },
        car: b64(&car_gz(&roots, window.blocks)),
        preconditions: Preconditions {
            variants: [Variant {
                id: format!("nv{}", window.nv),
                epoch: window.base_epoch,
                nv: window.nv,
            }],
            state_tree: StateTree {
                root_cid: link(&window.pre_root),
            },
            basefee: crate::prepared::DEFAULT_BASE_FEE,
            circ_supply: 0,
        },
        apply_messages: Vec::new(),
        apply_tipsets: window
            .tipsets
            .iter()
            .map(|t| TipsetJson {
                epoch_offset: t.epoch - window.base_epoch,
                basefee: t.base_fee.atto().to_string(),
                blocks: t
                    .blocks
                    .iter()
                    .map(|b| BlockJson {
                        miner_addr: b.miner.to_string(),
                        win_count: b.win_count,
                        messages: b
                            .messages
                            .iter()
                            .map(|m| b64(&to_vec(m).expect("messages serialize")))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        postconditions: Postconditions {
            state_tree: StateTree {
                root_cid: link(&final_root),
            },
            receipts: window
                .expected
                .iter()
                .flat_map(|o| &o.messages)
                .map(|m| {
                    let r = &m.applied.receipt;
                    Receipt {
                        exit_code: r.exit_code.value(),
                        return_data: b64(r.return_data.bytes()),
                        gas_used: r.gas_used,
                        events_root: r.events_root.as_ref().map(link),
                    }
                })
                .collect(),
            receipts_roots: window
                .expected
                .iter()
                .map(|o| link(&o.receipts_root))
                .collect(),
        },
        randomness: window.randomness,
    };
    serde_json::to_string_pretty(&v).expect("vectors serialize")
}

/// Every block reachable from `roots` in `store`, except the bundle's (`bundle`: actor code and
/// the manifest, which a driver loads itself), sorted by CID.
pub fn reachable_blocks(
    store: &impl Blockstore,
    roots: &[Cid],
    bundle: &SharedBlocks,
) -> anyhow::Result<Vec<(Cid, Vec<u8>)>> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<Cid> = roots.to_vec();
    let mut out = Vec::new();
    while let Some(cid) = pending.pop() {
        // Identity-hashed CIDs carry their data; commitments (sector CIDs) name no block.
        let is_block =
            cid.hash().code() != IDENTITY_HASH && [DAG_CBOR, IPLD_RAW].contains(&cid.codec());
        if !is_block || bundle.contains(&cid) || !seen.insert(cid) {
            continue;
        }
        let Some(data) = store.get(&cid)? else {
            anyhow::bail!("block {cid} is missing");
        };
        if cid.codec() == DAG_CBOR {
            collect_links(&from_slice::<Ipld>(&data)?, &mut pending);
        }
        out.push((cid, data));
    }
    out.sort_by_key(|b| b.0);
    Ok(out)
}

fn collect_links(node: &Ipld, out: &mut Vec<Cid>) {
    match node {
        Ipld::Link(cid) => out.push(*cid),
        Ipld::List(items) => items.iter().for_each(|i| collect_links(i, out)),
        Ipld::Map(entries) => entries.values().for_each(|i| collect_links(i, out)),
        _ => {}
    }
}

//! Writes generated cases as test vectors in the `fvm-test-vectors` schema, complete so that any
//! standard driver runs them as they are: what generated them (`_meta.gen`), the pre- and
//! post-state's blocks with both roots in the CAR (never the actors' code: a driver loads the
//! bundle the system actor names), the messages, every randomness they drew, and the expected
//! receipts and state root.

use base64::Engine as _;
use cid::Cid;
use fvm_ipld_encoding::to_vec;
use serde::Serialize;

use super::case::{Case, Replay};
use crate::car::car_gz;
use crate::scenario::MessageResult;
use crate::schema::{GenerationData, RandomnessMatch};

#[derive(Serialize)]
struct Vector<'a> {
    class: &'static str,
    #[serde(rename = "_meta")]
    meta: Meta<'a>,
    car: String,
    preconditions: Preconditions,
    apply_messages: Vec<Bytes>,
    postconditions: Postconditions,
    randomness: &'a [RandomnessMatch],
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
        },
        randomness: &recorded.replay.randomness,
    };
    serde_json::to_string_pretty(&v).expect("vectors serialize")
}

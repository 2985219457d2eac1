//! Writes generated cases as test vectors in the `fvm-test-vectors` schema: the state's blocks
//! (never the actors' code: the runner loads the bundle the system actor names), the messages,
//! and the expected receipts and state root.

use std::io::Write;

use base64::Engine as _;
use cid::Cid;
use fvm_ipld_encoding::to_vec;
use serde::Serialize;

use super::case::Case;
use crate::scenario::MessageResult;

#[derive(Serialize)]
struct Vector<'a> {
    class: &'static str,
    #[serde(rename = "_meta")]
    meta: Meta<'a>,
    car: String,
    preconditions: Preconditions,
    apply_messages: Vec<Bytes>,
    postconditions: Postconditions,
    randomness: [(); 0],
}

#[derive(Serialize)]
struct Meta<'a> {
    id: &'a str,
    description: String,
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

/// A CARv1 of `blocks` (sorted by CID, so the same state always gives the same bytes) rooted at
/// `root`, gzip-compressed.
pub fn car_gz(root: &Cid, blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Header {
        roots: Vec<Cid>,
        version: u64,
    }
    fn varint(out: &mut Vec<u8>, mut n: usize) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    let mut car = Vec::new();
    let header = to_vec(&Header {
        roots: vec![*root],
        version: 1,
    })
    .expect("CAR header serializes");
    varint(&mut car, header.len());
    car.extend_from_slice(&header);
    let mut sorted: Vec<_> = blocks.iter().collect();
    sorted.sort_by_key(|(cid, _)| *cid);
    for (cid, data) in sorted {
        let cid = cid.to_bytes();
        varint(&mut car, cid.len() + data.len());
        car.extend_from_slice(&cid);
        car.extend_from_slice(data);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&car).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// The vector JSON of `case` with `expected` (one result per message, from the reference) as its
/// postconditions.
pub fn vector_json(case: &Case, description: &str, expected: &[MessageResult]) -> String {
    let state = &case.net.state;
    let id = format!("{}-nv{}", case.name, case.net.nv);
    let final_root = expected.last().map_or(state.root, |r| r.state_root);
    let v = Vector {
        class: "message",
        meta: Meta {
            id: &id,
            description: description.to_string(),
        },
        car: b64(&car_gz(&state.root, &state.blocks)),
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
        randomness: [],
    };
    serde_json::to_string_pretty(&v).expect("vectors serialize")
}

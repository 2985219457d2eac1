//! The test-vector schema, as published in `fvm-test-vectors`: the `message` class (messages
//! applied one by one) and the `tipset` class (tipsets applied as a node does, with block rewards
//! and cron); what a vector lacks of it ([`TestVector::schema_warnings`]) and what makes one
//! unusable ([`TestVector::check_shape`]).

use std::path::Path;

use base64::Engine as _;
use cid::Cid;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::car::{self, CarError, CarHeader};

/// A test vector of the `message` or the `tipset` class.
#[derive(Debug, Clone, Deserialize)]
pub struct TestVector {
    /// `"message"` or `"tipset"`.
    pub class: String,
    /// Vector metadata.
    #[serde(rename = "_meta", default)]
    pub meta: Option<Meta>,
    /// Base64 of a gzip-compressed CAR with every block the vector needs.
    #[serde(deserialize_with = "base64_bytes")]
    pub car: Vec<u8>,
    /// The starting state.
    pub preconditions: Preconditions,
    /// The messages to apply, in order (`message` class).
    #[serde(default)]
    pub apply_messages: Vec<ApplyMessage>,
    /// The tipsets to apply, in order (`tipset` class).
    #[serde(default)]
    pub apply_tipsets: Vec<TipsetSpec>,
    /// The expected results.
    pub postconditions: Postconditions,
    /// Randomness the chain returned when the vector was recorded.
    #[serde(default)]
    pub randomness: Vec<RandomnessMatch>,
}

/// Vector metadata.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Meta {
    /// The vector's identifier.
    #[serde(default)]
    pub id: String,
    /// What generated the vector (required by the schema; ref-fvm's runner rejects a vector
    /// without it).
    #[serde(default)]
    pub gen: Option<Vec<GenerationData>>,
}

/// One thing that generated a vector: a tool, a network, a message.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GenerationData {
    /// What it is.
    #[serde(default)]
    pub source: String,
    /// Its version, if it has one.
    #[serde(default)]
    pub version: String,
}

/// The starting state and the epochs to run at.
#[derive(Debug, Clone, Deserialize)]
pub struct Preconditions {
    /// Each variant runs the vector once.
    pub variants: Vec<Variant>,
    /// The initial state root.
    pub state_tree: StateTreeRef,
    /// The base fee (attoFIL).
    #[serde(default)]
    pub basefee: Option<u128>,
    /// The circulating supply (attoFIL).
    #[serde(default)]
    pub circ_supply: Option<u128>,
}

/// An epoch and network version to run at.
#[derive(Debug, Clone, Deserialize)]
pub struct Variant {
    /// The variant's name.
    pub id: String,
    /// The epoch.
    pub epoch: i64,
    /// The network version.
    pub nv: u32,
}

/// A state root.
#[derive(Debug, Clone, Deserialize)]
pub struct StateTreeRef {
    /// The root CID.
    #[serde(deserialize_with = "dag_json_cid")]
    pub root_cid: Cid,
}

/// A message to apply.
#[derive(Debug, Clone, Deserialize)]
pub struct ApplyMessage {
    /// The CBOR-encoded unsigned message.
    #[serde(deserialize_with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

/// A tipset to apply (`tipset` class): its epoch and base fee, and its blocks in order.
#[derive(Debug, Clone, Deserialize)]
pub struct TipsetSpec {
    /// The tipset's epoch, as an offset from the variant's epoch (the parent of the first
    /// tipset); epochs skipped since the previous tipset are null rounds.
    pub epoch_offset: i64,
    /// The base fee (attoFIL).
    #[serde(deserialize_with = "decimal_u128")]
    pub basefee: u128,
    /// The blocks, in the tipset's order.
    #[serde(default)]
    pub blocks: Vec<BlockSpec>,
}

/// A block of a tipset: who mined it, how many times it won, and its messages.
#[derive(Debug, Clone, Deserialize)]
pub struct BlockSpec {
    /// The miner rewarded for the block (an address string, `f0…`).
    pub miner_addr: String,
    /// The block's election win count.
    pub win_count: i64,
    /// The CBOR-encoded unsigned messages (base64).
    #[serde(default, deserialize_with = "base64_list")]
    pub messages: Vec<Vec<u8>>,
}

/// Expected results.
#[derive(Debug, Clone, Deserialize)]
pub struct Postconditions {
    /// The final state root.
    pub state_tree: StateTreeRef,
    /// One receipt per message; for tipsets, per applied message including the implicit ones
    /// (each block's reward, each cron tick), in the order they were applied.
    pub receipts: Vec<ExpectedReceipt>,
    /// One receipts root per tipset (`tipset` class): the AMT of its explicit messages'
    /// receipts.
    #[serde(default, deserialize_with = "dag_json_cids")]
    pub receipts_roots: Vec<Cid>,
}

/// An expected receipt.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedReceipt {
    /// The exit code.
    pub exit_code: u32,
    /// The return bytes.
    #[serde(rename = "return", deserialize_with = "base64_bytes")]
    pub return_data: Vec<u8>,
    /// Gas used.
    pub gas_used: u64,
    /// The root of the message's events AMT (`Some(None)`: no events), where the vector records
    /// it (generated vectors do; the published corpus does not).
    #[serde(default, deserialize_with = "recorded_events_root")]
    pub events_root: Option<Option<Cid>>,
}

/// Recorded randomness for an epoch.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RandomnessMatch {
    /// `[kind, epoch]`, kind `"chain"` or `"beacon"`.
    pub on: (RandomnessKind, i64),
    /// The 32-byte digest.
    #[serde(deserialize_with = "base64_bytes", serialize_with = "base64_string")]
    pub ret: Vec<u8>,
}

/// Which randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RandomnessKind {
    /// Ticket (chain) randomness.
    Chain,
    /// Drand beacon randomness.
    Beacon,
}

/// A vector cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The JSON does not match the schema.
    #[error("invalid vector {path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
    /// The CAR cannot be read.
    #[error("invalid vector CAR: {0}")]
    Car(#[from] CarError),
    /// The vector parses but cannot be run as its class says.
    #[error("malformed {class} vector: {problem}")]
    Malformed {
        /// The vector's class.
        class: String,
        /// What is wrong.
        problem: ShapeProblem,
    },
}

/// Why a vector that parses cannot be run as its class says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeProblem {
    /// The class is neither `message` nor `tipset`.
    #[error("unsupported vector class")]
    UnsupportedClass,
    /// A message vector has no messages, or a tipset vector no tipsets.
    #[error("nothing to apply (`{0}` is empty)")]
    NothingToApply(&'static str),
    /// A message vector with tipsets, or a tipset vector with loose messages.
    #[error("`{0}` does not belong in this class")]
    ForeignField(&'static str),
    /// A tipset vector's receipts roots do not match its tipsets one to one.
    #[error("{roots} receipts roots for {tipsets} tipsets")]
    ReceiptsRoots {
        /// Tipsets.
        tipsets: usize,
        /// Receipts roots.
        roots: usize,
    },
    /// Tipset epochs must increase, starting after the variant's epoch.
    #[error("tipset {index} has epoch offset {offset}, not after the previous one ({previous})")]
    EpochOrder {
        /// The tipset's index.
        index: usize,
        /// Its epoch offset.
        offset: i64,
        /// The previous tipset's (0 for the first: the variant's epoch).
        previous: i64,
    },
    /// A message vector's receipts do not match its messages one to one.
    #[error("{receipts} receipts for {messages} messages")]
    Receipts {
        /// Messages.
        messages: usize,
        /// Receipts.
        receipts: usize,
    },
}

/// Something a vector lacks that the schema requires, so that a standard driver would reject
/// it or have to guess (ref-fvm's runner rejects the first and warns about the second).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaWarning {
    /// `_meta.gen` is missing.
    #[error(
        "`_meta.gen` is missing: the schema requires it, and ref-fvm's runner rejects the vector"
    )]
    MissingGen,
    /// The CAR's roots do not name the expected post-state root.
    #[error("imported roots ({roots}) do not contain postcondition CID ({post})")]
    PostStateNotInCarRoots {
        /// The CAR's roots.
        roots: String,
        /// The expected post-state root.
        post: Cid,
    },
    /// The CAR's header cannot be read.
    #[error("{0}")]
    UnreadableCar(String),
}

impl TestVector {
    /// Reads the vector in `path`.
    pub fn load(path: &Path) -> Result<Self, VectorError> {
        let text = std::fs::read(path).map_err(|source| VectorError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_slice(&text).map_err(|source| VectorError::Json {
            path: path.display().to_string(),
            source,
        })
    }

    /// Checks that the vector can be run as its class says: a message vector's messages and
    /// receipts match one to one; a tipset vector has tipsets in increasing epochs after the
    /// variant's and one receipts root per tipset. Runners call it before applying anything.
    pub fn check_shape(&self) -> Result<(), VectorError> {
        let malformed = |problem| VectorError::Malformed {
            class: self.class.clone(),
            problem,
        };
        let post = &self.postconditions;
        match self.class.as_str() {
            "message" => {
                if !self.apply_tipsets.is_empty() {
                    return Err(malformed(ShapeProblem::ForeignField("apply_tipsets")));
                }
                if self.apply_messages.is_empty() {
                    return Err(malformed(ShapeProblem::NothingToApply("apply_messages")));
                }
                if post.receipts.len() != self.apply_messages.len() {
                    return Err(malformed(ShapeProblem::Receipts {
                        messages: self.apply_messages.len(),
                        receipts: post.receipts.len(),
                    }));
                }
            }
            "tipset" => {
                if !self.apply_messages.is_empty() {
                    return Err(malformed(ShapeProblem::ForeignField("apply_messages")));
                }
                if self.apply_tipsets.is_empty() {
                    return Err(malformed(ShapeProblem::NothingToApply("apply_tipsets")));
                }
                if post.receipts_roots.len() != self.apply_tipsets.len() {
                    return Err(malformed(ShapeProblem::ReceiptsRoots {
                        tipsets: self.apply_tipsets.len(),
                        roots: post.receipts_roots.len(),
                    }));
                }
                let mut previous = 0;
                for (index, ts) in self.apply_tipsets.iter().enumerate() {
                    let in_order = if index == 0 {
                        ts.epoch_offset >= 0
                    } else {
                        ts.epoch_offset > previous
                    };
                    if !in_order {
                        return Err(malformed(ShapeProblem::EpochOrder {
                            index,
                            offset: ts.epoch_offset,
                            previous,
                        }));
                    }
                    previous = ts.epoch_offset;
                }
            }
            _ => return Err(malformed(ShapeProblem::UnsupportedClass)),
        }
        Ok(())
    }

    /// The uncompressed CAR.
    pub fn car_bytes(&self) -> Result<Vec<u8>, VectorError> {
        Ok(car::gunzip(&self.car)?)
    }

    /// The CAR's header.
    pub fn car_header(&self) -> Result<CarHeader, VectorError> {
        Ok(car::header(&self.car_bytes()?)?)
    }

    /// What the vector lacks that the schema requires (nothing, for a complete vector).
    pub fn schema_warnings(&self) -> Vec<SchemaWarning> {
        let mut out = Vec::new();
        if self.meta.as_ref().and_then(|m| m.gen.as_ref()).is_none() {
            out.push(SchemaWarning::MissingGen);
        }
        let post = self.postconditions.state_tree.root_cid;
        match self.car_header() {
            Ok(h) if h.roots.contains(&post) => {}
            Ok(h) => out.push(SchemaWarning::PostStateNotInCarRoots {
                roots: h
                    .roots
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                post,
            }),
            Err(e) => out.push(SchemaWarning::UnreadableCar(e.to_string())),
        }
        out
    }
}

fn base64_string<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn base64_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(serde::de::Error::custom)
}

fn base64_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(serde::de::Error::custom)
        })
        .collect()
}

/// A non-negative integer written as a JSON number or, as the schema's big integers are, a
/// decimal string.
fn decimal_u128<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Decimal {
        Number(u128),
        Text(String),
    }
    match Decimal::deserialize(d)? {
        Decimal::Number(n) => Ok(n),
        Decimal::Text(t) => t.parse().map_err(serde::de::Error::custom),
    }
}

fn dag_json_cids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cid>, D::Error> {
    Vec::<Link>::deserialize(d)?
        .into_iter()
        .map(|l| l.cid.parse().map_err(serde::de::Error::custom))
        .collect()
}

#[derive(Deserialize)]
struct Link {
    #[serde(rename = "/")]
    cid: String,
}

/// A present field: `null` or a link.
fn recorded_events_root<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Cid>>, D::Error> {
    Option::<Link>::deserialize(d)?
        .map(|l| l.cid.parse().map_err(serde::de::Error::custom))
        .transpose()
        .map(Some)
}

fn dag_json_cid<'de, D: Deserializer<'de>>(d: D) -> Result<Cid, D::Error> {
    let link = Link::deserialize(d)?;
    link.cid.parse().map_err(serde::de::Error::custom)
}

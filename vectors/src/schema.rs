//! The test-vector schema (`class: "message"`), as published in `fvm-test-vectors`.

use std::io::Read;
use std::path::Path;

use base64::Engine as _;
use cid::Cid;
use serde::{Deserialize, Deserializer};

/// A message-class test vector.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageVector {
    /// `"message"`.
    pub class: String,
    /// Vector metadata.
    #[serde(rename = "_meta", default)]
    pub meta: Option<Meta>,
    /// Base64 of a gzip-compressed CAR with every block the vector needs.
    #[serde(deserialize_with = "base64_bytes")]
    pub car: Vec<u8>,
    /// The starting state.
    pub preconditions: Preconditions,
    /// The messages to apply, in order.
    pub apply_messages: Vec<ApplyMessage>,
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

/// Expected results.
#[derive(Debug, Clone, Deserialize)]
pub struct Postconditions {
    /// The final state root.
    pub state_tree: StateTreeRef,
    /// One receipt per message.
    pub receipts: Vec<ExpectedReceipt>,
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
#[derive(Debug, Clone, Deserialize)]
pub struct RandomnessMatch {
    /// `[kind, epoch]`, kind `"chain"` or `"beacon"`.
    pub on: (RandomnessKind, i64),
    /// The 32-byte digest.
    #[serde(deserialize_with = "base64_bytes")]
    pub ret: Vec<u8>,
}

/// Which randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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
    /// The CAR is not valid gzip.
    #[error("invalid vector CAR: {0}")]
    Car(String),
}

impl MessageVector {
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

    /// The uncompressed CAR.
    pub fn car_bytes(&self) -> Result<Vec<u8>, VectorError> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(self.car.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| VectorError::Car(e.to_string()))?;
        Ok(out)
    }
}

fn base64_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(serde::de::Error::custom)
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

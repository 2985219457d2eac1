//! A generated case: a network, a recorded message sequence, and the vector variant that replays
//! it on any engine.

use cid::Cid;
use fvm_ipld_encoding::to_vec;
use fvm_shared::message::Message;
use ifvm_interp::Engine;

use super::driver::{DriveError, Driver};
use super::network::{TestNetwork, EPOCH};
use crate::message::decode_message;
use crate::prepared::PreparedVariant;
use crate::scenario::{apply_each, MessageResult};
use crate::schema::RandomnessMatch;

/// A named message sequence over a network.
#[derive(Clone)]
pub struct Case {
    /// The name: unique per network version.
    pub name: String,
    /// The network it runs on.
    pub net: TestNetwork,
    /// The messages, in order.
    pub messages: Vec<Message>,
}

impl Case {
    /// Records `run` on ifvm over `net`.
    pub fn record(
        name: impl Into<String>,
        net: &TestNetwork,
        engine: &Engine,
        run: impl FnOnce(&mut Driver) -> Result<(), DriveError>,
    ) -> Result<Self, DriveError> {
        let name = name.into();
        let mut driver = Driver::new(net, engine)?;
        run(&mut driver).map_err(|e| DriveError(format!("{name} on nv{}: {}", net.nv, e.0)))?;
        Ok(Self {
            name,
            net: net.clone(),
            messages: driver.into_messages(),
        })
    }

    /// The case as a vector variant (without expected results).
    pub fn variant(&self) -> PreparedVariant {
        let messages = self
            .messages
            .iter()
            .map(|m| decode_message(&to_vec(m).expect("messages serialize")).expect("round trip"))
            .collect();
        PreparedVariant::from_state(self.net.nv, EPOCH, &self.net.state, messages)
    }
}

/// What replaying a case on ifvm produced: each message's result, every randomness the
/// messages drew, and every block the run wrote (the post-state's among them).
pub struct Replay {
    /// One result per message.
    pub results: Vec<MessageResult>,
    /// The randomness served, by kind and epoch.
    pub randomness: Vec<RandomnessMatch>,
    /// The blocks written, sorted by CID.
    pub written: Vec<(Cid, Vec<u8>)>,
}

/// Applies `variant`'s messages on ifvm, flushing after each one.
pub fn replay_ifvm(variant: &PreparedVariant, engine: &Engine) -> Result<Replay, String> {
    let mut exec = variant
        .ifvm_executor(engine, true)
        .map_err(|e| e.to_string())?;
    let results = apply_each(&mut exec, variant.messages.iter().cloned())?;
    let randomness = exec.machine().externs().served();
    let written = exec.into_machine().into_blockstore().into_own();
    Ok(Replay {
        results,
        randomness,
        written,
    })
}

//! A generated case: a network, a recorded message sequence, and the vector variant that replays
//! it on any engine.

use fvm_ipld_encoding::to_vec;
use fvm_shared::message::Message;
use ifvm_interp::Engine;

use super::driver::{DriveError, Driver};
use super::network::{TestNetwork, EPOCH};
use crate::message::decode_message;
use crate::prepared::PreparedVariant;
use crate::scenario::{apply_each, MessageResult};

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

/// Applies `variant`'s messages on ifvm, flushing after each one.
pub fn run_ifvm(variant: &PreparedVariant, engine: &Engine) -> Result<Vec<MessageResult>, String> {
    let mut exec = variant
        .ifvm_executor(engine, false)
        .map_err(|e| e.to_string())?;
    apply_each(&mut exec, variant.messages.iter().cloned())
}

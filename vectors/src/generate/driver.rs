//! Drives a scenario on ifvm while recording it: each message is applied as soon as it is built,
//! so later messages can use earlier results (a created actor's address, a transaction ID), and
//! the recorded messages are then replayed on every engine.

use std::collections::BTreeMap;

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;
use fvm_shared::MethodNum;
use ifvm_interp::Engine;
use ifvm_kernel::{ApplyKind, Executor};

use super::network::{TestNetwork, EPOCH};
use crate::externs::{ReplayExterns, Unrecorded};
use crate::machine::MachineParams;
use crate::message::decode_message;
use crate::store::RunStore;

/// The gas limit of generated messages unless a scenario sets another.
pub const DEFAULT_GAS_LIMIT: u64 = 3_000_000_000;
/// The fee cap of generated messages (attoFIL per gas), above the base fee.
pub const GAS_FEE_CAP: u64 = 200;
/// The premium of generated messages (attoFIL per gas).
pub const GAS_PREMIUM: u64 = 100;

/// A generated message: from `from` with nonce `sequence`, the default gas limit and fees.
pub fn message(
    from: Address,
    to: Address,
    sequence: u64,
    value: TokenAmount,
    method: MethodNum,
    params: Vec<u8>,
) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence,
        value,
        method_num: method,
        params: RawBytes::new(params),
        gas_limit: DEFAULT_GAS_LIMIT,
        gas_fee_cap: TokenAmount::from_atto(GAS_FEE_CAP),
        gas_premium: TokenAmount::from_atto(GAS_PREMIUM),
    }
}

/// A scenario cannot be driven (ifvm failed outright, not a message's exit code).
#[derive(Debug, thiserror::Error)]
#[error("driving a scenario: {0}")]
pub struct DriveError(pub String);

/// Applies messages on ifvm and records them.
pub struct Driver<'a> {
    net: &'a TestNetwork,
    exec: Executor<RunStore, ReplayExterns>,
    messages: Vec<Message>,
    nonces: BTreeMap<Address, u64>,
    last_failure: Option<String>,
}

impl<'a> Driver<'a> {
    /// A driver at `net`'s genesis state, at [`EPOCH`].
    pub fn new(net: &'a TestNetwork, engine: &Engine) -> Result<Self, DriveError> {
        let err = |e: &dyn std::fmt::Display| DriveError(e.to_string());
        let exec = MachineParams::new(net.nv, EPOCH, net.state.root)
            .map_err(|e| err(&e))?
            .executor(
                engine,
                net.state.store(),
                ReplayExterns::new(Vec::new(), Unrecorded::Derived),
                false,
            )
            .map_err(|e| err(&e))?;
        Ok(Self {
            net,
            exec,
            messages: Vec::new(),
            nonces: BTreeMap::new(),
            last_failure: None,
        })
    }

    /// The network.
    pub fn net(&self) -> &'a TestNetwork {
        self.net
    }

    /// The code CID of the builtin actor `name` in the network's bundle.
    pub fn code(&self, name: &str) -> Option<cid::Cid> {
        self.exec.machine().manifest().code_by_name(name).copied()
    }

    /// A message from `from` with the next nonce, the default gas limit and fees.
    pub fn message(
        &self,
        from: Address,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: Vec<u8>,
    ) -> Message {
        let sequence = self.nonces.get(&from).copied().unwrap_or(0);
        message(from, to, sequence, value, method, params)
    }

    /// Applies `msg`, records it and returns its receipt.
    pub fn apply(&mut self, msg: Message) -> Result<Receipt, DriveError> {
        let (decoded, raw_length) = decode_message(
            &fvm_ipld_encoding::to_vec(&msg).map_err(|e| DriveError(e.to_string()))?,
        )
        .map_err(DriveError)?;
        let ret = self
            .exec
            .execute_message(decoded, ApplyKind::Explicit, raw_length)
            .map_err(|e| DriveError(e.to_string()))?;
        let sequence = self.sequence_of(&msg.from)?;
        self.nonces.insert(msg.from, sequence);
        self.messages.push(msg);
        self.last_failure = ret.failure_info.map(|f| f.to_string());
        Ok(ret.msg_receipt)
    }

    /// Builds and applies a message with the defaults; returns its receipt.
    pub fn send(
        &mut self,
        from: Address,
        to: Address,
        value: TokenAmount,
        method: MethodNum,
        params: Vec<u8>,
    ) -> Result<Receipt, DriveError> {
        let msg = self.message(from, to, value, method, params);
        self.apply(msg)
    }

    /// The current sequence of the actor at `addr` (0 if it does not exist).
    fn sequence_of(&self, addr: &Address) -> Result<u64, DriveError> {
        let tree = self.exec.machine().state_tree();
        let err = |e: ifvm_kernel::ExecutionError| DriveError(e.to_string());
        Ok(match tree.lookup_id(addr).map_err(err)? {
            Some(id) => tree.get_actor(id).map_err(err)?.map_or(0, |a| a.sequence),
            None => 0,
        })
    }

    /// Why the last message failed, if it did (ifvm's backtrace): context for scenario errors.
    pub fn last_failure(&self) -> Option<&str> {
        self.last_failure.as_deref()
    }

    /// The recorded messages.
    pub fn into_messages(self) -> Vec<Message> {
        self.messages
    }
}

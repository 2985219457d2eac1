//! Execution traces: what happened while a message ran, in order, as ref-fvm reports it in
//! `ApplyRet::exec_trace`. Nodes build `StateReplay`/`StateCompute` output, Ethereum `trace_*`
//! results and gas estimation on it, so its events, their order and their content are
//! ref-fvm's (3.14 for [`Abi::V3`](crate::Abi::V3), 4.8 for [`Abi::V4`](crate::Abi::V4)):
//!
//! - with `MachineContext::tracing` on: every gas charge ([`ExecutionEvent::GasCharge`]), and
//!   for every send that invokes a method, [`Call`](ExecutionEvent::Call) before it and
//!   [`CallReturn`](ExecutionEvent::CallReturn) or [`CallError`](ExecutionEvent::CallError)
//!   after it, and [`InvokeActor`](ExecutionEvent::InvokeActor) when the receiver exists
//!   (ref-fvm 3 also records it for implicit account constructors);
//! - whether or not tracing is on, as ref-fvm 4 does: [`Ipld`](ExecutionEvent::Ipld) for every
//!   block opened from or written to the state store (ref-fvm 4 only), and
//!   [`Log`](ExecutionEvent::Log) for every actor debug log (only when actor debugging is on;
//!   ref-fvm 3 prints those instead, ifvm records them in both ABIs and never prints).
//!
//! Recording costs nothing on the charge path: events remember how many charges preceded them
//! ([`TraceRecorder`]) and are merged with the gas tracker's charges when the message ends, so
//! charges keep their times when timing is on.

use std::time::Duration;

use cid::Cid;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};
use ifvm_gas::timing::TimedTrace;
use ifvm_gas::GasCharge;

use crate::blocks::Block;
use crate::error::SyscallError;
use crate::state_tree::ActorState;

/// A message's execution trace, in order.
pub type ExecutionTrace = Vec<ExecutionEvent>;

/// What an [`ExecutionEvent::Ipld`] did with a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpldOperation {
    /// Opened (read) from the state store.
    Get,
    /// Written (linked) to the state store.
    Put,
}

/// One thing that happened while a message ran (ref-fvm's `ExecutionEvent`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutionEvent {
    /// Gas was charged (whether or not it fitted in the limit).
    GasCharge {
        /// The charge.
        charge: GasCharge,
        /// The time of the work it paid for, when the machine times charges
        /// (`MachineContext::timing`); never consensus.
        elapsed: Option<Duration>,
    },
    /// A send to `to` invoking `method` is about to run (recorded even if it then fails).
    Call {
        /// The sender.
        from: ActorID,
        /// The receiver, as the sender addressed it.
        to: Address,
        /// The method.
        method: MethodNum,
        /// The parameters.
        params: Option<IpldBlock>,
        /// The value sent.
        value: TokenAmount,
        /// The gas the call may use: the smaller of its own limit and what is available, in
        /// whole gas rounded up.
        gas_limit: u64,
        /// Whether the call is read-only.
        read_only: bool,
    },
    /// The call ran to an exit code (out of gas included) and returned `value`.
    CallReturn {
        /// The exit code.
        exit_code: ExitCode,
        /// The returned block.
        value: Option<IpldBlock>,
    },
    /// The call failed with a syscall error (a fatal error shows as `Forbidden`, "fatal").
    CallError(SyscallError),
    /// The receiver `id` exists and is invoked; `state` is its state before the call.
    InvokeActor {
        /// The receiver's ID.
        id: ActorID,
        /// Its state.
        state: ActorState,
    },
    /// An actor debug log line.
    Log(String),
    /// A block was read from or written to the state store (ref-fvm 4).
    Ipld {
        /// Read or written.
        op: IpldOperation,
        /// The block's CID.
        cid: Cid,
        /// Its size in bytes.
        size: usize,
    },
}

impl ExecutionEvent {
    /// The event with its time removed (consensus content only), for comparisons.
    pub fn without_elapsed(mut self) -> Self {
        if let Self::GasCharge { elapsed, .. } = &mut self {
            *elapsed = None;
        }
        self
    }
}

/// A block as a trace shows it.
pub(crate) fn traced_block(block: &Block) -> IpldBlock {
    IpldBlock {
        codec: block.codec(),
        data: block.data().to_vec(),
    }
}

/// The events of one message other than gas charges, each with the number of charges made
/// before it.
#[derive(Debug, Default)]
pub(crate) struct TraceRecorder {
    events: Vec<(usize, ExecutionEvent)>,
}

impl TraceRecorder {
    /// Records `event`, made after the first `charges_before` charges.
    pub(crate) fn record(&mut self, charges_before: usize, event: ExecutionEvent) {
        self.events.push((charges_before, event));
    }

    /// The whole trace: the recorded events with `charges` (and their times) in between.
    pub(crate) fn finish(self, charges: TimedTrace) -> ExecutionTrace {
        let mut elapsed = charges.elapsed.into_iter();
        let mut charges = charges.charges.into_iter().map(|charge| {
            let elapsed = elapsed.next().flatten();
            ExecutionEvent::GasCharge { charge, elapsed }
        });
        let mut trace = Vec::with_capacity(self.events.len() + charges.len());
        let mut merged = 0;
        for (before, event) in self.events {
            trace.extend(charges.by_ref().take(before - merged));
            merged = merged.max(before);
            trace.push(event);
        }
        trace.extend(charges);
        trace
    }
}

#[cfg(test)]
mod tests {
    use ifvm_gas::Gas;

    use super::*;

    fn charge(name: &'static str) -> GasCharge {
        GasCharge::new(name, Gas::new(1), Gas::ZERO)
    }

    #[test]
    fn events_are_merged_between_the_charges_before_them() {
        let mut r = TraceRecorder::default();
        r.record(0, ExecutionEvent::Log("first".into()));
        r.record(2, ExecutionEvent::Log("after two".into()));
        r.record(2, ExecutionEvent::Log("still after two".into()));
        let trace = r.finish(TimedTrace {
            charges: vec![charge("a"), charge("b"), charge("c")],
            elapsed: vec![None, Some(Duration::from_nanos(5)), None],
        });
        let shape: Vec<String> = trace
            .iter()
            .map(|e| match e {
                ExecutionEvent::GasCharge { charge, elapsed } => {
                    format!("{}:{}", charge.name, elapsed.map_or(0, |d| d.as_nanos()))
                }
                ExecutionEvent::Log(s) => s.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            shape,
            ["first", "a:0", "b:5", "after two", "still after two", "c:0"]
        );
    }

    #[test]
    fn without_elapsed_keeps_the_charge() {
        let timed = ExecutionEvent::GasCharge {
            charge: charge("a"),
            elapsed: Some(Duration::from_nanos(3)),
        };
        assert_eq!(
            timed.without_elapsed(),
            ExecutionEvent::GasCharge {
                charge: charge("a"),
                elapsed: None
            }
        );
    }
}

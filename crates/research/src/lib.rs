//! Gas-model research on ifvm: how well the price list predicts time on this engine. None of it
//! is a conformance run, and none of it changes a consensus result: timings are only written
//! into traces, instruction counting adds no metered instruction, and re-pricing is an explicit,
//! labelled non-consensus mode.
//!
//! - [`observe`]: running messages with timed gas traces, instruction profiles or another
//!   network version's prices;
//! - [`trace_report`]: rendering what a run saw (text, JSON, CSV);
//! - [`reprice`]: re-pricing whole corpora;
//! - [`calibrate`]: fitting time against gas per charge type, with plots.

pub mod calibrate;
pub mod observe;
pub mod reprice;
pub mod trace_report;

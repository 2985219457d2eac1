//! Differential tests against ref-fvm, in one test binary (ref-fvm is linked once): every
//! scenario runs on ifvm and on ref-fvm and must give identical exit codes, return data, gas,
//! events and state roots. Nothing is hard-coded: ref-fvm is the expected result.
//!
//! - [`syscalls_v2`], [`syscalls_v3`], [`syscalls_v4`]: WAT test actors on syscalls' success
//!   and error paths, for each ABI;
//! - [`executor_v3`]: message application (pre-validation, sends, malformed code);
//! - [`machine_defaults`]: a machine context's defaults;
//! - [`upgrade_actor_v4`]: `actor::upgrade_actor`, against ref-fvm 4.8's semantics;
//! - [`generated`]: named scenarios and seeded random traffic on genesis-like networks, per ABI;
//! - [`corpus_traces`]: the Hygge corpus on ref-fvm 3.14;
//! - [`corpus_v2`]: the Shark corpus on ref-fvm 2.12;
//! - [`simulation`]: the simulated chain, tipset by tipset, on ref-fvm 4.8, and tipset vectors
//!   from it;
//! - [`limits`]: every protocol limit at its edge, and an actor pushing them all at once;
//! - [`syscall_fuzz`], [`mutation`]: the bounded runs of the syscall and mutation campaigns.
//!
//! Every comparison includes the execution traces, event by event (both engines trace).
//!
//! The ifvm-against-ref-fvm comparisons go through [`harness`] (`machine_defaults` compares
//! configurations, not runs).

mod corpus_traces;
mod corpus_v2;
mod executor_v3;
mod generated;
mod harness;
mod limits;
mod machine_defaults;
mod mutation;
mod simulation;
mod syscall_fuzz;
mod syscalls_v2;
mod syscalls_v3;
mod syscalls_v4;
mod upgrade_actor_v4;

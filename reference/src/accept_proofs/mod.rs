//! Kernels of the reference FVMs that charge for proof verification and accept every proof, as
//! ref-fvm's conformance runner does (ref-fvm 2's is in [`crate::v2`]).

pub mod v3;
pub mod v4;

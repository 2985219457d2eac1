//! The vectors on ifvm, in one test binary: the conformance corpus ([`corpus`]), the project's
//! generated vectors ([`generated`]), the corpus in a process that cannot map executable
//! memory ([`no_exec_memory`]), and every builtin actor's imports ([`builtin_actors`]);
//! [`common`] runs a directory of vectors.

mod builtin_actors;
mod common;
mod corpus;
mod generated;
mod no_exec_memory;

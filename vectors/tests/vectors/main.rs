//! The vectors on ifvm, in one test binary: the conformance corpus ([`corpus`]), the project's
//! generated vectors ([`generated`]), the corpus in a process that cannot map executable
//! memory ([`no_exec_memory`]), every builtin actor's imports ([`builtin_actors`]), the
//! native stack the deepest message needs ([`native_stack`]), the tipset vectors
//! ([`tipsets`]) and broken bundles and blockstores ([`broken_inputs`]); [`common`] runs a
//! directory of vectors.

mod broken_inputs;
mod builtin_actors;
mod common;
mod corpus;
mod generated;
mod machine_options;
mod native_stack;
mod no_exec_memory;
mod tipsets;

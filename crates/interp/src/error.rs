//! How an invocation fails.

use alloc::string::String;

/// A Wasm trap: the guest did something the Wasm semantics forbid. ref-fvm ends the actor with
/// `SYS_ILLEGAL_INSTRUCTION` for every one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TrapKind {
    /// `unreachable` executed; this includes the instrumented stack limiter tripping.
    #[error("wasm `unreachable` instruction executed")]
    Unreachable,
    /// A load, store or bulk memory operation out of bounds.
    #[error("out of bounds memory access")]
    MemoryOutOfBounds,
    /// A table access out of bounds.
    #[error("out of bounds table access")]
    TableOutOfBounds,
    /// `call_indirect` on a null table entry.
    #[error("indirect call to null")]
    IndirectCallToNull,
    /// `call_indirect` with a mismatched signature.
    #[error("indirect call type mismatch")]
    BadSignature,
    /// Signed division overflow.
    #[error("integer overflow")]
    IntegerOverflow,
    /// Integer division or remainder by zero.
    #[error("integer divide by zero")]
    IntegerDivisionByZero,
    /// A float-to-int truncation of NaN or an out-of-range value.
    #[error("invalid conversion to integer")]
    BadConversionToInteger,
    /// The interpreter's own stack limit (set far above the instrumented one).
    #[error("call stack exhausted")]
    StackOverflow,
}

/// A failure that is not the guest's doing: the module or the host broke an invariant. ref-fvm
/// treats these as fatal (`SYS_ASSERTION_FAILED`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FatalError {
    /// An import is neither the gas counter nor a defined host function, or has the wrong type.
    #[error("failed to link actor module: import {module}::{name}: {reason}")]
    Link {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
        /// Why it does not link.
        reason: &'static str,
    },
    /// The module does not export its memory as `memory`.
    #[error("actor has no memory export")]
    NoMemoryExport,
    /// The module lacks the export to call, or it has the wrong type.
    #[error("actor has no export {0} of the expected type")]
    MissingExport(String),
    /// The instance was called before instantiation, or instantiated twice.
    #[error("invocation used out of order: {0}")]
    Sequence(&'static str),
    /// An engine error that is neither a trap nor a host abort.
    #[error("wasm engine error: {0}")]
    Engine(String),
}

/// How calling into an instance (or instantiating it) failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError<A> {
    /// Gas ran out, in Wasm or in a host charge.
    #[error("out of gas")]
    OutOfGas,
    /// The guest trapped.
    #[error("trap: {0}")]
    Trap(TrapKind),
    /// Instantiation failed: memory or table limits, or a trap in data or element
    /// initialization or the start function. ref-fvm gives `SYS_ILLEGAL_INSTRUCTION`.
    #[error("failed to instantiate module: {0}")]
    Instantiation(String),
    /// A host function unwound the guest with this abort.
    #[error("host abort: {0}")]
    Host(A),
    /// See [`FatalError`].
    #[error(transparent)]
    Fatal(#[from] FatalError),
}

impl TrapKind {
    pub(crate) fn from_wasmi(code: wasmi::TrapCode) -> Option<Self> {
        use wasmi::TrapCode as C;
        Some(match code {
            C::UnreachableCodeReached => Self::Unreachable,
            C::MemoryOutOfBounds => Self::MemoryOutOfBounds,
            C::TableOutOfBounds => Self::TableOutOfBounds,
            C::IndirectCallToNull => Self::IndirectCallToNull,
            C::BadSignature => Self::BadSignature,
            C::IntegerOverflow => Self::IntegerOverflow,
            C::IntegerDivisionByZero => Self::IntegerDivisionByZero,
            C::BadConversionToInteger => Self::BadConversionToInteger,
            C::StackOverflow => Self::StackOverflow,
            // Fuel is off and the limiter never asks for traps; running out of host memory is
            // not the guest's doing.
            C::OutOfFuel | C::GrowthOperationLimited | C::OutOfSystemMemory => return None,
        })
    }
}

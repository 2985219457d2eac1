//! Errors: what a syscall or kernel operation returns, and how an invocation aborts.

use std::fmt;

use fvm_shared::error::{ErrorNumber, ExitCode};

use crate::blocks::BlockId;

/// The result of a kernel operation.
pub type Result<T> = std::result::Result<T, ExecutionError>;

/// How a kernel operation fails.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    /// Gas ran out: the current call aborts with `SYS_OUT_OF_GAS`.
    #[error("out of gas")]
    OutOfGas,
    /// A recoverable error, returned to the actor as an error number.
    #[error(transparent)]
    Syscall(#[from] SyscallError),
    /// A broken invariant or unavailable state: the message fails with `SYS_ASSERTION_FAILED`.
    #[error(transparent)]
    Fatal(#[from] Fatal),
}

/// A syscall error: an error number for the actor, and a message for the backtrace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({number})")]
pub struct SyscallError {
    /// Why.
    pub message: String,
    /// The error number the actor sees.
    pub number: ErrorNumber,
}

impl SyscallError {
    /// A syscall error with the given number.
    pub fn new(number: ErrorNumber, message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            number,
        }
    }
}

/// A fatal error, with the context it happened in.
#[derive(Debug, thiserror::Error)]
#[error("{context}{}", .source.as_ref().map(|s| format!(": {s}")).unwrap_or_default())]
pub struct Fatal {
    /// What was being done.
    pub context: String,
    /// The underlying error, if any.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Fatal {
    /// A fatal error without an underlying cause.
    pub fn msg(context: impl fmt::Display) -> Self {
        Self {
            context: context.to_string(),
            source: None,
        }
    }

    /// A fatal error caused by `source`.
    pub fn with_source(
        context: impl fmt::Display,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            context: context.to_string(),
            source: Some(source.into()),
        }
    }
}

/// Shorthand for a [`SyscallError`] as an [`ExecutionError`]:
/// `syscall_error!(NotFound; "actor {} not found", id)`.
#[macro_export]
macro_rules! syscall_error {
    ($number:ident; $($fmt:tt)+) => {
        $crate::error::ExecutionError::Syscall($crate::error::SyscallError::new(
            fvm_shared::error::ErrorNumber::$number,
            format_args!($($fmt)+),
        ))
    };
}

/// Converting foreign errors into kernel errors, with context.
pub trait Classify<T> {
    /// Any error is fatal, in `context`.
    fn or_fatal(self, context: &str) -> Result<T>;
    /// Any error is a syscall error with `number`.
    fn or_error(self, number: ErrorNumber) -> Result<T>;
    /// Any error is an `IllegalArgument` syscall error.
    fn or_illegal_argument(self) -> Result<T>
    where
        Self: Sized,
    {
        self.or_error(ErrorNumber::IllegalArgument)
    }
}

impl<T, E: fmt::Display> Classify<T> for std::result::Result<T, E> {
    fn or_fatal(self, context: &str) -> Result<T> {
        self.map_err(|e| Fatal::with_source(context, e.to_string()).into())
    }

    fn or_error(self, number: ErrorNumber) -> Result<T> {
        self.map_err(|e| SyscallError::new(number, e).into())
    }
}

/// Why an actor invocation ended early (ref-fvm's `Abort`).
#[derive(Debug)]
pub enum Abort {
    /// The actor exited with this code, message and return block.
    Exit(ExitCode, String, BlockId),
    /// Gas ran out.
    OutOfGas,
    /// A fatal error.
    Fatal(Fatal),
}

impl fmt::Display for Abort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Abort::Exit(code, msg, _) => write!(f, "exit with code {code} ({msg})"),
            Abort::OutOfGas => f.write_str("out of gas"),
            Abort::Fatal(e) => write!(f, "fatal error: {e}"),
        }
    }
}

impl Abort {
    /// An execution error as an abort, escalating syscall errors to fatal ones.
    pub fn from_error_as_fatal(e: ExecutionError) -> Self {
        match e {
            ExecutionError::OutOfGas => Abort::OutOfGas,
            ExecutionError::Fatal(f) => Abort::Fatal(f),
            ExecutionError::Syscall(s) => {
                Abort::Fatal(Fatal::msg(format!("unexpected syscall error: {s}")))
            }
        }
    }
}

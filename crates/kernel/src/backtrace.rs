//! Backtraces of failed messages: which calls failed, and the syscall error that started it.

use std::fmt;

use fvm_shared::address::Address;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::{ActorID, MethodNum};

/// The frames of a failed call chain (innermost first) and its cause.
#[derive(Debug, Default, Clone)]
pub struct Backtrace {
    /// Failed calls, innermost first.
    pub frames: Vec<Frame>,
    /// What started the failure.
    pub cause: Option<Cause>,
}

impl Backtrace {
    /// True with no frames and no cause.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.cause.is_none()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.cause = None;
    }

    /// Starts a new backtrace from `cause`.
    pub fn begin(&mut self, cause: Cause) {
        self.cause = Some(cause);
        self.frames.clear();
    }

    /// Sets the cause, keeping frames.
    pub fn set_cause(&mut self, cause: Cause) {
        self.cause = Some(cause);
    }

    /// Adds a failed call.
    pub fn push_frame(&mut self, frame: Frame) {
        self.frames.push(frame)
    }
}

impl fmt::Display for Backtrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, frame) in self.frames.iter().rev().enumerate() {
            writeln!(f, "{i:02}: {frame}")?;
        }
        if let Some(cause) = &self.cause {
            writeln!(f, "--> caused by: {cause}")?;
        }
        Ok(())
    }
}

/// One failed call.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The actor that failed.
    pub source: ActorID,
    /// The method it was running.
    pub method: MethodNum,
    /// Its exit code.
    pub code: ExitCode,
    /// Its message.
    pub message: String,
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (method {}) -- {} ({})",
            Address::new_id(self.source),
            self.method,
            self.message,
            self.code
        )
    }
}

/// What started a failure.
#[derive(Clone, Debug)]
pub enum Cause {
    /// A syscall returned an error.
    Syscall {
        /// Syscall module.
        module: &'static str,
        /// Syscall name.
        function: &'static str,
        /// Error number.
        error: ErrorNumber,
        /// Message.
        message: String,
    },
    /// A fatal error.
    Fatal(String),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Syscall {
                module,
                function,
                error,
                message,
            } => write!(
                f,
                "{module}::{function} -- {message} ({}: {error})",
                *error as u32
            ),
            Cause::Fatal(msg) => write!(f, "[FATAL] {msg}"),
        }
    }
}

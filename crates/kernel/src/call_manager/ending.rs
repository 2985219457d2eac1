//! How a call ends: the block it returned, and for an aborted call its exit code, the message
//! of its backtrace frame and the result its caller sees (an exit code, or an error that
//! unwinds the stack: out of gas, fatal).

use fvm_shared::error::{ErrorNumber, ExitCode};
use ifvm_interp::{CallError, LastError};

use super::InvocationResult;
use crate::backtrace::Cause;
use crate::blocks::{Block, BlockId, BlockRegistry, NO_DATA_BLOCK_ID};
use crate::error::{Abort, ExecutionError, Fatal, Result};

/// How an aborted call ended.
pub(super) struct Ending {
    /// The exit code its backtrace frame records.
    pub code: ExitCode,
    /// The message of its backtrace frame.
    pub message: String,
    /// What its caller sees.
    pub result: Result<InvocationResult>,
}

/// The block a call returned (handle `id` in `blocks`; none for [`NO_DATA_BLOCK_ID`]); a
/// missing block is the exit code `SYS_MISSING_RETURN`.
pub(super) fn returned_block(
    blocks: &BlockRegistry,
    id: BlockId,
) -> std::result::Result<Option<Block>, Abort> {
    match id {
        NO_DATA_BLOCK_ID => Ok(None),
        id => blocks.get(id).map(|b| Some(b.clone())).map_err(|_| {
            Abort::Exit(
                ExitCode::SYS_MISSING_RETURN,
                "returned block does not exist".into(),
                NO_DATA_BLOCK_ID,
            )
        }),
    }
}

/// How `abort` ends a call whose blocks are `blocks`.
pub(super) fn ending_of(abort: Abort, blocks: &BlockRegistry) -> Ending {
    let exit = |code: ExitCode, message: String, value: Option<Block>| Ending {
        code,
        message,
        result: Ok(InvocationResult {
            exit_code: code,
            value,
        }),
    };
    match abort {
        Abort::Exit(code, message, NO_DATA_BLOCK_ID) => exit(code, message, None),
        Abort::Exit(code, message, id) => match blocks.get(id) {
            Ok(block) => exit(code, message, Some(block.clone())),
            Err(_) => Ending {
                code: ExitCode::SYS_MISSING_RETURN,
                message: "error getting exit data block".to_string(),
                result: Err(Fatal::msg(format!("exit block {id} does not exist")).into()),
            },
        },
        Abort::OutOfGas => Ending {
            code: ExitCode::SYS_OUT_OF_GAS,
            message: "out of gas".to_string(),
            result: Err(ExecutionError::OutOfGas),
        },
        Abort::Fatal(e) => Ending {
            code: ExitCode::SYS_ASSERTION_FAILED,
            message: "fatal error".to_string(),
            result: Err(ExecutionError::Fatal(e)),
        },
    }
}

/// How a failed instantiation or call ends the actor.
pub(super) fn abort_of(e: CallError<Abort>) -> Abort {
    match e {
        CallError::OutOfGas => Abort::OutOfGas,
        CallError::Trap(kind) => Abort::Exit(
            ExitCode::SYS_ILLEGAL_INSTRUCTION,
            kind.to_string(),
            NO_DATA_BLOCK_ID,
        ),
        CallError::Instantiation(msg) => Abort::Exit(
            ExitCode::SYS_ILLEGAL_INSTRUCTION,
            format!("failed to instantiate module: {msg}"),
            NO_DATA_BLOCK_ID,
        ),
        CallError::Host(abort) => abort,
        CallError::Fatal(e) => Abort::Fatal(Fatal::with_source("wasm engine", e.to_string())),
    }
}

/// The backtrace cause of the last failed syscall.
pub(super) fn cause_of(e: LastError) -> Option<Cause> {
    Some(Cause::Syscall {
        module: e.module,
        function: e.name,
        error: error_number(e.code)?,
        message: e.message,
    })
}

/// The error number with value `code`.
fn error_number(code: u32) -> Option<ErrorNumber> {
    use ErrorNumber::*;
    Some(match code {
        1 => IllegalArgument,
        2 => IllegalOperation,
        3 => LimitExceeded,
        4 => AssertionFailed,
        5 => InsufficientFunds,
        6 => NotFound,
        7 => InvalidHandle,
        8 => IllegalCid,
        9 => IllegalCodec,
        10 => Serialization,
        11 => Forbidden,
        12 => BufferTooSmall,
        13 => ReadOnly,
        _ => return None,
    })
}

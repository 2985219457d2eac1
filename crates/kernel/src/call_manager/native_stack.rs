//! The native-stack guard. Each nested actor call recurses on the native stack (the kernel, the
//! call manager, a new invocation and wasmi's executor), as ref-fvm's do on Wasmtime. A thread
//! of [`MESSAGE_THREAD_STACK_SIZE`] bytes fits the protocol's deepest message (call depth 1024);
//! on a smaller thread, a message that nests too deep would overflow the stack and abort the
//! process. Before each nested call the guard checks what is left; if less than
//! [`NATIVE_STACK_RESERVE`] remains, the message stops with [`NativeStackExhausted`], which the
//! executor returns as an error instead of a receipt (no consensus result comes from a thread
//! that is too small). The guard charges no gas and changes no state: with stack enough, it is
//! invisible. It bounds the native stack between nested calls only; wasmi's dispatch within
//! one call does not recurse (see the README's "The native stack").

use super::{CallManager, Inner};
use crate::error::{Fatal, Result};
use crate::kernel::{Ext, Store};

/// The stack size, in bytes, of a thread that applies messages: enough for call depth 1024
/// with room to spare, in optimised and unoptimised builds (see the README's "The native
/// stack" for the measurement). ref-fvm's nodes give their threads 64 MiB too.
pub const MESSAGE_THREAD_STACK_SIZE: usize = 64 << 20;

/// The native stack, in bytes, that must remain before a nested call starts: more than one
/// nested call uses up to the next check (about 11 KiB optimised, 30 KiB unoptimised), plus the
/// deepest leaf a syscall reaches.
pub const NATIVE_STACK_RESERVE: usize = 256 << 10;

/// The native stack ran short: the thread applying the message is smaller than
/// [`MESSAGE_THREAD_STACK_SIZE`]. The message has no result; apply it on a larger thread.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "native stack nearly exhausted at call depth {depth}: {remaining} bytes left, less than \
     the {NATIVE_STACK_RESERVE} a nested call needs to start; the message has no result and \
     the executor is unusable: apply the message on a new executor, on a thread of \
     {MESSAGE_THREAD_STACK_SIZE} bytes"
)]
pub struct NativeStackExhausted {
    /// The call depth of the call that could not start.
    pub depth: u32,
    /// The native stack left, in bytes.
    pub remaining: usize,
}

impl<B: Store, E: Ext> CallManager<B, E> {
    /// Fails the message (a fatal error that unwinds every call, and a record that the
    /// executor turns into [`NativeStackExhausted`]) if the native stack is too short for
    /// another nested call. Where the platform does not say how much stack is left, it passes.
    pub(super) fn check_native_stack(&mut self) -> Result<()> {
        let Some(remaining) = stacker::remaining_stack() else {
            return Ok(());
        };
        if remaining >= NATIVE_STACK_RESERVE {
            return Ok(());
        }
        let exhausted = NativeStackExhausted {
            depth: self.call_stack_depth,
            remaining,
        };
        let fatal = Fatal::msg(exhausted.to_string());
        let inner: &mut Inner<B, E> = self;
        inner.native_stack_exhausted = Some(exhausted);
        Err(fatal.into())
    }
}

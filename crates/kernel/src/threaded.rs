//! An executor that applies every message on a thread of its own with the stack a message
//! needs ([`MESSAGE_THREAD_STACK_SIZE`]), whatever thread calls it: a node can apply messages
//! from ordinary threads. (ref-fvm's `ThreadedExecutor` runs them on a shared pool of 64 MiB
//! threads; this starts a thread per message, which costs microseconds against milliseconds.)

use std::ops::{Deref, DerefMut};

use fvm_shared::message::Message;

use crate::call_manager::MESSAGE_THREAD_STACK_SIZE;
use crate::executor::{ApplyKind, ApplyRet, Executor, ExecutorError};
use crate::kernel::{Ext, Store};

/// An [`Executor`] whose [`execute_message`](Self::execute_message) runs on a thread of
/// [`MESSAGE_THREAD_STACK_SIZE`]; everything else is the executor's (through `Deref`). The
/// blockstore and externs must be `Send`, so `execute_message` is always the threaded one.
pub struct ThreadedExecutor<B: Store + Send, E: Ext + Send>(Executor<B, E>);

impl<B: Store + Send, E: Ext + Send> ThreadedExecutor<B, E> {
    /// Wraps `executor`.
    pub fn new(executor: Executor<B, E>) -> Self {
        Self(executor)
    }

    /// The executor.
    pub fn into_inner(self) -> Executor<B, E> {
        self.0
    }

    /// [`Executor::execute_message`] on a new thread of [`MESSAGE_THREAD_STACK_SIZE`]; the
    /// caller's own stack does not matter. A thread that cannot be started is an
    /// [`ExecutorError::Thread`], and the message is not applied.
    pub fn execute_message(
        &mut self,
        msg: Message,
        kind: ApplyKind,
        raw_length: usize,
    ) -> Result<ApplyRet, ExecutorError> {
        let executor = &mut self.0;
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("ifvm-message".into())
                .stack_size(MESSAGE_THREAD_STACK_SIZE)
                .spawn_scoped(scope, move || {
                    executor.execute_message(msg, kind, raw_length)
                })
                .map_err(ExecutorError::Thread)?;
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

impl<B: Store + Send, E: Ext + Send> Deref for ThreadedExecutor<B, E> {
    type Target = Executor<B, E>;
    fn deref(&self) -> &Executor<B, E> {
        &self.0
    }
}

impl<B: Store + Send, E: Ext + Send> DerefMut for ThreadedExecutor<B, E> {
    fn deref_mut(&mut self) -> &mut Executor<B, E> {
        &mut self.0
    }
}

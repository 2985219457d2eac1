//! Host functions: the typed mechanism through which guests call the host.
//!
//! The convention is the FVM syscall ABI. A host function `f(Caller, A...) -> Result<R, _>`
//! becomes a Wasm import of type `(u32 out_ptr, A...) -> u32` (or `(A...) -> u32` when `R` is
//! zero-sized): on success `R` is written at `out_ptr` and 0 returned; on a
//! [`HostError::Status`] the non-zero code is returned; on a [`HostError::Abort`] the guest is
//! unwound. Around every call the gas handshake runs: Wasm gas consumed since the last
//! synchronization is charged to the host's tracker (`wasm_exec`, `wasm_memory_grow`), then the
//! host-call cost (`OnSyscall`), and afterwards the tracker's remaining gas is written back into
//! the guest's gas global.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::{Debug, Display};
use core::num::NonZeroU32;

use ifvm_gas::GasTracker;

use crate::invocation::{self, InvocationData};
use crate::{GuestMemory, InstructionProfile, MemoryLimiter};

/// What an invocation's host must provide: the gas tracker and memory limiter of the call stack
/// it runs in.
pub trait Host: Sized + Send + 'static {
    /// How a host function unwinds the guest (e.g. an explicit exit, or a fatal error).
    type Abort: Debug + Display + Send + Sync + 'static;

    /// The gas tracker all Wasm and host charges go to.
    fn gas_tracker(&mut self) -> &mut GasTracker;

    /// The memory limiter of the call stack.
    fn memory_limiter(&mut self) -> &mut MemoryLimiter;

    /// Receives the instructions a call into the guest executed, on an engine that profiles
    /// instructions (see [`crate::profile`]); called after every call, whatever its outcome.
    /// The default ignores them.
    fn record_instructions(&mut self, profile: &InstructionProfile) {
        let _ = profile;
    }
}

/// How a host function fails.
#[derive(Debug)]
pub enum HostError<A> {
    /// Return `code` to the guest as the call's status. `message` explains it (see
    /// [`LastError`]).
    Status {
        /// The non-zero status code.
        code: NonZeroU32,
        /// Why.
        message: String,
    },
    /// Unwind the guest.
    Abort(A),
}

/// The last host call that returned a non-zero status, kept until a later host call succeeds:
/// if the guest then aborts, this is likely why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastError {
    /// Import module of the host function.
    pub module: &'static str,
    /// Import name of the host function.
    pub name: &'static str,
    /// The status code returned.
    pub code: u32,
    /// The host's explanation.
    pub message: String,
}

/// A value a host function returns to the guest through its out-pointer, in the guest's
/// (little-endian, C) layout.
pub trait GuestValue {
    /// Bytes the value occupies in guest memory, padding included. Zero means "no out-pointer".
    const SIZE: usize;
    /// Writes the value into `out` (exactly `SIZE` bytes), padding zeroed.
    fn write_le(&self, out: &mut [u8]);
}

impl GuestValue for () {
    const SIZE: usize = 0;
    fn write_le(&self, _: &mut [u8]) {}
}

macro_rules! guest_value_int {
    ($($t:ty),*) => {$(
        impl GuestValue for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            fn write_le(&self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
guest_value_int!(u8, u32, u64, i32, i64);

impl<const N: usize> GuestValue for [u8; N] {
    const SIZE: usize = N;
    fn write_le(&self, out: &mut [u8]) {
        out.copy_from_slice(self);
    }
}

/// What a host function sees: its host, and the calling instance's memory.
pub struct Caller<'a, H> {
    /// The invocation's host.
    pub host: &'a mut H,
    /// The caller's linear memory (empty before the memory export is known).
    pub memory: GuestMemory<'a>,
}

pub(crate) type Factory<H> =
    Box<dyn Fn(&mut wasmi::Store<InvocationData<H>>) -> wasmi::Func + Send + Sync>;

/// A Wasm value type a host function's import takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `i32` (a Rust `u32` or `i32`).
    I32,
    /// `i64` (a Rust `u64` or `i64`).
    I64,
}

/// A parameter type a host function may take: `u32`, `i32`, `u64` or `i64`. Not implementable
/// elsewhere.
pub trait HostParam: wasmi::WasmTy + sealed::Param {
    /// Its Wasm type.
    const TYPE: ValueType;
}

macro_rules! host_param {
    ($($t:ty => $v:ident),*) => {$(
        impl sealed::Param for $t {}
        impl HostParam for $t {
            const TYPE: ValueType = ValueType::$v;
        }
    )*};
}
host_param!(u32 => I32, i32 => I32, u64 => I64, i64 => I64);

/// The import a defined host function satisfies: `module::name` with Wasm parameters `params`
/// (the out-pointer first, for a function returning a value) and one `i32` result (the status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostImport {
    /// Import module.
    pub module: &'static str,
    /// Import name.
    pub name: &'static str,
    /// Wasm parameter types, in order.
    pub params: Vec<ValueType>,
}

/// A defined host function: how to make it in a store, and its Wasm parameters.
struct Defined<H> {
    factory: Factory<H>,
    params: Vec<ValueType>,
}

/// A set of host functions, defined once and linked into every instance that imports them.
pub struct HostFunctions<H: Host> {
    out_of_bounds_status: NonZeroU32,
    funcs: BTreeMap<&'static str, BTreeMap<&'static str, Defined<H>>>,
}

impl<H: Host> HostFunctions<H> {
    /// An empty set. `out_of_bounds_status` is returned (without calling the function) when the
    /// guest's out-pointer leaves no room for the result.
    pub fn new(out_of_bounds_status: NonZeroU32) -> Self {
        Self {
            out_of_bounds_status,
            funcs: BTreeMap::new(),
        }
    }

    /// Defines `module::name` (replacing any earlier definition).
    pub fn define<Args, F: HostFn<H, Args>>(
        &mut self,
        module: &'static str,
        name: &'static str,
        f: F,
    ) -> &mut Self {
        let defined = Defined {
            factory: f.into_factory(module, name, self.out_of_bounds_status),
            params: F::wasm_params(),
        };
        self.funcs.entry(module).or_default().insert(name, defined);
        self
    }

    /// True if `module::name` is defined.
    pub fn defines(&self, module: &str, name: &str) -> bool {
        self.get(module, name).is_some()
    }

    /// Every defined function's import, ordered by module, then name.
    pub fn imports(&self) -> Vec<HostImport> {
        self.funcs
            .iter()
            .flat_map(|(&module, names)| {
                names.iter().map(move |(&name, d)| HostImport {
                    module,
                    name,
                    params: d.params.clone(),
                })
            })
            .collect()
    }

    pub(crate) fn get(&self, module: &str, name: &str) -> Option<&Factory<H>> {
        Some(&self.funcs.get(module)?.get(name)?.factory)
    }
}

/// A Rust function usable as a host function: `Fn(Caller<H>, A...) -> Result<R, HostError<_>>`
/// with up to eight [`HostParam`] parameters and `R:` [`GuestValue`]. Implemented for
/// every such function; not implementable elsewhere.
pub trait HostFn<H: Host, Args>: sealed::IntoFactory<H, Args> {}

impl<H: Host, Args, T: sealed::IntoFactory<H, Args>> HostFn<H, Args> for T {}

mod sealed {
    use super::*;

    pub trait Param {}

    pub trait IntoFactory<H: Host, Args>: Send + Sync + 'static {
        /// The Wasm parameters of the import (the out-pointer first if it returns a value).
        fn wasm_params() -> Vec<ValueType>;

        /// Wraps the function with the calling convention and gas handshake.
        fn into_factory(
            self,
            module: &'static str,
            name: &'static str,
            oob: NonZeroU32,
        ) -> Factory<H>;
    }
}

/// Records the outcome of a host function and turns it into the status returned to the guest.
fn finish<H: Host>(
    data: &mut InvocationData<H>,
    module: &'static str,
    name: &'static str,
    outcome: Result<(), HostError<H::Abort>>,
) -> Result<u32, wasmi::Error> {
    match outcome {
        Ok(()) => {
            data.last_error = None;
            Ok(0)
        }
        Err(HostError::Status { code, message }) => {
            data.last_error = Some(LastError {
                module,
                name,
                code: code.get(),
                message,
            });
            Ok(code.get())
        }
        Err(HostError::Abort(a)) => Err(invocation::unwind_host(a)),
    }
}

macro_rules! impl_host_fn {
    ($($t:ident)*) => {
        #[allow(non_snake_case)]
        impl<H, HF, R, $($t,)*> sealed::IntoFactory<H, ($($t,)*)> for HF
        where
            H: Host,
            HF: Fn(Caller<'_, H> $(, $t)*) -> Result<R, HostError<H::Abort>> + Clone + Send + Sync + 'static,
            R: GuestValue + 'static,
            $($t: HostParam,)*
        {
            fn wasm_params() -> Vec<ValueType> {
                let out = (R::SIZE != 0).then_some(ValueType::I32);
                out.into_iter().chain([$($t::TYPE),*]).collect()
            }

            fn into_factory(self, module: &'static str, name: &'static str, oob: NonZeroU32) -> Factory<H> {
                Box::new(move |store: &mut wasmi::Store<InvocationData<H>>| {
                    let f = self.clone();
                    if R::SIZE == 0 {
                        wasmi::Func::wrap(store, move |mut caller: wasmi::Caller<'_, InvocationData<H>> $(, $t: $t)*| -> Result<u32, wasmi::Error> {
                            invocation::enter_host(&mut caller)?;
                            let (mem, data) = invocation::memory_and_data(&mut caller);
                            let out = f(Caller { host: &mut data.host, memory: GuestMemory::new(mem) } $(, $t)*);
                            let status = finish(data, module, name, out.map(|_| ()));
                            invocation::leave_host(&mut caller)?;
                            status
                        })
                    } else {
                        wasmi::Func::wrap(store, move |mut caller: wasmi::Caller<'_, InvocationData<H>>, ret: u32 $(, $t: $t)*| -> Result<u32, wasmi::Error> {
                            invocation::enter_host(&mut caller)?;
                            let (mem, data) = invocation::memory_and_data(&mut caller);
                            let start = ret as usize;
                            if u64::from(ret) + R::SIZE as u64 > mem.len() as u64 {
                                // As ref-fvm: fail before calling, and without writing the gas
                                // back to the guest.
                                data.last_error = Some(LastError {
                                    module,
                                    name,
                                    code: oob.get(),
                                    message: "no space for return value".to_string(),
                                });
                                // The guest resumes (for timed traces; no effect on gas).
                                data.host.gas_tracker().guest_resumed();
                                return Ok(oob.get());
                            }
                            let out = f(Caller { host: &mut data.host, memory: GuestMemory::new(&mut *mem) } $(, $t)*);
                            let out = out.map(|v| v.write_le(&mut mem[start..start + R::SIZE]));
                            let status = finish(data, module, name, out);
                            invocation::leave_host(&mut caller)?;
                            status
                        })
                    }
                })
            }
        }
    };
}

impl_host_fn!();
impl_host_fn!(A1);
impl_host_fn!(A1 A2);
impl_host_fn!(A1 A2 A3);
impl_host_fn!(A1 A2 A3 A4);
impl_host_fn!(A1 A2 A3 A4 A5);
impl_host_fn!(A1 A2 A3 A4 A5 A6);
impl_host_fn!(A1 A2 A3 A4 A5 A6 A7);
impl_host_fn!(A1 A2 A3 A4 A5 A6 A7 A8);

//! One instance in its own store: instantiation, calls, and the gas handshake.

use alloc::format;
use alloc::string::ToString;
use core::fmt;

use ifvm_gas::{Gas, Metering, Span, WasmGasPrices};

use crate::{
    CallError, Engine, FatalError, Host, HostFunctions, InstructionClass, InstructionProfile,
    LastError, PreparedModule, TrapKind,
};

/// Wasmtime's default limit on the tables of one store, which ref-fvm 2 (no resource limiter)
/// leaves in force.
const WASMTIME_DEFAULT_TABLE_LIMIT: usize = 10_000;

/// The store data of an invocation.
#[doc(hidden)]
pub struct InvocationData<H> {
    pub(crate) host: H,
    pub(crate) memory: Option<wasmi::Memory>,
    pub(crate) last_error: Option<LastError>,
    gas_global: Option<wasmi::Global>,
    /// The guest's gas global (milligas) when gas was last synchronized: written into it, or
    /// (under [`ifvm_gas::Metering::records_global_on_exec_charge`]) read from it.
    last_gas_global: i64,
    /// Memory in use when gas was last synchronized.
    last_memory_bytes: usize,
    prices: WasmGasPrices,
    max_instance_memory: usize,
    max_table_elements: usize,
    /// Tables per store: 1 under ref-fvm 3 and 4's pooling allocator, Wasmtime's default store
    /// limit (10,000) under ref-fvm 2.
    max_tables: usize,
}

/// How the guest is being unwound, carried through wasmi as a host error.
enum Unwind<A> {
    OutOfGas,
    Host(A),
    Fatal(FatalError),
}

struct UnwindError<A>(Unwind<A>);

impl<A: fmt::Display> fmt::Display for UnwindError<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Unwind::OutOfGas => f.write_str("out of gas"),
            Unwind::Host(a) => write!(f, "host abort: {a}"),
            Unwind::Fatal(e) => write!(f, "{e}"),
        }
    }
}

impl<A: fmt::Display> fmt::Debug for UnwindError<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<A: fmt::Debug + fmt::Display + Send + Sync + 'static> wasmi::errors::HostError
    for UnwindError<A>
{
}

fn unwind<H: Host>(u: Unwind<H::Abort>) -> wasmi::Error {
    wasmi::Error::host(UnwindError(u))
}

pub(crate) fn unwind_host<A: fmt::Debug + fmt::Display + Send + Sync + 'static>(
    a: A,
) -> wasmi::Error {
    wasmi::Error::host(UnwindError(Unwind::Host(a)))
}

impl<H: Host> wasmi::ResourceLimiter for InvocationData<H> {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        // Growth beyond the declared maximum fails without being accounted. Growth beyond the
        // per-instance maximum fails too, but only after the call stack's limiter has accounted
        // it, as in ref-fvm 3 and 4: Wasmtime asks ref-fvm's limiter first and only then finds
        // the pooling allocator's slot too small, and the limiter never hears of the failure.
        // The refused bytes count against the call stack until the call returns (and in the
        // `wasm_memory_grow` part of the next gas charge).
        if maximum.is_some_and(|m| desired > m) {
            return Ok(false);
        }
        let accounted = self
            .host
            .memory_limiter()
            .grow(desired.saturating_sub(current));
        Ok(accounted && desired <= self.max_instance_memory)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        if maximum.is_some_and(|m| desired > m) || desired > self.max_table_elements {
            return Ok(false);
        }
        let bytes = desired
            .saturating_sub(current)
            .saturating_mul(ifvm_gas::TABLE_ELEMENT_SIZE as usize);
        Ok(self.host.memory_limiter().grow(bytes))
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        self.max_tables
    }

    fn memories(&self) -> usize {
        1
    }
}

type Ctx<'a, H> = wasmi::StoreContextMut<'a, InvocationData<H>>;

/// Writes the tracker's available gas into the guest's gas global and records what was written
/// (ref-fvm's `update_gas_available`).
fn update_gas_available<H: Host>(mut ctx: Ctx<'_, H>) -> Result<(), Unwind<H::Abort>> {
    let data = ctx.data_mut();
    let available = data.host.gas_tracker().available();
    // The tracker caps its limit at i64::MAX milligas, so this always fits.
    let milligas = i64::try_from(available.as_milligas()).map_err(|_| {
        Unwind::Fatal(FatalError::Engine(
            "available milligas exceeds i64::MAX".into(),
        ))
    })?;
    let global = data
        .gas_global
        .ok_or(Unwind::Fatal(FatalError::Sequence("no gas global")))?;
    data.last_gas_global = milligas;
    data.last_memory_bytes = data.host.memory_limiter().used();
    global
        .set(&mut ctx, wasmi::Val::I64(milligas))
        .map_err(|e| Unwind::Fatal(FatalError::Engine(e.to_string())))
}

/// Charges the Wasm gas consumed since the last synchronization (ref-fvm's `charge_for_exec`):
/// the drop of the guest's gas global (all available gas plus the deficit if it went negative),
/// split into `wasm_exec` and, for memory grown meanwhile, `wasm_memory_grow`. In a timed trace
/// `wasm_exec` covers `exec_span` and `wasm_memory_grow` is untimed (its work is the guest's).
fn charge_for_exec<H: Host>(mut ctx: Ctx<'_, H>, exec_span: Span) -> Result<(), Unwind<H::Abort>> {
    let global = ctx
        .data()
        .gas_global
        .ok_or(Unwind::Fatal(FatalError::Sequence("no gas global")))?;
    let wasmi::Val::I64(available_wasm) = global.get(&ctx) else {
        return Err(Unwind::Fatal(FatalError::Engine(
            "gas global is not an i64".into(),
        )));
    };
    let data = ctx.data_mut();
    // All gas synchronized last, plus the deficit if the global went negative. Instrumented
    // code only subtracts from the global; a rise needs a guest that writes the gas global
    // itself, which no builtin actor does (nv17, whose ref-fvm would refund a rise, runs only
    // builtin actors), and is charged zero.
    let consumed = (i128::from(data.last_gas_global) - i128::from(available_wasm)).max(0);
    let mut exec = Gas::from_milligas(u64::try_from(consumed).unwrap_or(u64::MAX));
    if data.prices.metering().records_global_on_exec_charge() {
        data.last_gas_global = available_wasm;
    }
    let grown = data
        .host
        .memory_limiter()
        .used()
        .saturating_sub(data.last_memory_bytes);
    let mut memory = data.prices.grow_memory_gas(grown);
    if memory <= exec {
        exec -= memory;
    } else {
        memory = exec;
        exec = Gas::ZERO;
    }
    let tracker = data.host.gas_tracker();
    tracker
        .charge_gas_spanning("wasm_exec", exec, exec_span)
        .map_err(|_| Unwind::OutOfGas)?;
    if !memory.is_zero() {
        tracker
            .charge_gas_spanning("wasm_memory_grow", memory, Span::Untimed)
            .map_err(|_| Unwind::OutOfGas)?;
    }
    Ok(())
}

/// Start of every host call: charge Wasm execution, then the host-call cost.
pub(crate) fn enter_host<H: Host>(
    caller: &mut wasmi::Caller<'_, InvocationData<H>>,
) -> Result<(), wasmi::Error> {
    charge_for_exec(caller.as_context_mut(), Span::SinceGuestResumed).map_err(unwind::<H>)?;
    let data = caller.data_mut();
    let cost = data.prices.host_call_cost();
    data.host
        .gas_tracker()
        .charge_gas("OnSyscall", cost)
        .map_err(|_| unwind::<H>(Unwind::OutOfGas))
}

/// End of every host call: give the guest the gas that remains; the guest resumes.
pub(crate) fn leave_host<H: Host>(
    caller: &mut wasmi::Caller<'_, InvocationData<H>>,
) -> Result<(), wasmi::Error> {
    update_gas_available(caller.as_context_mut()).map_err(unwind::<H>)?;
    caller.data_mut().host.gas_tracker().guest_resumed();
    Ok(())
}

/// The caller's memory bytes (empty before the memory export is known) and the store data.
pub(crate) fn memory_and_data<'a, H: Host>(
    caller: &'a mut wasmi::Caller<'_, InvocationData<H>>,
) -> (&'a mut [u8], &'a mut InvocationData<H>) {
    match caller.data().memory {
        Some(memory) => memory.data_and_store_mut(caller),
        None => (&mut [], caller.data_mut()),
    }
}

/// One actor instance in its own store, with its host. Create with [`Invocation::new`], then
/// [`instantiate`](Self::instantiate) and [`call`](Self::call); take the host back with
/// [`into_parts`](Self::into_parts).
pub struct Invocation<H: Host> {
    store: wasmi::Store<InvocationData<H>>,
    instance: Option<wasmi::Instance>,
    /// The instruction counters of a profiled module, in [`InstructionClass::ALL`] order.
    counters: alloc::vec::Vec<wasmi::Global>,
}

impl<H: Host> Invocation<H> {
    /// A store for one instance, owning `host`.
    pub fn new(engine: &Engine, mut host: H) -> Self {
        let config = engine.config();
        let last_memory_bytes = host.memory_limiter().used();
        let data = InvocationData {
            host,
            memory: None,
            last_error: None,
            gas_global: None,
            last_gas_global: 0,
            last_memory_bytes,
            prices: config.wasm_prices.clone(),
            max_instance_memory: config.max_instance_memory_bytes,
            max_table_elements: config.max_table_elements as usize,
            max_tables: match config.wasm_prices.metering() {
                Metering::Fvm3 => 1,
                Metering::Fvm2 => WASMTIME_DEFAULT_TABLE_LIMIT,
            },
        };
        let mut store = wasmi::Store::new(engine.wasmi(), data);
        let global = wasmi::Global::new(&mut store, wasmi::Val::I64(0), wasmi::Mutability::Var);
        store.data_mut().gas_global = Some(global);
        store.limiter(|data| data as &mut dyn wasmi::ResourceLimiter);
        Self {
            store,
            instance: None,
            counters: alloc::vec::Vec::new(),
        }
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.store.data().host
    }

    /// The host, mutably.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.store.data_mut().host
    }

    /// The last host call that returned a non-zero status and was not followed by a successful
    /// one.
    pub fn last_error(&self) -> Option<&LastError> {
        self.store.data().last_error.as_ref()
    }

    /// Takes back the host, and the last host-call failure.
    pub fn into_parts(self) -> (H, Option<LastError>) {
        let data = self.store.into_data();
        (data.host, data.last_error)
    }

    /// Instantiates `module`, as ref-fvm does.
    ///
    /// Under ref-fvm 3 and 4 ([`Metering::charges_instantiation`]): charge the initial table
    /// (`wasm_table_init`) and memory (`wasm_memory_init`), link imports (the gas global and
    /// `funcs`), instantiate (running any start function), charge what that executed, and bind
    /// the `memory` export. In a timed trace, `wasm_memory_init` covers linking and
    /// instantiation (memory allocation, data segments, any start function) and this
    /// `wasm_exec` is untimed.
    ///
    /// Under ref-fvm 2: link and instantiate with nothing charged and the gas global at zero (so
    /// a start function that runs any priced instruction traps, failing instantiation), then
    /// bind the `memory` export. ref-fvm 2 treats every failure here as fatal; the caller maps
    /// [`CallError::Instantiation`] accordingly.
    pub fn instantiate(
        &mut self,
        module: &PreparedModule,
        funcs: &HostFunctions<H>,
    ) -> Result<(), CallError<H::Abort>> {
        if self.instance.is_some() {
            return Err(FatalError::Sequence("instantiated twice").into());
        }
        if !self.store.data().prices.metering().charges_instantiation() {
            return self.instantiate_uncharged(module, funcs);
        }
        let min_memory = module.min_memory_bytes.ok_or(FatalError::NoMemoryExport)?;
        let data = self.store.data_mut();
        let memory_gas = data.prices.init_memory_gas(min_memory);
        data.last_memory_bytes += min_memory;
        if let Some(elements) = module.min_table_elements {
            let table_gas = data.prices.init_table_gas(elements);
            data.host
                .gas_tracker()
                .charge_gas("wasm_table_init", table_gas)
                .map_err(|_| CallError::OutOfGas)?;
        }
        data.host
            .gas_tracker()
            .charge_gas("wasm_memory_init", memory_gas)
            .map_err(|_| CallError::OutOfGas)?;

        let imports = self.link(module, funcs)?;
        update_gas_available(self.store.as_context_mut()).map_err(from_unwind)?;
        let res = wasmi::Instance::new(&mut self.store, &module.module, &imports);
        charge_for_exec(self.store.as_context_mut(), Span::Untimed).map_err(from_unwind)?;
        let instance = res.map_err(|e| CallError::Instantiation(e.to_string()))?;
        self.bind_instance(module, instance)
    }

    /// ref-fvm 2's instantiation: nothing charged, the gas global left as created (zero), no
    /// gas synchronized afterwards (the next call overwrites the global).
    fn instantiate_uncharged(
        &mut self,
        module: &PreparedModule,
        funcs: &HostFunctions<H>,
    ) -> Result<(), CallError<H::Abort>> {
        let imports = self.link(module, funcs)?;
        let instance = wasmi::Instance::new(&mut self.store, &module.module, &imports)
            .map_err(|e| CallError::Instantiation(e.to_string()))?;
        // Memory accounting starts from what the instance holds now; ref-fvm 2 charges no
        // growth, so this only keeps the bookkeeping consistent.
        let data = self.store.data_mut();
        data.last_memory_bytes = data.host.memory_limiter().used();
        self.bind_instance(module, instance)
    }

    /// Binds the new instance's `memory` export (and instruction counters, if profiled).
    fn bind_instance(
        &mut self,
        module: &PreparedModule,
        instance: wasmi::Instance,
    ) -> Result<(), CallError<H::Abort>> {
        let memory = instance
            .get_memory(&self.store, "memory")
            .ok_or(FatalError::NoMemoryExport)?;
        if module.profiled {
            self.counters = InstructionClass::ALL
                .iter()
                .map(|c| instance.get_global(&self.store, c.export_name()))
                .collect::<Option<_>>()
                .ok_or(FatalError::Sequence("profiled module without counters"))?;
        }
        self.store.data_mut().memory = Some(memory);
        self.instance = Some(instance);
        Ok(())
    }

    fn link(
        &mut self,
        module: &PreparedModule,
        funcs: &HostFunctions<H>,
    ) -> Result<alloc::vec::Vec<wasmi::Extern>, FatalError> {
        let link_error = |import: &wasmi::ImportType<'_>, reason| FatalError::Link {
            module: import.module().to_string(),
            name: import.name().to_string(),
            reason,
        };
        let gas_global = self
            .store
            .data()
            .gas_global
            .ok_or(FatalError::Sequence("no gas global"))?;
        // The name the instrumenter gave the imported gas global.
        let gas_counter_name = self.store.data().prices.metering().gas_counter_name();
        let mut externs = alloc::vec::Vec::new();
        let internal = module.internal_imports;
        for (index, import) in module.module.imports().enumerate() {
            let ext = match import.ty() {
                wasmi::ExternType::Func(_) if Some(index) == internal.memory_grow => {
                    wasmi::Extern::Func(crate::growth::memory_grow(&mut self.store))
                }
                wasmi::ExternType::Func(_) if Some(index) == internal.table_grow => {
                    wasmi::Extern::Func(crate::growth::table_grow(&mut self.store))
                }
                wasmi::ExternType::Global(ty)
                    if import.module() == "gas" && import.name() == gas_counter_name =>
                {
                    if ty.content() != wasmi::ValType::I64
                        || ty.mutability() != wasmi::Mutability::Var
                    {
                        return Err(link_error(&import, "gas counter must be a mutable i64"));
                    }
                    wasmi::Extern::Global(gas_global)
                }
                wasmi::ExternType::Func(ty) => {
                    let factory = funcs
                        .get(import.module(), import.name())
                        .ok_or_else(|| link_error(&import, "undefined host function"))?;
                    let func = factory(&mut self.store);
                    if func.ty(&self.store) != *ty {
                        return Err(link_error(&import, "host function type mismatch"));
                    }
                    wasmi::Extern::Func(func)
                }
                _ => return Err(link_error(&import, "unsupported import")),
            };
            externs.push(ext);
        }
        Ok(externs)
    }

    /// Calls export `name` of type `(i32) -> i32` with `arg` (an actor's `invoke`): write the
    /// available gas into the guest, run, then charge what ran; running out of gas takes
    /// precedence over any other outcome.
    pub fn call(&mut self, name: &str, arg: u32) -> Result<u32, CallError<H::Abort>> {
        let instance = self
            .instance
            .ok_or(FatalError::Sequence("called before instantiation"))?;
        let func = instance
            .get_typed_func::<u32, u32>(&self.store, name)
            .map_err(|_| FatalError::MissingExport(name.to_string()))?;
        self.enter_guest()?;
        let res = func.call(&mut self.store, arg);
        self.leave_guest()?;
        res.map_err(classify)
    }
}

impl<H: Host> Invocation<H> {
    /// Calls export `name` with any signature: like [`call`](Self::call), with `results` sized
    /// to the function's results.
    pub fn call_raw(
        &mut self,
        name: &str,
        params: &[wasmi::Val],
        results: &mut [wasmi::Val],
    ) -> Result<(), CallError<H::Abort>> {
        let instance = self
            .instance
            .ok_or(FatalError::Sequence("called before instantiation"))?;
        let func = instance
            .get_func(&self.store, name)
            .ok_or_else(|| FatalError::MissingExport(name.to_string()))?;
        self.enter_guest()?;
        let res = func.call(&mut self.store, params, results);
        self.leave_guest()?;
        res.map_err(classify)
    }

    /// Before a call into the guest: write the available gas into it; the guest resumes.
    fn enter_guest(&mut self) -> Result<(), CallError<H::Abort>> {
        update_gas_available(self.store.as_context_mut()).map_err(from_unwind)?;
        self.host_mut().gas_tracker().guest_resumed();
        Ok(())
    }

    /// After a call into the guest, whatever its outcome: charge what it executed, and report
    /// the instructions it executed if profiling.
    fn leave_guest(&mut self) -> Result<(), CallError<H::Abort>> {
        let charged = charge_for_exec(self.store.as_context_mut(), Span::SinceGuestResumed);
        if !self.counters.is_empty() {
            self.report_instructions()?;
        }
        charged.map_err(from_unwind)
    }

    /// Reads and zeroes the instruction counters, and gives their counts to the host.
    fn report_instructions(&mut self) -> Result<(), CallError<H::Abort>> {
        let mut profile = InstructionProfile::default();
        for (class, counter) in InstructionClass::ALL.iter().zip(&self.counters) {
            if let wasmi::Val::I64(n) = counter.get(&self.store) {
                profile.add_count(*class, n as u64);
            }
            counter
                .set(&mut self.store, wasmi::Val::I64(0))
                .map_err(|e| FatalError::Engine(e.to_string()))?;
        }
        self.host_mut().record_instructions(&profile);
        Ok(())
    }

    /// The bytes of the instance's `memory` export (empty before instantiation).
    pub fn memory(&self) -> &[u8] {
        match self.store.data().memory {
            Some(m) => m.data(&self.store),
            None => &[],
        }
    }
}

fn from_unwind<A>(u: Unwind<A>) -> CallError<A> {
    match u {
        Unwind::OutOfGas => CallError::OutOfGas,
        Unwind::Host(a) => CallError::Host(a),
        Unwind::Fatal(e) => CallError::Fatal(e),
    }
}

fn classify<A: fmt::Debug + fmt::Display + Send + Sync + 'static>(e: wasmi::Error) -> CallError<A> {
    if let Some(code) = e.as_trap_code() {
        return match TrapKind::from_wasmi(code) {
            Some(kind) => CallError::Trap(kind),
            None => CallError::Fatal(FatalError::Engine(format!("unexpected trap: {code}"))),
        };
    }
    match e.downcast::<UnwindError<A>>() {
        Some(UnwindError(u)) => from_unwind(u),
        None => CallError::Fatal(FatalError::Engine("unexpected wasmi error".to_string())),
    }
}

use wasmi::AsContextMut as _;

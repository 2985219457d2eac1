//! Differential test of the Wasm instruction rules: modules instrumented with ifvm's rules and
//! with ref-fvm's (2.12, 3.14 and 4.8) must come out byte-identical, and fail on the same modules.
//! (Random modules are compared too, in `ifvm-interp`'s engine differential test.)

use fvm_wasm_instrument::gas_metering::inject;

/// One instruction of every priced kind, including bulk memory and table instructions.
const EVERY_PRICED_KIND: &str = r#"
(module
  (memory (export "memory") 1 100)
  (table 4 funcref)
  (global $g (mut i32) (i32.const 0))
  (data $d "abc")
  (elem $e func $f)
  (func $f (param i32 i64 f32 f64) (result i32)
    (local i32)
    block loop nop br 1 end end
    local.get 0 if nop else nop end
    local.get 0 br_if 0
    block local.get 0 br_table 0 0 end
    i32.const 0 i64.const 0 f32.const 0 f64.const 0 call $f drop
    i32.const 0 i64.const 0 f32.const 0 f64.const 0 i32.const 0 call_indirect (param i32 i64 f32 f64) (result i32) drop
    i64.const 1 i32.wrap_i64 i64.extend_i32_u i64.extend_i32_s drop
    f32.const 1 i32.reinterpret_f32 f32.reinterpret_i32 f32.sqrt f64.promote_f32 f32.demote_f64 drop
    local.get 0 local.tee 4 global.set $g global.get $g drop
    i32.const 1 i32.const 2 i32.const 0 select drop
    i32.const 1 i32.const 2 i32.const 0 select (result i32) drop
    i32.const 7 i32.extend8_s i32.const 3 i32.div_s i32.const 3 i32.rem_u i32.popcnt i32.clz drop
    i64.const 7 i64.const 3 i64.rotl i64.eqz drop
    f64.const 2 f64.const 3 f64.copysign f64.nearest i64.trunc_sat_f64_s drop
    f32.const 1 i32.trunc_f32_u drop
    i32.const 0 i32.load drop i32.const 0 i64.load32_s drop i32.const 0 f64.load drop
    i32.const 0 i32.const 1 i32.store8 i32.const 0 f32.const 1 f32.store
    i32.const 1 memory.grow drop memory.size drop
    local.get 0 memory.grow drop
    i32.const 0 i32.const 0 i32.const 9 memory.fill
    i32.const 0 i32.const 0 local.get 0 memory.fill
    i32.const 0 i32.const 1 i32.const 2 memory.copy
    i32.const 0 i32.const 0 i32.const 2 memory.init $d
    data.drop $d
    i32.const 0 i32.const 0 i32.const 1 table.init $e
    i32.const 0 i32.const 1 i32.const 1 table.copy
    elem.drop $e
    table.size drop
    i32.const 0)
  (export "f" (func $f)))
"#;

fn ref_rules() -> Vec<(u32, &'static dyn fvm_wasm_instrument::gas_metering::Rules)> {
    let mut out: Vec<(u32, &'static dyn fvm_wasm_instrument::gas_metering::Rules)> = Vec::new();
    for nv in 18..=20u32 {
        let nc = fvm3::machine::NetworkConfig::new(nv.into());
        out.push((nv, fvm3::engine::EngineConfig::from(&nc).wasm_prices));
    }
    for nv in 21..=29u32 {
        let nc = fvm4::machine::NetworkConfig::new(nv.into());
        out.push((nv, fvm4::engine::EngineConfig::from(&nc).wasm_prices));
    }
    out
}

struct DynRules(&'static dyn fvm_wasm_instrument::gas_metering::Rules);

impl fvm_wasm_instrument::gas_metering::Rules for DynRules {
    fn instruction_cost(
        &self,
        i: &fvm_wasm_instrument::gas_metering::Operator,
    ) -> anyhow::Result<fvm_wasm_instrument::gas_metering::InstructionCost> {
        self.0.instruction_cost(i)
    }
    fn gas_charge_cost(&self) -> u64 {
        self.0.gas_charge_cost()
    }
    fn linear_calc_cost(&self) -> u64 {
        self.0.linear_calc_cost()
    }
}

/// Instruments `wasm` with both rule sets for every nv; returns whether instrumentation succeeded.
fn compare(wasm: &[u8], what: &str) -> bool {
    let mut ok = None;
    for (nv, theirs) in ref_rules() {
        let ours = ifvm_gas::price_list_for(nv).unwrap().wasm_rules();
        let a = inject(wasm, ours, "gas").map_err(|e| e.to_string());
        let b = inject(wasm, &DynRules(theirs), "gas").map_err(|e| e.to_string());
        assert_eq!(a, b, "nv{nv}: {what}: instrumentation differs");
        ok = Some(a.is_ok());
    }
    ok.unwrap()
}

#[test]
fn every_priced_instruction_kind_instruments_identically() {
    let wasm = wat::parse_str(EVERY_PRICED_KIND).unwrap();
    assert!(
        compare(&wasm, "every priced kind"),
        "the directed module must instrument"
    );
}

#[test]
fn unsupported_instructions_are_rejected_identically() {
    for (what, body) in [
        ("ref.func", "ref.func $f drop"),
        ("ref.null", "ref.null func drop"),
        ("atomic", "i32.const 0 i32.atomic.load drop"),
        ("simd", "v128.const i64x2 0 0 drop"),
        ("return_call", "return_call $f"),
    ] {
        let wat = format!(
            "(module (memory 1 1 shared) (func $f {body}) (elem declare func $f) (export \"f\" (func $f)))"
        );
        let wasm = wat::parse_str(&wat).unwrap();
        assert!(!compare(&wasm, what), "{what} must be rejected");
    }
}

/// ref-fvm 2 (nv16–nv17): `fvm-wasm-instrument` 0.2 on parity-wasm, with ifvm's rules and with
/// ref-fvm 2.12's.
mod fvm2 {
    use fvm_wasm_instrument_v2::gas_metering::inject;
    use fvm_wasm_instrument_v2::parity_wasm::elements::{deserialize_buffer, Module};

    /// [`super::EVERY_PRICED_KIND`] cut to what parity-wasm (with bulk memory) reads: no sign
    /// extension, saturating truncation (the trapping one instead), typed `select`,
    /// `table.size`, or `memory.init` and `data.drop` (it does not read the data count section
    /// they need); the element segment active (it misreads passive ones).
    fn every_priced_kind() -> String {
        const UNREAD: [&str; 4] = ["select (result", "memory.init", "data.drop", "table.size"];
        super::EVERY_PRICED_KIND
            .replace("(elem $e func $f)", "(elem $e (i32.const 0) $f)")
            .replace("i32.extend8_s ", "")
            .replace("i64.trunc_sat_f64_s", "i64.trunc_f64_s")
            .lines()
            .filter(|line| !UNREAD.iter().any(|op| line.contains(op)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_priced_instruction_kind_instruments_identically() {
        let wasm = wat::parse_str(every_priced_kind()).unwrap();
        let module: Module = deserialize_buffer(&wasm)
            .unwrap_or_else(|e| panic!("parity-wasm reads the module: {e:?}"));
        for nv in [16u32, 17] {
            let nc = fvm2::machine::NetworkConfig::new(nv.try_into().unwrap());
            let theirs = fvm2::machine::EngineConfig::from(&nc).wasm_prices;
            let ours = ifvm_gas::price_list_for(nv).unwrap().wasm_rules();
            let a = inject(module.clone(), ours, "gas").map(|m| m.to_bytes().unwrap());
            let b = inject(module.clone(), theirs, "gas").map(|m| m.to_bytes().unwrap());
            assert!(a.is_ok(), "nv{nv}: the directed module must instrument");
            assert_eq!(a.ok(), b.ok(), "nv{nv}: instrumentation differs");
        }
    }
}

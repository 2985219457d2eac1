//! The instructions under test, and the module exporting one function per instruction.

use std::fmt::Write as _;

use crate::edges;

/// A Wasm value type. Exports pass floats as integers of the same width, reinterpreted on the
/// way in and out, so that no engine's host-call boundary can touch a NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
}

use Ty::*;

impl Ty {
    /// The integer type an export passes a value of this type as.
    fn carrier(self) -> &'static str {
        match self {
            I32 | F32 => "i32",
            I64 | F64 => "i64",
        }
    }

    /// Whether values of this type travel as 64-bit integers.
    pub fn is_64(self) -> bool {
        self.carrier() == "i64"
    }

    /// The instruction that turns the carrier into this type (none for integers).
    fn decode(self) -> &'static str {
        match self {
            F32 => "f32.reinterpret_i32",
            F64 => "f64.reinterpret_i64",
            I32 | I64 => "",
        }
    }

    /// The instruction that turns a value of this type into its carrier.
    fn encode(self) -> &'static str {
        match self {
            F32 => "i32.reinterpret_f32",
            F64 => "i64.reinterpret_f64",
            I32 | I64 => "",
        }
    }

    /// The edge inputs for operands of this type.
    pub fn edges(self) -> Vec<u64> {
        match self {
            I32 => edges::i32s(),
            I64 => edges::i64s(),
            F32 => edges::f32s(),
            F64 => edges::f64s(),
        }
    }

    /// Whether `bits`, a result of this type, is a NaN.
    pub fn is_nan(self, bits: u64) -> bool {
        match self {
            F32 => f32::from_bits(bits as u32).is_nan(),
            F64 => f64::from_bits(bits).is_nan(),
            I32 | I64 => false,
        }
    }
}

/// One export: an instruction wrapped to take and return integer carriers.
pub struct Op {
    /// The export's name (the instruction, or the constant's type and bits).
    pub export: String,
    /// The operand types.
    pub params: Vec<Ty>,
    /// The result type.
    pub result: Ty,
    body: String,
}

impl Op {
    /// `instr` applied to its operands.
    fn instr(instr: &str, params: &[Ty], result: Ty) -> Self {
        let mut body = String::new();
        for (i, t) in params.iter().enumerate() {
            write!(body, "local.get {i} {} ", t.decode()).unwrap();
        }
        write!(body, "{instr} {}", result.encode()).unwrap();
        Self::custom(instr.to_string(), params, result, body)
    }

    fn custom(export: String, params: &[Ty], result: Ty, body: String) -> Self {
        Self {
            export,
            params: params.to_vec(),
            result,
            body,
        }
    }

    /// `{f}.load` of the operand's bits, stored as an integer.
    fn load(t: Ty) -> Self {
        let (f, i) = (float_name(t), t.carrier());
        let body = format!(
            "i32.const 0 local.get 0 {i}.store i32.const 0 {f}.load {}",
            t.encode()
        );
        Self::custom(format!("{f}.load"), &[t], t, body)
    }

    /// `{f}.store` of the operand, read back as an integer.
    fn store(t: Ty) -> Self {
        let (f, i) = (float_name(t), t.carrier());
        let body = format!(
            "i32.const 0 local.get 0 {} {f}.store i32.const 0 {i}.load",
            t.decode()
        );
        Self::custom(format!("{f}.store"), &[t], t, body)
    }

    /// `{f}.const` of the constant with these bits.
    fn constant(t: Ty, bits: u64) -> Self {
        let f = float_name(t);
        let literal = match t {
            F32 => edges::wat_f32(bits as u32),
            _ => edges::wat_f64(bits),
        };
        let body = format!("{f}.const {literal} {}", t.encode());
        Self::custom(format!("{f}.const {bits:#x}"), &[], t, body)
    }

    /// Every combination of edge inputs for the operands.
    pub fn inputs(&self) -> Vec<Vec<u64>> {
        self.params.iter().fold(vec![vec![]], |combinations, t| {
            let edges = t.edges();
            combinations
                .iter()
                .flat_map(|prefix| {
                    edges.iter().map(move |&e| {
                        let mut args = prefix.clone();
                        args.push(e);
                        args
                    })
                })
                .collect()
        })
    }
}

fn float_name(t: Ty) -> &'static str {
    if t.is_64() {
        "f64"
    } else {
        "f32"
    }
}

/// Every float instruction of Wasm 1.0 and of the saturating-conversion proposal, plus float
/// loads, stores and constants.
pub fn ops() -> Vec<Op> {
    let mut ops = Vec::new();
    for t in [F32, F64] {
        let f = float_name(t);
        for name in ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"] {
            ops.push(Op::instr(&format!("{f}.{name}"), &[t], t));
        }
        for name in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
            ops.push(Op::instr(&format!("{f}.{name}"), &[t, t], t));
        }
        for name in ["eq", "ne", "lt", "gt", "le", "ge"] {
            ops.push(Op::instr(&format!("{f}.{name}"), &[t, t], I32));
        }
        ops.push(Op::load(t));
        ops.push(Op::store(t));
        ops.extend(t.edges().into_iter().map(|bits| Op::constant(t, bits)));
    }
    for (i, it) in [("i32", I32), ("i64", I64)] {
        for (f, ft) in [("f32", F32), ("f64", F64)] {
            for sign in ["s", "u"] {
                ops.push(Op::instr(&format!("{i}.trunc_{f}_{sign}"), &[ft], it));
                ops.push(Op::instr(&format!("{i}.trunc_sat_{f}_{sign}"), &[ft], it));
                ops.push(Op::instr(&format!("{f}.convert_{i}_{sign}"), &[it], ft));
            }
        }
    }
    ops.push(Op::instr("f32.demote_f64", &[F64], F32));
    ops.push(Op::instr("f64.promote_f32", &[F32], F64));
    ops.push(Op::instr("i32.reinterpret_f32", &[F32], I32));
    ops.push(Op::instr("i64.reinterpret_f64", &[F64], I64));
    ops.push(Op::instr("f32.reinterpret_i32", &[I32], F32));
    ops.push(Op::instr("f64.reinterpret_i64", &[I64], F64));
    ops
}

/// The module: a memory and one export per op.
pub fn module(ops: &[Op]) -> String {
    let mut wat = String::from("(module\n  (memory (export \"memory\") 1)\n");
    for op in ops {
        let params: String = op
            .params
            .iter()
            .map(|t| format!(" {}", t.carrier()))
            .collect();
        let params = if params.is_empty() {
            String::new()
        } else {
            format!(" (param{params})")
        };
        writeln!(
            wat,
            "  (func (export \"{}\"){params} (result {}) {})",
            op.export,
            op.result.carrier(),
            op.body
        )
        .unwrap();
    }
    wat.push(')');
    wat
}

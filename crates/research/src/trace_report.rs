//! Rendering observed messages: gas traces (optionally timed) and instruction profiles, as text
//! for people and as JSON or CSV for tools.

use std::fmt::Write;
use std::time::Duration;

use ifvm_gas::{Gas, GasCharge};
use ifvm_interp::{InstructionClass, InstructionProfile};
use serde_json::{json, Value};

use crate::observe::Observation;

/// The Wasm gas charges: execution between host calls and memory growth.
const WASM_CHARGES: [&str; 2] = ["wasm_exec", "wasm_memory_grow"];

/// What a vector expects of one message's receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The exit code.
    pub exit_code: u32,
    /// The gas used.
    pub gas_used: u64,
}

/// The banner every re-priced output starts with; `runs` names the network versions the
/// messages belong to (e.g. `nv18`).
pub fn repricing_banner(price_nv: u32, runs: &str) -> String {
    format!(
        "*** RE-PRICED: {runs} messages charged with nv{price_nv}'s price list. NOT CONSENSUS: \
         correctness checks are off; gas, exit codes and state may differ from the chain's. ***"
    )
}

/// A header and one line per charge: index, name, compute, other, total and running total;
/// with `elapsed` (index for index with `charges`, may be empty) also the time and nanoseconds
/// per compute gas.
pub fn charges_text(charges: &[GasCharge], elapsed: &[Option<Duration>], indent: &str) -> String {
    let timed = !elapsed.is_empty();
    let mut out = format!(
        "{indent}{:>5} {:<28} {:>16} {:>16} {:>16} {:>16}",
        "#", "name", "compute", "other", "total", "cumulative"
    );
    if timed {
        let _ = write!(out, " {:>12} {:>9}", "time (ns)", "ns/gas");
    }
    out.push('\n');
    let mut total = Gas::ZERO;
    for (i, c) in charges.iter().enumerate() {
        total += c.total();
        let _ = write!(
            out,
            "{indent}{i:>5} {:<28} {:>16} {:>16} {:>16} {:>16}",
            c.name,
            c.compute_gas.to_string(),
            c.other_gas.to_string(),
            c.total().to_string(),
            total.to_string()
        );
        if timed {
            match elapsed.get(i).copied().flatten() {
                Some(t) => {
                    let per_gas = ns_per_gas(t, c.compute_gas)
                        .map_or_else(|| "-".to_string(), |r| format!("{r:.3}"));
                    let _ = write!(out, " {:>12} {per_gas:>9}", t.as_nanos());
                }
                None => {
                    let _ = write!(out, " {:>12} {:>9}", "-", "-");
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Nanoseconds per gas of compute, if the charge has compute gas.
pub fn ns_per_gas(elapsed: Duration, compute: Gas) -> Option<f64> {
    let gas = compute.as_milligas() as f64 / 1000.0;
    (gas > 0.0).then(|| elapsed.as_nanos() as f64 / gas)
}

/// Gas charged for Wasm (execution and memory growth) in a trace.
pub fn wasm_gas(charges: &[GasCharge]) -> Gas {
    charges
        .iter()
        .filter(|c| WASM_CHARGES.contains(&c.name.as_ref()))
        .fold(Gas::ZERO, |sum, c| sum + c.total())
}

/// The instruction profile, with the Wasm gas charged next to it.
pub fn instructions_text(
    profile: &InstructionProfile,
    charges: &[GasCharge],
    indent: &str,
) -> String {
    let mut out = format!("{indent}Wasm instructions executed, by class:\n");
    let total = profile.instructions();
    for (class, n) in profile.iter() {
        if class == InstructionClass::GasCheck {
            continue;
        }
        let share = if total > 0 {
            100.0 * n as f64 / total as f64
        } else {
            0.0
        };
        let _ = writeln!(out, "{indent}  {:<12} {n:>14} {share:>6.2}%", class.name());
    }
    let wasm = wasm_gas(charges);
    let _ = writeln!(out, "{indent}  {:<12} {total:>14}", "total");
    let _ = writeln!(
        out,
        "{indent}  gas checks executed (metering, unpriced): {}",
        profile.count(InstructionClass::GasCheck)
    );
    let per = if total > 0 {
        format!("{:.3}", wasm.as_milligas() as f64 / 1000.0 / total as f64)
    } else {
        "-".into()
    };
    let _ = writeln!(
        out,
        "{indent}  Wasm gas charged (wasm_exec + wasm_memory_grow): {wasm} = {per} gas per instruction"
    );
    out
}

/// A message's header line: its receipt and, unless re-priced, the vector's expectation.
fn header(index: usize, o: &Observation, expected: Option<Expected>, repriced: bool) -> String {
    let mut line = format!(
        "message {index}: exit code {}, gas used {}, {} charges",
        o.exit_code,
        o.gas_used,
        o.charges.len()
    );
    if let Some(e) = expected {
        if repriced {
            let delta = o.gas_used as i128 - e.gas_used as i128;
            let pct = if e.gas_used > 0 {
                format!(" ({:+.2}%)", 100.0 * delta as f64 / e.gas_used as f64)
            } else {
                String::new()
            };
            let _ = write!(
                line,
                " [chain: exit code {}, gas used {}; re-priced delta {delta:+}{pct}]",
                e.exit_code, e.gas_used
            );
        } else {
            let verdict = if (e.exit_code, e.gas_used) == (o.exit_code, o.gas_used) {
                "matches the vector"
            } else {
                "DIFFERS from the vector"
            };
            let _ = write!(
                line,
                " [{verdict}: exit code {}, gas used {}]",
                e.exit_code, e.gas_used
            );
        }
    }
    line
}

/// The human-readable report of observed messages (`expected`: index for index, may be
/// shorter or empty).
pub fn text(observations: &[Observation], expected: &[Expected], repriced: bool) -> String {
    let mut out = String::new();
    for (i, o) in observations.iter().enumerate() {
        out += &header(i, o, expected.get(i).copied(), repriced);
        out.push('\n');
        out += &charges_text(&o.charges, &o.elapsed, "  ");
        if let Some(profile) = &o.instructions {
            out += &instructions_text(profile, &o.charges, "  ");
        }
    }
    out
}

/// One charge as JSON (milligas; `elapsed_ns` only when timed).
pub fn charge_json(c: &GasCharge, elapsed: Option<Duration>) -> Value {
    let mut v = json!({
        "name": c.name,
        "compute_milligas": c.compute_gas.as_milligas(),
        "other_milligas": c.other_gas.as_milligas(),
    });
    if let Some(t) = elapsed {
        v["elapsed_ns"] = json!(t.as_nanos() as u64);
    }
    v
}

/// The machine-readable report: `consensus` is false when re-priced.
pub fn json(
    observations: &[Observation],
    expected: &[Expected],
    run_nv: u32,
    price_nv: Option<u32>,
) -> Value {
    let messages: Vec<Value> = observations
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let charges: Vec<Value> = o
                .charges
                .iter()
                .enumerate()
                .map(|(k, c)| charge_json(c, o.elapsed.get(k).copied().flatten()))
                .collect();
            let mut m = json!({
                "index": i,
                "exit_code": o.exit_code,
                "gas_used": o.gas_used,
                "timed": !o.elapsed.is_empty(),
                "charges": charges,
                "wasm_gas_milligas": wasm_gas(&o.charges).as_milligas(),
            });
            if let Some(e) = expected.get(i) {
                m["expected"] = json!({"exit_code": e.exit_code, "gas_used": e.gas_used});
            }
            if let Some(p) = &o.instructions {
                let classes: serde_json::Map<String, Value> = p
                    .iter()
                    .map(|(c, n)| (c.name().to_string(), json!(n)))
                    .collect();
                m["instructions"] = Value::Object(classes);
            }
            m
        })
        .collect();
    json!({
        "nv": run_nv,
        "price_nv": price_nv.unwrap_or(run_nv),
        "consensus": price_nv.is_none(),
        "banner": price_nv.map(|p| repricing_banner(p, &format!("nv{run_nv}"))),
        "messages": messages,
    })
}

/// One CSV row per charge: `message,index,name,compute_milligas,other_milligas,elapsed_ns`
/// (`elapsed_ns` empty when untimed). Names are ref-fvm's charge names, which contain no commas
/// or quotes; any that did would be quoted.
pub fn csv(observations: &[Observation]) -> String {
    let mut out = String::from("message,index,name,compute_milligas,other_milligas,elapsed_ns\n");
    for (m, o) in observations.iter().enumerate() {
        for (i, c) in o.charges.iter().enumerate() {
            let elapsed = o
                .elapsed
                .get(i)
                .copied()
                .flatten()
                .map(|t| t.as_nanos().to_string())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{m},{i},{},{},{},{elapsed}",
                csv_field(&c.name),
                c.compute_gas.as_milligas(),
                c.other_gas.as_milligas()
            );
        }
    }
    out
}

/// `s` as a CSV field, quoted if it needs to be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation() -> Observation {
        Observation {
            exit_code: 0,
            gas_used: 10,
            return_data: vec![],
            charges: vec![
                GasCharge::new("OnSyscall", Gas::new(14), Gas::ZERO),
                GasCharge::new("wasm_exec", Gas::new(200), Gas::ZERO),
                GasCharge::new("odd, \"name\"", Gas::ZERO, Gas::new(3)),
            ],
            elapsed: vec![
                Some(Duration::from_nanos(700)),
                None,
                Some(Duration::from_nanos(5)),
            ],
            instructions: None,
        }
    }

    #[test]
    fn csv_has_one_row_per_charge_with_times() {
        let csv = csv(&[observation()]);
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1], "0,0,OnSyscall,14000,0,700");
        assert_eq!(rows[2], "0,1,wasm_exec,200000,0,");
        assert_eq!(rows[3], "0,2,\"odd, \"\"name\"\"\",0,3000,5");
    }

    #[test]
    fn json_marks_repriced_runs_as_not_consensus() {
        let obs = [observation()];
        let expected = [Expected {
            exit_code: 0,
            gas_used: 9,
        }];
        let plain = json(&obs, &expected, 18, None);
        assert_eq!(plain["consensus"], json!(true));
        assert_eq!(plain["messages"][0]["charges"][0]["elapsed_ns"], json!(700));
        assert!(plain["messages"][0]["charges"][1]
            .get("elapsed_ns")
            .is_none());
        assert_eq!(plain["messages"][0]["wasm_gas_milligas"], json!(200_000));
        let repriced = json(&obs, &expected, 18, Some(21));
        assert_eq!(repriced["consensus"], json!(false));
        assert!(repriced["banner"]
            .as_str()
            .unwrap()
            .contains("NOT CONSENSUS"));
    }

    #[test]
    fn text_reports_verdicts_and_deltas() {
        let obs = [observation()];
        let expected = [Expected {
            exit_code: 0,
            gas_used: 9,
        }];
        assert!(text(&obs, &expected, false).contains("DIFFERS from the vector"));
        assert!(text(&obs, &expected, true).contains("re-priced delta +1 (+11.11%)"));
        let timed = charges_text(&obs[0].charges, &obs[0].elapsed, "");
        assert!(timed.contains("50.000"), "700 ns / 14 gas:\n{timed}");
    }
}

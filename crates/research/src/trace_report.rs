//! Rendering observed messages: execution traces (calls nested, gas charges inside them,
//! optionally timed) and instruction profiles, as text for people and as JSON or CSV for tools.

use std::fmt::Write;
use std::time::Duration;

use fvm_ipld_encoding::ipld_block::IpldBlock;
use ifvm_gas::{Gas, GasCharge};
use ifvm_interp::{InstructionClass, InstructionProfile};
use ifvm_kernel::ExecutionEvent;
use serde_json::{json, Value};

use crate::observe::{charges_of, Observation};

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

/// The whole trace of a message, one line per event: gas charges (index, name, compute, other,
/// total and running total; with `timed` also the time and nanoseconds per compute gas) and the
/// calls they belong to, each call's events indented under it.
pub fn trace_text(trace: &[ExecutionEvent], timed: bool, indent: &str) -> String {
    let mut out = format!(
        "{indent}{:>5} {:<40} {:>16} {:>16} {:>16} {:>16}",
        "#", "name", "compute", "other", "total", "cumulative"
    );
    if timed {
        let _ = write!(out, " {:>12} {:>9}", "time (ns)", "ns/gas");
    }
    out.push('\n');
    let (mut total, mut index, mut depth) = (Gas::ZERO, 0usize, 0usize);
    for event in trace {
        if matches!(
            event,
            ExecutionEvent::CallReturn { .. } | ExecutionEvent::CallError(_)
        ) {
            depth = depth.saturating_sub(1);
        }
        let nest = "  ".repeat(depth);
        match event {
            ExecutionEvent::GasCharge { charge: c, elapsed } => {
                total += c.total();
                let _ = write!(
                    out,
                    "{indent}{index:>5} {:<40} {:>16} {:>16} {:>16} {:>16}",
                    format!("{nest}{}", c.name),
                    c.compute_gas.to_string(),
                    c.other_gas.to_string(),
                    c.total().to_string(),
                    total.to_string()
                );
                index += 1;
                if timed {
                    match elapsed {
                        Some(t) => {
                            let per_gas = ns_per_gas(*t, c.compute_gas)
                                .map_or_else(|| "-".to_string(), |r| format!("{r:.3}"));
                            let _ = write!(out, " {:>12} {per_gas:>9}", t.as_nanos());
                        }
                        None => {
                            let _ = write!(out, " {:>12} {:>9}", "-", "-");
                        }
                    }
                }
            }
            other => {
                let _ = write!(out, "{indent}{:>5} {nest}{}", "", event_line(other));
            }
        }
        out.push('\n');
        if matches!(event, ExecutionEvent::Call { .. }) {
            depth += 1;
        }
    }
    out
}

/// A block's size and codec, as a trace line shows it.
fn block_text(block: &Option<IpldBlock>) -> String {
    match block {
        Some(b) => format!("{} bytes (codec {:#x})", b.data.len(), b.codec),
        None => "nothing".into(),
    }
}

/// One line for an event other than a gas charge.
fn event_line(event: &ExecutionEvent) -> String {
    match event {
        ExecutionEvent::Call {
            from,
            to,
            method,
            params,
            value,
            gas_limit,
            read_only,
        } => format!(
            "call {from} -> {to} method {method}, value {value}, gas limit {gas_limit}{}, params {}",
            if *read_only { ", read-only" } else { "" },
            block_text(params)
        ),
        ExecutionEvent::CallReturn { exit_code, value } => {
            format!("return: exit code {}, {}", exit_code.value(), block_text(value))
        }
        ExecutionEvent::CallError(e) => format!("error: {:?}: {}", e.number, e.message),
        ExecutionEvent::InvokeActor { id, state } => format!(
            "invoke actor {id}: code {}, state {}, sequence {}, balance {}",
            state.code, state.state, state.sequence, state.balance
        ),
        ExecutionEvent::Log(msg) => format!("log: {msg}"),
        ExecutionEvent::Ipld { op, cid, size } => format!("ipld {op:?} {cid} ({size} bytes)"),
        ExecutionEvent::GasCharge { charge, .. } => format!("charge {}", charge.name),
    }
}

/// Nanoseconds per gas of compute, if the charge has compute gas.
pub fn ns_per_gas(elapsed: Duration, compute: Gas) -> Option<f64> {
    let gas = compute.as_milligas() as f64 / 1000.0;
    (gas > 0.0).then(|| elapsed.as_nanos() as f64 / gas)
}

/// Gas charged for Wasm (execution and memory growth) in a trace.
pub fn wasm_gas(trace: &[ExecutionEvent]) -> Gas {
    charges_of(trace)
        .map(|(c, _)| c)
        .filter(|c| WASM_CHARGES.contains(&c.name.as_ref()))
        .fold(Gas::ZERO, |sum, c| sum + c.total())
}

/// The instruction profile, with the Wasm gas charged next to it.
pub fn instructions_text(
    profile: &InstructionProfile,
    trace: &[ExecutionEvent],
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
    let wasm = wasm_gas(trace);
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
        o.charges().count()
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
        out += &trace_text(&o.trace, o.timed, "  ");
        if let Some(profile) = &o.instructions {
            out += &instructions_text(profile, &o.trace, "  ");
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

/// A block as JSON: its codec and its bytes in hex.
fn block_json(block: &Option<IpldBlock>) -> Value {
    block.as_ref().map_or(Value::Null, |b| {
        let hex: String = b.data.iter().map(|byte| format!("{byte:02x}")).collect();
        json!({"codec": b.codec, "data": hex})
    })
}

/// One event as JSON, with its `kind` (a call's own fields only: see [`trace_json`]).
pub fn event_json(event: &ExecutionEvent) -> Value {
    match event {
        ExecutionEvent::GasCharge { charge, elapsed } => {
            let mut v = charge_json(charge, *elapsed);
            v["kind"] = json!("gas_charge");
            v
        }
        ExecutionEvent::Call {
            from,
            to,
            method,
            params,
            value,
            gas_limit,
            read_only,
        } => json!({
            "kind": "call", "from": from, "to": to.to_string(), "method": method,
            "params": block_json(params), "value": value.atto().to_string(),
            "gas_limit": gas_limit, "read_only": read_only,
        }),
        ExecutionEvent::CallReturn { exit_code, value } => json!({
            "kind": "call_return", "exit_code": exit_code.value(), "return": block_json(value),
        }),
        ExecutionEvent::CallError(e) => json!({
            "kind": "call_error", "error_number": e.number as u32, "message": e.message,
        }),
        ExecutionEvent::InvokeActor { id, state } => json!({
            "kind": "invoke_actor", "id": id, "code": state.code.to_string(),
            "state": state.state.to_string(), "sequence": state.sequence,
            "balance": state.balance.atto().to_string(),
            "delegated_address": state.delegated_address.map(|a| a.to_string()),
        }),
        ExecutionEvent::Log(msg) => json!({"kind": "log", "message": msg}),
        ExecutionEvent::Ipld { op, cid, size } => json!({
            "kind": "ipld", "op": format!("{op:?}").to_lowercase(), "cid": cid.to_string(), "size": size,
        }),
    }
}

/// A trace as a JSON tree: a list of events, in which each call is one object holding the
/// call's fields (`call`), the events inside it (`events`, nested the same way) and how it ended
/// (`end`: its `call_return` or `call_error` event; absent if the trace ends inside the call).
pub fn trace_json(trace: &[ExecutionEvent]) -> Vec<Value> {
    let mut frames: Vec<(Value, Vec<Value>)> = Vec::new();
    let mut top = Vec::new();
    for event in trace {
        match event {
            ExecutionEvent::Call { .. } => frames.push((event_json(event), Vec::new())),
            ExecutionEvent::CallReturn { .. } | ExecutionEvent::CallError(_) => {
                let node = match frames.pop() {
                    Some((call, events)) => {
                        json!({"kind": "call", "call": call, "events": events, "end": event_json(event)})
                    }
                    None => event_json(event),
                };
                frames.last_mut().map_or(&mut top, |f| &mut f.1).push(node);
            }
            _ => frames
                .last_mut()
                .map_or(&mut top, |f| &mut f.1)
                .push(event_json(event)),
        }
    }
    while let Some((call, events)) = frames.pop() {
        let node = json!({"kind": "call", "call": call, "events": events});
        frames.last_mut().map_or(&mut top, |f| &mut f.1).push(node);
    }
    top
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
            let mut m = json!({
                "index": i,
                "exit_code": o.exit_code,
                "gas_used": o.gas_used,
                "timed": o.timed,
                "trace": trace_json(&o.trace),
                "wasm_gas_milligas": wasm_gas(&o.trace).as_milligas(),
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
        for (i, (c, elapsed)) in o.charges().enumerate() {
            let elapsed = elapsed
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
            trace: vec![
                ExecutionEvent::Call {
                    from: 100,
                    to: fvm_shared::address::Address::new_id(101),
                    method: 2,
                    params: None,
                    value: Default::default(),
                    gas_limit: 1000,
                    read_only: false,
                },
                charge("OnSyscall", Gas::new(14), Gas::ZERO, Some(700)),
                charge("wasm_exec", Gas::new(200), Gas::ZERO, None),
                ExecutionEvent::CallReturn {
                    exit_code: fvm_shared::error::ExitCode::OK,
                    value: None,
                },
                charge("odd, \"name\"", Gas::ZERO, Gas::new(3), Some(5)),
            ],
            timed: true,
            instructions: None,
        }
    }

    fn charge(name: &'static str, compute: Gas, other: Gas, ns: Option<u64>) -> ExecutionEvent {
        ExecutionEvent::GasCharge {
            charge: GasCharge::new(name, compute, other),
            elapsed: ns.map(Duration::from_nanos),
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
        let trace = &plain["messages"][0]["trace"];
        assert_eq!(
            trace.as_array().unwrap().len(),
            2,
            "the call and the last charge"
        );
        assert_eq!(trace[0]["call"]["method"], json!(2));
        assert_eq!(trace[0]["end"]["kind"], json!("call_return"));
        assert_eq!(trace[0]["events"][0]["elapsed_ns"], json!(700));
        assert!(trace[0]["events"][1].get("elapsed_ns").is_none());
        assert_eq!(trace[1]["kind"], json!("gas_charge"));
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
        let timed = trace_text(&obs[0].trace, true, "");
        assert!(timed.contains("50.000"), "700 ns / 14 gas:\n{timed}");
        let lines: Vec<&str> = timed.lines().collect();
        assert!(lines[1].contains("call 100 -> f0101 method 2"), "{timed}");
        assert!(
            lines[2].contains("  OnSyscall"),
            "nested under the call:\n{timed}"
        );
        assert!(lines[4].contains("return: exit code 0"), "{timed}");
    }
}

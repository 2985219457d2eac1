//! The adapter against ref-fvm 4.8's own `DefaultExecutor`, both driven through ref-fvm's
//! `Executor` trait by one generic function: every named scenario and seeded random traffic at
//! nv21 and nv28, every `ApplyRet` field compared (receipt, penalty, miner tip, burns, refund,
//! gas refunded and burnt, events, return codec, the execution trace event by event without
//! times, and the failure's backtrace frames and cause) and the state root after every message.

use cid::Cid;
use fvm4::call_manager::backtrace::Cause;
use fvm4::executor::{ApplyFailure, ApplyKind, ApplyRet, Executor};
use fvm_shared::message::Message;
use ifvm_fvm4_adapter::IfvmExecutor;
use ifvm_reference::differential::{network, random_case, scenario_cases};
use ifvm_reference::{shared_engines_v4, trace, v4, Tracing};
use ifvm_vectors::generate::case::Case;
use ifvm_vectors::{data, threads, trace_difference, BundleSet};

/// Applies `messages` through any ref-fvm 4 executor, flushing after each one.
fn apply_all<X: Executor>(exec: &mut X, messages: &[(Message, usize)]) -> Vec<(ApplyRet, Cid)> {
    messages
        .iter()
        .map(|(msg, len)| {
            let ret = exec
                .execute_message(msg.clone(), ApplyKind::Explicit, *len)
                .expect("the message applies");
            (ret, exec.flush().expect("the state flushes"))
        })
        .collect()
}

/// A failure's comparable content: its kind, and for a backtrace every frame's actor, method
/// and exit code and the cause's error number (fatal causes by kind: their text is each
/// implementation's own).
fn failure(f: &Option<ApplyFailure>) -> String {
    match f {
        None => "none".into(),
        Some(ApplyFailure::PreValidation(_)) => "pre-validation".into(),
        Some(ApplyFailure::MessageBacktrace(bt)) => {
            let frames: Vec<_> = bt
                .frames
                .iter()
                .map(|f| (f.source, f.method, f.code))
                .collect();
            let cause = match &bt.cause {
                Some(Cause::Syscall {
                    module,
                    function,
                    error,
                    ..
                }) => format!("{module}::{function} {error:?}"),
                Some(Cause::Fatal { .. }) => "fatal".into(),
                None => "none".into(),
            };
            format!("{frames:?} caused by {cause}")
        }
    }
}

/// The first field in which two `ApplyRet`s differ, if any.
fn difference(ours: &ApplyRet, theirs: &ApplyRet) -> Option<String> {
    let fields = [
        ("receipt", ours.msg_receipt == theirs.msg_receipt),
        ("penalty", ours.penalty == theirs.penalty),
        ("miner tip", ours.miner_tip == theirs.miner_tip),
        ("base-fee burn", ours.base_fee_burn == theirs.base_fee_burn),
        (
            "over-estimation burn",
            ours.over_estimation_burn == theirs.over_estimation_burn,
        ),
        ("refund", ours.refund == theirs.refund),
        ("gas refund", ours.gas_refund == theirs.gas_refund),
        ("gas burned", ours.gas_burned == theirs.gas_burned),
        ("events", ours.events == theirs.events),
        ("return codec", ours.return_codec == theirs.return_codec),
        (
            "failure info",
            failure(&ours.failure_info) == failure(&theirs.failure_info),
        ),
    ];
    if let Some((field, _)) = fields.iter().find(|(_, same)| !same) {
        return Some(field.to_string());
    }
    trace_difference(
        &trace::from_v4(&ours.exec_trace),
        &trace::from_v4(&theirs.exec_trace),
    )
}

/// Runs `case` through the adapter and through ref-fvm's executor; returns the first
/// difference, and how many messages failed (so the comparison covers failures).
fn compare(case: &Case, engine: &ifvm_interp::Engine) -> (Option<String>, usize) {
    let variant = case.variant();
    let mut theirs = v4::variant_executor(&variant, shared_engines_v4(), Tracing::On)
        .expect("ref-fvm's executor");
    let mut ours = IfvmExecutor::new(
        variant
            .ifvm_executor(engine, true)
            .expect("ifvm's executor"),
    );
    let theirs = apply_all(&mut theirs, &variant.messages);
    let ours = apply_all(&mut ours, &variant.messages);
    let failed = theirs
        .iter()
        .filter(|(r, _)| !r.msg_receipt.exit_code.is_success())
        .count();
    let first = ours
        .iter()
        .zip(&theirs)
        .enumerate()
        .find_map(|(i, ((o, o_root), (t, t_root)))| {
            difference(o, t)
                .or_else(|| (o_root != t_root).then(|| "state root".to_string()))
                .map(|d| format!("message {i}: {d}"))
        });
    (first, failed)
}

#[test]
fn the_adapter_gives_ref_fvms_apply_ret() {
    threads::with_stack(adapter_matches)
}

fn adapter_matches() {
    let Some(actors) = data::actors() else { return };
    let bundles = BundleSet::new(actors);
    let (mut messages, mut failed, mut mismatches) = (0, 0, Vec::new());
    for nv in [21, 28] {
        if bundles.for_network(nv).is_err() {
            eprintln!("SKIPPED: no bundle for nv{nv}");
            continue;
        }
        let engine = ifvm_vectors::engine(nv).expect("an engine");
        let net = network(&bundles, nv, &engine).expect("the network builds");
        let mut cases = scenario_cases(&net, &engine).expect("scenarios record");
        cases.push(random_case(&net, &engine, 4242, 40).expect("traffic records"));
        for case in &cases {
            let (difference, f) = compare(case, &engine);
            messages += case.messages.len();
            failed += f;
            if let Some(d) = difference {
                mismatches.push(format!("nv{nv} {}: {d}", case.name));
            }
        }
    }
    println!("adapter: {messages} messages ({failed} failing) compared with ref-fvm 4.8");
    assert!(
        mismatches.is_empty(),
        "{} cases differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    if messages > 0 {
        assert!(failed > 0, "failing messages are covered too");
    }
}

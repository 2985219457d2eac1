//! Whole-trace differential on the Hygge corpus (nv18, `IFVM_VECTORS`): every message of every
//! vector applied on ifvm and on ref-fvm 3.14 with tracing on; every receipt field, the gas
//! payouts, the state root after every message and the execution trace event by event (gas
//! charges, calls, returns, errors, invocations; times aside) must be identical.
//!
//! `IFVM_TRACE_CORPUS_LIMIT` caps the vectors compared (default: all of them).

use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{apply_each, data, first_difference, threads, PreparedVariant};

use crate::harness::{bundles, net};

#[test]
fn hygge_corpus_traces_match_ref_fvm() {
    threads::with_stack(hygge_corpus_traces)
}

fn hygge_corpus_traces() {
    let Some(dir) = data::present(data::hygge_dir(), "Hygge corpus", "IFVM_VECTORS") else {
        return;
    };
    if data::actors().is_none() {
        return;
    }
    let limit = std::env::var("IFVM_TRACE_CORPUS_LIMIT").ok().map(|v| {
        v.parse::<usize>()
            .expect("IFVM_TRACE_CORPUS_LIMIT: a number")
    });
    let files = data::collect_vectors(&[dir]).expect("the corpus lists");
    let engine = net(ifvm_kernel::Abi::V3).engine();
    let (mut compared, mut messages, mut events, mut calls) = (0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for file in files.iter().take(limit.unwrap_or(usize::MAX)) {
        let vector = TestVector::load(file).expect("corpus vectors parse");
        for variant in &vector.preconditions.variants {
            let Ok(prepared) = PreparedVariant::new(bundles(), &vector, variant) else {
                // Not a network version or bundle this corpus run covers (the corpus test
                // reports those skips).
                continue;
            };
            let reference = ifvm_reference::run_variant(&prepared).expect("ref-fvm runs");
            let mut exec = prepared.ifvm_executor(engine, true).expect("ifvm machine");
            let ours = apply_each(&mut exec, prepared.messages.iter().cloned()).expect("ifvm runs");
            compared += 1;
            messages += ours.len();
            for r in &ours {
                events += r.trace.len();
                calls += r
                    .trace
                    .iter()
                    .filter(|e| matches!(e, ifvm_kernel::ExecutionEvent::Call { .. }))
                    .count();
            }
            if let Some(d) = first_difference(&ours, &reference) {
                mismatches.push(format!("{} [{}]: {d}", file.display(), variant.id));
            }
        }
    }
    println!(
        "Hygge corpus traces: {compared} variants, {messages} messages, {events} events \
         ({calls} calls) compared with ref-fvm 3.14"
    );
    assert!(compared > 0, "no vector compared");
    assert!(
        calls > messages,
        "traces hold the nested calls, not just the top-level ones"
    );
    assert!(
        mismatches.is_empty(),
        "{} differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

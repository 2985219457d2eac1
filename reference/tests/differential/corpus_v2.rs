//! Whole-trace differential on the Shark corpus (nv17, `IFVM_VECTORS`): every message of every
//! vector applied on ifvm and on ref-fvm 2.12 with tracing on; every receipt field, the gas
//! payouts, the state root after every message and the execution trace event by event must be
//! identical. ref-fvm 2 accepts proofs only in top-level calls (its kernel's
//! sends are not generic over the kernel), which the corpus's proofs all are; each vector's
//! recorded receipts check the reference itself.
//!
//! `IFVM_SHARK_CORPUS_LIMIT` caps the vectors compared (default: all of them).

use ifvm_vectors::schema::TestVector;
use ifvm_vectors::{apply_each, data, first_difference, threads, PreparedVariant};

use crate::harness::{bundles, net};

#[test]
fn shark_corpus_matches_ref_fvm_2() {
    threads::with_stack(shark_corpus)
}

fn shark_corpus() {
    let Some(dir) = data::present(data::shark_dir(), "Shark corpus", "IFVM_VECTORS") else {
        return;
    };
    if data::actors().is_none() {
        return;
    }
    let limit = std::env::var("IFVM_SHARK_CORPUS_LIMIT").ok().map(|v| {
        v.parse::<usize>()
            .expect("IFVM_SHARK_CORPUS_LIMIT: a number")
    });
    let files = data::collect_vectors(&[dir]).expect("the corpus lists");
    let engine = net(ifvm_kernel::Abi::V2).engine();
    let (mut compared, mut messages, mut failing, mut events, mut calls) = (0, 0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for file in files.iter().take(limit.unwrap_or(usize::MAX)) {
        let vector = TestVector::load(file).expect("corpus vectors parse");
        for variant in &vector.preconditions.variants {
            let prepared =
                PreparedVariant::new(bundles(), &vector, variant).expect("nv17 variants prepare");
            let reference = ifvm_reference::run_variant(&prepared).expect("ref-fvm 2 runs");
            let expected: Vec<_> = prepared
                .expected
                .iter()
                .map(|(code, ret, gas)| (*code, ret.clone(), *gas))
                .collect();
            let recorded: Vec<_> = reference
                .iter()
                .map(|r| (r.exit_code, r.return_data.clone(), r.gas_used))
                .collect();
            assert_eq!(
                recorded,
                expected,
                "ref-fvm 2 reproduces {}",
                file.display()
            );
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
            failing += ours.iter().filter(|r| r.exit_code != 0).count();
            if let Some(d) = first_difference(&ours, &reference) {
                mismatches.push(format!("{} [{}]: {d}", file.display(), variant.id));
            }
        }
    }
    println!(
        "Shark corpus: {compared} variants, {messages} messages ({failing} failing), {events} \
         trace events ({calls} calls) compared with ref-fvm 2.12"
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

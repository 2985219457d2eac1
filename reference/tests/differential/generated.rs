//! The differential harness on generated traffic: every named scenario and bounded seeded random
//! traffic, recorded on ifvm and replayed on the ref-fvm of each version (2.12 for nv17, 4.8 for
//! nv21 on); every receipt, every event, the state root after every message and the execution
//! trace, event by event, must be identical.
//!
//! - `IFVM_DIFF_NVS`: network versions to cover (comma-separated; default `17,21,25,28`: nv17,
//!   one per ref-fvm 4 price-list era and the latest; `regenerate-vectors` covers nv17 and
//!   nv21–nv28 in full).
//! - `IFVM_DIFF_MESSAGES`: random messages (default 400, spread over the versions); the
//!   `differential` binary runs 10,000 and more.

use ifvm_interp::Engine;
use ifvm_kernel::{Abi, ApplyKind, ExecutionEvent, IpldOperation};
use ifvm_reference::differential::{check, network, random_case, scenario_cases};
use ifvm_reference::{abi_of, trace, v4, Tracing};
use ifvm_vectors::threads;
use ifvm_vectors::trace_difference;

use crate::harness::{bundle, bundles, net};

fn network_versions() -> Vec<u32> {
    let list = std::env::var("IFVM_DIFF_NVS").unwrap_or_else(|_| "17,21,25,28".into());
    ifvm_reference::differential::network_versions(Some(&list))
        .expect("IFVM_DIFF_NVS: comma-separated numbers")
}

/// Whether the bundles of every covered version are available (else `SKIPPED`).
fn bundles_present() -> bool {
    network_versions().iter().all(|&nv| bundle(nv).is_some())
}

/// ifvm's engine for `nv` (one per ABI, shared by every test).
fn engine(nv: u32) -> &'static Engine {
    net(abi_of(nv).expect("ifvm runs every covered version")).engine()
}

#[test]
fn every_scenario_matches_ref_fvm() {
    threads::with_stack(every_scenario)
}

fn every_scenario() {
    if !bundles_present() {
        return;
    }
    let (mut cases, mut messages) = (0, 0);
    let mut kinds = EventKinds::default();
    let mut mismatches = Vec::new();
    for nv in network_versions() {
        let engine = engine(nv);
        let net = network(bundles(), nv, engine).expect("network builds");
        for case in scenario_cases(&net, engine).expect("scenarios record") {
            cases += 1;
            messages += case.messages.len();
            let checked = check(case, engine).expect("both engines run");
            for event in checked.reference.iter().flat_map(|r| &r.trace) {
                kinds.count(event);
            }
            if let Some(m) = checked.mismatch {
                mismatches.push(format!("nv{nv} {}: {m}", checked.case.name));
            }
        }
    }
    println!("{cases} scenario cases, {messages} messages compared; ref-fvm's traces: {kinds:?}");
    assert!(
        kinds.calls > messages && kinds.charges > kinds.calls,
        "the traces compared are whole: {kinds:?}"
    );
    let abis: Vec<Abi> = network_versions()
        .into_iter()
        .map(|nv| abi_of(nv).expect("a supported version"))
        .collect();
    assert!(
        kinds.call_errors > 0
            && (kinds.invocations > 0 || !abis.iter().any(|a| a.traces_invoke_actor()))
            && (kinds.ipld_gets > 0 && kinds.ipld_puts > 0
                || !abis.iter().any(|a| a.traces_ipld())),
        "the scenarios reach every kind of event the references record: {kinds:?}"
    );
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
    assert!(cases >= 30 * network_versions().len());
}

/// How many events of each kind traces hold.
#[derive(Debug, Default)]
struct EventKinds {
    charges: usize,
    calls: usize,
    returns: usize,
    call_errors: usize,
    invocations: usize,
    ipld_gets: usize,
    ipld_puts: usize,
}

impl EventKinds {
    fn count(&mut self, event: &ExecutionEvent) {
        let n = match event {
            ExecutionEvent::GasCharge { .. } => &mut self.charges,
            ExecutionEvent::Call { .. } => &mut self.calls,
            ExecutionEvent::CallReturn { .. } => &mut self.returns,
            ExecutionEvent::CallError(_) => &mut self.call_errors,
            ExecutionEvent::InvokeActor { .. } => &mut self.invocations,
            ExecutionEvent::Ipld {
                op: IpldOperation::Get,
                ..
            } => &mut self.ipld_gets,
            ExecutionEvent::Ipld { .. } => &mut self.ipld_puts,
            ExecutionEvent::Log(_) => return,
        };
        *n += 1;
    }
}

#[test]
fn seeded_random_traffic_matches_ref_fvm() {
    threads::with_stack(seeded_random_traffic)
}

fn seeded_random_traffic() {
    if !bundles_present() {
        return;
    }
    let total: usize = std::env::var("IFVM_DIFF_MESSAGES")
        .map(|v| v.parse().expect("IFVM_DIFF_MESSAGES: a number"))
        .unwrap_or(400);
    let nets: Vec<_> = network_versions()
        .into_iter()
        .map(|nv| network(bundles(), nv, engine(nv)).expect("network builds"))
        .collect();
    let per_sequence = 20;
    let mut mismatches = Vec::new();
    let mut applied = 0;
    for k in 0..total.div_ceil(per_sequence) {
        let seed = 1_000_000 + k as u64;
        let net = &nets[k % nets.len()];
        let engine = engine(net.nv);
        let case = random_case(net, engine, seed, per_sequence).expect("traffic records");
        applied += case.messages.len();
        let checked = check(case, engine).expect("both engines run");
        if let Some(m) = checked.mismatch {
            mismatches.push(format!("seed {seed} nv{}: {m}", net.nv));
        }
    }
    println!("{applied} random messages compared");
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
    assert!(applied >= total);
}

/// With tracing off, ref-fvm 4 still records every block read and written (`Ipld` events) and
/// nothing else; so does ifvm, event for event.
#[test]
fn untraced_runs_record_blocks_as_ref_fvm_does() {
    threads::with_stack(untraced_runs)
}

fn untraced_runs() {
    if !bundles_present() {
        return;
    }
    let v4 = net(Abi::V4);
    let (engine, nv) = (v4.engine(), v4.nv);
    let net = network(bundles(), nv, engine).expect("network builds");
    let case = random_case(&net, engine, 7, 20).expect("traffic records");
    let variant = case.variant();
    let mut theirs =
        v4::variant_executor(&variant, ifvm_reference::shared_engines_v4(), Tracing::Off)
            .expect("ref-fvm machine");
    let mut ours = variant.ifvm_executor(engine, false).expect("ifvm machine");
    let mut blocks = 0;
    for (i, (msg, len)) in variant.messages.iter().enumerate() {
        let theirs = trace::from_v4(
            &v4::apply(&mut theirs, msg, *len)
                .expect("applies")
                .exec_trace,
        );
        let ours = ours
            .execute_message(msg.clone(), ApplyKind::Explicit, *len)
            .expect("applies")
            .exec_trace;
        assert!(
            ours.iter()
                .all(|e| matches!(e, ExecutionEvent::Ipld { .. })),
            "message {i}: only blocks are recorded untraced"
        );
        assert_eq!(trace_difference(&ours, &theirs), None, "message {i}");
        blocks += ours.len();
    }
    assert!(blocks > 0, "the traffic reads and writes blocks");
}

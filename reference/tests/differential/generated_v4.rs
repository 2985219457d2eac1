//! The differential harness on generated traffic: every named scenario and bounded seeded random
//! traffic, recorded on ifvm and replayed on ref-fvm 4.8; every receipt, every event and the
//! state root after every message must be identical.
//!
//! - `IFVM_DIFF_NVS`: network versions to cover (comma-separated; default `21,25,28`, one per
//!   price-list era and the latest; `regenerate-vectors` covers nv21–nv28 in full).
//! - `IFVM_DIFF_MESSAGES`: random messages (default 400, spread over the versions); the
//!   `differential` binary runs 10,000 and more.

use ifvm_kernel::Abi;
use ifvm_reference::differential::{check, network, random_case, scenario_cases};
use ifvm_vectors::threads;

use crate::harness::{bundle, bundles, net};

fn network_versions() -> Vec<u32> {
    std::env::var("IFVM_DIFF_NVS")
        .unwrap_or_else(|_| "21,25,28".into())
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .expect("IFVM_DIFF_NVS: comma-separated numbers")
        })
        .collect()
}

/// Whether the bundles of every covered version are available (else `SKIPPED`).
fn bundles_present() -> bool {
    network_versions().iter().all(|&nv| bundle(nv).is_some())
}

#[test]
fn every_scenario_matches_ref_fvm() {
    threads::with_stack(every_scenario)
}

fn every_scenario() {
    if !bundles_present() {
        return;
    }
    let engine = net(Abi::V4).engine();
    let (mut cases, mut messages) = (0, 0);
    let mut mismatches = Vec::new();
    for nv in network_versions() {
        let net = network(bundles(), nv, engine).expect("network builds");
        for case in scenario_cases(&net, engine).expect("scenarios record") {
            cases += 1;
            messages += case.messages.len();
            let checked = check(case, engine).expect("both engines run");
            if let Some(m) = checked.mismatch {
                mismatches.push(format!("nv{nv} {}: {m}", checked.case.name));
            }
        }
    }
    println!("{cases} scenario cases, {messages} messages compared");
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
    assert!(cases >= 30 * network_versions().len());
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
    let engine = net(Abi::V4).engine();
    let nets: Vec<_> = network_versions()
        .into_iter()
        .map(|nv| network(bundles(), nv, engine).expect("network builds"))
        .collect();
    let per_sequence = 20;
    let mut mismatches = Vec::new();
    let mut applied = 0;
    for k in 0..total.div_ceil(per_sequence) {
        let seed = 1_000_000 + k as u64;
        let net = &nets[k % nets.len()];
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

//! The simulated chain against ref-fvm 4.8, bounded: tipsets drawn from ifvm's state applied on
//! both engines as a node does (null-round crons, each block's messages and reward, the cron
//! tick), every applied message, receipts root and state root compared after every tipset; and
//! windows of it written as `tipset`-class vectors that pass on ifvm's runner from their own
//! blocks and recorded randomness.
//!
//! - `IFVM_SIM_NVS`: network versions (default `21,28`; the `simulate` binary runs nv21–nv28
//!   for 2,000 epochs each);
//! - `IFVM_SIM_EPOCHS`: epochs per version (default 200: past the pre-commit challenge delay,
//!   so sectors are pre-committed and proven, deals activated and allocations claimed).

use ifvm_reference::differential::network;
use ifvm_reference::simulation::{simulate, window_starts, window_vector, SimulationRun};
use ifvm_vectors::generate::sectors::has_direct_onboarding;
use ifvm_vectors::generate::simulation::{activated_deals, MINERS};
use ifvm_vectors::schema::{GenerationData, TestVector};
use ifvm_vectors::tipset::Role;
use ifvm_vectors::{threads, Outcome, Runner, RunnerOptions};

use crate::harness::{bundle, bundles};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.into())
}

fn run(nv: u32) -> Option<(SimulationRun, ifvm_interp::Engine)> {
    bundle(nv)?;
    let epochs: i64 = env_or("IFVM_SIM_EPOCHS", "200")
        .parse()
        .expect("IFVM_SIM_EPOCHS: a number");
    let engine = ifvm_vectors::engine(nv).expect("a supported version");
    let net = network(bundles(), nv, &engine).expect("network builds");
    let run = simulate(&net, &engine, 1, epochs).unwrap_or_else(|e| panic!("{e:#}"));
    Some((run, engine))
}

fn network_versions() -> Vec<u32> {
    ifvm_reference::differential::network_versions(Some(&env_or("IFVM_SIM_NVS", "21,28")))
        .expect("IFVM_SIM_NVS: comma-separated numbers")
}

#[test]
fn the_simulated_chain_matches_ref_fvm_tipset_by_tipset() {
    threads::with_stack(|| {
        for nv in network_versions() {
            let Some((run, engine)) = run(nv) else {
                return;
            };
            let ts = &run.tipsets;
            let roles = |role| {
                ts.iter()
                    .flat_map(|t| &t.outcome.messages)
                    .filter(|m| m.role == role)
                    .count()
            };
            let null_rounds: i64 = ts.iter().map(|t| t.tipset.epoch - t.parent_epoch - 1).sum();
            let blocks: usize = ts.iter().map(|t| t.tipset.blocks.len()).sum();
            assert_eq!(roles(Role::Reward), blocks, "nv{nv}: one reward per block");
            assert_eq!(
                roles(Role::Cron) as i64,
                ts.len() as i64 + null_rounds,
                "nv{nv}: one cron tick per epoch, null rounds included"
            );
            assert!(null_rounds > 0, "nv{nv}: no null round");
            assert!(
                ts.iter().any(|t| t.repeats_a_message()),
                "nv{nv}: no repeat"
            );
            assert!(
                ts.iter().any(|t| t.outcome.failures() > 0),
                "nv{nv}: nothing failed"
            );
            let miners: std::collections::BTreeSet<_> = ts[1..]
                .iter()
                .flat_map(|t| t.tipset.blocks.iter().map(|b| b.miner))
                .collect();
            assert_eq!(miners.len(), MINERS, "nv{nv}: every miner mines");
            // Deadline ends make some cron ticks far heavier than the rest.
            let crons: Vec<u64> = ts.iter().map(|t| t.outcome.cron_gas()).collect();
            let (min, max) = (crons.iter().min().unwrap(), crons.iter().max().unwrap());
            assert!(max > min, "nv{nv}: every cron tick cost the same");
            // The providers' sector business: sectors pre-committed, then proven.
            let done: std::collections::BTreeSet<&str> =
                ts.iter().flat_map(|t| t.lifecycle()).collect();
            assert!(done.contains("a pre-commit"), "nv{nv}: {done:?}");
            assert!(
                [
                    "ProveCommitSector",
                    "ProveCommitAggregate",
                    "ProveCommitSectors3"
                ]
                .iter()
                .any(|p| done.contains(p)),
                "nv{nv}: nothing proven: {done:?}"
            );
            // Deals published and activated; from actors v13, allocations claimed too.
            assert!(done.contains("a deal publication"), "nv{nv}: {done:?}");
            let last = ts.last().expect("tipsets");
            let deals = activated_deals(&run.chain, &last.outcome.state_root, last.tipset.epoch)
                .expect("the market state reads");
            assert!(deals > 0, "nv{nv}: no deal activated");
            if has_direct_onboarding(nv) {
                let events: std::collections::BTreeSet<String> = ts
                    .iter()
                    .flat_map(|t| &t.outcome.messages)
                    .flat_map(|m| m.applied.event_types())
                    .collect();
                for event in ["deal-activated", "claim"] {
                    assert!(events.contains(event), "nv{nv}: no {event}: {events:?}");
                }
            }

            let gen = [GenerationData {
                source: "ifvm-reference simulation test".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            }];
            let runner = Runner::with_options(
                ifvm_vectors::BundleSet::new(ifvm_vectors::data::actors_dir()),
                RunnerOptions {
                    strict_randomness: true,
                    ..RunnerOptions::default()
                },
            );
            let starts = window_starts(&run, 4);
            assert_eq!(starts.len(), 4, "nv{nv}: {starts:?}");
            for first in starts {
                let (id, json) = window_vector(&run, first, &engine, &gen)
                    .unwrap_or_else(|e| panic!("nv{nv}: {e:#}"));
                let vector: TestVector = serde_json::from_str(&json).expect("parses");
                assert_eq!(vector.schema_warnings(), vec![], "{id}");
                let reports = runner.run(&vector, false).expect("a tipset vector");
                for r in reports {
                    assert!(
                        matches!(r.outcome, Outcome::Passed),
                        "{id}: {:?}",
                        r.outcome
                    );
                }
            }
        }
    });
}

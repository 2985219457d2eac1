//! The differential harness for generated traffic: every case is recorded on ifvm, replayed on
//! ref-fvm and on ifvm from its vector variant, and every receipt, every event and the state
//! root after every message must be identical.

use ifvm_interp::Engine;
use ifvm_vectors::generate::case::{replay_ifvm, Case, Replay};
use ifvm_vectors::generate::driver::Driver;
use ifvm_vectors::generate::network::TestNetwork;
use ifvm_vectors::generate::random::random_traffic;
use ifvm_vectors::generate::scenarios;
use ifvm_vectors::generate::GENERATED_NETWORK_VERSIONS;
use ifvm_vectors::{first_difference, BundleSet, MessageResult};

use crate::run_variant;

/// A case and both engines' results.
pub struct Checked {
    /// The case.
    pub case: Case,
    /// ref-fvm's results (the expected values of the case's vector).
    pub reference: Vec<MessageResult>,
    /// ifvm's replay: its results, the randomness drawn and the blocks written.
    pub replay: Replay,
    /// The first difference between ifvm's results and ref-fvm's, if any.
    pub mismatch: Option<String>,
}

/// Replays `case` on ref-fvm and on ifvm and compares.
pub fn check(case: Case, engine: &Engine) -> anyhow::Result<Checked> {
    let variant = case.variant();
    let reference = run_variant(&variant)?;
    let replay = replay_ifvm(&variant, engine).map_err(anyhow::Error::msg)?;
    let mismatch = first_difference(&replay.results, &reference);
    Ok(Checked {
        case,
        reference,
        replay,
        mismatch,
    })
}

/// The network of `nv`, built from `bundles`.
pub fn network(bundles: &BundleSet, nv: u32, engine: &Engine) -> anyhow::Result<TestNetwork> {
    Ok(TestNetwork::build(bundles, nv, engine)?)
}

/// Every named scenario on `net`, recorded on ifvm.
pub fn scenario_cases(net: &TestNetwork, engine: &Engine) -> anyhow::Result<Vec<Case>> {
    scenarios::for_network(net)
        .into_iter()
        .map(|s| Ok(Case::record(s.name, net, engine, s.run)?))
        .collect()
}

/// A random case of `count` messages from `seed` on `net`, recorded on ifvm.
pub fn random_case(
    net: &TestNetwork,
    engine: &Engine,
    seed: u64,
    count: usize,
) -> anyhow::Result<Case> {
    Ok(Case::record(
        format!("random-{seed}"),
        net,
        engine,
        |d: &mut Driver| random_traffic(d, seed, count),
    )?)
}

/// The `index`-th command-line argument as a number, or `default` without one (the binaries'
/// positional arguments).
pub fn numeric_arg(index: usize, default: u64) -> anyhow::Result<u64> {
    Ok(match std::env::args().nth(index) {
        Some(a) => a.parse()?,
        None => default,
    })
}

/// The network versions of the comma-separated `list`, or every generated one
/// ([`GENERATED_NETWORK_VERSIONS`]) without one.
pub fn network_versions(list: Option<&str>) -> anyhow::Result<Vec<u32>> {
    match list {
        Some(list) => list.split(',').map(|v| Ok(v.trim().parse()?)).collect(),
        None => Ok(GENERATED_NETWORK_VERSIONS.to_vec()),
    }
}

//! The conformance corpora as benchmark input: one vector per actor × method group of the
//! Hygge (nv18, ref-fvm 3.14) and Shark (nv17, ref-fvm 2.12) vectors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fvm_shared::message::Message;
use ifvm_interp::Engine;
use ifvm_kernel::ApplyKind;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::PreparedVariant;
use ifvm_vectors::RunStore;
use ifvm_vectors::{data, BundleSet};
use ifvm_vectors::{Outcome, Runner};

/// One group's representative vector, prepared.
pub struct Group {
    /// `actor/method`, e.g. `storageminer/PreCommitSector`.
    pub name: String,
    /// Its first variant, decoded.
    pub variant: PreparedVariant,
    /// Gas used by all its messages (the same on both engines, checked).
    pub gas_used: u64,
}

/// A corpus of conformance vectors and the network version its vectors run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corpus {
    /// Hygge: nv18, actors v10, ref-fvm 3.14.
    Hygge,
    /// Shark: nv17, actors v9, ref-fvm 2.12.
    Shark,
}

impl Corpus {
    /// Its directory (under `$IFVM_VECTORS`).
    pub fn dir(self) -> PathBuf {
        match self {
            Corpus::Hygge => data::hygge_dir(),
            Corpus::Shark => data::shark_dir(),
        }
    }

    /// The network version its vectors run.
    pub fn nv(self) -> u32 {
        match self {
            Corpus::Hygge => 18,
            Corpus::Shark => 17,
        }
    }
}

/// Bundles from `$IFVM_ACTORS`.
pub fn bundles() -> BundleSet {
    BundleSet::new(data::actors_dir())
}

/// For each actor × method group of `corpus` (its first two directory levels), the first
/// vector by path whose first variant passes on ifvm and on ref-fvm. Empty, with a note on
/// stderr, if the corpus or the bundles are absent.
pub fn groups(corpus: Corpus) -> Vec<Group> {
    let dir = corpus.dir();
    let what = format!("{corpus:?} vectors");
    if data::present(dir.clone(), &what, data::VECTORS_VAR).is_none() || data::actors().is_none() {
        return Vec::new();
    }
    let files = data::collect_vectors(std::slice::from_ref(&dir)).expect("readable corpus");
    let mut by_group: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&dir).expect("under the corpus dir");
        let mut parts = rel.iter().map(|p| p.to_string_lossy());
        let actor = parts.next().unwrap_or_default();
        let actor = actor.rsplit('_').next().unwrap_or_default().to_string();
        let method = parts.next().unwrap_or_default();
        by_group
            .entry(format!("{actor}/{method}"))
            .or_default()
            .push(f);
    }
    let runner = Runner::new(bundles());
    by_group
        .into_iter()
        .filter_map(|(name, files)| {
            files
                .into_iter()
                .find_map(|path| representative(&runner, &name, &path))
        })
        .collect()
}

fn representative(runner: &Runner, name: &str, path: &Path) -> Option<Group> {
    let vector = TestVector::load(path).ok()?;
    let variant = vector.preconditions.variants.first()?;
    let report = runner.run(&vector, false).ok()?;
    if !matches!(report.first()?.outcome, Outcome::Passed) {
        return None;
    }
    let prepared = runner.prepare(&vector, variant).ok()?;
    if !ifvm_reference::variant_matches(&prepared).ok()? {
        return None;
    }
    Some(Group {
        name: name.to_string(),
        gas_used: prepared.expected.iter().map(|e| e.2).sum(),
        variant: prepared,
    })
}

/// Applies every message of `variant` on ifvm with `engine`; returns the total gas used.
pub fn apply_ifvm(variant: &PreparedVariant, engine: &Engine) -> u64 {
    let mut exec = variant
        .ifvm_executor(engine, false)
        .expect("ifvm machine for a checked vector");
    apply_prepared_ifvm(&mut exec, &variant.messages)
}

/// Applies `messages` (with their on-chain lengths) with a prepared ifvm executor; returns the
/// gas used.
pub fn apply_prepared_ifvm<E: ifvm_kernel::Externs + Send + 'static>(
    exec: &mut ifvm_kernel::Executor<RunStore, E>,
    messages: &[(Message, usize)],
) -> u64 {
    messages
        .iter()
        .map(|(msg, len)| {
            exec.execute_message(msg.clone(), ApplyKind::Explicit, *len)
                .expect("ifvm applies a checked vector")
                .msg_receipt
                .gas_used
        })
        .sum()
}

/// Applies `messages` with a prepared ref-fvm 2 executor; returns the gas used.
pub fn apply_prepared_ref_v2<E: ifvm_kernel::Externs + 'static>(
    exec: &mut ifvm_reference::v2::RefExecutorV2<E>,
    messages: &[(Message, usize)],
) -> u64 {
    messages
        .iter()
        .map(|(msg, len)| {
            let gas = ifvm_reference::v2::apply(exec, msg, *len)
                .expect("ref-fvm 2 applies a checked vector")
                .msg_receipt
                .gas_used;
            u64::try_from(gas).expect("gas used is not negative")
        })
        .sum()
}

/// Applies `messages` with a prepared ref-fvm 3 executor; returns the gas used.
pub fn apply_prepared_ref<E: ifvm_kernel::Externs + 'static>(
    exec: &mut ifvm_reference::v3::RefExecutor<E>,
    messages: &[(Message, usize)],
) -> u64 {
    messages
        .iter()
        .map(|(msg, len)| {
            ifvm_reference::v3::apply(exec, msg, *len)
                .expect("ref-fvm applies a checked vector")
                .msg_receipt
                .gas_used
        })
        .sum()
}

//! Cron: for each simulated network version (nv21–nv28), the tipset of its generated tipset
//! vectors (`vectors/generated/nvNN/tipsets/`) whose cron tick is the heaviest, applied whole as
//! a node applies it (machines opened, messages, rewards, cron, state flushed) from its
//! pre-state on ifvm and on ref-fvm 4.8. Throughput is the gas of every message the tipset
//! applied, so criterion reports gas per second. Groups are named `cron/nvNN`.

use criterion::{BatchSize, Criterion, Throughput};
use ifvm_reference::shared_engines_v4;
use ifvm_reference::v4::ChainV4;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::tipset::{apply_tipset, decode_tipsets, Tipset, TipsetOutcome};
use ifvm_vectors::{data, BundleSet, IfvmChain, PreparedVariant};

/// The networks the chain simulation covers.
const SIMULATED: std::ops::RangeInclusive<u32> = 21..=28;

/// A vector's first tipset, ready to apply.
struct Epoch {
    variant: PreparedVariant,
    tipset: Tipset,
}

impl Epoch {
    fn apply_ifvm(&self, chain: &mut IfvmChain) -> TipsetOutcome {
        let v = &self.variant;
        apply_tipset(chain, v.params.state_root, v.params.epoch, &self.tipset).expect("applies")
    }
}

/// The first tipset with the heaviest cron tick among `nv`'s tipset vectors.
fn heaviest(bundles: &BundleSet, nv: u32, engine: &ifvm_interp::Engine) -> Option<Epoch> {
    let dir = data::generated_dir().join(format!("nv{nv}/tipsets"));
    let files = data::collect_vectors(&[dir]).expect("readable vectors");
    let mut best: Option<(u64, Epoch)> = None;
    for path in files {
        let vector = TestVector::load(&path).expect("a vector");
        let variant = &vector.preconditions.variants[0];
        let prepared = PreparedVariant::tipset_start(bundles, &vector, variant).expect("prepares");
        let tipset = decode_tipsets(&vector.apply_tipsets[..1], variant.epoch).expect("decodes");
        let epoch = Epoch {
            variant: prepared,
            tipset: tipset.into_iter().next().expect("one tipset"),
        };
        let gas = epoch
            .apply_ifvm(&mut IfvmChain::new(&epoch.variant, engine))
            .cron_gas();
        if best.as_ref().is_none_or(|(g, _)| gas > *g) {
            best = Some((gas, epoch));
        }
    }
    best.map(|(_, e)| e)
}

fn cron(c: &mut Criterion) {
    let Some(actors) = data::actors() else {
        return;
    };
    let bundles = BundleSet::new(actors);
    for nv in SIMULATED {
        let engine = ifvm_vectors::engine(nv).expect("a supported version");
        let Some(epoch) = heaviest(&bundles, nv, &engine) else {
            continue;
        };
        let v = &epoch.variant;
        let ref_chain = || ChainV4::new(v, shared_engines_v4());
        // Warm both engines' module caches, and check both still agree.
        let ours = epoch.apply_ifvm(&mut IfvmChain::new(v, &engine));
        let theirs = apply_tipset(
            &mut ref_chain(),
            v.params.state_root,
            v.params.epoch,
            &epoch.tipset,
        )
        .expect("ref-fvm applies");
        assert_eq!(ours, theirs, "nv{nv}: the engines disagree");
        let mut group = c.benchmark_group(format!("cron/nv{nv}"));
        group.throughput(Throughput::Elements(ours.gas_used()));
        group.bench_function("ifvm", |b| {
            b.iter_batched(
                || IfvmChain::new(v, &engine),
                |mut chain| {
                    epoch.apply_ifvm(&mut chain);
                    chain
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("ref-fvm", |b| {
            b.iter_batched(
                ref_chain,
                |mut chain| {
                    apply_tipset(
                        &mut chain,
                        v.params.state_root,
                        v.params.epoch,
                        &epoch.tipset,
                    )
                    .expect("applies");
                    chain
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

fn main() {
    ifvm_benches::run_suite(cron);
}

//! Collecting samples: timed runs of vectors and workloads, the fastest time of each charge.

use std::num::NonZeroUsize;

use ifvm_interp::Engine;
use ifvm_kernel::{EnginePool, ExecutionEvent};

use super::{workloads, CalibrateError, Options};
use crate::observe::{Modes, Observation, ObserveError, RunOutcome};
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::BundleSet;
use ifvm_vectors::{PrepareError, PreparedVariant};

/// One timed charge.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The charge's name.
    pub charge: String,
    /// Where it came from: a vector file and variant, or a workload and size.
    pub source: String,
    /// The message's index in its source.
    pub message: usize,
    /// The charge's index in the message's trace.
    pub index: usize,
    /// Compute gas (whole gas, fractional).
    pub compute_gas: f64,
    /// Other gas (whole gas, fractional).
    pub other_gas: f64,
    /// The fastest time over the repeats, in nanoseconds.
    pub elapsed_ns: f64,
}

/// The samples of a calibration run, and the sources that could not be used.
#[derive(Clone, Debug, Default)]
pub struct Collection {
    /// Every timed charge.
    pub samples: Vec<Sample>,
    /// Sources skipped, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Sources used.
    pub sources: usize,
}

/// Runs `run` once to warm up, then `repeats` times; returns the observations of the last run
/// with every charge's time replaced by its fastest over the repeats. Fails if the runs do not
/// charge identically (they are deterministic, so that would be a bug).
pub fn fastest_of(
    repeats: usize,
    mut run: impl FnMut() -> Result<RunOutcome, ObserveError>,
) -> Result<Vec<Observation>, String> {
    run().map_err(|e| e.to_string())?;
    let mut best: Option<Vec<Observation>> = None;
    for _ in 0..repeats.max(1) {
        let obs = run().map_err(|e| e.to_string())?.messages;
        best = Some(match best {
            None => obs,
            Some(mut best) => {
                if best.len() != obs.len() {
                    return Err("runs applied different numbers of messages".into());
                }
                for (b, o) in best.iter_mut().zip(obs) {
                    let untimed = |t: &[ExecutionEvent]| -> Vec<ExecutionEvent> {
                        t.iter()
                            .cloned()
                            .map(ExecutionEvent::without_elapsed)
                            .collect()
                    };
                    if untimed(&b.trace) != untimed(&o.trace) {
                        return Err("runs charged differently".into());
                    }
                    for (be, oe) in b.trace.iter_mut().zip(o.trace) {
                        if let (
                            ExecutionEvent::GasCharge { elapsed: bt, .. },
                            ExecutionEvent::GasCharge { elapsed: ot, .. },
                        ) = (be, oe)
                        {
                            *bt = match (*bt, ot) {
                                (Some(a), Some(b)) => Some(a.min(b)),
                                (a, b) => a.or(b),
                            };
                        }
                    }
                }
                best
            }
        });
    }
    best.ok_or_else(|| "no run".into())
}

/// The samples of observed messages from `source`: one per timed charge. A `wasm_memory_grow`
/// charge is untimed because its work happened during the guest execution timed by the
/// `wasm_exec` charge just before it, so its gas is added to that sample's.
pub fn samples_of(source: &str, observations: &[Observation]) -> Vec<Sample> {
    let gas = |g: ifvm_gas::Gas| g.as_milligas() as f64 / 1000.0;
    let mut out: Vec<Sample> = Vec::new();
    for (message, o) in observations.iter().enumerate() {
        for (index, (c, t)) in o.charges().enumerate() {
            match t {
                Some(t) => out.push(Sample {
                    charge: c.name.to_string(),
                    source: source.to_string(),
                    message,
                    index,
                    compute_gas: gas(c.compute_gas),
                    other_gas: gas(c.other_gas),
                    elapsed_ns: t.as_nanos() as f64,
                }),
                None if c.name == GROW => {
                    if let Some(exec) = out.last_mut().filter(|s| {
                        s.charge == EXEC && s.message == message && s.index + 1 == index
                    }) {
                        exec.compute_gas += gas(c.compute_gas);
                    }
                }
                None => {}
            }
        }
    }
    out
}

/// The Wasm execution charge, and the memory-growth charge split from it.
const EXEC: &str = "wasm_exec";
const GROW: &str = "wasm_memory_grow";

/// Runs the vectors and workloads `options` names with timed traces. `progress` is told each
/// source's name before it runs. Call it on a thread with a large stack (actors recurse).
pub fn collect(
    bundles: &BundleSet,
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<Collection, CalibrateError> {
    let modes = Modes {
        timing: true,
        ..Modes::default()
    };
    let engine = modes
        .engine(crate::observe::ENGINE_NV)
        .map_err(|e| CalibrateError::Workloads(e.to_string()))?;
    // Vectors run on their own version's engine (nv17 meters differently), shared by config.
    let engines = EnginePool::new(NonZeroUsize::MIN);
    let mut out = Collection::default();
    let files = ifvm_vectors::data::collect_vectors(&options.vectors).map_err(|source| {
        CalibrateError::List {
            path: options.vectors.first().cloned().unwrap_or_default(),
            source,
        }
    })?;
    for file in files {
        let name = file.display().to_string();
        progress(&name);
        match TestVector::load(&file) {
            Ok(vector) if vector.class == "tipset" => out
                .skipped
                .push((name, PrepareError::TipsetClass.to_string())),
            Ok(vector) => {
                for variant in &vector.preconditions.variants {
                    let source = format!("{name}#{}", variant.id);
                    let result = PreparedVariant::new(bundles, &vector, variant)
                        .map_err(|e| e.to_string())
                        .and_then(|prepared| {
                            let config = modes
                                .engine_config(prepared.params.nv)
                                .map_err(|e| e.to_string())?;
                            let engine = engines.engine(&config);
                            fastest_of(options.repeats, || modes.run_variant(&engine, &prepared))
                        });
                    out.add(source, result);
                }
            }
            Err(e) => out.skipped.push((name, e.to_string())),
        }
    }
    if options.workloads {
        collect_workloads(
            bundles,
            &modes,
            &engine,
            options.repeats,
            &mut out,
            &mut progress,
        )?;
    }
    if out.samples.is_empty() {
        let why = match out.skipped.first() {
            Some((source, reason)) => format!(
                "{} sources skipped, e.g. {source}: {reason}",
                out.skipped.len()
            ),
            None => "no sources".to_string(),
        };
        return Err(CalibrateError::NoSamples(why));
    }
    Ok(out)
}

fn collect_workloads(
    bundles: &BundleSet,
    modes: &Modes,
    engine: &Engine,
    repeats: usize,
    out: &mut Collection,
    progress: &mut impl FnMut(&str),
) -> Result<(), CalibrateError> {
    progress("calibration workloads");
    let (setup, labels) = workloads::setup(bundles).map_err(CalibrateError::Workloads)?;
    let observations = fastest_of(repeats, || modes.run_setup(engine, &setup))
        .map_err(CalibrateError::Workloads)?;
    for (o, label) in observations.iter().zip(&labels) {
        let source = format!("workload:{}:{}", label.workload, label.size);
        if o.exit_code != 0 {
            // A workload that fails measures the failure, not the work: report it.
            out.skipped
                .push((source, format!("exited with code {}", o.exit_code)));
            continue;
        }
        out.add(source, Ok(vec![o.clone()]));
    }
    Ok(())
}

impl Collection {
    fn add(&mut self, source: String, result: Result<Vec<Observation>, String>) {
        match result {
            Ok(observations) => {
                self.sources += 1;
                self.samples.extend(samples_of(&source, &observations));
            }
            Err(reason) => self.skipped.push((source, reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(charge: &str, gas: f64, ns: f64) -> Sample {
        Sample {
            charge: charge.into(),
            source: "test".into(),
            message: 0,
            index: 0,
            compute_gas: gas,
            other_gas: 0.0,
            elapsed_ns: ns,
        }
    }

    #[test]
    fn fastest_of_keeps_the_minimum_time() {
        use ifvm_gas::{Gas, GasCharge};
        use std::time::Duration;
        let mut times = [900u64, 300, 500].into_iter().cycle();
        let obs = fastest_of(2, || {
            Ok(RunOutcome {
                messages: vec![Observation {
                    exit_code: 0,
                    gas_used: 1,
                    return_data: vec![],
                    trace: vec![ExecutionEvent::GasCharge {
                        charge: GasCharge::new("a", Gas::new(1), Gas::ZERO),
                        elapsed: Some(Duration::from_nanos(times.next().unwrap())),
                    }],
                    timed: true,
                    instructions: None,
                }],
                state_root: cid::Cid::default(),
            })
        })
        .unwrap();
        // The warm-up (900) is discarded; the fastest of 300 and 500 stays.
        let times: Vec<_> = obs[0].charges().map(|(_, t)| t).collect();
        assert_eq!(times, [Some(Duration::from_nanos(300))]);
        let samples = samples_of("src", &obs);
        assert_eq!(
            samples,
            [Sample {
                source: "src".into(),
                ..sample("a", 1.0, 300.0)
            }]
        );
    }

    #[test]
    fn memory_growth_gas_joins_its_guest_execution() {
        use ifvm_gas::{Gas, GasCharge};
        use std::time::Duration;
        let ns = |n| Some(Duration::from_nanos(n));
        let obs = Observation {
            exit_code: 0,
            gas_used: 1,
            return_data: vec![],
            trace: [
                (GROW, 5, None),
                (EXEC, 10, ns(40)),
                (GROW, 90, None),
                ("OnSyscall", 14, ns(7)),
            ]
            .into_iter()
            .map(|(name, gas, elapsed)| ExecutionEvent::GasCharge {
                charge: GasCharge::new(name, Gas::new(gas), Gas::ZERO),
                elapsed,
            })
            .collect(),
            timed: true,
            instructions: None,
        };
        let samples = samples_of("src", &[obs]);
        assert_eq!(samples.len(), 2);
        assert_eq!(
            (samples[0].charge.as_str(), samples[0].compute_gas),
            (EXEC, 100.0)
        );
        assert_eq!(
            (samples[1].charge.as_str(), samples[1].compute_gas),
            ("OnSyscall", 14.0)
        );
    }
}

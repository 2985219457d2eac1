//! Re-pricing vectors: applying their messages under another network version's price list, to
//! see what a price change would do to real messages. **Not consensus**: the results are
//! compared with the chain's only to report the differences.

use std::fmt::Write;
use std::path::Path;

use ifvm_interp::Engine;

use crate::observe::Modes;
use crate::trace_report::repricing_banner;
use ifvm_vectors::schema::TestVector;
use ifvm_vectors::BundleSet;
use ifvm_vectors::PreparedVariant;

/// One variant re-priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantDelta {
    /// The variant's network version.
    pub nv: u32,
    /// Messages applied.
    pub messages: usize,
    /// Gas used on chain (the vector's receipts), summed.
    pub chain_gas: u64,
    /// Gas used re-priced, summed.
    pub repriced_gas: u64,
    /// Messages whose exit code differs from the chain's.
    pub exit_codes_changed: usize,
}

/// What re-pricing one variant gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repriced {
    /// The vector file and variant.
    pub source: String,
    /// The differences, or why the variant could not run.
    pub outcome: Result<VariantDelta, String>,
}

/// Re-prices every variant of the vector at `path` under `modes.price_nv` on `engine` (made
/// by [`Modes::engine`] for the same modes). Call on a thread with a large stack.
pub fn reprice_file(
    bundles: &BundleSet,
    engine: &Engine,
    modes: &Modes,
    path: &Path,
) -> Vec<Repriced> {
    let name = path.display().to_string();
    let vector = match TestVector::load(path) {
        Ok(v) => v,
        Err(e) => {
            return vec![Repriced {
                source: name,
                outcome: Err(e.to_string()),
            }]
        }
    };
    vector
        .preconditions
        .variants
        .iter()
        .map(|variant| Repriced {
            source: format!("{name}#{}", variant.id),
            outcome: PreparedVariant::new(bundles, &vector, variant)
                .map_err(|e| e.to_string())
                .and_then(|prepared| {
                    let observed = modes
                        .run_variant(engine, &prepared)
                        .map_err(|e| e.to_string())?
                        .messages;
                    Ok(VariantDelta {
                        nv: prepared.params.nv,
                        messages: observed.len(),
                        chain_gas: prepared.expected.iter().map(|e| e.2).sum(),
                        repriced_gas: observed.iter().map(|o| o.gas_used).sum(),
                        exit_codes_changed: observed
                            .iter()
                            .zip(&prepared.expected)
                            .filter(|(o, e)| o.exit_code != e.0)
                            .count(),
                    })
                }),
        })
        .collect()
}

fn percent(from: u64, to: u64) -> String {
    if from == 0 {
        return "-".into();
    }
    format!("{:+.2}%", 100.0 * (to as f64 - from as f64) / from as f64)
}

/// A report for people: the banner, one line per variant, the totals.
pub fn text(results: &[Repriced], price_nv: u32) -> String {
    let mut nvs: Vec<u32> = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok().map(|d| d.nv))
        .collect();
    nvs.sort_unstable();
    nvs.dedup();
    let run_nvs = nvs
        .iter()
        .map(|n| format!("nv{n}"))
        .collect::<Vec<_>>()
        .join("/");
    let runs = if run_nvs.is_empty() {
        "the vectors'"
    } else {
        &run_nvs
    };
    let mut out = format!("{}\n", repricing_banner(price_nv, runs));
    let (mut chain, mut repriced, mut changed, mut ran, mut skipped) = (0u64, 0u64, 0, 0, 0);
    for r in results {
        match &r.outcome {
            Ok(d) => {
                ran += 1;
                chain += d.chain_gas;
                repriced += d.repriced_gas;
                changed += d.exit_codes_changed;
                let _ = writeln!(
                    out,
                    "{}: {} messages, gas {} -> {} ({}){}",
                    r.source,
                    d.messages,
                    d.chain_gas,
                    d.repriced_gas,
                    percent(d.chain_gas, d.repriced_gas),
                    if d.exit_codes_changed > 0 {
                        format!(", {} exit codes changed", d.exit_codes_changed)
                    } else {
                        String::new()
                    }
                );
            }
            Err(_) => skipped += 1,
        }
    }
    let _ = writeln!(
        out,
        "{ran} variants re-priced under nv{price_nv}: gas {chain} -> {repriced} ({}), {changed} exit codes changed; {skipped} skipped",
        percent(chain, repriced)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_totals_deltas_and_carries_the_banner() {
        let results = [
            Repriced {
                source: "a#0".into(),
                outcome: Ok(VariantDelta {
                    nv: 18,
                    messages: 2,
                    chain_gas: 1000,
                    repriced_gas: 1100,
                    exit_codes_changed: 0,
                }),
            },
            Repriced {
                source: "b#0".into(),
                outcome: Ok(VariantDelta {
                    nv: 18,
                    messages: 1,
                    chain_gas: 1000,
                    repriced_gas: 700,
                    exit_codes_changed: 1,
                }),
            },
            Repriced {
                source: "c#0".into(),
                outcome: Err("unsupported network version 17".into()),
            },
        ];
        let out = text(&results, 21);
        assert!(out.starts_with("*** RE-PRICED: nv18 messages charged with nv21's price list."));
        assert!(out.contains("a#0: 2 messages, gas 1000 -> 1100 (+10.00%)"));
        assert!(out.contains("b#0: 1 messages, gas 1000 -> 700 (-30.00%), 1 exit codes changed"));
        assert!(out.contains("2 variants re-priced under nv21: gas 2000 -> 1800 (-10.00%), 1 exit codes changed; 1 skipped"));
    }
}

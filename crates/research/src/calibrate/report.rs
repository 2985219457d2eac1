//! The calibration report's tables: per charge (CSV, JSON, text) and per sample with its
//! residual (CSV).

use std::fmt::Write;

use serde_json::{json, Value};

use super::{ChargeSummary, Collection, Sample, Verdict, MODEL_GAS_PER_NS};
use crate::trace_report::csv_field;

/// `x` for a table cell: empty when absent.
fn cell(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// One row per charge name.
pub fn summary_csv(summary: &[ChargeSummary]) -> String {
    let mut out = String::from(
        "charge,samples,compute_gas,other_gas,elapsed_ns,ns_per_gas,gas_per_ns,model_ratio,\
         total_gas_model_ratio,verdict,fit_slope_ns_per_gas,fit_intercept_ns,fit_r_squared,fit_rms_residual_ns,fit_max_abs_residual_ns\n",
    );
    for s in summary {
        let fit = s.fit;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&s.name),
            s.samples,
            s.compute_gas,
            s.other_gas,
            s.elapsed_ns,
            cell(s.ns_per_gas()),
            cell(s.gas_per_ns()),
            cell(s.model_ratio()),
            cell(s.total_model_ratio()),
            s.verdict.name(),
            cell(fit.map(|f| f.slope)),
            cell(fit.map(|f| f.intercept)),
            cell(fit.map(|f| f.r_squared)),
            cell(fit.map(|f| f.rms_residual)),
            cell(fit.map(|f| f.max_abs_residual)),
        );
    }
    out
}

/// One row per sample, with its charge's fitted time and the residual.
pub fn samples_csv(samples: &[Sample], summary: &[ChargeSummary]) -> String {
    let mut out = String::from(
        "charge,source,message,index,compute_gas,other_gas,elapsed_ns,fitted_ns,residual_ns\n",
    );
    for s in samples {
        let fit = summary
            .iter()
            .find(|c| c.name == s.charge)
            .and_then(|c| c.fit);
        let fitted = fit.map(|f| f.predict(s.compute_gas));
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            csv_field(&s.charge),
            csv_field(&s.source),
            s.message,
            s.index,
            s.compute_gas,
            s.other_gas,
            s.elapsed_ns,
            cell(fitted),
            cell(fitted.map(|f| s.elapsed_ns - f)),
        );
    }
    out
}

/// The whole report as JSON.
pub fn summary_json(summary: &[ChargeSummary], collection: &Collection, threshold: f64) -> Value {
    let charges: Vec<Value> = summary
        .iter()
        .map(|s| {
            json!({
                "charge": s.name,
                "samples": s.samples,
                "compute_gas": s.compute_gas,
                "other_gas": s.other_gas,
                "elapsed_ns": s.elapsed_ns,
                "ns_per_gas": s.ns_per_gas(),
                "gas_per_ns": s.gas_per_ns(),
                "model_ratio": s.model_ratio(),
                "total_gas_model_ratio": s.total_model_ratio(),
                "verdict": s.verdict.name(),
                "fit": s.fit.map(|f| json!({
                    "slope_ns_per_gas": f.slope,
                    "intercept_ns": f.intercept,
                    "r_squared": f.r_squared,
                    "rms_residual_ns": f.rms_residual,
                    "max_abs_residual_ns": f.max_abs_residual,
                    "points": f.n,
                })),
            })
        })
        .collect();
    json!({
        "model_gas_per_ns": MODEL_GAS_PER_NS,
        "threshold": threshold,
        "sources": collection.sources,
        "samples": collection.samples.len(),
        "skipped": collection.skipped.iter().map(|(s, why)| json!({"source": s, "reason": why})).collect::<Vec<_>>(),
        "charges": charges,
    })
}

/// A table for people: every charge, then the flagged ones.
pub fn text(summary: &[ChargeSummary], threshold: f64) -> String {
    let mut out = format!(
        "{:<28} {:>8} {:>16} {:>14} {:>9} {:>9} {:>8} {:>11} {:>7}  verdict\n",
        "charge",
        "samples",
        "compute gas",
        "time (ns)",
        "ns/gas",
        "gas/ns",
        "x model",
        "fit ns/gas",
        "R²"
    );
    let num = |x: Option<f64>, digits: usize| {
        x.map(|v| format!("{v:.digits$}"))
            .unwrap_or_else(|| "-".into())
    };
    for s in summary {
        let _ = writeln!(
            out,
            "{:<28} {:>8} {:>16.0} {:>14.0} {:>9} {:>9} {:>8} {:>11} {:>7}  {}",
            s.name,
            s.samples,
            s.compute_gas,
            s.elapsed_ns,
            num(s.ns_per_gas(), 4),
            num(s.gas_per_ns(), 2),
            num(s.model_ratio(), 2),
            num(s.fit.map(|f| f.slope), 4),
            num(s.fit.map(|f| f.r_squared), 3),
            s.verdict.name(),
        );
    }
    let flagged: Vec<&ChargeSummary> = summary
        .iter()
        .filter(|s| s.verdict != Verdict::Consistent)
        .collect();
    let _ = writeln!(
        out,
        "\nmodel: {MODEL_GAS_PER_NS} gas/ns (0.1 ns per gas); flagged when more than {threshold}x off either way: {}",
        flagged.len()
    );
    for s in flagged {
        let why = match (s.verdict, s.model_ratio()) {
            (Verdict::Underpriced, Some(r)) => format!("takes {r:.1}x the time its gas pays for"),
            (Verdict::Overpriced, Some(r)) => {
                format!("takes 1/{:.1} of the time its gas pays for", 1.0 / r)
            }
            _ => match s.total_model_ratio() {
                Some(r) => format!(
                    "no compute gas, {:.0} ns in {} samples; against its other gas: {r:.2}x",
                    s.elapsed_ns, s.samples
                ),
                None => format!(
                    "no gas at all, {:.0} ns in {} samples",
                    s.elapsed_ns, s.samples
                ),
            },
        };
        let _ = writeln!(out, "  {:<11} {:<28} {why}", s.verdict.name(), s.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{summarize, Collection, Sample};
    use super::*;

    fn samples() -> Vec<Sample> {
        (1..=4)
            .map(|i| Sample {
                charge: "wasm_exec".into(),
                source: format!("workload:x:{i}"),
                message: i,
                index: 2,
                compute_gas: 1000.0 * i as f64,
                other_gas: 0.0,
                elapsed_ns: 300.0 * i as f64 + 50.0,
            })
            .collect()
    }

    #[test]
    fn tables_carry_every_charge_and_sample() {
        let samples = samples();
        let summary = summarize(&samples, 4.0);
        let csv = summary_csv(&summary);
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(row[0], "wasm_exec");
        assert_eq!(row[1], "4");
        assert_eq!(row[9], "consistent");
        let slope: f64 = row[10].parse().unwrap();
        assert!((slope - 0.3).abs() < 1e-9);
        let per_sample = samples_csv(&samples, &summary);
        assert_eq!(per_sample.lines().count(), 1 + samples.len());
        for line in per_sample.lines().skip(1) {
            let residual: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
            assert!(residual.abs() < 1e-6, "{line}");
        }
        let collection = Collection {
            samples: samples.clone(),
            skipped: vec![("bad".into(), "why".into())],
            sources: 4,
        };
        let json = summary_json(&summary, &collection, 4.0);
        assert_eq!(json["charges"][0]["samples"], json!(4));
        assert_eq!(json["skipped"][0]["source"], json!("bad"));
        assert!(text(&summary, 4.0).contains("flagged when more than 4x off either way: 0"));
    }
}

//! Per charge name: totals, time per gas against the model, the fit, and the verdict.

use super::stats::LinearFit;
use super::{Sample, MODEL_GAS_PER_NS};

/// How a charge's measured cost compares with its price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Within the threshold of the model's 10 gas/ns.
    Consistent,
    /// Takes more than `threshold` times the time its gas pays for.
    Underpriced,
    /// Takes less than 1/`threshold` of the time its gas pays for.
    Overpriced,
    /// Has no compute gas but takes time.
    Unpriced,
}

impl Verdict {
    /// A lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Consistent => "consistent",
            Self::Underpriced => "underpriced",
            Self::Overpriced => "overpriced",
            Self::Unpriced => "unpriced",
        }
    }
}

/// The calibration of one charge name.
#[derive(Clone, Debug, PartialEq)]
pub struct ChargeSummary {
    /// The charge's name.
    pub name: String,
    /// How many timed samples.
    pub samples: usize,
    /// Total compute gas of the samples.
    pub compute_gas: f64,
    /// Total other gas of the samples.
    pub other_gas: f64,
    /// Total time of the samples, in nanoseconds.
    pub elapsed_ns: f64,
    /// Time against compute gas, if the gas varies between samples.
    pub fit: Option<LinearFit>,
    /// How its cost compares with its price.
    pub verdict: Verdict,
}

impl ChargeSummary {
    /// Measured nanoseconds per compute gas, over all samples (total time / total gas).
    pub fn ns_per_gas(&self) -> Option<f64> {
        (self.compute_gas > 0.0).then(|| self.elapsed_ns / self.compute_gas)
    }

    /// Measured compute gas per nanosecond (the model says [`MODEL_GAS_PER_NS`]).
    pub fn gas_per_ns(&self) -> Option<f64> {
        (self.elapsed_ns > 0.0 && self.compute_gas > 0.0)
            .then(|| self.compute_gas / self.elapsed_ns)
    }

    /// How many times the model's time the charge takes: above 1, its work is slower than its
    /// gas says (underpriced); below 1, faster (overpriced).
    pub fn model_ratio(&self) -> Option<f64> {
        self.ns_per_gas().map(|ns| ns * MODEL_GAS_PER_NS)
    }

    /// [`model_ratio`](Self::model_ratio) against compute plus other gas: other gas prices
    /// storage and deferred work, not time now, but for charges priced mostly in other gas it
    /// shows whether the whole price covers the time.
    pub fn total_model_ratio(&self) -> Option<f64> {
        let gas = self.compute_gas + self.other_gas;
        (gas > 0.0).then(|| self.elapsed_ns / gas * MODEL_GAS_PER_NS)
    }
}

/// Summarizes `samples` per charge name, flagging charges more than `threshold` times off the
/// model either way; sorted by total time, largest first.
pub fn summarize(samples: &[Sample], threshold: f64) -> Vec<ChargeSummary> {
    let mut names: Vec<&str> = samples.iter().map(|s| s.charge.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out: Vec<ChargeSummary> = names
        .into_iter()
        .map(|name| {
            let of: Vec<&Sample> = samples.iter().filter(|s| s.charge == name).collect();
            let points: Vec<(f64, f64)> =
                of.iter().map(|s| (s.compute_gas, s.elapsed_ns)).collect();
            let mut summary = ChargeSummary {
                name: name.to_string(),
                samples: of.len(),
                compute_gas: of.iter().map(|s| s.compute_gas).sum(),
                other_gas: of.iter().map(|s| s.other_gas).sum(),
                elapsed_ns: of.iter().map(|s| s.elapsed_ns).sum(),
                fit: LinearFit::fit(&points),
                verdict: Verdict::Consistent,
            };
            summary.verdict = match summary.model_ratio() {
                None if summary.elapsed_ns > 0.0 => Verdict::Unpriced,
                Some(r) if r > threshold => Verdict::Underpriced,
                Some(r) if r < 1.0 / threshold => Verdict::Overpriced,
                _ => Verdict::Consistent,
            };
            summary
        })
        .collect();
    out.sort_by(|a, b| b.elapsed_ns.total_cmp(&a.elapsed_ns));
    out
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
    fn verdicts_follow_the_model_ratio() {
        let mut samples = Vec::new();
        for g in [100.0, 200.0, 400.0] {
            samples.push(sample("fair", g, g / MODEL_GAS_PER_NS * 1.5));
            samples.push(sample("slow", g, g / MODEL_GAS_PER_NS * 9.0));
            samples.push(sample("fast", g, g / MODEL_GAS_PER_NS / 8.0));
        }
        samples.push(sample("free", 0.0, 50.0));
        let summary = summarize(&samples, 4.0);
        let get = |n: &str| summary.iter().find(|s| s.name == n).unwrap();
        assert_eq!(get("fair").verdict, Verdict::Consistent);
        assert_eq!(get("slow").verdict, Verdict::Underpriced);
        assert_eq!(get("fast").verdict, Verdict::Overpriced);
        assert_eq!(get("free").verdict, Verdict::Unpriced);
        assert!((get("slow").model_ratio().unwrap() - 9.0).abs() < 1e-9);
        assert!((get("fair").gas_per_ns().unwrap() - MODEL_GAS_PER_NS / 1.5).abs() < 1e-9);
        // The fit recovers the per-gas slope of a proportional cost.
        let fit = get("slow").fit.unwrap();
        assert!((fit.slope - 0.9).abs() < 1e-9 && fit.intercept.abs() < 1e-6);
        assert!(get("free").fit.is_none());
        // Largest total time first.
        assert!(summary
            .windows(2)
            .all(|w| w[0].elapsed_ns >= w[1].elapsed_ns));
    }
}

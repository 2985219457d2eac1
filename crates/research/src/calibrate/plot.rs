//! Plots of time against compute gas (SVG, log-log): one per charge type, and an overview of
//! the charge types with the most time. Dense regions are thinned (see [`POINTS_PER_BIN`]). The model's line (10 gas per nanosecond) is drawn on
//! each: points above it take longer than their gas pays for.

use std::path::Path;

use plotters::prelude::*;

use super::{ChargeSummary, Sample, MODEL_GAS_PER_NS};

/// Colors of the overview's series, in order; further series are grey.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
];

/// Most points drawn per tenth of a decade of gas, per series: dense regions are thinned (fits
/// use every sample), sparse ones (typically the largest charges) keep every point.
pub const POINTS_PER_BIN: usize = 40;

/// The points of `samples` that a log-log plot can show (positive gas and time), thinned to
/// [`POINTS_PER_BIN`] per tenth of a decade of gas by an even stride within each bin.
fn plottable<'a>(samples: impl Iterator<Item = &'a Sample>) -> Vec<(f64, f64)> {
    let mut bins: std::collections::BTreeMap<i64, Vec<(f64, f64)>> = Default::default();
    for s in samples.filter(|s| s.compute_gas > 0.0 && s.elapsed_ns > 0.0) {
        let bin = (s.compute_gas.log10() * 10.0).floor() as i64;
        bins.entry(bin)
            .or_default()
            .push((s.compute_gas, s.elapsed_ns));
    }
    bins.into_values()
        .flat_map(|points| {
            let stride = points.len().div_ceil(POINTS_PER_BIN).max(1);
            points.into_iter().step_by(stride)
        })
        .collect()
}

/// Axis ranges covering `points` and, for the model line to be visible, a decade around them.
fn ranges(points: &[(f64, f64)]) -> ((f64, f64), (f64, f64)) {
    let fold = |f: fn(&(f64, f64)) -> f64| {
        points
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (x, y) = (fold(|p| p.0), fold(|p| p.1));
    let widen = |(lo, hi): (f64, f64)| (lo / 2.0, hi * 2.0);
    let (x, y) = (widen(x), widen(y));
    // Include the model's times over the gas range.
    let y = (
        y.0.min(x.0 / MODEL_GAS_PER_NS),
        y.1.max(x.1 / MODEL_GAS_PER_NS),
    );
    (x, y)
}

/// `n` points of `f` spaced geometrically over `lo..hi`, keeping positive values.
fn curve(lo: f64, hi: f64, n: usize, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
        .map(|x| (x, f(x)))
        .filter(|p| p.1 > 0.0)
        .collect()
}

fn draw(
    path: &Path,
    title: &str,
    series: &[(String, Vec<(f64, f64)>)],
    fit: Option<&ChargeSummary>,
) -> Result<(), String> {
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.1.iter().copied()).collect();
    if all.is_empty() {
        return Err("nothing to plot".into());
    }
    let ((x0, x1), (y0, y1)) = ranges(&all);
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let root = SVGBackend::new(path, (960, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc("compute gas")
        .y_desc("time (ns)")
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(|x| e(&x))?;
    for (i, (label, points)) in series.iter().enumerate() {
        let color = PALETTE.get(i).copied().unwrap_or(RGBColor(170, 170, 170));
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new(*p, 3, color.mix(0.7).filled())),
            )
            .map_err(|x| e(&x))?
            .label(label.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
    }
    chart
        .draw_series(LineSeries::new(
            curve(x0, x1, 2, |x| x / MODEL_GAS_PER_NS),
            BLACK.stroke_width(2),
        ))
        .map_err(|x| e(&x))?
        .label(format!("model: {MODEL_GAS_PER_NS} gas/ns"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    if let Some(fit) = fit.and_then(|s| s.fit) {
        chart
            .draw_series(LineSeries::new(
                curve(x0, x1, 200, |x| fit.predict(x)),
                RED.stroke_width(2),
            ))
            .map_err(|x| e(&x))?
            .label(format!(
                "fit: {:.4} ns/gas + {:.0} ns, R² {:.3}",
                fit.slope, fit.intercept, fit.r_squared
            ))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))
}

/// `name` as a file name: ASCII letters, digits, `_` and `-` kept, everything else `_`.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Plots one charge type: its samples, its fit and the model line.
pub fn charge_plot(path: &Path, summary: &ChargeSummary, samples: &[Sample]) -> Result<(), String> {
    let points = plottable(samples.iter().filter(|s| s.charge == summary.name));
    let title = format!(
        "{}: time vs compute gas ({} samples)",
        summary.name, summary.samples
    );
    draw(
        path,
        &title,
        &[(summary.name.clone(), points)],
        Some(summary),
    )
}

/// Plots the `top` charge types with the most total time (with compute gas) together.
pub fn overview_plot(
    path: &Path,
    summary: &[ChargeSummary],
    samples: &[Sample],
    top: usize,
) -> Result<(), String> {
    let series: Vec<(String, Vec<(f64, f64)>)> = summary
        .iter()
        .filter(|s| s.compute_gas > 0.0)
        .take(top)
        .map(|s| {
            (
                s.name.clone(),
                plottable(samples.iter().filter(|x| x.charge == s.name)),
            )
        })
        .filter(|(_, points)| !points.is_empty())
        .collect();
    draw(
        path,
        "time vs compute gas per charge type (log-log)",
        &series,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::super::summarize;
    use super::*;

    #[test]
    fn plots_are_svg_files_with_every_series() {
        let samples: Vec<Sample> = [("wasm_exec", 0.2), ("OnBlockLink", 0.05)]
            .iter()
            .flat_map(|(name, ns_per_gas)| {
                (1..=5).map(move |i| Sample {
                    charge: name.to_string(),
                    source: "test".into(),
                    message: 0,
                    index: i,
                    compute_gas: 1000.0 * i as f64,
                    other_gas: 0.0,
                    elapsed_ns: 1000.0 * i as f64 * ns_per_gas,
                })
            })
            .collect();
        let summary = summarize(&samples, 4.0);
        let dir = std::env::temp_dir().join(format!("ifvm-plot-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let overview = dir.join("overview.svg");
        overview_plot(&overview, &summary, &samples, 8).unwrap();
        let svg = std::fs::read_to_string(&overview).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("wasm_exec") && svg.contains("OnBlockLink") && svg.contains("model"));
        let one = dir.join(format!("{}.svg", file_stem(&summary[0].name)));
        charge_plot(&one, &summary[0], &samples).unwrap();
        assert!(std::fs::read_to_string(&one).unwrap().contains("fit:"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(file_stem("a b/c"), "a_b_c");
    }
}

//! Ordinary least squares of time against gas, with the goodness of fit.

/// A straight-line fit `y = slope * x + intercept` by ordinary least squares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearFit {
    /// The slope (for time against gas: nanoseconds per gas).
    pub slope: f64,
    /// The intercept (for time against gas: nanoseconds at zero gas).
    pub intercept: f64,
    /// The coefficient of determination, 1 − SS_res / SS_tot, in [0, 1] for an OLS fit with an
    /// intercept (1 when every residual is zero, including when `y` is constant and fitted
    /// exactly).
    pub r_squared: f64,
    /// The root mean square of the residuals.
    pub rms_residual: f64,
    /// The largest absolute residual.
    pub max_abs_residual: f64,
    /// How many points were fitted.
    pub n: usize,
}

impl LinearFit {
    /// Fits `points` (x, y). `None` with fewer than two points, when the x values do not vary
    /// (no slope is determined), or when any value is not finite.
    pub fn fit(points: &[(f64, f64)]) -> Option<Self> {
        if points.len() < 2 || points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
            return None;
        }
        let n = points.len() as f64;
        let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for (x, y) in points {
            let (dx, dy) = (x - mean_x, y - mean_y);
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        // Relative to the x values' magnitude: identical x (up to rounding) fix no slope.
        if sxx <= f64::EPSILON * mean_x.abs().max(1.0).powi(2) * n {
            return None;
        }
        let slope = sxy / sxx;
        let intercept = mean_y - slope * mean_x;
        let residuals = points.iter().map(|(x, y)| y - (slope * x + intercept));
        let (mut ss_res, mut max_abs) = (0.0f64, 0.0f64);
        for r in residuals {
            ss_res += r * r;
            max_abs = max_abs.max(r.abs());
        }
        let r_squared = if syy > 0.0 {
            (1.0 - ss_res / syy).clamp(0.0, 1.0)
        } else {
            1.0
        };
        Some(Self {
            slope,
            intercept,
            r_squared,
            rms_residual: (ss_res / n).sqrt(),
            max_abs_residual: max_abs,
            n: points.len(),
        })
    }

    /// The fitted value at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic noise in [-1, 1) (a fixed LCG), so tests need no randomness crate.
    fn noise(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    #[test]
    fn exact_line_is_recovered() {
        let (slope, intercept) = (0.37, 125.0);
        let points: Vec<_> = (1..=20)
            .map(|i| {
                let x = f64::from(i) * 1000.0;
                (x, slope * x + intercept)
            })
            .collect();
        let fit = LinearFit::fit(&points).unwrap();
        assert!((fit.slope - slope).abs() < 1e-12);
        assert!((fit.intercept - intercept).abs() < 1e-6);
        assert!((fit.r_squared - 1.0).abs() < 1e-12);
        assert!(fit.rms_residual < 1e-6 && fit.max_abs_residual < 1e-6);
        assert_eq!(fit.n, 20);
        assert!((fit.predict(5e4) - (slope * 5e4 + intercept)).abs() < 1e-6);
    }

    #[test]
    fn noisy_line_is_estimated_within_its_noise() {
        let (slope, intercept, amplitude) = (2.5, -40.0, 50.0);
        let mut seed = 42;
        let points: Vec<_> = (0..500)
            .map(|i| {
                let x = f64::from(i) * 10.0;
                (x, slope * x + intercept + amplitude * noise(&mut seed))
            })
            .collect();
        let fit = LinearFit::fit(&points).unwrap();
        // The slope's standard error is about amplitude / sqrt(3 * sum dx^2) ~ 0.002.
        assert!((fit.slope - slope).abs() < 0.02, "{fit:?}");
        assert!((fit.intercept - intercept).abs() < 10.0, "{fit:?}");
        assert!(fit.r_squared > 0.99 && fit.r_squared < 1.0, "{fit:?}");
        // Uniform noise of amplitude a has RMS a / sqrt(3).
        let expected_rms = amplitude / 3f64.sqrt();
        assert!(
            (fit.rms_residual - expected_rms).abs() < 0.15 * expected_rms,
            "{fit:?}"
        );
        assert!(fit.max_abs_residual <= amplitude * 1.05, "{fit:?}");
    }

    #[test]
    fn pure_noise_explains_nothing() {
        let mut seed = 7;
        let points: Vec<_> = (0..400)
            .map(|i| (f64::from(i), 1000.0 + 100.0 * noise(&mut seed)))
            .collect();
        let fit = LinearFit::fit(&points).unwrap();
        assert!(fit.r_squared < 0.05, "{fit:?}");
        assert!(fit.slope.abs() < 0.2, "{fit:?}");
    }

    #[test]
    fn degenerate_inputs_have_no_fit() {
        assert_eq!(LinearFit::fit(&[]), None);
        assert_eq!(LinearFit::fit(&[(1.0, 2.0)]), None);
        assert_eq!(LinearFit::fit(&[(3.0, 1.0), (3.0, 5.0), (3.0, 9.0)]), None);
        assert_eq!(LinearFit::fit(&[(1.0, 1.0), (2.0, f64::NAN)]), None);
        // A constant y on varying x is an exact horizontal line.
        let flat = LinearFit::fit(&[(1.0, 4.0), (2.0, 4.0), (9.0, 4.0)]).unwrap();
        assert_eq!((flat.slope, flat.r_squared), (0.0, 1.0));
    }
}

//! Statistics for open comparisons: Wilson intervals for shares, funnel-plot control limits
//! around a target (Spiegelhalter 2005, exact binomial with interpolation), and the
//! open-comparisons colouring by tertile.

use serde::Serialize;

/// The Wilson score interval of `successes` out of `n` at normal quantile `z` (1.96 for 95 %).
/// `None` for `n = 0`: no data is not 0 %.
pub fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// ln C(n, r).
fn ln_choose(n: u64, r: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(r as f64 + 1.0) - ln_gamma((n - r) as f64 + 1.0)
}

/// ln Γ(x) by the Lanczos approximation (g = 7, 9 terms; |error| < 1e-13 for x ≥ 0.5).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let t = x + 7.5;
    let sum: f64 = C[0] + (1..9).map(|i| C[i] / (x + i as f64)).sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// P(R ≤ r) for R ~ Binomial(n, θ).
fn binomial_cdf(r: i64, n: u64, theta: f64) -> f64 {
    if r < 0 {
        return 0.0;
    }
    if r as u64 >= n {
        return 1.0;
    }
    (0..=r as u64)
        .map(|k| {
            (ln_choose(n, k) + k as f64 * theta.ln() + (n - k) as f64 * (1.0 - theta).ln()).exp()
        })
        .sum::<f64>()
        .min(1.0)
}

/// The funnel-plot limit for a share at sample size `n` around target `theta`, at cumulative
/// probability `p` (0.025 / 0.975 for 95 %, 0.001 / 0.999 for 99.8 %): Spiegelhalter's exact
/// binomial quantile with linear interpolation, `(r_p − α) / n`.
pub fn funnel_limit(theta: f64, n: u64, p: f64) -> f64 {
    if n == 0 || !(0.0..=1.0).contains(&theta) {
        return theta;
    }
    let mut r = 0i64;
    while binomial_cdf(r, n, theta) < p && (r as u64) < n {
        r += 1;
    }
    let upper = binomial_cdf(r, n, theta);
    let lower = binomial_cdf(r - 1, n, theta);
    let alpha = if upper > lower {
        (upper - p) / (upper - lower)
    } else {
        0.0
    };
    ((r as f64 - alpha) / n as f64).clamp(0.0, 1.0)
}

/// Where a unit falls among its peers, the way open comparisons colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tertile {
    /// The best third (green).
    Best,
    /// The middle third (yellow).
    Middle,
    /// The worst third (red).
    Worst,
}

/// The tertile of each value, best first according to `higher_is_better`. `None` values (no
/// data, suppressed) get no colour. Ties share the better tertile.
pub fn tertiles(values: &[Option<f64>], higher_is_better: bool) -> Vec<Option<Tertile>> {
    let mut present: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    present.sort_by(|a, b| {
        if higher_is_better {
            b.1.total_cmp(&a.1)
        } else {
            a.1.total_cmp(&b.1)
        }
    });
    let n = present.len();
    let mut out = vec![None; values.len()];
    for (rank, (index, value)) in present.iter().enumerate() {
        let first = present.iter().position(|(_, v)| v == value).unwrap_or(rank);
        out[*index] = Some(match 3 * first / n.max(1) {
            0 => Tertile::Best,
            1 => Tertile::Middle,
            _ => Tertile::Worst,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() < tolerance
    }

    #[test]
    fn wilson_matches_the_hand_calculation() {
        // 8 of 10: p = 0.8, z² = 3.8416, z²/n = 0.38416, denominator 1.38416.
        // centre = (0.8 + 0.19208)/1.38416 = 0.716738;
        // half = 1.96/1.38416 · √(0.016 + 0.009604) = 1.416022 · 0.160012 = 0.226580.
        let (lo, hi) = wilson(8, 10, 1.96).unwrap();
        assert!(
            close(lo, 0.490_158, 1e-5) && close(hi, 0.943_318, 1e-5),
            "{lo} {hi}"
        );
        // 0 of 20: the interval starts at 0 and is not degenerate: hi = z²/n / (1 + z²/n) = 0.161135.
        let (lo, hi) = wilson(0, 20, 1.96).unwrap();
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.161_135, 1e-5), "{hi}");
        assert_eq!(wilson(0, 0, 1.96), None, "no data is not 0 %");
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-12));
        assert!(close(ln_gamma(6.0), (120.0f64).ln(), 1e-10));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-10
        ));
    }

    #[test]
    fn funnel_limits_follow_spiegelhalters_exact_method() {
        // θ = 0.5, n = 10, p = 0.975. P(R ≤ 7) = 0.9453125, P(R ≤ 8) = 0.9892578:
        // r = 8, α = (0.9892578 − 0.975) / (0.9892578 − 0.9453125) = 0.3244444,
        // limit = (8 − 0.3244444) / 10 = 0.7675556.
        assert!(close(funnel_limit(0.5, 10, 0.975), 0.767_555_6, 1e-6));
        // Symmetric below: P(R ≤ 1) = 0.0107422, P(R ≤ 2) = 0.0546875 → r = 2,
        // α = (0.0546875 − 0.025) / 0.0439453 = 0.6755556, limit = (2 − 0.6755556)/10 = 0.1324444.
        assert!(close(funnel_limit(0.5, 10, 0.025), 0.132_444_4, 1e-6));
        // The limits narrow as n grows and the 99.8 % limits lie outside the 95 % ones.
        let (n_small, n_large) = (funnel_limit(0.3, 50, 0.975), funnel_limit(0.3, 5000, 0.975));
        assert!(n_small > n_large && n_large > 0.3);
        assert!(funnel_limit(0.3, 200, 0.999) > funnel_limit(0.3, 200, 0.975));
        // Large n approaches the normal limit θ + 1.96·√(θ(1−θ)/n) = 0.3 + 0.0127018 at n = 5000.
        assert!(close(n_large, 0.312_701_8, 5e-4), "{n_large}");
    }

    #[test]
    fn tertiles_respect_the_direction_and_skip_missing_values() {
        let values = [
            Some(0.9),
            Some(0.1),
            None,
            Some(0.5),
            Some(0.7),
            Some(0.3),
            Some(0.2),
        ];
        let higher = tertiles(&values, true);
        assert_eq!(higher[0], Some(Tertile::Best));
        assert_eq!(higher[1], Some(Tertile::Worst));
        assert_eq!(higher[2], None);
        let lower = tertiles(&values, false);
        assert_eq!(lower[1], Some(Tertile::Best));
        assert_eq!(lower[0], Some(Tertile::Worst));
        let tied = tertiles(&[Some(1.0), Some(1.0), Some(1.0)], true);
        assert!(
            tied.iter().all(|t| *t == Some(Tertile::Best)),
            "ties share the better tertile"
        );
    }
}

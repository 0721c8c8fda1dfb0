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

/// ln C(n, r), for the reference summation the tests check [`Binomial`] against.
#[cfg(test)]
fn ln_choose(n: u64, r: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(r as f64 + 1.0) - ln_gamma((n - r) as f64 + 1.0)
}

/// ln Γ(x) by the Lanczos approximation (g = 7, 9 terms; |error| < 1e-13 for x ≥ 0.5).
#[cfg(test)]
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

/// The cumulative distribution of R ~ Binomial(n, θ), kept for the terms that matter at double
/// precision: from the mode outwards while a term is at least 1e-30 of the mode's. Each term is
/// the one before times (n − k)/(k + 1) · θ/(1 − θ), relative to the mode's, so building it
/// costs a number of steps proportional to the standard deviation √(nθ(1 − θ)) — not to n, and
/// not n² as summing every cumulative probability from zero did — and the terms are normalised
/// by their sum, so no ln Γ of a large argument (and its rounding) is needed. Each quantile is
/// then a bisection, O(log n).
#[derive(Debug, Clone)]
pub struct Binomial {
    n: u64,
    /// The first `r` kept.
    lo: u64,
    /// P(R ≤ lo + i), for each kept `i`.
    cdf: Vec<f64>,
}

/// How small a term, relative to the mode's, is still kept.
const NEGLIGIBLE: f64 = 1e-30;

impl Binomial {
    /// The distribution of successes in `n` trials of probability `theta` (in 0..=1).
    pub fn new(n: u64, theta: f64) -> Self {
        // All the mass at one end: the only term is 1.
        if theta <= 0.0 || theta >= 1.0 || n == 0 {
            let at = if theta >= 1.0 { n } else { 0 };
            return Self {
                n,
                lo: at,
                cdf: vec![1.0],
            };
        }
        let odds = theta / (1.0 - theta);
        let mode = (((n + 1) as f64 * theta).floor() as u64).min(n);
        // Terms relative to the mode's (which is 1 here); the scale cancels when normalised.
        let mut below = Vec::new();
        let mut term = 1.0;
        let mut k = mode;
        while k > 0 {
            // pmf(k − 1) = pmf(k) · k / ((n − k + 1) · odds)
            term *= k as f64 / ((n - k + 1) as f64 * odds);
            if term < NEGLIGIBLE {
                break;
            }
            below.push(term);
            k -= 1;
        }
        let lo = mode - below.len() as u64;
        let mut terms: Vec<f64> = below.into_iter().rev().collect();
        terms.push(1.0);
        let mut term = 1.0;
        let mut k = mode;
        while k < n {
            // pmf(k + 1) = pmf(k) · (n − k) / (k + 1) · odds
            term *= (n - k) as f64 / (k + 1) as f64 * odds;
            if term < NEGLIGIBLE {
                break;
            }
            terms.push(term);
            k += 1;
        }
        let total: f64 = terms.iter().sum();
        let mut running = 0.0;
        let cdf = terms
            .iter()
            .map(|t| {
                running += t / total;
                running.min(1.0)
            })
            .collect();
        Self { n, lo, cdf }
    }

    /// P(R ≤ r).
    pub fn cdf(&self, r: i64) -> f64 {
        if r < 0 || (r as u64) < self.lo {
            return 0.0;
        }
        let r = r as u64;
        if r >= self.n {
            return 1.0;
        }
        self.cdf.get((r - self.lo) as usize).copied().unwrap_or(1.0)
    }

    /// The smallest `r` (at most n) with P(R ≤ r) ≥ `p`, by bisection.
    fn quantile(&self, p: f64) -> i64 {
        let (mut low, mut high) = (0i64, self.n as i64);
        while low < high {
            let mid = low + (high - low) / 2;
            if self.cdf(mid) < p {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    /// The funnel-plot limit at cumulative probability `p`: Spiegelhalter's exact binomial
    /// quantile with linear interpolation, `(r_p − α) / n`.
    pub fn funnel_limit(&self, p: f64) -> f64 {
        let r = self.quantile(p);
        let upper = self.cdf(r);
        let lower = self.cdf(r - 1);
        let alpha = if upper > lower {
            (upper - p) / (upper - lower)
        } else {
            0.0
        };
        ((r as f64 - alpha) / self.n as f64).clamp(0.0, 1.0)
    }
}

/// The funnel-plot limit for a share at sample size `n` around target `theta`, at cumulative
/// probability `p` (0.025 / 0.975 for 95 %, 0.001 / 0.999 for 99.8 %): Spiegelhalter's exact
/// binomial quantile with linear interpolation, `(r_p − α) / n`. For several limits at one
/// size, build one [`Binomial`] and ask it for each.
pub fn funnel_limit(theta: f64, n: u64, p: f64) -> f64 {
    if n == 0 || !(0.0..=1.0).contains(&theta) {
        return theta;
    }
    Binomial::new(n, theta).funnel_limit(p)
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

    /// The limit as it was first written, summing every term of the cumulative probability
    /// from zero for each candidate `r` (quadratic in n): the reference the fast one must
    /// reproduce.
    fn reference_funnel_limit(theta: f64, n: u64, p: f64) -> f64 {
        let cdf = |r: i64| -> f64 {
            if r < 0 {
                return 0.0;
            }
            if r as u64 >= n {
                return 1.0;
            }
            (0..=r as u64)
                .map(|k| {
                    (ln_choose(n, k) + k as f64 * theta.ln() + (n - k) as f64 * (1.0 - theta).ln())
                        .exp()
                })
                .sum::<f64>()
                .min(1.0)
        };
        let mut r = 0i64;
        while cdf(r) < p && (r as u64) < n {
            r += 1;
        }
        let (upper, lower) = (cdf(r), cdf(r - 1));
        let alpha = if upper > lower {
            (upper - p) / (upper - lower)
        } else {
            0.0
        };
        ((r as f64 - alpha) / n as f64).clamp(0.0, 1.0)
    }

    #[test]
    fn the_fast_limits_reproduce_the_reference_summation() {
        let mut compared = 0;
        for n in [1, 2, 3, 5, 10, 17, 50, 99, 250, 1000, 2500] {
            for theta in [0.0, 0.001, 0.01, 0.05, 0.2, 0.5, 0.73, 0.95, 0.999, 1.0] {
                let binomial = Binomial::new(n, theta);
                for p in [0.001, 0.025, 0.975, 0.999] {
                    let fast = binomial.funnel_limit(p);
                    let reference = reference_funnel_limit(theta, n, p);
                    assert!(
                        close(fast, reference, 1e-9),
                        "n {n} θ {theta} p {p}: {fast} against {reference}"
                    );
                    assert_eq!(fast, funnel_limit(theta, n, p));
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 11 * 10 * 4);
    }

    #[test]
    fn limits_at_national_sizes_match_independent_values() {
        // Computed independently with exact integer arithmetic (the terms C(n, k) 3^k 7^(n−k)
        // summed exactly; `python3 bench/oracle/funnel/funnel.py 20000 3 10 0.025 0.975`):
        // θ = 0.3, n = 20 000 gives r = 5 873 and 6 127, limits 0.293633389717915 and
        // 0.306335541681205.
        let binomial = Binomial::new(20_000, 0.3);
        for (p, expected) in [
            (0.025, 0.293_633_389_717_915),
            (0.975, 0.306_335_541_681_205),
        ] {
            let limit = binomial.funnel_limit(p);
            assert!(
                close(limit, expected, 1e-12),
                "p {p}: {limit} against {expected}"
            );
        }
        // A million: the normal approximation θ ± 1.96 √(θ(1 − θ)/n) is within 1e-5.
        let big = Binomial::new(1_000_000, 0.3);
        let half = 1.959_964 * (0.3f64 * 0.7 / 1e6).sqrt();
        assert!(close(big.funnel_limit(0.975), 0.3 + half, 1e-5));
        assert!(close(big.funnel_limit(0.025), 0.3 - half, 1e-5));
    }

    #[test]
    fn degenerate_targets_put_all_the_mass_at_one_end() {
        for n in [1, 7, 1000] {
            for p in [0.001, 0.975] {
                assert_eq!(
                    Binomial::new(n, 0.0).funnel_limit(p),
                    reference_funnel_limit(0.0, n, p)
                );
                assert_eq!(
                    Binomial::new(n, 1.0).funnel_limit(p),
                    reference_funnel_limit(1.0, n, p)
                );
            }
        }
        assert_eq!(funnel_limit(0.4, 0, 0.975), 0.4, "no size: the target");
        assert_eq!(funnel_limit(1.5, 10, 0.975), 1.5, "no share: as given");
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

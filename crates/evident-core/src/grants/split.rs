//! Splitting a sum of money in proportion to weights, to the öre, so that the parts add up to
//! the whole exactly. Performance-based grants and tapering plans both divide a pool this way,
//! and must round the same way, so the rule lives here once.

use super::Ore;

/// Splits `total` among `weights` (each a recipient's code and weight) in proportion to the
/// weights, by the largest remainder method (Hamilton's method), and returns the parts in the
/// order of `weights`.
///
/// Why this rule: every part must be a whole number of öre and the parts must add up to the
/// total exactly, with nobody favoured by where they happen to sit in the list.
///
/// The rule: each recipient first gets `floor(total × w / W)`, where `W` is the sum of the
/// weights. The öre left over (fewer than the number of recipients) go one each to the
/// recipients with the largest remainders `total × w mod W`; equal remainders are broken by the
/// smaller code first (byte order of the code), then by the earlier position. So each part
/// differs from its exact share by less than one öre, and a recipient with weight 0 gets 0.
///
/// When all weights are 0 (or `weights` is empty) there is nobody to pay and every part is
/// zero. A negative total is split as its magnitude and every part negated, so rounding is
/// symmetric. The arithmetic is exact: products are taken in 128 bits and cannot overflow.
pub fn split_largest_remainder<S: AsRef<str>>(total: Ore, weights: &[(S, u64)]) -> Vec<Ore> {
    let sum: u128 = weights.iter().map(|(_, w)| u128::from(*w)).sum();
    if sum == 0 {
        return vec![Ore::ZERO; weights.len()];
    }
    let magnitude = u128::from(total.0.unsigned_abs());

    // |total| < 2⁶³ and each weight < 2⁶⁴, so every product is below 2¹²⁷.
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, (_, w)) in weights.iter().enumerate() {
        let product = magnitude * u128::from(*w);
        parts.push(product / sum);
        remainders.push((product % sum, i));
    }

    // The leftover is (Σ remainders) / W, and every remainder is below W, so there are at
    // least as many positive remainders as öre left over: zero remainders never get one.
    let leftover = magnitude - parts.iter().sum::<u128>();
    remainders.sort_by(|&(ra, ia), &(rb, ib)| {
        rb.cmp(&ra)
            .then_with(|| weights[ia].0.as_ref().cmp(weights[ib].0.as_ref()))
            .then_with(|| ia.cmp(&ib))
    });
    for &(_, i) in remainders.iter().take(leftover as usize) {
        parts[i] += 1;
    }

    parts
        .into_iter()
        .map(|p| {
            // Each part is at most |total|, which came from an i64.
            let p = i64::try_from(p).expect("a part never exceeds the total");
            Ore(if total.0 < 0 { -p } else { p })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn split(total: i64, weights: &[(&str, u64)]) -> Vec<i64> {
        split_largest_remainder(Ore(total), weights)
            .into_iter()
            .map(|o| o.0)
            .collect()
    }

    #[test]
    fn an_even_split_has_nothing_left_over() {
        assert_eq!(split(90, &[("a", 1), ("b", 1), ("c", 1)]), [30, 30, 30]);
        assert_eq!(split(100, &[("a", 3), ("b", 1)]), [75, 25]);
    }

    #[test]
    fn the_leftover_ore_goes_to_the_smallest_code_when_remainders_tie() {
        // 100 / 3 = 33 rest 1 each; one öre left over, all remainders equal (100 mod 3 = 1),
        // so the smallest code "a" gets it, wherever it sits in the list.
        assert_eq!(split(100, &[("a", 1), ("b", 1), ("c", 1)]), [34, 33, 33]);
        assert_eq!(split(100, &[("c", 1), ("b", 1), ("a", 1)]), [33, 33, 34]);
        // 101 / 3: two öre left over → "a" and "b".
        assert_eq!(split(101, &[("c", 1), ("a", 1), ("b", 1)]), [33, 34, 34]);
    }

    #[test]
    fn the_largest_remainder_wins_before_the_code() {
        // 10 öre by weights 1, 2, 4 (W = 7):
        //   z: 10·1 = 10 → 1 rest 3
        //   y: 10·2 = 20 → 2 rest 6
        //   x: 10·4 = 40 → 5 rest 5
        // floors 1 + 2 + 5 = 8, two öre left: y (rest 6) then x (rest 5). z (rest 3) gets
        // none: codes only break ties between equal remainders.
        assert_eq!(split(10, &[("z", 1), ("y", 2), ("x", 4)]), [1, 3, 6]);
    }

    #[test]
    fn zero_weights_get_nothing_and_all_zero_weights_pay_nothing() {
        assert_eq!(split(10, &[("a", 0), ("b", 3), ("c", 0)]), [0, 10, 0]);
        assert_eq!(split(10, &[("a", 0), ("b", 0)]), [0, 0]);
        assert_eq!(split(10, &[] as &[(&str, u64)]), Vec::<i64>::new());
    }

    #[test]
    fn a_negative_total_is_split_symmetrically() {
        assert_eq!(
            split(-100, &[("a", 1), ("b", 1), ("c", 1)]),
            [-34, -33, -33]
        );
    }

    #[test]
    fn extreme_totals_and_weights_do_not_overflow() {
        let parts = split(i64::MAX, &[("a", u64::MAX), ("b", u64::MAX), ("c", 1)]);
        assert_eq!(
            parts.iter().map(|&p| i128::from(p)).sum::<i128>(),
            i128::from(i64::MAX)
        );
        assert_eq!(parts[2], 0);
        assert_eq!(split(i64::MIN + 1, &[("a", 1)]), [i64::MIN + 1]);
    }

    #[test]
    fn parts_always_add_up_and_stay_within_one_ore_of_the_exact_share() {
        let mut rng = SplitMix64::new(20_140_101);
        for _ in 0..2_000 {
            let total = rng.below(10_000_000_000) as i64;
            let n = 1 + rng.below(12) as usize;
            // Mix small weights (many ties) with population-sized ones.
            let weights: Vec<(String, u64)> = (0..n)
                .map(|i| {
                    let w = if rng.below(2) == 0 {
                        rng.below(4)
                    } else {
                        rng.below(2_000_000)
                    };
                    (format!("{:02}", rng.below(100) + i as u64), w)
                })
                .collect();
            let parts = split_largest_remainder(Ore(total), &weights);
            let sum_w: i128 = weights.iter().map(|(_, w)| i128::from(*w)).sum();
            if sum_w == 0 {
                assert!(parts.iter().all(|p| *p == Ore::ZERO));
                continue;
            }
            assert_eq!(parts.iter().sum::<Ore>(), Ore(total), "{weights:?}");
            for (part, (_, w)) in parts.iter().zip(&weights) {
                // |part − total·w/W| < 1  ⇔  |part·W − total·w| < W
                let diff = i128::from(part.0) * sum_w - i128::from(total) * i128::from(*w);
                assert!(diff.abs() < sum_w, "{total} {weights:?} → {parts:?}");
            }
        }
    }
}

//! Money as an integer number of öre (1 krona = 100 öre): sums are exact, nothing is ever a
//! float. Shown the Swedish way: "89 200 000 kr", "104,5 mnkr"; read back from what people
//! type into forms ("1 234 567,89", "1234567.89 kr") with [`Ore::parse_kronor`].

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

/// An amount in öre.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Ore(pub i64);

impl Ore {
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// Whole kronor.
    pub fn kronor(kr: i64) -> Self {
        Self(kr * 100)
    }

    /// "89 200 000 kr", or "1 234,56 kr" when there are öre.
    pub fn kr(self) -> String {
        let sign = if self.0 < 0 { "−" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = group_thousands(abs / 100);
        match abs % 100 {
            0 => format!("{sign}{whole} kr"),
            ore => format!("{sign}{whole},{ore:02} kr"),
        }
    }

    /// Millions of kronor with one decimal, as agreements write them: "104,5 mnkr", "89,2 mnkr",
    /// "0,1 mnkr". Rounded half away from zero to 100 000 kr.
    pub fn mnkr(self) -> String {
        let sign = if self.0 < 0 { "−" } else { "" };
        // Tenths of a million kronor = units of 10 000 000 öre.
        let tenths = (self.0.unsigned_abs() + 5_000_000) / 10_000_000;
        format!(
            "{sign}{},{} mnkr",
            group_thousands(tenths / 10),
            tenths % 10
        )
    }

    /// Kronor as someone typed them into a form — "1 234 567,89", "1234567.89",
    /// "1 000 000 kr", with ordinary, no-break or narrow no-break spaces between the groups —
    /// in öre, exactly: the whole and decimal parts are read as integers, never through a
    /// float. `None` when nothing was typed. Amounts typed are never negative.
    ///
    /// # Errors
    /// A [`DomainError`] on the field `amount` for anything else: a sign, more than two
    /// decimals, a separator without decimals, more than one separator, letters, or an amount
    /// too large to hold.
    pub fn parse_kronor(raw: &str) -> Result<Option<Self>, DomainError> {
        let cleaned: String = raw
            .trim()
            .trim_end_matches("kr")
            .chars()
            // `char::is_whitespace` covers the no-break space (U+00A0) and U+202F; the explicit
            // U+202F keeps that promise visible.
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
            .collect();
        if cleaned.is_empty() {
            return Ok(None);
        }
        let bad = || {
            DomainError::new(
                "amount",
                format!(
                    "'{}' is not an amount in kronor such as 1 234 567,89",
                    raw.trim()
                ),
            )
        };
        let (whole, decimals) = match cleaned.split_once([',', '.']) {
            Some((whole, decimals)) => (whole, decimals),
            None => (cleaned.as_str(), ""),
        };
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || decimals.len() > 2 || (!decimals.is_empty() && !digits(decimals)) {
            return Err(bad());
        }
        if cleaned.contains([',', '.']) && decimals.is_empty() {
            return Err(bad());
        }
        let kronor: i64 = whole.parse().map_err(|_| bad())?;
        let ore: i64 = match decimals.len() {
            0 => 0,
            1 => decimals.parse::<i64>().map_err(|_| bad())? * 10,
            _ => decimals.parse().map_err(|_| bad())?,
        };
        kronor
            .checked_mul(100)
            .and_then(|k| k.checked_add(ore))
            .map(|ore| Some(Self(ore)))
            .ok_or_else(bad)
    }
}

/// 1234567 → "1 234 567": a space between groups of three, as Swedish writes large numbers
/// (amounts, populations, weights). Takes anything up to `u128` so that exact intermediate
/// products (pool × weight) can be shown too.
pub fn group_thousands(n: impl Into<u128>) -> String {
    let n: u128 = n.into();
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Ore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kr())
    }
}

impl Add for Ore {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0 + other.0)
    }
}

impl AddAssign for Ore {
    fn add_assign(&mut self, other: Self) {
        self.0 += other.0;
    }
}

impl Sub for Ore {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self(self.0 - other.0)
    }
}

impl Sum for Ore {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Ore> for Ore {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_the_swedish_way() {
        assert_eq!(Ore(8_920_000_000).kr(), "89 200 000 kr");
        assert_eq!(Ore(123_456).kr(), "1 234,56 kr");
        assert_eq!(Ore(5).kr(), "0,05 kr");
        assert_eq!(Ore(-100).kr(), "−1 kr");
        assert_eq!(Ore(10_450_000_000).mnkr(), "104,5 mnkr");
        assert_eq!(Ore(8_920_000_000).mnkr(), "89,2 mnkr");
        assert_eq!(Ore(7_500_000).mnkr(), "0,1 mnkr");
        assert_eq!(Ore(4_999_999).mnkr(), "0,0 mnkr");
        assert_eq!(Ore(123_456_700_000_000).mnkr(), "1 234 567,0 mnkr");
    }

    #[test]
    fn amounts_are_written_in_table_cases() {
        let cases = [
            (Ore(0), "0 kr", "0,0 mnkr"),
            (Ore(1), "0,01 kr", "0,0 mnkr"),
            (Ore(99), "0,99 kr", "0,0 mnkr"),
            (Ore(100_000), "1 000 kr", "0,0 mnkr"),
            (Ore(-8_920_000_000), "−89 200 000 kr", "−89,2 mnkr"),
            (Ore(-5_000_000), "−50 000 kr", "−0,1 mnkr"),
            (
                Ore(i64::MAX),
                "92 233 720 368 547 758,07 kr",
                "92 233 720 368,5 mnkr",
            ),
            (
                Ore(i64::MIN),
                "−92 233 720 368 547 758,08 kr",
                "−92 233 720 368,5 mnkr",
            ),
        ];
        for (amount, kr, mnkr) in cases {
            assert_eq!(amount.kr(), kr, "{amount:?}");
            assert_eq!(amount.mnkr(), mnkr, "{amount:?}");
        }
    }

    #[test]
    fn thousands_are_grouped_in_threes() {
        let cases: [(u128, &str); 7] = [
            (0, "0"),
            (999, "999"),
            (1_000, "1 000"),
            (123_456, "123 456"),
            (1_234_567, "1 234 567"),
            (u128::from(u64::MAX), "18 446 744 073 709 551 615"),
            (
                u128::MAX,
                "340 282 366 920 938 463 463 374 607 431 768 211 455",
            ),
        ];
        for (n, grouped) in cases {
            assert_eq!(group_thousands(n), grouped);
        }
        assert_eq!(group_thousands(1_000_u64), "1 000");
    }

    #[test]
    fn kronor_are_read_exactly_in_either_notation() {
        let cases: [(&str, Option<i64>); 14] = [
            ("1 234 567,89", Some(123_456_789)),
            ("1234567.89", Some(123_456_789)),
            ("1 000 000", Some(100_000_000)),
            ("1\u{a0}000\u{202f}000 kr", Some(100_000_000)),
            ("1\u{a0}000\u{a0}000", Some(100_000_000)),
            ("  12 kr  ", Some(1_200)),
            ("0,5", Some(50)),
            ("0.05", Some(5)),
            ("0", Some(0)),
            ("007", Some(700)),
            ("92233720368547758,07", Some(i64::MAX)),
            ("", None),
            ("  ", None),
            ("kr", None),
        ];
        for (raw, want) in cases {
            assert_eq!(Ore::parse_kronor(raw), Ok(want.map(Ore)), "{raw:?}");
        }
    }

    #[test]
    fn anything_else_typed_into_a_form_is_refused_naming_the_amount() {
        let cases = [
            "-5",
            "−5",
            "+5",
            "1,234,567.89",
            "1,234",
            "0,001",
            "12,",
            ",5",
            "1.2.3",
            "1e6",
            "abc",
            "12 öre",
            "99999999999999999999",
            "92233720368547758,08",
        ];
        for raw in cases {
            let err = Ore::parse_kronor(raw).unwrap_err();
            assert_eq!(err.field, "amount", "{raw:?}");
            assert_eq!(
                err.problem,
                format!("'{raw}' is not an amount in kronor such as 1 234 567,89"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn sums_are_exact() {
        let parts = [Ore(1), Ore(2), Ore::kronor(3)];
        assert_eq!(parts.iter().sum::<Ore>(), Ore(303));
        assert_eq!(Ore(10) - Ore(15), Ore(-5));
    }
}

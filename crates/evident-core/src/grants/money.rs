//! Money as an integer number of öre (1 krona = 100 öre): sums are exact, nothing is ever a
//! float. Shown the Swedish way: "89 200 000 kr", "104,5 mnkr".

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
}

/// 1234567 → "1 234 567" (a space between groups of three, as Swedish writes it).
fn group_thousands(n: u64) -> String {
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
    fn sums_are_exact() {
        let parts = [Ore(1), Ore(2), Ore::kronor(3)];
        assert_eq!(parts.iter().sum::<Ore>(), Ore(303));
        assert_eq!(Ore(10) - Ore(15), Ore(-5));
    }
}

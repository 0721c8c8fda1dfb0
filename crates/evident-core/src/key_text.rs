//! The one rule for secret keys given as text (the pseudonym key, the audit key): long enough
//! and random-looking enough that a placeholder or a pattern typed by hand is refused.
//!
//! A key text (surrounding whitespace ignored) is accepted when it has
//! - at least `min_len` bytes (32 for both keys);
//! - at least [`MIN_DISTINCT`] different characters;
//! - a Shannon-entropy estimate (from its own character counts) of at least
//!   [`MIN_BITS_PER_CHAR`] bits per character;
//! - no period: it is not one shorter text repeated (`abcabcabc…`, `0123456789abcdef` twice).
//!
//! The thresholds are set so that the keys Evident writes (64 random hex digits) always pass,
//! and so do 32 random hex digits: their estimate is about 3.6 bits per character, and fell
//! below 2.75 about 3 times in a million in a simulation, never below 2.5; they have fewer than
//! 8 different digits about never. A stricter rule (16 distinct characters, 3 bits per
//! character) would refuse one random 32-hex-digit key in about 9,000, and 2.6 % of random
//! 64-hex-digit keys miss one of the 16 digits. The estimate cannot tell a random key from a
//! long English sentence; it refuses what is plainly not random.

use crate::DomainError;
use std::collections::HashMap;

/// Fewest different characters a key must have.
pub const MIN_DISTINCT: usize = 8;

/// Lowest Shannon-entropy estimate per character a key must reach.
pub const MIN_BITS_PER_CHAR: f64 = 2.75;

/// Checks `raw` (already trimmed) as key text for `field` under the rule of the module docs.
///
/// # Errors
/// A [`DomainError`] on `field` naming the rule the key breaks, never the key.
pub fn check(field: &'static str, raw: &str, min_len: usize) -> Result<(), DomainError> {
    const ADVICE: &str = "use random text, e.g. 64 hex digits from `openssl rand -hex 32`";
    if raw.len() < min_len {
        return Err(DomainError::new(
            field,
            format!("must be at least {min_len} characters of random text (e.g. 64 hex digits)"),
        ));
    }
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in raw.chars() {
        *counts.entry(c).or_default() += 1;
    }
    if counts.len() < MIN_DISTINCT {
        return Err(DomainError::new(
            field,
            format!(
                "has only {} different characters (at least {MIN_DISTINCT} needed): {ADVICE}",
                counts.len()
            ),
        ));
    }
    let bits = bits_per_char(&counts);
    if bits < MIN_BITS_PER_CHAR {
        return Err(DomainError::new(
            field,
            format!(
                "is too repetitive ({bits:.1} bits per character, at least {MIN_BITS_PER_CHAR} needed): {ADVICE}"
            ),
        ));
    }
    if let Some(period) = period(raw) {
        return Err(DomainError::new(
            field,
            format!("repeats its first {period} characters: {ADVICE}"),
        ));
    }
    Ok(())
}

/// The Shannon entropy of the character distribution in `counts`, in bits per character.
fn bits_per_char(counts: &HashMap<char, usize>) -> f64 {
    let total = counts.values().sum::<usize>() as f64;
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// The shortest period of `raw` when it is one shorter text repeated (the last repetition may
/// be cut short), counted in characters.
fn period(raw: &str) -> Option<usize> {
    let chars: Vec<char> = raw.chars().collect();
    (1..=chars.len() / 2).find(|&p| (p..chars.len()).all(|i| chars[i] == chars[i - p]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_and_long_phrases_pass() {
        for good in [
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "9c4d0be2a8f1736e5d2c90b14a7f83e6c1d5b9a0f2e47c36d8a1b50e9f7c2d43",
            "a test key that is long enough for hmac",
        ] {
            assert!(check("key", good, 32).is_ok(), "{good}");
        }
    }

    #[test]
    fn short_repetitive_and_periodic_keys_are_refused_naming_the_rule() {
        let cases = [
            ("short", "at least 32 characters"),
            (&*"k".repeat(40), "only 1 different"),
            ("abcdefgabcdefgabcdefgabcdefgabcdefg", "only 7 different"),
            ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefgh", "too repetitive"),
            ("0123456789abcdef0123456789abcdef", "repeats its first 16"),
            (
                "password1password1password1password1",
                "repeats its first 9",
            ),
        ];
        for (key, problem) in cases {
            let err = check("audit_key", key, 32).unwrap_err();
            assert_eq!(err.field, "audit_key");
            assert!(err.problem.contains(problem), "{key}: {err}");
            assert!(!err.problem.contains(key), "the key is not echoed: {err}");
        }
    }
}

//! One-time respondent codes: for a survey published in [`IntegrityMode::Codes`], staff print
//! codes on slips or send them by SMS, and each code is good for one answer. A code is ten
//! characters of Crockford's base 32 (50 random bits), shown as two groups of five
//! (`7KQ2M-XW4PD`) and read forgivingly: case, spaces and dashes do not matter, and the letters
//! people confuse with digits (`O`, `I`, `L`) read as `0`, `1`, `1`. Only a digest is stored,
//! with the publication it belongs to: a code alone finds its survey (a slip needs no link),
//! and it is no code at all in another publication.
//!
//! [`IntegrityMode::Codes`]: crate::participation::survey::IntegrityMode::Codes

use crate::access::credentials::sha256_hex;
use std::fmt;

/// The 32 characters a code is written in: digits and capitals without `I`, `L`, `O` and `U`.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code.
pub const CODE_CHARS: usize = 10;

/// The most codes one request may issue (a unit's clients for one survey round, printed).
pub const MAX_CODES_PER_BATCH: usize = 5_000;

/// A respondent code in its canonical form: ten characters of [`ALPHABET`], no dash.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RespondentCode(String);

impl RespondentCode {
    /// A fresh code from the operating system's random source.
    ///
    /// # Panics
    /// When the operating system has no random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; CODE_CHARS];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        // 256 is a multiple of 32, so each byte's low five bits are uniform.
        Self(
            bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
                .collect(),
        )
    }

    /// `count` distinct fresh codes.
    pub fn generate_many(count: usize) -> Vec<Self> {
        let mut seen = std::collections::HashSet::with_capacity(count);
        std::iter::repeat_with(Self::generate)
            .filter(|c| seen.insert(c.clone()))
            .take(count)
            .collect()
    }

    /// Reads a code as a person typed it: case, spaces and dashes are ignored, `O` reads as
    /// `0` and `I`, `L` as `1`. `None` when it is not ten such characters.
    pub fn parse(typed: &str) -> Option<Self> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return None,
            };
            if code.len() == CODE_CHARS {
                return None;
            }
            code.push(c);
        }
        (code.len() == CODE_CHARS).then_some(Self(code))
    }

    /// The code as printed: two groups of five, `7KQ2M-XW4PD`.
    pub fn printed(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// What is stored for this code: its SHA-256 (in a namespace of its own).
    pub fn digest(&self) -> String {
        sha256_hex(format!("respondent-code:{}", self.0).as_bytes())
    }
}

impl fmt::Debug for RespondentCode {
    /// Never the code itself: it is a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RespondentCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_characters_of_the_alphabet_and_distinct() {
        let codes = RespondentCode::generate_many(2_000);
        assert_eq!(codes.len(), 2_000);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 2_000);
        for code in &codes {
            assert_eq!(code.0.len(), CODE_CHARS);
            assert!(code.0.bytes().all(|b| ALPHABET.contains(&b)), "{}", code.0);
        }
        // Every character turns up: the five bits taken per byte cover the alphabet.
        let used: std::collections::HashSet<u8> = codes.iter().flat_map(|c| c.0.bytes()).collect();
        assert_eq!(used.len(), 32);
    }

    #[test]
    fn a_code_reads_back_as_printed_and_as_people_type_it() {
        let code = RespondentCode::generate();
        let printed = code.printed();
        assert_eq!(printed.len(), 11);
        assert_eq!(&printed[5..6], "-");
        assert_eq!(RespondentCode::parse(&printed), Some(code.clone()));
        assert_eq!(
            RespondentCode::parse(&format!("  {} ", printed.to_lowercase().replace('-', " "))),
            Some(code)
        );
        assert_eq!(
            RespondentCode::parse("O1IL2-ABCDE"),
            RespondentCode::parse("01112abcde")
        );
    }

    #[test]
    fn anything_else_is_no_code() {
        for typed in [
            "",
            "ABCDE",
            "ABCDE-FGHJ",      // nine
            "ABCDE-FGHJKM",    // eleven
            "ABCDE-FGHJU",     // U is not in the alphabet
            "ABCDE_FGHJK",     // underscore
            "ÅBCDE-FGHJK",     // not ASCII
            "ABCDE-FGHJK\0",   // control character
            "ABCDE-FGHJK-ABC", // too long
        ] {
            assert_eq!(RespondentCode::parse(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn the_digest_is_never_the_code() {
        let code = RespondentCode::parse("7KQ2M-XW4PD").unwrap();
        assert_eq!(
            code.digest(),
            RespondentCode::parse("7kq2mxw4pd").unwrap().digest()
        );
        assert_ne!(code.digest(), RespondentCode::generate().digest());
        assert!(!code.digest().contains("7KQ2M"));
        assert!(!format!("{code:?}").contains("7KQ2M"));
    }
}

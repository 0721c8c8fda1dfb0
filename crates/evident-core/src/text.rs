//! Validated free-text values — a name shown to people, an e-mail address — and texts given in
//! both interface languages.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// Longest name Evident accepts, in characters. Long enough for any real unit or person name,
/// short enough that a page layout or an export column never has to cope with a novel.
pub const MAX_NAME_CHARS: usize = 200;

/// A display name (of a unit, an operator, a person): trimmed, non-empty, at most
/// [`MAX_NAME_CHARS`] characters, no control characters. Markup is *not* rejected — it is
/// ordinary text and every output escapes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    /// Validates `raw` as a name for `field`.
    ///
    /// # Errors
    /// When the trimmed text is empty, too long, or holds control characters.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::new(field, "must not be empty"));
        }
        let chars = trimmed.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(DomainError::new(
                field,
                format!("is {chars} characters long; at most {MAX_NAME_CHARS} are allowed"),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, checked for the shape `local@domain.tld` (no attempt at full RFC 5322:
/// what matters is catching typing mistakes, not proving deliverability).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates `raw` as an e-mail address for `field`; stored lower-cased.
    ///
    /// # Errors
    /// When the address is empty, too long, has no `@`, an empty local part or a domain
    /// without a dot, or contains whitespace or control characters.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::new(field, "must not be empty"));
        }
        if trimmed.len() > 254 {
            return Err(DomainError::new(field, "is longer than 254 characters"));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(DomainError::new(field, "must not contain spaces"));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(DomainError::new(field, format!("'{trimmed}' has no @")));
        };
        let domain_ok = domain
            .split('.')
            .all(|label| !label.is_empty() && !label.contains('@'))
            && domain.contains('.');
        if local.is_empty() || !domain_ok {
            return Err(DomainError::new(
                field,
                format!("'{trimmed}' is not an address of the form name@domain.se"),
            ));
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text in Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localised {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Localised {
    /// The text in `lang` ("en" gives English, anything else Swedish).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.sv }
    }
}

/// `input` made safe to echo in an error message: every control character (ANSI escapes, line
/// breaks, tabs, NUL, DEL, C1 codes) written as an escape (`\u{1b}` as `\x1b`, `\n` as `\n`), so
/// a terminal shows it rather than obeys it; and cut after `max_chars` characters with `…`, so
/// a 40 MB field does not become a 40 MB message.
pub fn shown(input: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(input.len().min(max_chars + 8));
    for (i, c) in input.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() && u32::from(c) <= 0xff => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shown_escapes_control_characters_and_cuts_long_input() {
        use super::shown;
        assert_eq!(shown("\u{1b}[31mröd\u{1b}[0m", 100), "\\x1b[31mröd\\x1b[0m");
        assert_eq!(
            shown("a\nb\tc\rd\0e\u{7f}", 100),
            "a\\nb\\tc\\rd\\x00e\\x7f"
        );
        assert_eq!(
            shown("\u{9b}31m \u{202e}gnp.exe", 100),
            "\\x9b31m \\u{202e}gnp.exe"
        );
        assert_eq!(shown("Åre kommun", 100), "Åre kommun");
        assert_eq!(shown(&"x".repeat(40_000_000), 5), "xxxxx…");
    }

    use super::*;

    #[test]
    fn a_name_is_trimmed_and_keeps_markup_as_text() {
        let name = Name::parse("name", "  <b>Hemtjänst</b> Norr ").unwrap();
        assert_eq!(name.as_str(), "<b>Hemtjänst</b> Norr");
    }

    #[test]
    fn an_empty_or_overlong_or_control_name_is_rejected_naming_the_field() {
        assert_eq!(Name::parse("name", "   ").unwrap_err().field, "name");
        let long = "å".repeat(MAX_NAME_CHARS + 1);
        let err = Name::parse("operator", &long).unwrap_err();
        assert_eq!(err.field, "operator");
        assert!(err.problem.contains("201 characters"), "{err}");
        assert!(Name::parse("name", "a\u{7}b").is_err());
        assert!(Name::parse("name", &"å".repeat(MAX_NAME_CHARS)).is_ok());
    }

    #[test]
    fn email_addresses_are_checked_for_shape_and_lower_cased() {
        assert_eq!(
            Email::parse("email", " Anna.Berg@Region.Example ")
                .unwrap()
                .as_str(),
            "anna.berg@region.example"
        );
        for bad in [
            "",
            "anna",
            "@x.se",
            "anna@",
            "anna@se",
            "an na@x.se",
            "anna@x..se",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?} was accepted");
        }
    }
}

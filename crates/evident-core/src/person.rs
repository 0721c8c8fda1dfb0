//! Swedish personal identity numbers (personnummer) and coordination numbers
//! (samordningsnummer, day + 60), and the pseudonym that replaces them.
//!
//! A number is parsed in any of the forms people type, checked (the date exists, the Luhn
//! check digit matches), and immediately turned into a [`Pseudonym`] by HMAC-SHA-256 under a
//! secret key. Only the pseudonym, the birth year and the recorded sex leave this module: the
//! number itself has no `Display`, no `Serialize`, and its `Debug` is redacted, so it cannot
//! end up in a database, a log line or an export by accident. Error messages never repeat it.

use crate::{DomainError, OrgCode};
use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

/// A valid personal identity or coordination number. Deliberately opaque.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonalNumber {
    /// Birth date (the real one; for a coordination number the day without the +60).
    birth: NaiveDate,
    /// The three-digit birth number (födelsenummer).
    serial: u16,
    /// Whether it is a coordination number (samordningsnummer).
    coordination: bool,
}

/// The sex recorded in the number: the birth number's last digit is odd for men and even for
/// women. It is what the population register records, used only for breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordedSex {
    /// Odd birth number.
    Male,
    /// Even birth number.
    Female,
}

impl RecordedSex {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
}

impl std::fmt::Debug for PersonalNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalNumber(***)")
    }
}

const FORMS: &str = "expected YYYYMMDD-XXXX, YYMMDD-XXXX or YYMMDD+XXXX (the dash may be left out)";

fn invalid(problem: impl Into<String>) -> DomainError {
    DomainError::new("personal_number", problem)
}

impl PersonalNumber {
    /// Parses a number as typed, judging the century of a ten-digit number by `today`: with
    /// `-` (or no separator) the person is under 100 by year of birth, with `+` 100 or older.
    ///
    /// # Errors
    /// Says which rule failed — the shape, the date, or the check digit — without repeating
    /// the number.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let plus = compact.contains('+');
        let digits: String = compact.chars().filter(char::is_ascii_digit).collect();
        let separators = compact.chars().filter(|c| !c.is_ascii_digit()).count();
        let separator_ok = match (digits.len(), separators) {
            (_, 0) => true,
            (12, 1) => compact.as_bytes()[8] == b'-',
            (10, 1) => matches!(compact.as_bytes()[6], b'-' | b'+'),
            _ => false,
        };
        if !separator_ok || !matches!(digits.len(), 10 | 12) {
            return Err(invalid(format!("not a personal identity number: {FORMS}")));
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let (year, tail) = if d.len() == 12 {
            (
                (d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]) as i32,
                &d[2..],
            )
        } else {
            let yy = (d[0] * 10 + d[1]) as i32;
            let this_year = today.year();
            let under_100 = this_year - (this_year - yy).rem_euclid(100);
            (if plus { under_100 - 100 } else { under_100 }, &d[..])
        };
        let month = tail[2] * 10 + tail[3];
        let written_day = tail[4] * 10 + tail[5];
        let coordination = written_day > 60;
        let day = if coordination {
            written_day - 60
        } else {
            written_day
        };
        let birth = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
            invalid(format!(
                "the date {year:04}-{month:02}-{day:02} does not exist{}",
                if coordination {
                    " (a coordination number's day is the birth day + 60)"
                } else {
                    ""
                }
            ))
        })?;
        if birth > today {
            return Err(invalid(format!("the date {birth} is in the future")));
        }
        if luhn_check_digit(&tail[..9]) != tail[9] {
            return Err(invalid(
                "the check digit (the last digit) is wrong: check the last four digits",
            ));
        }
        Ok(Self {
            birth,
            serial: (tail[6] * 100 + tail[7] * 10 + tail[8]) as u16,
            coordination,
        })
    }

    /// The year of birth, kept for breakdowns.
    pub fn birth_year(&self) -> i32 {
        self.birth.year()
    }

    /// The recorded sex, kept for breakdowns.
    pub fn recorded_sex(&self) -> RecordedSex {
        if self.serial % 2 == 1 {
            RecordedSex::Male
        } else {
            RecordedSex::Female
        }
    }

    /// Whether this is a coordination number.
    pub fn is_coordination_number(&self) -> bool {
        self.coordination
    }

    /// The twelve-digit canonical form (`YYYYMMDDNNNC`, coordination day as written) that the
    /// pseudonym is computed from, so that every typed form of a number gives one pseudonym.
    fn canonical(&self) -> String {
        let day = self.birth.day() + if self.coordination { 60 } else { 0 };
        let yymmdd_serial = format!(
            "{:02}{:02}{day:02}{:03}",
            self.birth.year() % 100,
            self.birth.month(),
            self.serial
        );
        let digits: Vec<u32> = yymmdd_serial.bytes().map(|b| u32::from(b - b'0')).collect();
        format!(
            "{:04}{:02}{day:02}{:03}{}",
            self.birth.year(),
            self.birth.month(),
            self.serial,
            luhn_check_digit(&digits)
        )
    }
}

/// The text of a valid personal number (`YYYYMMDD-NNNC`) for a birth date and a birth number
/// below 1000, with its check digit: for synthetic test and demo populations.
pub fn synthetic_number_text(birth: NaiveDate, serial: u32) -> String {
    let body = format!(
        "{:02}{:02}{:02}{serial:03}",
        birth.year() % 100,
        birth.month(),
        birth.day()
    );
    let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
    format!(
        "{}{:02}{:02}-{serial:03}{}",
        birth.year(),
        birth.month(),
        birth.day(),
        luhn_check_digit(&digits)
    )
}

/// The Luhn check digit of nine digits (weights 2,1,2,1,…; digits of products summed).
fn luhn_check_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let p = if i % 2 == 0 { d * 2 } else { d };
            p / 10 + p % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The secret key that turns numbers into pseudonyms. Whoever holds it can test whether a
/// given person is in the database, so it lives in configuration, never in the database.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

/// Fewest bytes of key material accepted (256 bits, the HMAC-SHA-256 block strength).
pub const MIN_KEY_BYTES: usize = 32;

impl PseudonymKey {
    /// A key from configuration text (surrounding whitespace ignored): at least
    /// [`MIN_KEY_BYTES`] bytes, and random-looking by the rule of [`crate::key_text`].
    ///
    /// # Errors
    /// When the text is too short or too repetitive to be a safe key.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        crate::key_text::check("pseudonym_key", raw, MIN_KEY_BYTES)?;
        Ok(Self(raw.as_bytes().to_vec()))
    }

    fn mac_hex(&self, message: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        mac.update(message);
        hex::encode(mac.finalize().into_bytes())
    }

    /// The person's digest under this key: the same for the same person everywhere. It is
    /// never stored (it would link a person across authorities); the two keys a client row
    /// holds are derived from it ([`PseudonymKey::client_keys`]). Databases from before
    /// pseudonyms were per authority stored it as the pseudonym.
    pub fn person_digest(&self, number: &PersonalNumber) -> Pseudonym {
        Pseudonym(self.mac_hex(number.canonical().as_bytes()))
    }

    /// The keys of the client `number` is at `authority` (the municipality whose social
    /// services hold the record): a pseudonym that differs from authority to authority, so one
    /// authority's clients cannot be linked to another's, and a statistical key that is the
    /// same everywhere, so national statistics count the person once.
    pub fn client_keys(&self, number: &PersonalNumber, authority: &OrgCode) -> ClientKeys {
        self.client_keys_of_digest(&self.person_digest(number), authority)
    }

    /// [`PseudonymKey::client_keys`] from the person's digest: for rows stored before
    /// pseudonyms were per authority, whose pseudonym is the digest.
    pub fn client_keys_of_digest(&self, digest: &Pseudonym, authority: &OrgCode) -> ClientKeys {
        ClientKeys {
            pseudonym: Pseudonym(
                self.mac_hex(format!("authority|{authority}|{}", digest.as_str()).as_bytes()),
            ),
            statistical_key: StatisticalKey(
                self.mac_hex(format!("statistics|{}", digest.as_str()).as_bytes()),
            ),
        }
    }
}

/// What a client row holds in place of the personal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeys {
    /// The pseudonym within one authority, shown to its staff.
    pub pseudonym: Pseudonym,
    /// The key that counts a person once across authorities; no staff API returns it.
    pub statistical_key: StatisticalKey,
}

/// The key that counts a person once in national statistics: 64 hex digits, the same for the
/// same person at every authority. It never leaves the store through a staff API.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatisticalKey(String);

impl StatisticalKey {
    /// A stored statistical key.
    ///
    /// # Errors
    /// When `raw` is not 64 lowercase hex digits.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Pseudonym::parse(raw)
            .map(|p| Self(p.0))
            .map_err(|_| DomainError::new("statistical_key", "must be 64 lowercase hex digits"))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for StatisticalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatisticalKey(***)")
    }
}

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(***)")
    }
}

/// A client's pseudonym: 64 hex digits, the same for the same person under the same key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Pseudonym(String);

impl Pseudonym {
    /// A stored pseudonym.
    ///
    /// # Errors
    /// When `raw` is not 64 lowercase hex digits.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.len() == 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::new(
                "pseudonym",
                "must be 64 lowercase hex digits",
            ))
        }
    }

    /// The pseudonym as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 10 digits, enough to tell clients apart on a page.
    pub fn short(&self) -> &str {
        &self.0[..10]
    }
}

impl std::fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn parse(raw: &str) -> Result<PersonalNumber, DomainError> {
        PersonalNumber::parse(raw, today())
    }

    // Test numbers: Skatteverket's published test series (1912121212 etc.) and numbers built
    // here with their Luhn digit worked out by hand, e.g. 811218-987?:
    //   digits 8 1 1 2 1 8 9 8 7, weights 2 1 2 1 2 1 2 1 2
    //   products 16 1 2 2 2 8 18 8 14 → digit sums 7 1 2 2 2 8 9 8 5 = 44 → check (10 - 4) = 6.
    #[test]
    fn every_typed_form_of_a_number_is_the_same_number() {
        let forms = [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            " 811218 - 9876 ",
        ];
        let parsed: Vec<_> = forms.iter().map(|f| parse(f).unwrap()).collect();
        assert!(parsed.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(parsed[0].birth_year(), 1981);
        assert_eq!(
            parsed[0].recorded_sex(),
            RecordedSex::Male,
            "birth number 987 is odd"
        );
    }

    #[test]
    fn the_plus_sign_means_a_hundred_years_or_older() {
        // 121212-1212 is Skatteverket's test number (check: 1 2 1 2 1 2 1 2 1 → 2 2 2 2 2 2 2 2 2
        // = 18 → 2). With '-' it is 2012; with '+' 1912.
        assert_eq!(parse("121212-1212").unwrap().birth_year(), 2012);
        assert_eq!(parse("121212+1212").unwrap().birth_year(), 1912);
        assert_eq!(parse("19121212-1212").unwrap().birth_year(), 1912);
        assert_eq!(
            parse("121212+1212").unwrap(),
            parse("191212121212").unwrap()
        );
        assert_eq!(
            parse("121212-1212").unwrap().recorded_sex(),
            RecordedSex::Male,
            "121 is odd"
        );
        // Born 1926: in 2026 they turn 100, so '+' (by year of birth).
        // 261231: 2 6 1 2 3 1 0 0 2 → 4 6 2 2 6 1 0 0 4 = 25 → check 5.
        assert_eq!(parse("261231+0025").unwrap().birth_year(), 1926);
        let future = parse("261231-0025").unwrap_err();
        assert!(
            future.problem.contains("future"),
            "2026-12-31 has not happened yet: {future}"
        );
    }

    #[test]
    fn coordination_numbers_add_sixty_to_the_day() {
        // 701063-2391 (day 63 = the 3rd): 7 0 1 0 6 3 2 3 9 → 14 0 2 0 12 3 4 3 18
        // → 5 0 2 0 3 3 4 3 9 = 29 → check 1.
        let number = parse("701063-2391").unwrap();
        assert!(number.is_coordination_number());
        assert_eq!(number.birth_year(), 1970);
        assert_eq!(number.recorded_sex(), RecordedSex::Male, "239 is odd");
        assert_eq!(parse("19701063-2391").unwrap(), number);
        let err = parse("701093-2391").unwrap_err();
        assert!(
            err.problem.contains("1970-10-33 does not exist") && err.problem.contains("+ 60"),
            "{err}"
        );
    }

    #[test]
    fn wrong_dates_and_check_digits_are_named() {
        let feb30 = parse("900230-1234").unwrap_err();
        assert!(
            feb30.problem.contains("1990-02-30 does not exist"),
            "{feb30}"
        );
        let month13 = parse("19901301-1234").unwrap_err();
        assert!(month13.problem.contains("does not exist"), "{month13}");
        // 000229-123?: 0 0 0 2 2 9 1 2 3 → 0 0 0 2 4 9 2 2 6 = 25 → check 5. 2000 was a leap
        // year, 2001 was not.
        assert_eq!(parse("000229-1235").unwrap().birth_year(), 2000);
        let not_leap = parse("010229-1235").unwrap_err();
        assert!(
            not_leap.problem.contains("2001-02-29 does not exist"),
            "{not_leap}"
        );
        let check = parse("811218-9875").unwrap_err();
        assert!(check.problem.contains("check digit"), "{check}");
        assert!(
            !check.problem.contains("9875") && !check.problem.contains("811218"),
            "never echo the number: {check}"
        );
    }

    #[test]
    fn malformed_input_is_refused_with_the_accepted_forms() {
        for bad in [
            "",
            "12345",
            "811218--9876",
            "8112-189876",
            "81121898760",
            "1981121-89876",
            "811218-987X",
            "19811218+9876",
            "abc",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.field, "personal_number");
            assert!(
                err.problem.contains("expected") || err.problem.contains("does not exist"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn the_luhn_digit_matches_worked_examples() {
        assert_eq!(luhn_check_digit(&[8, 1, 1, 2, 1, 8, 9, 8, 7]), 6);
        assert_eq!(luhn_check_digit(&[1, 2, 1, 2, 1, 2, 1, 2, 1]), 2);
        assert_eq!(luhn_check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
    }

    const TEST_KEY: &str = "a person test key: 0123456789abcdefghij";

    #[test]
    fn a_person_is_a_different_client_at_each_authority_but_one_person_in_statistics() {
        let key = PseudonymKey::parse(TEST_KEY).unwrap();
        let number = parse("811218-9876").unwrap();
        let uppsala = OrgCode::parse("0380").unwrap();
        let enkoping = OrgCode::parse("0381").unwrap();
        let here = key.client_keys(&number, &uppsala);
        let there = key.client_keys(&number, &enkoping);
        // Independent values, from Python's hmac module:
        //   k = b"a person test key: 0123456789abcdefghij"
        //   d = hmac.new(k, b"198112189876", "sha256").hexdigest()
        //   hmac.new(k, ("authority|0380|" + d).encode(), "sha256").hexdigest()
        //   hmac.new(k, ("statistics|" + d).encode(), "sha256").hexdigest()
        assert_eq!(
            key.person_digest(&number).as_str(),
            "dadbd567324cca013aaafb48b77af1bac4adbf3886bed40f18dbcf86e03b60fd"
        );
        assert_eq!(
            here.pseudonym.as_str(),
            "04cbcda2764108b20bd8f0899ac79b94ff0353ffe197eaf38655878e0fdbf633"
        );
        assert_eq!(
            here.statistical_key.as_str(),
            "2736cc3fd7991a75f7a4d71fcc414b0eee2e7265ee818ee528d5dbdaf9b339f4"
        );
        assert_ne!(here.pseudonym, there.pseudonym);
        assert_eq!(here.statistical_key, there.statistical_key);
        assert_ne!(here.pseudonym.as_str(), here.statistical_key.as_str());
        assert_eq!(
            key.client_keys_of_digest(&key.person_digest(&number), &uppsala),
            here
        );
        assert_eq!(format!("{:?}", here.statistical_key), "StatisticalKey(***)");
    }

    #[test]
    fn pseudonyms_are_stable_per_person_and_key_and_reveal_nothing() {
        let key = PseudonymKey::parse(TEST_KEY).unwrap();
        let other_key = PseudonymKey::parse("another person test key: qrstuvwxyz98765").unwrap();
        let a = key.person_digest(&parse("811218-9876").unwrap());
        assert_eq!(a, key.person_digest(&parse("198112189876").unwrap()));
        assert_ne!(a, key.person_digest(&parse("121212-1212").unwrap()));
        assert_ne!(a, other_key.person_digest(&parse("811218-9876").unwrap()));
        assert_eq!(a.as_str().len(), 64);
        assert!(!a.as_str().contains("8112189876"));
        assert!(PseudonymKey::parse("short").is_err());
        let repetitive = PseudonymKey::parse(&"k".repeat(32)).err().unwrap();
        assert_eq!(repetitive.field, "pseudonym_key");
        assert_eq!(
            format!("{:?}", parse("811218-9876").unwrap()),
            "PersonalNumber(***)"
        );
        assert_eq!(Pseudonym::parse(a.as_str()).unwrap(), a);
        // HMAC-SHA-256 test vector, RFC 4231 case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

//! The one clock: what time it is, and what day it is in Sweden. Dates that matter to the
//! domain — the current period, whether a follow-up is due, the century of a ten-digit
//! personal number, "not in the future" — are Swedish calendar days, so "today" is taken in
//! `Europe/Stockholm` (with summer time), never from UTC or the machine's local zone. Servers
//! and the CLI share it; tests set it to a fixed instant.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

/// A source of the current instant: the system clock, or a fixed instant for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that always says `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self { fixed: Some(at) }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }

    /// Today's date in Sweden.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Stockholm).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> Clock {
        Clock::fixed(rfc3339.parse().expect("an instant"))
    }

    fn day(raw: &str) -> NaiveDate {
        raw.parse().expect("a date")
    }

    #[test]
    fn shortly_after_midnight_in_sweden_it_is_already_the_next_day() {
        // 23:30 UTC is 00:30 in winter (CET, UTC+1) and 01:30 in summer (CEST, UTC+2).
        assert_eq!(at("2026-12-31T23:30:00Z").today(), day("2027-01-01"));
        assert_eq!(at("2026-06-30T22:30:00Z").today(), day("2026-07-01"));
        assert_eq!(at("2026-06-30T21:59:59Z").today(), day("2026-06-30"));
        assert_eq!(at("2026-12-31T22:59:59Z").today(), day("2026-12-31"));
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_last_sundays_of_march_and_october() {
        // 2026-03-29 01:00 UTC: clocks go from 02:00 CET to 03:00 CEST.
        assert_eq!(at("2026-03-28T22:59:59Z").today(), day("2026-03-28"));
        assert_eq!(at("2026-03-28T23:00:00Z").today(), day("2026-03-29"));
        assert_eq!(at("2026-03-29T21:59:59Z").today(), day("2026-03-29"));
        assert_eq!(at("2026-03-29T22:00:00Z").today(), day("2026-03-30"));
        // 2026-10-25 01:00 UTC: back to CET.
        assert_eq!(at("2026-10-24T21:59:59Z").today(), day("2026-10-24"));
        assert_eq!(at("2026-10-24T22:00:00Z").today(), day("2026-10-25"));
        assert_eq!(at("2026-10-25T22:59:59Z").today(), day("2026-10-25"));
        assert_eq!(at("2026-10-25T23:00:00Z").today(), day("2026-10-26"));
    }

    #[test]
    fn the_system_clock_is_now() {
        let before = Utc::now();
        let now = Clock::system().now();
        assert!(now >= before && now <= Utc::now());
    }
}

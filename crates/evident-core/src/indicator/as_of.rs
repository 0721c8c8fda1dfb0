//! Periods seen from an as-of date: a period that has ended is final, the one the date falls
//! in is preliminary (records still arrive, and follow-up windows closing later in it are
//! still open), and one that has not begun is not published at all.

use super::cube::Period;
use chrono::NaiveDate;

/// Where a period stands on an as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodStatus {
    /// It ended before the as-of date: its values are final.
    Final,
    /// The as-of date falls in it: its values are published, marked preliminary.
    Preliminary,
    /// It begins after the as-of date: nothing of it is published.
    NotBegun,
}

impl PeriodStatus {
    /// Whether values of the period are published at all.
    pub fn is_published(self) -> bool {
        self != Self::NotBegun
    }

    /// Whether its values may still change as time passes.
    pub fn is_preliminary(self) -> bool {
        self == Self::Preliminary
    }
}

impl Period {
    /// The period's first day.
    pub fn first_day(self) -> NaiveDate {
        let (year, month) = match self {
            Self::Year(y) => (y, 1),
            Self::Quarter(y, q) => (y, 3 * u32::from(q) - 2),
        };
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The period's last day.
    pub fn last_day(self) -> NaiveDate {
        let next = match self {
            Self::Year(y) => Self::Year(y + 1),
            Self::Quarter(y, 4) => Self::Quarter(y + 1, 1),
            Self::Quarter(y, q) => Self::Quarter(y, q + 1),
        };
        next.first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    /// Where the period stands on `as_of`.
    pub fn status_on(self, as_of: NaiveDate) -> PeriodStatus {
        if self.first_day() > as_of {
            PeriodStatus::NotBegun
        } else if self.last_day() >= as_of {
            PeriodStatus::Preliminary
        } else {
            PeriodStatus::Final
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    #[test]
    fn periods_have_calendar_bounds() {
        assert_eq!(Period::Year(2026).first_day(), d("2026-01-01"));
        assert_eq!(Period::Year(2026).last_day(), d("2026-12-31"));
        assert_eq!(Period::Quarter(2026, 1).last_day(), d("2026-03-31"));
        assert_eq!(Period::Quarter(2026, 3).first_day(), d("2026-07-01"));
        assert_eq!(Period::Quarter(2026, 4).last_day(), d("2026-12-31"));
    }

    #[test]
    fn the_period_holding_the_as_of_date_is_preliminary_and_later_ones_are_unpublished() {
        use PeriodStatus::*;
        let status = |p: &str, on: &str| Period::parse(p).unwrap().status_on(d(on));
        // On the first and the last day of a quarter it is the current one.
        assert_eq!(status("2026Q4", "2026-10-01"), Preliminary);
        assert_eq!(status("2026Q4", "2026-12-31"), Preliminary);
        assert_eq!(status("2026", "2026-12-31"), Preliminary);
        assert_eq!(status("2026Q3", "2026-10-01"), Final);
        assert_eq!(status("2026Q4", "2026-09-30"), NotBegun);
        assert_eq!(status("2026", "2027-01-01"), Final);
        assert_eq!(status("2027", "2026-12-31"), NotBegun);
        assert_eq!(status("2027Q1", "2027-01-01"), Preliminary);
        assert!(Preliminary.is_published() && Final.is_published() && !NotBegun.is_published());
    }
}

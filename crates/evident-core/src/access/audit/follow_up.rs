//! Following up the log: which users read unusually many clients' data in a day, either above
//! a fixed limit or far above their own usual day.

use serde::Serialize;

/// Client reads in one day above which a user is always followed up.
pub const DAILY_READS_LIMIT: i64 = 50;

/// How many times their own median day a user's day must be to be followed up.
pub const MEDIAN_FACTOR: i64 = 5;

/// The fewest days a user needs for their median to mean anything.
const MIN_DAYS_FOR_MEDIAN: usize = 3;

/// One user's client reads on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyReads {
    /// The actor as the trail names them.
    pub actor: String,
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// How many entries concerning a client they wrote that day.
    pub reads: i64,
}

/// A day on which a user read unusually many clients' data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnusualVolume {
    /// Who.
    pub actor: String,
    /// Which day.
    pub day: String,
    /// How many client reads.
    pub reads: i64,
    /// Their median day over the period.
    pub median: i64,
}

/// The days in `days` above `limit`, or above `factor` times the user's median day (once the
/// user has a few days to take a median of), by actor and day.
pub fn unusual_volumes(days: &[DailyReads], limit: i64, factor: i64) -> Vec<UnusualVolume> {
    let mut actors: Vec<&str> = days.iter().map(|d| d.actor.as_str()).collect();
    actors.sort_unstable();
    actors.dedup();
    let mut unusual = Vec::new();
    for actor in actors {
        let mine: Vec<&DailyReads> = days.iter().filter(|d| d.actor == actor).collect();
        let mut counts: Vec<i64> = mine.iter().map(|d| d.reads).collect();
        counts.sort_unstable();
        let median = counts[counts.len() / 2];
        for day in mine {
            let above_usual = counts.len() >= MIN_DAYS_FOR_MEDIAN && day.reads > factor * median;
            if day.reads > limit || above_usual {
                unusual.push(UnusualVolume {
                    actor: actor.to_owned(),
                    day: day.day.clone(),
                    reads: day.reads,
                    median,
                });
            }
        }
    }
    unusual
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(actor: &str, day: &str, reads: i64) -> DailyReads {
        DailyReads {
            actor: actor.into(),
            day: day.into(),
            reads,
        }
    }

    #[test]
    fn a_day_above_the_limit_or_far_above_the_users_median_is_unusual() {
        let days = [
            day("a", "2026-12-01", 3),
            day("a", "2026-12-02", 4),
            day("a", "2026-12-03", 30),
            day("b", "2026-12-01", 51),
            day("c", "2026-12-01", 2),
            day("c", "2026-12-02", 40),
        ];
        let found: Vec<(String, String)> = unusual_volumes(&days, 50, 5)
            .into_iter()
            .map(|u| (u.actor, u.day))
            .collect();
        assert_eq!(
            found,
            [
                ("a".to_owned(), "2026-12-03".to_owned()),
                ("b".to_owned(), "2026-12-01".to_owned()),
            ],
            "c has too few days for a median and stays under the limit"
        );
    }
}

//! Self-report links: a practitioner asks one client to answer one instrument at one time
//! point, through a link the client opens on a phone without an account. The link carries an
//! unguessable single-use token (256 random bits, stored only as its SHA-256 digest) and
//! expires (default 14 days). A link is pending until it is answered, revoked or expires.

use crate::error::DomainError;
use crate::followup::TimePoint;
use serde::Serialize;

/// How long a link stays open unless the practitioner says otherwise.
pub const DEFAULT_EXPIRY_DAYS: i64 = 14;

/// The longest a link may stay open.
pub const MAX_EXPIRY_DAYS: i64 = 90;

/// The token prefix, so that a leaked link is easy to recognise.
pub const TOKEN_PREFIX: &str = "sr_";

/// A link as stored (without its token, which only the client holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfReportLink {
    /// Its id.
    pub id: i64,
    /// The case it belongs to.
    pub case_id: i64,
    /// The instrument's id.
    pub instrument_id: String,
    /// The instrument's version.
    pub instrument_version: String,
    /// Baseline, follow-up or end.
    pub time_point: TimePoint,
    /// The follow-up month, for follow-ups.
    pub month: Option<u32>,
    /// Who created it.
    pub created_by: String,
    /// When (Unix seconds).
    pub created_at: i64,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
    /// When it was answered, if it was.
    pub answered_at: Option<i64>,
    /// The measurement the answer became.
    pub measurement_id: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Waiting for the client.
    Pending,
    /// Answered: the measurement exists.
    Answered,
    /// Past its expiry without an answer.
    Expired,
    /// Withdrawn by staff.
    Revoked,
}

impl LinkStatus {
    /// The stored/API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Answered => "answered",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl SelfReportLink {
    /// Where the link stands at `now` (Unix seconds). An answer wins over a later revocation
    /// or expiry: the measurement exists.
    pub fn status(&self, now: i64) -> LinkStatus {
        if self.answered_at.is_some() {
            LinkStatus::Answered
        } else if self.revoked_at.is_some() {
            LinkStatus::Revoked
        } else if now >= self.expires_at {
            LinkStatus::Expired
        } else {
            LinkStatus::Pending
        }
    }
}

/// A checked request for a new link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSelfReportLink {
    /// The case.
    pub case_id: i64,
    /// The instrument's id and version.
    pub instrument: (String, String),
    /// The time point.
    pub time_point: TimePoint,
    /// The follow-up month.
    pub month: Option<u32>,
    /// How many days it stays open.
    pub expiry_days: i64,
}

impl NewSelfReportLink {
    /// Checks the time point, month and expiry as entered.
    ///
    /// # Errors
    /// Names `time_point`, `month` or `expiry_days`.
    pub fn parse(
        case_id: i64,
        instrument: (String, String),
        time_point: &str,
        month: Option<&str>,
        expiry_days: Option<&str>,
    ) -> Result<Self, DomainError> {
        let time_point = TimePoint::parse(time_point)?;
        let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
            None => None,
            Some(raw) => Some(
                raw.parse::<u32>()
                    .ok()
                    .filter(|m| (1..=120).contains(m))
                    .ok_or_else(|| {
                        DomainError::new(
                            "month",
                            format!("'{raw}' is not a month between 1 and 120"),
                        )
                    })?,
            ),
        };
        if time_point == TimePoint::FollowUp && month.is_none() {
            return Err(DomainError::new(
                "month",
                "a follow-up needs its month (3, 6, 12 …)",
            ));
        }
        let expiry_days = match expiry_days.map(str::trim).filter(|d| !d.is_empty()) {
            None => DEFAULT_EXPIRY_DAYS,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=MAX_EXPIRY_DAYS).contains(d))
                .ok_or_else(|| {
                    DomainError::new(
                        "expiry_days",
                        format!("'{raw}' is not a number of days between 1 and {MAX_EXPIRY_DAYS}"),
                    )
                })?,
        };
        Ok(Self {
            case_id,
            instrument,
            time_point,
            month: if time_point == TimePoint::FollowUp {
                month
            } else {
                None
            },
            expiry_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(answered: Option<i64>, revoked: Option<i64>) -> SelfReportLink {
        SelfReportLink {
            id: 1,
            case_id: 1,
            instrument_id: "phq-9".into(),
            instrument_version: "1".into(),
            time_point: TimePoint::Baseline,
            month: None,
            created_by: "x".into(),
            created_at: 0,
            expires_at: 100,
            answered_at: answered,
            measurement_id: answered,
            revoked_at: revoked,
        }
    }

    #[test]
    fn status_follows_answer_revocation_and_expiry() {
        assert_eq!(link(None, None).status(99), LinkStatus::Pending);
        assert_eq!(
            link(None, None).status(100),
            LinkStatus::Expired,
            "expires at the second"
        );
        assert_eq!(link(None, Some(50)).status(60), LinkStatus::Revoked);
        assert_eq!(link(Some(40), Some(50)).status(200), LinkStatus::Answered);
    }

    #[test]
    fn requests_are_checked() {
        let ok = NewSelfReportLink::parse(
            1,
            ("phq-9".into(), "1".into()),
            "follow_up",
            Some("6"),
            None,
        )
        .unwrap();
        assert_eq!(ok.month, Some(6));
        assert_eq!(ok.expiry_days, DEFAULT_EXPIRY_DAYS);
        let parse = |tp, month, days| {
            NewSelfReportLink::parse(1, ("phq-9".into(), "1".into()), tp, month, days)
        };
        assert_eq!(parse("follow_up", None, None).unwrap_err().field, "month");
        assert_eq!(
            parse("baseline", None, Some("0")).unwrap_err().field,
            "expiry_days"
        );
        assert_eq!(
            parse("baseline", None, Some("91")).unwrap_err().field,
            "expiry_days"
        );
        assert_eq!(parse("later", None, None).unwrap_err().field, "time_point");
        assert_eq!(
            parse("baseline", Some("6"), Some("30")).unwrap().month,
            None
        );
    }
}

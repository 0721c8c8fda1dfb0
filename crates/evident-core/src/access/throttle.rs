//! Sign-in throttling as pure decisions over two counters: one per account and one per client
//! address. The store reads both rows, asks [`admit`] and writes the rows back in the same
//! transaction, so parallel attempts are decided one after another.
//!
//! The policy:
//! - **Accounts lock.** Every attempt is counted as a failure *before* its password is checked
//!   (a success then clears the count), so N parallel guesses cannot all be checked before the
//!   first failure is stored: after [`crate::access::credentials::FREE_LOGIN_FAILURES`] the account locks, with the
//!   doubling backoff of [`login_lockout_seconds`], never longer than the cap.
//! - **Addresses only slow down.** Many people share one address behind a NAT or proxy, so an
//!   address never locks. After `address_free_failures` recent failures its attempts are
//!   spaced `address_spacing` apart: each one waits for its turn before its password is
//!   checked. Only when the queue is more than `address_max_wait` long is an attempt turned
//!   away (for a few seconds, never for minutes).
//! - **Refusals are audited in summary.** A refused attempt adds to a counter on its row; an
//!   audit entry is written for the first refusal and then at most once per
//!   [`ThrottlePolicy::audit_every`], carrying the count since the previous one.

use crate::access::credentials::login_lockout_seconds;
use chrono::{DateTime, Duration, Utc};

/// One throttle key's stored state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThrottleRow {
    /// Attempts counted as failures (an account's since its last success; an address's within
    /// the forget window).
    pub failures: i64,
    /// For an account: locked until then. For an address: the next free turn.
    pub locked_until: Option<DateTime<Utc>>,
    /// The last attempt counted.
    pub updated_at: Option<DateTime<Utc>>,
    /// Refused attempts not yet written to the audit trail.
    pub refused: i64,
    /// When a refusal on this key was last written to the audit trail.
    pub refused_audited_at: Option<DateTime<Utc>>,
}

/// The knobs of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Longest account lockout.
    pub account_cap: Duration,
    /// Failures from one address before its attempts are spaced out.
    pub address_free_failures: i64,
    /// The time between two attempts from a busy address.
    pub address_spacing: Duration,
    /// The longest an attempt from a busy address waits for its turn; past it, it is refused.
    pub address_max_wait: Duration,
    /// An address's failures are forgotten after this long without one.
    pub address_forget_after: Duration,
    /// At most one audit entry per key for refused attempts in this time.
    pub audit_every: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_cap: Duration::seconds(300),
            address_free_failures: 30,
            address_spacing: Duration::seconds(1),
            address_max_wait: Duration::seconds(10),
            address_forget_after: Duration::minutes(15),
            audit_every: Duration::seconds(60),
        }
    }
}

/// Whether a sign-in attempt may check its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Check it, after waiting `wait` (zero unless the address is busy). The attempt is
    /// already counted as a failure.
    Proceed {
        /// How long to wait first.
        wait: Duration,
    },
    /// The account is locked until `until`.
    Locked {
        /// When it opens again.
        until: DateTime<Utc>,
        /// `Some(n)`: write one audit entry for `n` refused attempts (this one included).
        audit: Option<i64>,
    },
    /// The address has too many attempts queued.
    Busy {
        /// When to try again.
        retry_after: Duration,
        /// `Some(n)`: write one audit entry for `n` refused attempts (this one included).
        audit: Option<i64>,
    },
}

/// Counts a refusal on `row`; `Some(n)` when it is time to audit the `n` refusals so far.
fn refuse(row: &mut ThrottleRow, now: DateTime<Utc>, every: Duration) -> Option<i64> {
    row.refused += 1;
    let due = row.refused_audited_at.is_none_or(|at| now - at >= every);
    due.then(|| {
        row.refused_audited_at = Some(now);
        std::mem::take(&mut row.refused)
    })
}

/// Decides an attempt on `account` from `address` at `now` and updates both rows.
pub fn admit(
    account: &mut ThrottleRow,
    address: &mut ThrottleRow,
    now: DateTime<Utc>,
    policy: &ThrottlePolicy,
) -> Admission {
    if let Some(until) = account.locked_until.filter(|until| *until > now) {
        let audit = refuse(account, now, policy.audit_every);
        return Admission::Locked { until, audit };
    }
    if address
        .updated_at
        .is_none_or(|at| now - at >= policy.address_forget_after)
    {
        address.failures = 0;
        address.locked_until = None;
    }
    let mut wait = Duration::zero();
    if address.failures >= policy.address_free_failures {
        let turn = address.locked_until.map_or(now, |next| next.max(now));
        wait = turn - now;
        if wait > policy.address_max_wait {
            let audit = refuse(address, now, policy.audit_every);
            return Admission::Busy {
                retry_after: wait - policy.address_max_wait,
                audit,
            };
        }
        address.locked_until = Some(turn + policy.address_spacing);
    }
    address.failures += 1;
    address.updated_at = Some(now);

    account.failures += 1;
    account.updated_at = Some(now);
    let lockout = login_lockout_seconds(account.failures, policy.account_cap.num_seconds());
    if lockout > 0 {
        account.locked_until = Some(now + Duration::seconds(lockout));
    }
    Admission::Proceed { wait }
}

/// Undoes the failure [`admit`] counted against an address once the password proved right.
pub fn forgive(address: &mut ThrottleRow) {
    address.failures = (address.failures - 1).max(0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::credentials::FREE_LOGIN_FAILURES;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn an_account_locks_after_the_free_failures_even_before_any_password_is_checked() {
        let (mut account, mut address) = (ThrottleRow::default(), ThrottleRow::default());
        let policy = ThrottlePolicy::default();
        let admitted: Vec<_> = (0..20)
            .map(|_| admit(&mut account, &mut address, at(0), &policy))
            .collect();
        let proceeded = admitted
            .iter()
            .filter(|a| matches!(a, Admission::Proceed { .. }))
            .count();
        assert_eq!(proceeded as i64, FREE_LOGIN_FAILURES);
        assert!(matches!(
            admitted[FREE_LOGIN_FAILURES as usize],
            Admission::Locked { audit: Some(1), .. }
        ));
        assert!(
            admitted[FREE_LOGIN_FAILURES as usize + 1..]
                .iter()
                .all(|a| matches!(a, Admission::Locked { audit: None, .. })),
            "one audit entry per minute"
        );
        assert_eq!(account.refused, 20 - FREE_LOGIN_FAILURES - 1);
        let later = admit(
            &mut account,
            &mut address,
            at(0) + Duration::milliseconds(500),
            &policy,
        );
        assert!(matches!(later, Admission::Locked { audit: None, .. }));
    }

    #[test]
    fn refusals_are_audited_at_most_once_per_window_with_their_count() {
        let mut row = ThrottleRow::default();
        let every = Duration::seconds(60);
        assert_eq!(refuse(&mut row, at(0), every), Some(1));
        for s in 1..60 {
            assert_eq!(refuse(&mut row, at(s), every), None);
        }
        assert_eq!(refuse(&mut row, at(60), every), Some(60));
    }

    #[test]
    fn a_busy_address_is_spaced_out_never_locked() {
        let policy = ThrottlePolicy {
            address_free_failures: 3,
            ..ThrottlePolicy::default()
        };
        let mut address = ThrottleRow::default();
        let mut waits = Vec::new();
        for _ in 0..20 {
            // A fresh account each time: spraying one password over many accounts.
            let mut account = ThrottleRow::default();
            waits.push(admit(&mut account, &mut address, at(0), &policy));
        }
        let seconds: Vec<_> = waits
            .iter()
            .map(|a| match a {
                Admission::Proceed { wait } => wait.num_seconds(),
                _ => -1,
            })
            .collect();
        assert_eq!(
            seconds,
            [
                0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1, -1, -1, -1, -1, -1
            ]
        );
        // Once the queue has drained, an attempt goes through again at once.
        let mut account = ThrottleRow::default();
        let later = admit(&mut account, &mut address, at(11), &policy);
        assert_eq!(
            later,
            Admission::Proceed {
                wait: Duration::zero()
            }
        );
    }

    #[test]
    fn an_address_forgets_its_failures_after_a_quiet_spell() {
        let policy = ThrottlePolicy {
            address_free_failures: 1,
            ..ThrottlePolicy::default()
        };
        let mut address = ThrottleRow::default();
        for _ in 0..5 {
            admit(&mut ThrottleRow::default(), &mut address, at(0), &policy);
        }
        let quiet = at(0) + policy.address_forget_after;
        let after = admit(&mut ThrottleRow::default(), &mut address, quiet, &policy);
        assert_eq!(
            after,
            Admission::Proceed {
                wait: Duration::zero()
            }
        );
        assert_eq!(address.failures, 1);
    }
}

//! What the pages and the API both do, written once: each area's reads and writes, with the
//! access policy asked first. A handler in `html/` or `api/` extracts its input, calls one of
//! these, and renders the answer; neither front end imports from the other.
//!
//! # Layout
//! - [`accounts`]: staff accounts — which users a manager sees, creating users, roles, tokens.
//! - [`audit`]: searching and verifying the audit trail, for auditors.
//! - [`break_glass`]: emergency access to one client at another unit of the same authority.
//! - [`case_list`]: a unit's case list in keyset pages, each page audited.
//! - [`comparisons`]: open comparisons — ranked tables, funnels, profiles and their downloads.
//! - [`followup`]: local follow-up — clients, cases, interventions, needs, goals, measurements.
//! - [`follow_up_cache`]: units' follow-up tables, kept per unit data version.
//! - [`grants`]: agreements and grants — views, calendar, tapering, performance grants, writes.
//! - [`heavy`]: the bounded pool CPU-heavy request work runs on, off the async workers.
//! - [`passwords`]: Argon2 hashing and verification, bounded to a few at once.
//! - [`orgs`]: units of the organisation registry and the counties' support structures.
//! - [`record`]: a client's own record (registerutdrag): everything held and who accessed it.
//! - [`selfreport`]: self-report links — created by staff, answered once by the client.
//! - [`survey`]: client surveys — published per unit and period, answered anonymously once per
//!   browser, results through disclosure control.

pub mod accounts;
pub mod audit;
pub mod break_glass;
pub mod case_list;
pub mod comparisons;
pub mod follow_up_cache;
pub mod followup;
pub mod grants;
pub mod heavy;
pub mod orgs;
pub mod passwords;
pub mod record;
pub mod selfreport;
pub mod survey;

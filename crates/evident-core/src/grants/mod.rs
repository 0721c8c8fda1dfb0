//! State agreements and grants, followed from allocation to repayment: the documents
//! (agreements and disbursement decisions in the interchange format of `data/agreements/`),
//! their internal consistency, the calendar of deadlines across agreements, tapering plans and
//! performance-based grants. All money is [`money::Ore`].

pub mod calendar;
pub mod check;
pub mod document;
pub mod ledger;
pub mod money;
pub mod performance;
pub mod split;
pub mod tapering;

pub use money::Ore;

//! State agreements and grants, followed from allocation to repayment: the documents
//! (agreements and disbursement decisions in the interchange format of `data/agreements/`),
//! their internal consistency, the calendar of deadlines across agreements, tapering plans and
//! performance-based grants. All money is [`money::Ore`].

pub mod check;
pub mod document;
pub mod money;

pub use money::Ore;

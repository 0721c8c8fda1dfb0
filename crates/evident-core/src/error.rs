//! The validation error of the domain.

/// Input that does not describe a valid domain value. The message names the field and says
/// what is wrong, so it can be shown to a user as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct DomainError {
    /// The field (or, for a whole value, the kind of value) that failed validation.
    pub field: &'static str,
    /// What is wrong with it, in plain words.
    pub problem: String,
}

impl DomainError {
    /// Builds an error for `field` with a message saying what is wrong.
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

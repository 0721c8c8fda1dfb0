//! Every bad row of an import, collected: where it is, which field, what is wrong.

use crate::text::shown;

/// At most this many bad rows are listed; the rest are counted ("… and N more").
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// The longest file name, field and problem an error repeats, in characters; longer ones are
/// cut with `…` (a header of one 40 MB "column" must not become a 40 MB message).
pub const MAX_SHOWN_CHARS: usize = 200;

/// One bad row (or header): where it is, which field, and what is wrong, shown as
/// `file:line: field: problem`. It never contains a personal number. Once added to
/// [`RowErrors`], its parts echo the input only with control characters escaped and cut to
/// [`MAX_SHOWN_CHARS`] ([`crate::text::shown`]), so a file cannot drive the terminal that
/// shows its errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file's name as the user gave it.
    pub file: String,
    /// The physical line in the file (the header is line 1).
    pub line: u64,
    /// The column (`personal_number`, `item:3`, …), or `columns` for the shape of the row.
    pub field: String,
    /// What is wrong, in plain words.
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.problem
        )
    }
}

/// Every bad row of an import: the first [`MAX_REPORTED_ERRORS`] listed, the rest counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowErrors {
    listed: Vec<RowError>,
    total: usize,
}

impl RowErrors {
    /// Adds an error (listing it while fewer than [`MAX_REPORTED_ERRORS`] are listed), its
    /// file name, field and problem made safe to show (see [`RowError`]).
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.listed.len() < MAX_REPORTED_ERRORS {
            self.listed.push(RowError {
                file: shown(&error.file, MAX_SHOWN_CHARS),
                line: error.line,
                field: shown(&error.field, MAX_SHOWN_CHARS),
                problem: shown(&error.problem, MAX_SHOWN_CHARS),
            });
        }
    }

    /// Adds an error at `file:line` for `field`.
    pub fn add(
        &mut self,
        file: &str,
        line: u64,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) {
        self.push(RowError {
            file: file.to_owned(),
            line,
            field: field.into(),
            problem: problem.into(),
        });
    }

    /// Adds all of `other`'s errors.
    pub fn extend(&mut self, other: RowErrors) {
        let unlisted = other.total - other.listed.len();
        for error in other.listed {
            self.push(error);
        }
        self.total += unlisted;
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many errors there are in all, listed or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The listed errors.
    pub fn listed(&self) -> &[RowError] {
        &self.listed
    }

    /// Puts the listed errors in file order (files in the order they first appear), then line
    /// order, keeping errors of one line in the order they were found.
    pub fn sort(&mut self) {
        let mut files: Vec<String> = Vec::new();
        for error in &self.listed {
            if !files.contains(&error.file) {
                files.push(error.file.clone());
            }
        }
        self.listed.sort_by_key(|e| {
            (
                files
                    .iter()
                    .position(|f| *f == e.file)
                    .unwrap_or(usize::MAX),
                e.line,
            )
        });
    }

    /// `Ok(value)` when there are no errors, otherwise the errors.
    ///
    /// # Errors
    /// When any error was added.
    pub fn into_result<T>(self, value: T) -> Result<T, RowErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for RowErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, error) in self.listed.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        let more = self.total - self.listed.len();
        if more > 0 {
            write!(f, "\n… and {more} more")?;
        }
        Ok(())
    }
}

impl std::error::Error for RowErrors {}

/// Collects one row's errors, so every bad field of a row is reported.
pub(super) struct RowCheck<'a> {
    pub(super) file: &'a str,
    pub(super) line: u64,
    pub(super) errors: &'a mut RowErrors,
    pub(super) bad: bool,
}

impl<'a> RowCheck<'a> {
    /// The check of the row at `line` of `file`, adding its problems to `errors`.
    pub(super) fn new(file: &'a str, line: u64, errors: &'a mut RowErrors) -> Self {
        Self {
            file,
            line,
            errors,
            bad: false,
        }
    }

    pub(super) fn fail(&mut self, field: impl Into<String>, problem: impl Into<String>) {
        self.bad = true;
        self.errors.add(self.file, self.line, field, problem);
    }

    /// `value` when it is present; otherwise records "required".
    pub(super) fn required<'v>(&mut self, field: &str, value: &'v str) -> Option<&'v str> {
        if value.is_empty() {
            self.fail(field, "required, but empty");
            None
        } else {
            Some(value)
        }
    }

    pub(super) fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|problem| self.fail(field, problem)).ok()
    }
}

//! The error page and the heading over a form's errors.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of the error page, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct ErrorTexts {
    // The error page's heading, by kind of failure.
    pub not_found: &'static str,
    pub forbidden: &'static str,
    pub too_many: &'static str,
    pub invalid: &'static str,
    pub other: &'static str,
    pub busy: &'static str,
    // What a busy server tells the reader to do.
    pub busy_detail: &'static str,

    // The error page's way out.
    pub back_home: &'static str,

    // The heading over the errors of a form that could not be saved.
    pub form_not_saved: &'static str,
}

/// Swedish, the default.
pub(super) const SV: ErrorTexts = ErrorTexts {
    // The error page's heading, by kind of failure.
    not_found: "Sidan finns inte",
    forbidden: "Åtkomst nekad",
    too_many: "För många försök",
    invalid: "Felaktiga uppgifter",
    other: "Något gick fel",
    busy: "Servern är upptagen",
    busy_detail: "Servern har för mycket att göra just nu. Vänta några sekunder och försök igen.",

    // The error page's way out.
    back_home: "Till startsidan",

    // The heading over the errors of a form that could not be saved.
    form_not_saved: "Uppgifterna kunde inte sparas",
};

/// English.
pub(super) const EN: ErrorTexts = ErrorTexts {
    // The error page's heading, by kind of failure.
    not_found: "Page not found",
    forbidden: "Access denied",
    too_many: "Too many attempts",
    invalid: "Invalid input",
    other: "Something went wrong",
    busy: "The server is busy",
    busy_detail: "The server has too much to do right now. Wait a few seconds and try again.",

    // The error page's way out.
    back_home: "Back to the home page",

    // The heading over the errors of a form that could not be saved.
    form_not_saved: "The form could not be saved",
};

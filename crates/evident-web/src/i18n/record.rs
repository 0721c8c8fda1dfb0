//! A client's own record (registerutdrag): everything held about the client, and who has accessed
//! it.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of a client's record, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct RecordTexts {
    // The link on the case page.
    pub open: &'static str,

    // The extract.
    pub title: &'static str,
    pub intro: &'static str,
    pub pseudonym: &'static str,
    pub birth_year: &'static str,
    pub sex: &'static str,
    pub produced: &'static str,
    pub json: &'static str,
    pub opened: &'static str,
    pub closed: &'static str,
    pub none: &'static str,
    pub needs: &'static str,
    pub answers: &'static str,

    // Who has accessed the data.
    pub accesses: &'static str,
    pub accesses_intro: &'static str,
    pub break_glass: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub outcome: &'static str,
}

/// Swedish, the default.
pub(super) const SV: RecordTexts = RecordTexts {
    // The link on the case page.
    open: "Registerutdrag för klienten",

    // The extract.
    title: "Registerutdrag",
    intro: "Allt som Evident har sparat om klienten, och vem som har tagit del av det. Personnumret sparas aldrig; klienten känns igen på en pseudonym.",
    pseudonym: "Pseudonym",
    birth_year: "Födelseår",
    sex: "Registrerat kön",
    produced: "Utdraget gjordes",
    json: "Ladda ner som JSON",
    opened: "Öppnat",
    closed: "avslutat",
    none: "Inget registrerat.",
    needs: "Behov och mål",
    answers: "Svar",

    // Who has accessed the data.
    accesses: "Vem har tagit del av uppgifterna",
    accesses_intro: "Ur loggboken: varje läsning, ändring och nekad åtkomst som gäller klienten, senaste först.",
    break_glass: "Nödåtkomst",
    when: "När",
    who: "Vem",
    what: "Vad",
    outcome: "Utfall",
};

/// English.
pub(super) const EN: RecordTexts = RecordTexts {
    // The link on the case page.
    open: "Record extract for the client",

    // The extract.
    title: "Record extract",
    intro: "Everything Evident holds about the client, and who has accessed it. The personal identity number is never stored; the client is known by a pseudonym.",
    pseudonym: "Pseudonym",
    birth_year: "Year of birth",
    sex: "Recorded sex",
    produced: "Extract made",
    json: "Download as JSON",
    opened: "Opened",
    closed: "closed",
    none: "Nothing recorded.",
    needs: "Needs and goals",
    answers: "Answers",

    // Who has accessed the data.
    accesses: "Who has accessed the data",
    accesses_intro: "From the audit trail: every read, change and denied access concerning the client, newest first.",
    break_glass: "Emergency access",
    when: "When",
    who: "Who",
    what: "What",
    outcome: "Outcome",
};

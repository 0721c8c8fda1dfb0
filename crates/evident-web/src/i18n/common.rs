//! Words that pages of several areas share.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The words that pages of several areas share, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct CommonTexts {
    // Table headings and form labels.
    pub name: &'static str,
    pub email: &'static str,
    pub role: &'static str,
    pub status: &'static str,

    // Buttons and links.
    pub save: &'static str,
    pub remove: &'static str,
    pub download_csv: &'static str,
    pub download_xlsx: &'static str,

    // After a client has answered a self-report or a survey.
    pub close_page: &'static str,
}

/// Swedish, the default.
pub(super) const SV: CommonTexts = CommonTexts {
    // Table headings and form labels.
    name: "Namn",
    email: "E-post",
    role: "Roll",
    status: "Status",

    // Buttons and links.
    save: "Spara",
    remove: "Ta bort",
    download_csv: "Ladda ner CSV",
    download_xlsx: "Ladda ner Excel",

    // After a client has answered a self-report or a survey.
    close_page: "Du kan stänga sidan nu.",
};

/// English.
pub(super) const EN: CommonTexts = CommonTexts {
    // Table headings and form labels.
    name: "Name",
    email: "Email",
    role: "Role",
    status: "Status",

    // Buttons and links.
    save: "Save",
    remove: "Remove",
    download_csv: "Download CSV",
    download_xlsx: "Download Excel",

    // After a client has answered a self-report or a survey.
    close_page: "You can close this page now.",
};

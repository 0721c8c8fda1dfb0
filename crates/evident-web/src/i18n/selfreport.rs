//! Self-report links: made on the case page, answered by the client at `/s/{token}`.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of self-report links, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct SelfReportTexts {
    // The links on the case page.
    pub section: &'static str,
    pub none: &'static str,
    pub created_on: &'static str,
    pub expires: &'static str,
    pub status: &'static str,
    pub status_pending: &'static str,
    pub status_answered: &'static str,
    pub status_expired: &'static str,
    pub status_revoked: &'static str,
    pub revoke: &'static str,
    pub create: &'static str,
    pub expiry_days: &'static str,

    // A link just made.
    pub created_title: &'static str,
    pub created_intro: &'static str,
    pub link: &'static str,
    pub shown_once: &'static str,
    pub back_to_case: &'static str,

    // The client's form.
    pub intro: &'static str,
    pub all_required: &'static str,
    pub send: &'static str,
    pub answer_all: &'static str,

    // After answering, and links that do not work.
    pub thanks_title: &'static str,
    pub thanks: &'static str,
    pub unknown_title: &'static str,
    pub unknown: &'static str,
    pub answered_title: &'static str,
    pub answered: &'static str,
    pub answered_advice: &'static str,
    pub expired_title: &'static str,
    pub expired: &'static str,
    pub revoked_title: &'static str,
    pub revoked: &'static str,
    pub ask_for_new: &'static str,
}

/// Swedish, the default.
pub(super) const SV: SelfReportTexts = SelfReportTexts {
    // The links on the case page.
    section: "Självskattning via länk",
    none: "Inga länkar ännu.",
    created_on: "Skapad",
    expires: "Gäller till",
    status: "Status",
    status_pending: "Väntar på svar",
    status_answered: "Besvarad",
    status_expired: "Utgången",
    status_revoked: "Återkallad",
    revoke: "Återkalla",
    create: "Skapa länk",
    expiry_days: "Giltig antal dagar",

    // A link just made.
    created_title: "Länk för självskattning",
    created_intro: "Ge klienten den här länken, till exempel i ett sms. Klienten behöver inget konto och svarar på sin telefon eller dator.",
    link: "Länk",
    shown_once: "Länken visas bara nu. Evident sparar den inte, bara ett kontrollvärde.",
    back_to_case: "Tillbaka till ärendet",

    // The client's form.
    intro: "Svara på frågorna genom att välja det alternativ som stämmer bäst för dig. Dina svar går till den som skickade länken.",
    all_required: "Alla frågor behöver ett svar. Det finns ingen tidsgräns, och det du har fyllt i sparas i din webbläsare tills du skickar.",
    send: "Skicka mina svar",
    answer_all: "Några frågor saknar svar. De är markerade nedan. Välj ett alternativ för varje fråga och skicka igen.",

    // After answering, and links that do not work.
    thanks_title: "Tack för dina svar",
    thanks: "Dina svar är sparade och går till den som skickade länken.",
    unknown_title: "Länken fungerar inte",
    unknown: "Vi hittar inga frågor för den här länken. Kontrollera att hela länken kom med.",
    answered_title: "Du har redan svarat",
    answered: "Den här länken har redan använts och svaren är sparade. En länk kan bara användas en gång.",
    answered_advice: "Om du vill ändra något, kontakta den som skickade länken.",
    expired_title: "Länken har gått ut",
    expired: "Länken gällde en begränsad tid och går inte att använda längre.",
    revoked_title: "Länken är återkallad",
    revoked: "Den som skickade länken har dragit tillbaka den.",
    ask_for_new: "Be den som skickade länken om en ny.",
};

/// English.
pub(super) const EN: SelfReportTexts = SelfReportTexts {
    // The links on the case page.
    section: "Self-report by link",
    none: "No links yet.",
    created_on: "Created",
    expires: "Valid until",
    status: "Status",
    status_pending: "Waiting for an answer",
    status_answered: "Answered",
    status_expired: "Expired",
    status_revoked: "Withdrawn",
    revoke: "Withdraw",
    create: "Create link",
    expiry_days: "Valid for days",

    // A link just made.
    created_title: "Self-report link",
    created_intro: "Give the client this link, for example in a text message. The client needs no account and answers on a phone or computer.",
    link: "Link",
    shown_once: "The link is shown only now. Evident does not keep it, only a check value.",
    back_to_case: "Back to the case",

    // The client's form.
    intro: "Answer the questions by choosing the option that fits you best. Your answers go to the person who sent you the link.",
    all_required: "Every question needs an answer. There is no time limit, and what you have filled in is kept in your browser until you send it.",
    send: "Send my answers",
    answer_all: "Some questions have no answer. They are marked below. Choose an option for each question and send again.",

    // After answering, and links that do not work.
    thanks_title: "Thank you for your answers",
    thanks: "Your answers are saved and go to the person who sent you the link.",
    unknown_title: "The link does not work",
    unknown: "We find no questions for this link. Check that the whole link was copied.",
    answered_title: "You have already answered",
    answered: "This link has already been used and the answers are saved. A link can be used once.",
    answered_advice: "If you want to change something, contact the person who sent you the link.",
    expired_title: "The link has expired",
    expired: "The link was valid for a limited time and can no longer be used.",
    revoked_title: "The link has been withdrawn",
    revoked: "The person who sent the link has withdrawn it.",
    ask_for_new: "Ask the person who sent it for a new one.",
};

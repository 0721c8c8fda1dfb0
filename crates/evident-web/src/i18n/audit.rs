//! The auditor's page: the audit trail's chain check, its search form and its entries.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of the audit trail, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct AuditTexts {
    // The page and the chain check.
    pub title: &'static str,
    pub intact: &'static str,
    pub broken: &'static str,

    // The search form.
    pub search: &'static str,
    pub from_day: &'static str,
    pub to_day: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub client_pseudonym: &'static str,

    // The entries.
    pub outcome: &'static str,
    pub at: &'static str,
    pub record: &'static str,
    pub address: &'static str,
    pub detail: &'static str,
    pub no_entries: &'static str,
    // Following up the log.
    pub follow_up: &'static str,
    pub follow_up_intro: &'static str,
    pub kind: &'static str,
    pub all_kinds: &'static str,
    pub user: &'static str,
    pub download_csv: &'static str,
    pub kind_break_glass: &'static str,
    pub kind_denied: &'static str,
    pub kind_outside_units: &'static str,
    pub kind_volume: &'static str,
}

/// Swedish, the default.
pub(super) const SV: AuditTexts = AuditTexts {
    // The page and the chain check.
    title: "Loggbok",
    intact: "Kedjan är obruten. Antal kontrollerade poster:",
    broken: "Kedjan är bruten:",

    // The search form.
    search: "Sök",
    from_day: "Från datum",
    to_day: "Till och med datum",
    actor: "Vem (e-post)",
    action: "Händelse",
    client_pseudonym: "Brukarens pseudonym",

    // The entries.
    outcome: "Utfall",
    at: "Tid (UTC)",
    record: "Post",
    address: "Adress",
    detail: "Detaljer",
    no_entries: "Inga poster matchar.",
    // Following up the log.
    follow_up: "Logguppföljning",
    follow_up_intro: "Åtkomster att följa upp: nödåtkomster, nekade åtkomster, läsningar vid enheter där användaren saknar behörighet och dagar med ovanligt många läsningar av klientuppgifter.",
    kind: "Slag",
    all_kinds: "Alla",
    user: "Användare (e-post)",
    download_csv: "Ladda ner CSV",
    kind_break_glass: "Nödåtkomst",
    kind_denied: "Nekad",
    kind_outside_units: "Utanför egna enheter",
    kind_volume: "Ovanlig mängd",
};

/// English.
pub(super) const EN: AuditTexts = AuditTexts {
    // The page and the chain check.
    title: "Audit trail",
    intact: "The chain is intact. Entries checked:",
    broken: "The chain is broken:",

    // The search form.
    search: "Search",
    from_day: "From date",
    to_day: "To date",
    actor: "Who (e-mail)",
    action: "Action",
    client_pseudonym: "Client pseudonym",

    // The entries.
    outcome: "Outcome",
    at: "Time (UTC)",
    record: "Record",
    address: "Address",
    detail: "Details",
    no_entries: "No entries match.",
    // Following up the log.
    follow_up: "Log follow-up",
    follow_up_intro: "Accesses to follow up: emergency accesses, denied accesses, reads at units where the user holds no grant, and days with unusually many reads of client data.",
    kind: "Kind",
    all_kinds: "All",
    user: "User (e-mail)",
    download_csv: "Download CSV",
    kind_break_glass: "Emergency access",
    kind_denied: "Denied",
    kind_outside_units: "Outside own units",
    kind_volume: "Unusual volume",
};

impl AuditTexts {
    /// The name of a follow-up kind.
    pub fn kind_name(&self, kind: &str) -> &'static str {
        match kind {
            "break_glass" => self.kind_break_glass,
            "denied" => self.kind_denied,
            "outside_units" => self.kind_outside_units,
            "volume" => self.kind_volume,
            _ => "",
        }
    }
}

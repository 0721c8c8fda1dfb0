//! Follow-up: a case's schedule, measurements and progress, the measurement form, and a unit's
//! follow-up table.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of follow-up and measurement, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct FollowUpTexts {
    // A case's follow-up schedule.
    pub heading: &'static str,
    pub month: &'static str,
    pub due_on: &'static str,
    pub status_done: &'static str,
    pub status_due: &'static str,
    pub status_overdue: &'static str,
    pub status_upcoming: &'static str,
    pub status_closed: &'static str,

    // Measurements and the measurement form.
    pub measurements: &'static str,
    pub instrument: &'static str,
    pub time_point: &'static str,
    pub time_baseline: &'static str,
    pub time_follow_up: &'static str,
    pub time_end: &'static str,
    pub respondent: &'static str,
    pub respondent_client: &'static str,
    pub respondent_staff: &'static str,
    pub respondent_relative: &'static str,
    pub measured_on: &'static str,
    pub score: &'static str,
    pub no_score: &'static str,
    pub new_measurement: &'static str,
    pub choose_instrument: &'static str,

    // Progress charts.
    pub rci: &'static str,
    pub class_recovered: &'static str,
    pub class_reliably_improved: &'static str,
    pub class_unchanged: &'static str,
    pub class_reliably_deteriorated: &'static str,
    pub cutoff: &'static str,

    // A unit's follow-up table.
    pub table_title: &'static str,
    pub table_intro: &'static str,
    pub started: &'static str,
    pub with_baseline: &'static str,
    pub with_follow_up: &'static str,
    pub dropout: &'static str,
    pub mean_change: &'static str,
    pub effect_size: &'static str,
    pub improved: &'static str,
    pub deteriorated: &'static str,
    pub no_results: &'static str,
}

/// Swedish, the default.
pub(super) const SV: FollowUpTexts = FollowUpTexts {
    // A case's follow-up schedule.
    heading: "Uppföljningar",
    month: "Månad",
    due_on: "Datum",
    status_done: "Gjord",
    status_due: "Dags nu",
    status_overdue: "Försenad",
    status_upcoming: "Kommande",
    status_closed: "Ej aktuell (avslutat)",

    // Measurements and the measurement form.
    measurements: "Mätningar",
    instrument: "Instrument",
    time_point: "Tidpunkt",
    time_baseline: "Före (baslinje)",
    time_follow_up: "Uppföljning",
    time_end: "Avslut",
    respondent: "Besvarad av",
    respondent_client: "Brukaren",
    respondent_staff: "Personal",
    respondent_relative: "Närstående",
    measured_on: "Datum",
    score: "Poäng",
    no_score: "för många obesvarade",
    new_measurement: "Ny mätning",
    choose_instrument: "Välj instrument",

    // Progress charts.
    rci: "Reliabel förändringsindex (RCI)",
    class_recovered: "Återhämtad",
    class_reliably_improved: "Reliabelt förbättrad",
    class_unchanged: "Oförändrad",
    class_reliably_deteriorated: "Reliabelt försämrad",
    cutoff: "Klinisk gräns",

    // A unit's follow-up table.
    table_title: "Uppföljning av resultat",
    table_intro: "Per insats och instrument. Celler med färre än 5 brukare visas inte (–).",
    started: "Påbörjade",
    with_baseline: "Med baslinje",
    with_follow_up: "Uppföljda",
    dropout: "Bortfall",
    mean_change: "Medelförändring",
    effect_size: "Effektstorlek (95 % KI)",
    improved: "Förbättrade",
    deteriorated: "Försämrade",
    no_results: "Inga resultat ännu.",
};

/// English.
pub(super) const EN: FollowUpTexts = FollowUpTexts {
    // A case's follow-up schedule.
    heading: "Follow-ups",
    month: "Month",
    due_on: "Due",
    status_done: "Done",
    status_due: "Due now",
    status_overdue: "Overdue",
    status_upcoming: "Upcoming",
    status_closed: "Not due (closed)",

    // Measurements and the measurement form.
    measurements: "Measurements",
    instrument: "Instrument",
    time_point: "Time point",
    time_baseline: "Baseline",
    time_follow_up: "Follow-up",
    time_end: "End",
    respondent: "Answered by",
    respondent_client: "Client",
    respondent_staff: "Staff",
    respondent_relative: "Relative",
    measured_on: "Date",
    score: "Score",
    no_score: "too many unanswered",
    new_measurement: "New measurement",
    choose_instrument: "Choose instrument",

    // Progress charts.
    rci: "Reliable change index (RCI)",
    class_recovered: "Recovered",
    class_reliably_improved: "Reliably improved",
    class_unchanged: "Unchanged",
    class_reliably_deteriorated: "Reliably deteriorated",
    cutoff: "Clinical cut-off",

    // A unit's follow-up table.
    table_title: "Follow-up of results",
    table_intro: "Per intervention and instrument. Cells with fewer than 5 clients are not shown (–).",
    started: "Started",
    with_baseline: "With baseline",
    with_follow_up: "Followed up",
    dropout: "Drop-out",
    mean_change: "Mean change",
    effect_size: "Effect size (95 % CI)",
    improved: "Improved",
    deteriorated: "Deteriorated",
    no_results: "No results yet.",
};

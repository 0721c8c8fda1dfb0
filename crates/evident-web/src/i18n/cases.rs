//! Cases: a unit's cases and the form that opens one, and the case page's client, interventions,
//! needs and goals.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of the case pages, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct CaseTexts {
    // A unit's cases and the form that opens one.
    pub title: &'static str,
    pub case: &'static str,
    pub none: &'static str,
    pub next_page: &'static str,
    pub first_page: &'static str,
    pub pages: &'static str,
    pub pseudonym: &'static str,
    pub open: &'static str,
    pub personal_number: &'static str,
    pub personal_number_hint: &'static str,
    pub opened_on: &'static str,
    pub schedule: &'static str,

    // The client, and closing the case.
    pub client: &'static str,
    pub birth_year: &'static str,
    pub sex: &'static str,
    pub sex_female: &'static str,
    pub sex_male: &'static str,
    pub close: &'static str,
    pub closed_on: &'static str,

    // Interventions.
    pub interventions: &'static str,
    pub intervention_type: &'static str,
    pub legal_basis: &'static str,
    pub provider_unit: &'static str,
    pub applied_on: &'static str,
    pub decided_on: &'static str,
    pub started_on: &'static str,
    pub ended_on: &'static str,
    pub end_reason: &'static str,
    pub add_intervention: &'static str,

    // Needs and goals.
    pub needs_and_goals: &'static str,
    pub life_area: &'static str,
    pub description: &'static str,
    pub add_need: &'static str,
    pub add_goal: &'static str,
    pub goal_outcome: &'static str,
    pub outcome_none: &'static str,
    pub outcome_achieved: &'static str,
    pub outcome_partly_achieved: &'static str,
    pub outcome_not_achieved: &'static str,
    pub outcome_not_followed_up: &'static str,
    // Breaking the glass.
    pub break_glass: &'static str,
    pub break_glass_intro: &'static str,
    pub break_glass_case: &'static str,
    pub break_glass_pseudonym: &'static str,
    pub break_glass_target_hint: &'static str,
    pub break_glass_case_or_client: &'static str,
    pub break_glass_reason: &'static str,
    pub break_glass_reason_hint: &'static str,
    pub break_glass_submit: &'static str,
    pub break_glass_not_found: &'static str,
}

/// Swedish, the default.
pub(super) const SV: CaseTexts = CaseTexts {
    // A unit's cases and the form that opens one.
    title: "Ärenden",
    case: "Ärende",
    none: "Inga ärenden ännu.",
    next_page: "Nästa sida",
    first_page: "Första sidan",
    pages: "Sidor",
    pseudonym: "Pseudonym",
    open: "Öppna ärende",
    personal_number: "Personnummer eller samordningsnummer",
    personal_number_hint: "ÅÅÅÅMMDD-XXXX, ÅÅMMDD-XXXX eller ÅÅMMDD+XXXX. Numret sparas aldrig; det blir en pseudonym.",
    opened_on: "Öppnat",
    schedule: "Uppföljning efter (månader)",

    // The client, and closing the case.
    client: "Brukare",
    birth_year: "Födelseår",
    sex: "Kön",
    sex_female: "Kvinna",
    sex_male: "Man",
    close: "Avsluta ärendet",
    closed_on: "Avslutat",

    // Interventions.
    interventions: "Insatser",
    intervention_type: "Insats",
    legal_basis: "Lagrum",
    provider_unit: "Utförande enhet (kod)",
    applied_on: "Ansökan",
    decided_on: "Beslut",
    started_on: "Start",
    ended_on: "Avslut",
    end_reason: "Avslutsorsak",
    add_intervention: "Lägg till insats",

    // Needs and goals.
    needs_and_goals: "Behov och mål",
    life_area: "Livsområde",
    description: "Beskrivning",
    add_need: "Lägg till behov",
    add_goal: "Lägg till mål",
    goal_outcome: "Måluppfyllelse",
    outcome_none: "Ej bedömt ännu",
    outcome_achieved: "Uppnått",
    outcome_partly_achieved: "Delvis uppnått",
    outcome_not_achieved: "Ej uppnått",
    outcome_not_followed_up: "Ej följt upp",
    // Breaking the glass.
    break_glass: "Nödåtkomst",
    break_glass_intro: "I en nödsituation kan du läsa en brukares ärenden vid en annan enhet i din kommun. Åtkomsten gäller bara den brukaren, bara läsning och i högst {hours} timmar. Den loggas med ditt skäl och följs upp av granskare.",
    break_glass_case: "Ärendenummer",
    break_glass_pseudonym: "Brukarens pseudonym",
    break_glass_target_hint: "Ange antingen ärendenumret eller brukarens pseudonym (64 tecken, som i brukarens journal).",
    break_glass_case_or_client: "Ange antingen ett ärendenummer eller en pseudonym, inte båda.",
    break_glass_reason: "Skäl",
    break_glass_reason_hint: "Beskriv nödsituationen, minst 10 tecken.",
    break_glass_submit: "Öppna med nödåtkomst",
    break_glass_not_found: "Det finns inget sådant ärende eller ingen sådan brukare i din kommun.",
};

/// English.
pub(super) const EN: CaseTexts = CaseTexts {
    // A unit's cases and the form that opens one.
    title: "Cases",
    case: "Case",
    none: "No cases yet.",
    next_page: "Next page",
    first_page: "First page",
    pages: "Pages",
    pseudonym: "Pseudonym",
    open: "Open a case",
    personal_number: "Personal identity or coordination number",
    personal_number_hint: "YYYYMMDD-XXXX, YYMMDD-XXXX or YYMMDD+XXXX. The number is never stored; it becomes a pseudonym.",
    opened_on: "Opened",
    schedule: "Follow-up after (months)",

    // The client, and closing the case.
    client: "Client",
    birth_year: "Year of birth",
    sex: "Sex",
    sex_female: "Female",
    sex_male: "Male",
    close: "Close the case",
    closed_on: "Closed",

    // Interventions.
    interventions: "Interventions",
    intervention_type: "Intervention",
    legal_basis: "Legal basis",
    provider_unit: "Providing unit (code)",
    applied_on: "Applied",
    decided_on: "Decided",
    started_on: "Started",
    ended_on: "Ended",
    end_reason: "End reason",
    add_intervention: "Add an intervention",

    // Needs and goals.
    needs_and_goals: "Needs and goals",
    life_area: "Life area",
    description: "Description",
    add_need: "Add a need",
    add_goal: "Add a goal",
    goal_outcome: "Goal outcome",
    outcome_none: "Not yet assessed",
    outcome_achieved: "Achieved",
    outcome_partly_achieved: "Partly achieved",
    outcome_not_achieved: "Not achieved",
    outcome_not_followed_up: "Not followed up",
    // Breaking the glass.
    break_glass: "Emergency access",
    break_glass_intro: "In an emergency you may read a client's cases at another unit of your municipality. The access covers that client only, reading only, for at most {hours} hours. It is logged with your reason and followed up by auditors.",
    break_glass_case: "Case number",
    break_glass_pseudonym: "Client pseudonym",
    break_glass_target_hint: "Give either the case number or the client's pseudonym (64 characters, as in the client's record).",
    break_glass_case_or_client: "Give either a case number or a pseudonym, not both.",
    break_glass_reason: "Reason",
    break_glass_reason_hint: "Describe the emergency, at least 10 characters.",
    break_glass_submit: "Open with emergency access",
    break_glass_not_found: "There is no such case or client in your municipality.",
};

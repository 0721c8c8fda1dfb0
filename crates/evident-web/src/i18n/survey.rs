//! Client surveys: published by a unit's staff, answered anonymously at `/q/{token}`, and their
//! results.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of client surveys, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct SurveyTexts {
    // A unit's surveys, for its staff.
    pub surveys: &'static str,
    pub surveys_intro: &'static str,
    pub survey: &'static str,
    pub period: &'static str,
    pub period_hint: &'static str,
    pub publish: &'static str,
    pub publications: &'static str,
    pub no_publications: &'static str,
    pub answers: &'static str,
    pub status: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub close: &'static str,
    pub results: &'static str,

    // Integrity modes and respondent codes, for staff.
    pub integrity: &'static str,
    pub integrity_codes: &'static str,
    pub integrity_codes_hint: &'static str,
    pub integrity_link: &'static str,
    pub integrity_link_hint: &'static str,
    pub codes_count: &'static str,
    pub codes_issued_used: &'static str,
    pub issue_codes: &'static str,
    pub codes_csv: &'static str,
    pub codes_title: &'static str,
    pub codes_intro: &'static str,
    pub codes_slip: &'static str,
    pub codes_print: &'static str,

    // A survey just published.
    pub created_title: &'static str,
    pub created_intro: &'static str,
    pub link: &'static str,
    pub shown_once: &'static str,
    pub back: &'static str,

    // The respondent's form.
    pub anonymous: &'static str,
    pub required: &'static str,
    pub free_text_hint: &'static str,
    pub send: &'static str,
    pub fix: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub code_needed: &'static str,
    pub code_not_valid: &'static str,
    pub code_open: &'static str,

    // After answering, and links that do not work.
    pub thanks_title: &'static str,
    pub thanks: &'static str,
    pub unknown_title: &'static str,
    pub unknown: &'static str,
    pub closed_title: &'static str,
    pub closed_text: &'static str,
    pub already_title: &'static str,
    pub already: &'static str,
    pub too_many_title: &'static str,
    pub too_many: &'static str,

    // The results.
    pub results_title: &'static str,
    pub results_intro: &'static str,
    pub node: &'static str,
    pub respondents: &'static str,
    pub too_few: &'static str,
    pub share_positive: &'static str,
    pub free_texts: &'static str,
    pub free_texts_hidden: &'static str,
    pub no_free_texts: &'static str,
    pub download_csv: &'static str,
    pub collected_by: &'static str,
}

/// Swedish, the default.
pub(super) const SV: SurveyTexts = SurveyTexts {
    // A unit's surveys, for its staff.
    surveys: "Brukarundersökningar",
    surveys_intro: "Publicera en enkät för enheten och en period. Länken går till dem som får stöd av enheten; de svarar anonymt.",
    survey: "Enkät",
    period: "Period",
    period_hint: "Ett år (2026) eller ett kvartal (2026Q4).",
    publish: "Publicera enkäten",
    publications: "Publicerade enkäter",
    no_publications: "Enheten har inga publicerade enkäter.",
    answers: "Svar",
    status: "Status",
    open: "Öppen",
    closed: "Stängd",
    close: "Stäng enkäten",
    results: "Resultat",

    // Integrity modes and respondent codes, for staff.
    integrity: "Hur svaren samlas in",
    integrity_codes: "Engångskoder",
    integrity_codes_hint: "Varje svar kräver en kod som ni delar ut på papper eller i sms. Ingen kan svara fler gånger än den har koder. Rekommenderas när resultaten ska jämföras.",
    integrity_link: "Öppen länk",
    integrity_link_hint: "Alla med länken kan svara, en gång per webbläsare och högst tre gånger i timmen från samma adress. Enkelt, men en person som vill kan svara flera gånger.",
    codes_count: "Antal koder",
    codes_issued_used: "Koder: {issued} utdelade, {used} använda",
    issue_codes: "Skapa koder för utskrift",
    codes_csv: "Skapa koder som CSV (för sms)",
    codes_title: "Svarskoder",
    codes_intro: "Varje kod gäller för ett svar. Klipp isär lapparna och ge en till var och en, eller skicka dem i sms. Koderna visas bara nu och kan inte tas fram igen; skapa fler vid behov.",
    codes_slip: "Svara på enkäten på {link} och skriv in koden",
    codes_print: "Skriv ut sidan med webbläsarens utskrift (Ctrl+P); bara lapparna kommer med.",

    // A survey just published.
    created_title: "Enkäten är publicerad",
    created_intro: "Ge länken till dem som får stöd av enheten, till exempel på papper med QR-kod eller i ett sms.",
    link: "Länk till enkäten",
    shown_once: "Länken visas bara nu. Kopiera den innan du lämnar sidan.",
    back: "Tillbaka till enkäterna",

    // The respondent's form.
    anonymous: "Du svarar anonymt. Frågor markerade med * måste besvaras.",
    required: "måste besvaras",
    free_text_hint: "Skriv inte ditt namn eller andras namn.",
    send: "Skicka svaren",
    fix: "Svaren skickades inte. Rätta det som står nedan och försök igen.",
    code: "Din kod",
    code_hint: "Koden står på lappen eller i sms:et du fick, till exempel 7KQ2M-XW4PD.",
    code_needed: "Skriv in koden du fick för att kunna skicka svaren.",
    code_not_valid: "Koden stämmer inte eller har redan använts. Kontrollera att du skrivit den rätt.",
    code_open: "Öppna enkäten",

    // After answering, and links that do not work.
    thanks_title: "Tack för dina svar",
    thanks: "Dina svar är sparade. De går inte att koppla till dig.",
    unknown_title: "Länken fungerar inte",
    unknown: "Vi hittar ingen enkät med den här länken. Kontrollera att hela länken kom med.",
    closed_title: "Enkäten är stängd",
    closed_text: "Enkäten tar inte emot fler svar.",
    already_title: "Du har redan svarat",
    already: "Den här webbläsaren har redan skickat svar på enkäten. Varje person svarar en gång. Tack!",
    too_many_title: "Många svar just nu",
    too_many: "Det har kommit många svar härifrån på kort tid. Försök igen om en stund.",

    // The results.
    results_title: "Resultat av brukarundersökning",
    results_intro: "Andel positiva svar per fråga. Där färre än fem har svarat visas inget resultat, och ibland döljs även ett annat resultat så att det dolda inte går att räkna fram.",
    node: "Område",
    respondents: "Antal svar",
    too_few: "för få svar",
    share_positive: "andel positiva",
    free_texts: "Fritextsvar",
    free_texts_hidden: "Fritextsvar visas för enhetens personal när minst fem har svarat.",
    no_free_texts: "Ingen har skrivit något i fritext.",
    download_csv: "Ladda ner CSV",
    collected_by: "Svaren är insamlade med",
};

/// English.
pub(super) const EN: SurveyTexts = SurveyTexts {
    // A unit's surveys, for its staff.
    surveys: "Client surveys",
    surveys_intro: "Publish a survey for the unit and a period. The link goes to the people the unit supports; they answer anonymously.",
    survey: "Survey",
    period: "Period",
    period_hint: "A year (2026) or a quarter (2026Q4).",
    publish: "Publish the survey",
    publications: "Published surveys",
    no_publications: "The unit has no published surveys.",
    answers: "Answers",
    status: "Status",
    open: "Open",
    closed: "Closed",
    close: "Close the survey",
    results: "Results",

    // Integrity modes and respondent codes, for staff.
    integrity: "How answers are collected",
    integrity_codes: "One-time codes",
    integrity_codes_hint: "Each answer needs a code that you hand out on paper or by text message. No one can answer more times than they have codes. Recommended when results are to be compared.",
    integrity_link: "Open link",
    integrity_link_hint: "Anyone with the link can answer, once per browser and at most three times an hour from the same address. Simple, but a person who wants to can answer several times.",
    codes_count: "Number of codes",
    codes_issued_used: "Codes: {issued} handed out, {used} used",
    issue_codes: "Create codes to print",
    codes_csv: "Create codes as CSV (for text messages)",
    codes_title: "Respondent codes",
    codes_intro: "Each code is good for one answer. Cut the slips apart and give one to each person, or send them by text message. The codes are shown only now and cannot be shown again; create more when needed.",
    codes_slip: "Answer the survey at {link} and enter the code",
    codes_print: "Print the page with the browser's print (Ctrl+P); only the slips are printed.",

    // A survey just published.
    created_title: "The survey is published",
    created_intro: "Give the link to the people the unit supports, for example on paper with a QR code or in a text message.",
    link: "Link to the survey",
    shown_once: "The link is shown only now. Copy it before you leave the page.",
    back: "Back to the surveys",

    // The respondent's form.
    anonymous: "You answer anonymously. Questions marked with * must be answered.",
    required: "required",
    free_text_hint: "Do not write your name or anyone else's name.",
    send: "Send the answers",
    fix: "The answers were not sent. Correct what is said below and try again.",
    code: "Your code",
    code_hint: "The code is on the slip or in the text message you got, for example 7KQ2M-XW4PD.",
    code_needed: "Enter the code you got to send your answers.",
    code_not_valid: "The code is not right or has been used. Check that you typed it correctly.",
    code_open: "Open the survey",

    // After answering, and links that do not work.
    thanks_title: "Thank you for your answers",
    thanks: "Your answers are saved. They cannot be traced to you.",
    unknown_title: "The link does not work",
    unknown: "We cannot find a survey for this link. Check that the whole link was copied.",
    closed_title: "The survey is closed",
    closed_text: "The survey takes no more answers.",
    already_title: "You have already answered",
    already: "This browser has already sent answers to the survey. Everyone answers once. Thank you!",
    too_many_title: "Many answers just now",
    too_many: "Many answers have come from here in a short time. Try again in a while.",

    // The results.
    results_title: "Client survey results",
    results_intro: "Share of positive answers per question. Where fewer than five have answered no result is shown, and sometimes another result is hidden too, so that the hidden one cannot be worked out.",
    node: "Area",
    respondents: "Number of answers",
    too_few: "too few answers",
    share_positive: "share positive",
    free_texts: "Free-text answers",
    free_texts_hidden: "Free-text answers are shown to the unit's staff once at least five have answered.",
    no_free_texts: "No one has written any free text.",
    download_csv: "Download CSV",
    collected_by: "The answers were collected with",
};

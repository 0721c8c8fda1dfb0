//! Open comparisons: the indicator list, an indicator's table and funnel plot, and the municipality
//! profile with its comparison groups.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of open comparisons, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct ComparisonTexts {
    // The indicator list.
    pub intro: &'static str,
    pub indicator: &'static str,
    pub whole_nation: &'static str,
    pub open_profile: &'static str,

    // The choices above a table.
    pub period: &'static str,
    pub variant: &'static str,
    pub variant_all: &'static str,
    pub breakdown: &'static str,
    pub show: &'static str,
    pub rows_level: &'static str,
    pub rows_municipalities: &'static str,
    pub rows_counties: &'static str,
    pub rows_units: &'static str,
    pub cat_all: &'static str,
    pub cat_female: &'static str,
    pub cat_male: &'static str,
    pub cat_age_0_17: &'static str,
    pub cat_age_18_29: &'static str,
    pub cat_age_30_49: &'static str,
    pub cat_age_50_64: &'static str,
    pub cat_age_65_plus: &'static str,

    // An indicator's table.
    pub rank: &'static str,
    pub rank_of: &'static str,
    pub value: &'static str,
    pub confidence_interval: &'static str,
    pub count_n: &'static str,
    pub change_since: &'static str,
    pub colour: &'static str,
    pub funnel_position: &'static str,
    pub no_data: &'static str,
    pub not_applicable: &'static str,
    pub suppressed: &'static str,
    pub preliminary: &'static str,
    pub preliminary_note: &'static str,
    pub as_of: &'static str,
    pub trend: &'static str,
    pub without_data: &'static str,
    pub hidden_units: &'static str,
    pub no_ranked_units: &'static str,
    pub disclosure_note: &'static str,
    pub disclosure_note_end: &'static str,

    // Colours, signals and which direction is better.
    pub tertile_best: &'static str,
    pub tertile_middle: &'static str,
    pub tertile_worst: &'static str,
    pub signal_within: &'static str,
    pub signal_above_95: &'static str,
    pub signal_above_998: &'static str,
    pub signal_below_95: &'static str,
    pub signal_below_998: &'static str,
    pub better_higher: &'static str,
    pub better_lower: &'static str,
    pub better_neutral: &'static str,

    // The funnel plot.
    pub funnel_title: &'static str,
    pub funnel_x: &'static str,
    pub funnel_none: &'static str,
    pub funnel_legend: &'static str,

    // The municipality profile and comparison groups.
    pub profile_title: &'static str,
    pub profile_intro: &'static str,
    pub similar_group: &'static str,
    pub similar_help: &'static str,
    pub comparison_group: &'static str,
    pub no_group: &'static str,
    pub new_group: &'static str,
    pub group_name: &'static str,
    pub group_members: &'static str,
    pub create_group: &'static str,
}

/// Swedish, the default.
pub(super) const SV: ComparisonTexts = ComparisonTexts {
    // The indicator list.
    intro: "Indikatorer ur verksamheternas egen dokumentation, från enhet till kommun, län och riket. Värden som vilar på för få personer döljs, liksom värden som annars kunde räknas fram ur andra.",
    indicator: "Indikator",
    whole_nation: "Hela riket",
    open_profile: "Kommunprofil",

    // The choices above a table.
    period: "Period",
    variant: "Urval",
    variant_all: "Alla",
    breakdown: "Redovisning",
    show: "Visa",
    rows_level: "Rader",
    rows_municipalities: "Kommuner",
    rows_counties: "Län",
    rows_units: "Enheter",
    cat_all: "Alla",
    cat_female: "Kvinnor",
    cat_male: "Män",
    cat_age_0_17: "0–17 år",
    cat_age_18_29: "18–29 år",
    cat_age_30_49: "30–49 år",
    cat_age_50_64: "50–64 år",
    cat_age_65_plus: "65 år och äldre",

    // An indicator's table.
    rank: "Placering",
    rank_of: "av",
    value: "Värde",
    confidence_interval: "95 % konfidensintervall",
    count_n: "Antal (n)",
    change_since: "Förändring sedan",
    colour: "Färg",
    funnel_position: "Trattdiagram",
    no_data: "Uppgift saknas",
    not_applicable: "Ej tillämpligt",
    suppressed: "Dolt (röjandeskydd)",
    preliminary: "preliminär",
    preliminary_note: "Perioden pågår: värdena är preliminära och kan ändras när fler uppgifter kommer in och fler uppföljningsfönster stänger.",
    as_of: "Värdena är beräknade per",
    trend: "Utveckling per år",
    without_data: "saknar uppgifter för perioden och visas inte.",
    hidden_units: "enheter visas inte eftersom din roll inte omfattar dem.",
    no_ranked_units: "Inga enheter med resultat att visa.",
    disclosure_note: "Värden som vilar på färre än",
    disclosure_note_end: "personer döljs, liksom värden som annars kunde räknas fram ur andra.",

    // Colours, signals and which direction is better.
    tertile_best: "Bäst",
    tertile_middle: "Mellan",
    tertile_worst: "Sämst",
    signal_within: "Inom kontrollgränserna",
    signal_above_95: "Över 95 %-gränsen",
    signal_above_998: "Över 99,8 %-gränsen",
    signal_below_95: "Under 95 %-gränsen",
    signal_below_998: "Under 99,8 %-gränsen",
    better_higher: "Högre värde är bättre.",
    better_lower: "Lägre värde är bättre.",
    better_neutral: "Beskrivande indikator: den rangordnas och färgas inte.",

    // The funnel plot.
    funnel_title: "Trattdiagram: värde mot antal personer, med rikets värde som mittlinje och kontrollgränser för 95 % och 99,8 %",
    funnel_x: "Antal personer (n)",
    funnel_none: "Trattdiagram visas för andelar och medelvärden när rikets värde är publicerat.",
    funnel_legend: "Punkter utanför de streckade gränserna skiljer sig från riket mer än slumpen förklarar. Håll muspekaren över en punkt för att se vilken den är.",

    // The municipality profile and comparison groups.
    profile_title: "Kommunprofil",
    profile_intro: "Kommunens värde för varje indikator jämfört med länet, riket, kommuner av liknande storlek och en valfri jämförelsegrupp. Färgen visar kommunens tredjedel bland alla kommuner.",
    similar_group: "Liknande kommuner",
    similar_help: "Oviktat medelvärde för övriga kommuner med",
    comparison_group: "Jämförelsegrupp",
    no_group: "Ingen",
    new_group: "Ny jämförelsegrupp",
    group_name: "Gruppens namn",
    group_members: "Kommunkoder, åtskilda med kommatecken",
    create_group: "Skapa grupp",
};

/// English.
pub(super) const EN: ComparisonTexts = ComparisonTexts {
    // The indicator list.
    intro: "Indicators from the services' own records, from unit to municipality, county and nation. Values resting on too few individuals are hidden, as are values that could otherwise be worked out from others.",
    indicator: "Indicator",
    whole_nation: "The whole nation",
    open_profile: "Municipality profile",

    // The choices above a table.
    period: "Period",
    variant: "Subset",
    variant_all: "All",
    breakdown: "Breakdown",
    show: "Show",
    rows_level: "Rows",
    rows_municipalities: "Municipalities",
    rows_counties: "Counties",
    rows_units: "Units",
    cat_all: "All",
    cat_female: "Women",
    cat_male: "Men",
    cat_age_0_17: "Aged 0–17",
    cat_age_18_29: "Aged 18–29",
    cat_age_30_49: "Aged 30–49",
    cat_age_50_64: "Aged 50–64",
    cat_age_65_plus: "Aged 65 and over",

    // An indicator's table.
    rank: "Rank",
    rank_of: "of",
    value: "Value",
    confidence_interval: "95 % confidence interval",
    count_n: "Count (n)",
    change_since: "Change since",
    colour: "Colour",
    funnel_position: "Funnel plot",
    no_data: "No data",
    not_applicable: "Not applicable",
    suppressed: "Hidden (disclosure control)",
    preliminary: "preliminary",
    preliminary_note: "The period is not over: the values are preliminary and may change as more records arrive and more follow-up windows close.",
    as_of: "The values are computed as of",
    trend: "Trend by year",
    without_data: "have no data for the period and are not listed.",
    hidden_units: "units are not shown because your role does not cover them.",
    no_ranked_units: "No units with results to show.",
    disclosure_note: "Values resting on fewer than",
    disclosure_note_end: "individuals are hidden, as are values that could otherwise be worked out from others.",

    // Colours, signals and which direction is better.
    tertile_best: "Best",
    tertile_middle: "Middle",
    tertile_worst: "Worst",
    signal_within: "Within the control limits",
    signal_above_95: "Above the 95 % limit",
    signal_above_998: "Above the 99.8 % limit",
    signal_below_95: "Below the 95 % limit",
    signal_below_998: "Below the 99.8 % limit",
    better_higher: "A higher value is better.",
    better_lower: "A lower value is better.",
    better_neutral: "A descriptive indicator: it is neither ranked nor coloured.",

    // The funnel plot.
    funnel_title: "Funnel plot: value against number of individuals, with the national value as the centre line and 95 % and 99.8 % control limits",
    funnel_x: "Number of individuals (n)",
    funnel_none: "A funnel plot is shown for shares and means when the national value is published.",
    funnel_legend: "Points outside the dashed limits differ from the nation more than chance explains. Hover over a point to see which it is.",

    // The municipality profile and comparison groups.
    profile_title: "Municipality profile",
    profile_intro: "The municipality's value for each indicator against its county, the nation, municipalities of similar size and a comparison group of your choice. The colour shows the municipality's third among all municipalities.",
    similar_group: "Similar municipalities",
    similar_help: "Unweighted mean of the other municipalities with",
    comparison_group: "Comparison group",
    no_group: "None",
    new_group: "New comparison group",
    group_name: "Group name",
    group_members: "Municipality codes, separated by commas",
    create_group: "Create group",
};

//! HL7 FHIR R4: instruments in and out as `Questionnaire` resources, and measurements out as
//! `QuestionnaireResponse` resources. What FHIR has no element for (scoring method, range,
//! direction, reliability, normative SD, cut-off, prorating rule, reverse-scored items) travels
//! in extensions under [`EXTENSION_BASE`]; option scores use FHIR's own `ordinalValue`
//! extension, as LOINC panels do.

use crate::DomainError;
use crate::followup::instrument::{
    AnswerOption, Answers, Instrument, Item, ScoringMethod, Subscale,
};
use serde_json::{Value, json};

/// Where Evident's extension definitions live.
pub const EXTENSION_BASE: &str = "http://evident.example/fhir/StructureDefinition/";
/// FHIR's extension for the score of an answer option.
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// LOINC's older extension for the same, accepted on input.
const ISO21090_CO_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value";

fn invalid(problem: impl Into<String>) -> DomainError {
    DomainError::new("questionnaire", problem)
}

fn extension<'a>(extensions: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    let url = format!("{EXTENSION_BASE}{name}");
    extensions?
        .as_array()?
        .iter()
        .find(|e| e["url"] == url.as_str())
}

fn decimal(extensions: Option<&Value>, name: &str) -> Result<Option<f64>, DomainError> {
    match extension(extensions, name) {
        None => Ok(None),
        Some(e) => e["valueDecimal"]
            .as_f64()
            .or_else(|| e["valueInteger"].as_f64())
            .map(Some)
            .ok_or_else(|| invalid(format!("extension {name} needs a valueDecimal"))),
    }
}

fn required_decimal(extensions: Option<&Value>, name: &str) -> Result<f64, DomainError> {
    decimal(extensions, name)?
        .ok_or_else(|| invalid(format!("the extension {EXTENSION_BASE}{name} is missing")))
}

fn flag(extensions: Option<&Value>, name: &str) -> bool {
    extension(extensions, name)
        .and_then(|e| e["valueBoolean"].as_bool())
        .unwrap_or(false)
}

fn option_score(option: &Value) -> Option<f64> {
    let coding = &option["valueCoding"];
    [&option["extension"], &coding["extension"]]
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .find(|e| e["url"] == ORDINAL_VALUE || e["url"] == ISO21090_CO_VALUE)
        .and_then(|e| {
            e["valueDecimal"]
                .as_f64()
                .or_else(|| e["valueInteger"].as_f64())
        })
}

/// Reads an instrument from a FHIR R4 `Questionnaire`.
///
/// # Errors
/// Says what is missing or malformed: the resource type, an item's options or scores, a
/// required extension, or an inconsistency [`Instrument::validate`] finds.
pub fn instrument_from_questionnaire(resource: &Value) -> Result<Instrument, DomainError> {
    if resource["resourceType"] != "Questionnaire" {
        return Err(invalid(
            "the resource is not a FHIR Questionnaire (resourceType must be \"Questionnaire\")",
        ));
    }
    let id = resource["id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("the Questionnaire has no id"))?;
    let ext = resource.get("extension");
    let method = match extension(ext, "scoring-method").and_then(|e| e["valueCode"].as_str()) {
        Some("sum") | None => ScoringMethod::Sum,
        Some("mean") => ScoringMethod::Mean,
        Some(other) => {
            return Err(invalid(format!(
                "scoring-method '{other}' is neither sum nor mean"
            )));
        }
    };
    let mut items = Vec::new();
    for item in resource["item"]
        .as_array()
        .ok_or_else(|| invalid("the Questionnaire has no items"))?
    {
        let link_id = item["linkId"]
            .as_str()
            .ok_or_else(|| invalid("an item has no linkId"))?;
        if flag(item.get("extension"), "unscored")
            || item["type"] == "display"
            || item["type"] == "group"
        {
            continue;
        }
        let options = item["answerOption"]
            .as_array()
            .ok_or_else(|| invalid(format!("item {link_id} has no answerOption")))?
            .iter()
            .map(|option| {
                let coding = &option["valueCoding"];
                let code = coding["code"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| option["valueInteger"].as_i64().map(|i| i.to_string()))
                    .ok_or_else(|| {
                        invalid(format!("item {link_id}: an answer option has no code"))
                    })?;
                let score = option_score(option)
                    .or_else(|| option["valueInteger"].as_f64())
                    .ok_or_else(|| {
                        invalid(format!(
                            "item {link_id}: option {code} has no ordinalValue score"
                        ))
                    })?;
                let display = coding["display"].as_str().unwrap_or(&code).to_owned();
                Ok(AnswerOption {
                    code,
                    display,
                    score,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        items.push(Item {
            link_id: link_id.to_owned(),
            text: item["text"].as_str().unwrap_or_default().to_owned(),
            options,
            reverse: flag(item.get("extension"), "reverse-scored"),
        });
    }
    let subscales = ext
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == format!("{EXTENSION_BASE}subscale").as_str())
        .map(|e| {
            let parts = e["extension"].as_array().cloned().unwrap_or_default();
            let name = parts
                .iter()
                .find(|p| p["url"] == "name")
                .and_then(|p| p["valueString"].as_str())
                .unwrap_or_default();
            let items = parts
                .iter()
                .filter(|p| p["url"] == "item")
                .filter_map(|p| p["valueString"].as_str())
                .map(str::to_owned)
                .collect();
            Subscale {
                name: name.to_owned(),
                items,
            }
        })
        .collect();
    let instrument = Instrument {
        id: id.to_owned(),
        version: resource["version"].as_str().unwrap_or("1").to_owned(),
        title: resource["title"]
            .as_str()
            .or_else(|| resource["name"].as_str())
            .unwrap_or(id)
            .to_owned(),
        method,
        range: (
            required_decimal(ext, "score-min")?,
            required_decimal(ext, "score-max")?,
        ),
        higher_is_better: flag(ext, "higher-is-better"),
        max_missing_fraction: decimal(ext, "max-missing-fraction")?.unwrap_or(0.0),
        reliability: required_decimal(ext, "reliability")?,
        normative_sd: required_decimal(ext, "normative-sd")?,
        cutoff: decimal(ext, "clinical-cutoff")?,
        subscales,
        copyright: resource["copyright"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        items,
    };
    instrument.validate()?;
    Ok(instrument)
}

/// Writes an instrument as a FHIR R4 `Questionnaire` that [`instrument_from_questionnaire`]
/// reads back to the same instrument.
pub fn questionnaire_from_instrument(instrument: &Instrument) -> Value {
    let ext = |name: &str, key: &str, value: Value| json!({"url": format!("{EXTENSION_BASE}{name}"), key: value});
    let mut extensions = vec![
        ext(
            "scoring-method",
            "valueCode",
            json!(match instrument.method {
                ScoringMethod::Sum => "sum",
                ScoringMethod::Mean => "mean",
            }),
        ),
        ext("score-min", "valueDecimal", json!(instrument.range.0)),
        ext("score-max", "valueDecimal", json!(instrument.range.1)),
        ext(
            "higher-is-better",
            "valueBoolean",
            json!(instrument.higher_is_better),
        ),
        ext(
            "max-missing-fraction",
            "valueDecimal",
            json!(instrument.max_missing_fraction),
        ),
        ext("reliability", "valueDecimal", json!(instrument.reliability)),
        ext(
            "normative-sd",
            "valueDecimal",
            json!(instrument.normative_sd),
        ),
    ];
    if let Some(cutoff) = instrument.cutoff {
        extensions.push(ext("clinical-cutoff", "valueDecimal", json!(cutoff)));
    }
    for subscale in &instrument.subscales {
        let mut parts = vec![json!({"url": "name", "valueString": subscale.name})];
        parts.extend(
            subscale
                .items
                .iter()
                .map(|i| json!({"url": "item", "valueString": i})),
        );
        extensions.push(json!({"url": format!("{EXTENSION_BASE}subscale"), "extension": parts}));
    }
    let items: Vec<Value> = instrument
        .items
        .iter()
        .map(|item| {
            let options: Vec<Value> = item
                .options
                .iter()
                .map(|o| json!({"valueCoding": {"code": o.code, "display": o.display,
                    "extension": [{"url": ORDINAL_VALUE, "valueDecimal": o.score}]}}))
                .collect();
            let mut value = json!({"linkId": item.link_id, "text": item.text, "type": "choice", "required": true, "answerOption": options});
            if item.reverse {
                value["extension"] = json!([ext("reverse-scored", "valueBoolean", json!(true))]);
            }
            value
        })
        .collect();
    json!({
        "resourceType": "Questionnaire",
        "id": instrument.id,
        "url": format!("http://evident.example/fhir/Questionnaire/{}", instrument.id),
        "version": instrument.version,
        "title": instrument.title,
        "status": "active",
        "copyright": instrument.copyright,
        "extension": extensions,
        "item": items,
    })
}

/// A measurement as a FHIR R4 `QuestionnaireResponse`; the subject is the client's pseudonym,
/// never an identity number.
pub fn questionnaire_response(
    instrument: &Instrument,
    answers: &Answers,
    authored: &str,
    pseudonym: &str,
    id: &str,
) -> Value {
    let items: Vec<Value> = instrument
        .items
        .iter()
        .filter_map(|item| {
            let code = answers.get(&item.link_id)?;
            let option = item.options.iter().find(|o| &o.code == code)?;
            Some(json!({"linkId": item.link_id, "text": item.text,
                "answer": [{"valueCoding": {"code": option.code, "display": option.display}}]}))
        })
        .collect();
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": id,
        "questionnaire": format!("http://evident.example/fhir/Questionnaire/{}|{}", instrument.id, instrument.version),
        "status": "completed",
        "subject": {"identifier": {"system": "http://evident.example/fhir/pseudonym", "value": pseudonym}},
        "authored": authored,
        "item": items,
    })
}

/// A FHIR `Bundle` of type `collection` holding `resources`.
pub fn collection_bundle(id: &str, resources: Vec<Value>) -> Value {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|resource| json!({"resource": resource}))
        .collect();
    json!({"resourceType": "Bundle", "id": id, "type": "collection", "total": entries.len(), "entry": entries})
}

/// The text of a [`collection_bundle`] up to its first entry, for writing a bundle too large
/// to hold a part at a time: then each [`collection_bundle_entry`], then
/// [`collection_bundle_end`]. The total comes last, so it counts what was written.
pub fn collection_bundle_start(id: &str) -> String {
    format!(
        r#"{{"resourceType":"Bundle","id":{},"type":"collection","entry":["#,
        json!(id)
    )
}

/// The text of one entry of a bundle begun with [`collection_bundle_start`]; `first` for the
/// first entry (every later one is preceded by a comma).
pub fn collection_bundle_entry(resource: Value, first: bool) -> String {
    let entry = json!({"resource": resource}).to_string();
    if first { entry } else { format!(",{entry}") }
}

/// The end of a bundle begun with [`collection_bundle_start`] holding `total` entries.
pub fn collection_bundle_end(total: usize) -> String {
    format!(r#"],"total":{total}}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::instrument::tests::toy;

    #[test]
    fn a_bundle_written_in_parts_is_the_bundle_built_whole() {
        let resources = [
            json!({"id": "a"}),
            json!({"id": "b \" ]"}),
            json!({"id": 3}),
        ];
        for n in 0..=resources.len() {
            let mut text = collection_bundle_start("unit-\"x\"");
            for (i, resource) in resources[..n].iter().enumerate() {
                text.push_str(&collection_bundle_entry(resource.clone(), i == 0));
            }
            text.push_str(&collection_bundle_end(n));
            let parsed: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                parsed,
                collection_bundle("unit-\"x\"", resources[..n].to_vec())
            );
        }
    }

    #[test]
    fn an_instrument_survives_the_round_trip_through_a_questionnaire() {
        let original = toy(true, ScoringMethod::Mean);
        let resource = questionnaire_from_instrument(&original);
        assert_eq!(resource["resourceType"], "Questionnaire");
        assert_eq!(instrument_from_questionnaire(&resource).unwrap(), original);
    }

    #[test]
    fn a_loinc_style_questionnaire_is_read_with_its_option_scores() {
        let resource = json!({
            "resourceType": "Questionnaire", "id": "two", "version": "3", "title": "Two items",
            "extension": [
                {"url": format!("{EXTENSION_BASE}score-min"), "valueDecimal": 0},
                {"url": format!("{EXTENSION_BASE}score-max"), "valueDecimal": 2},
                {"url": format!("{EXTENSION_BASE}reliability"), "valueDecimal": 0.8},
                {"url": format!("{EXTENSION_BASE}normative-sd"), "valueDecimal": 1.5}
            ],
            "item": [
                {"linkId": "a", "text": "A?", "type": "choice", "answerOption": [
                    {"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5", "display": "Not at all",
                        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": 0}]}},
                    {"valueCoding": {"code": "LA6569-3", "display": "Several days"},
                        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value", "valueDecimal": 1}]}]},
                {"linkId": "note", "type": "display", "text": "Thank you"},
                {"linkId": "b", "text": "B?", "type": "choice", "answerOption": [
                    {"valueCoding": {"code": "n", "extension": [{"url": ORDINAL_VALUE, "valueInteger": 0}]}},
                    {"valueCoding": {"code": "y", "extension": [{"url": ORDINAL_VALUE, "valueInteger": 1}]}}]}
            ]
        });
        let instrument = instrument_from_questionnaire(&resource).unwrap();
        assert_eq!(
            (instrument.id.as_str(), instrument.version.as_str()),
            ("two", "3")
        );
        assert_eq!(instrument.items.len(), 2, "display items are not scored");
        assert_eq!(instrument.items[0].options[1].score, 1.0);
        assert_eq!(instrument.method, ScoringMethod::Sum);
        assert!(!instrument.higher_is_better);
    }

    #[test]
    fn missing_pieces_are_named() {
        let mut resource = questionnaire_from_instrument(&toy(false, ScoringMethod::Sum));
        resource["resourceType"] = json!("Patient");
        assert!(
            instrument_from_questionnaire(&resource)
                .unwrap_err()
                .problem
                .contains("not a FHIR Questionnaire")
        );
        let mut resource = questionnaire_from_instrument(&toy(false, ScoringMethod::Sum));
        resource["item"][1]["answerOption"][2]["valueCoding"]["extension"] = json!([]);
        let err = instrument_from_questionnaire(&resource).unwrap_err();
        assert!(
            err.problem
                .contains("item 2: option a2 has no ordinalValue"),
            "{err}"
        );
        let mut resource = questionnaire_from_instrument(&toy(false, ScoringMethod::Sum));
        resource["extension"]
            .as_array_mut()
            .unwrap()
            .retain(|e| !e["url"].as_str().unwrap().ends_with("reliability"));
        assert!(
            instrument_from_questionnaire(&resource)
                .unwrap_err()
                .problem
                .contains("reliability is missing")
        );
    }

    #[test]
    fn a_bundle_collects_its_resources() {
        let bundle = collection_bundle(
            "b1",
            vec![
                json!({"resourceType": "QuestionnaireResponse"}),
                json!({"resourceType": "QuestionnaireResponse"}),
            ],
        );
        assert_eq!(bundle["type"], "collection");
        assert_eq!(bundle["total"], 2);
        assert_eq!(
            bundle["entry"][1]["resource"]["resourceType"],
            "QuestionnaireResponse"
        );
    }

    #[test]
    fn a_response_names_the_pseudonym_and_the_chosen_options() {
        let instrument = toy(false, ScoringMethod::Sum);
        let answers: Answers = [
            ("1".to_string(), "a2".to_string()),
            ("3".to_string(), "a0".to_string()),
        ]
        .into_iter()
        .collect();
        let response = questionnaire_response(&instrument, &answers, "2026-03-01", "abc123", "m-7");
        assert_eq!(response["subject"]["identifier"]["value"], "abc123");
        assert_eq!(
            response["questionnaire"],
            "http://evident.example/fhir/Questionnaire/toy|1"
        );
        assert_eq!(response["item"].as_array().unwrap().len(), 2);
        assert_eq!(
            response["item"][0]["answer"][0]["valueCoding"]["code"],
            "a2"
        );
    }
}

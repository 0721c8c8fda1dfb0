//! `evident-indicator-oracle MEASUREMENTS.csv INTERVENTIONS.csv OUT.csv`: Evident's own
//! indicator computation (evident-core's `Facts::add_case` and `indicator::compute`, without
//! disclosure control) over the bench CSVs, written one cell per line:
//! `indicator,variant,period,node,category,n,hits,sum,sum_sq,value`.
//!
//! Cases keep the order of their rows in the files (interventions oldest first, as the bench
//! export writes them); the type of a case is that of its first intervention.

use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::indicator::{
    CATEGORIES, CaseFacts, ClientFacts, Facts, IndicatorSet, InterventionFacts, MeasurementFacts,
    compute, publish,
};
use evident_core::library::embedded_instruments;
use std::collections::HashMap;
use std::error::Error;
use std::io::Write;
use std::time::Instant;

/// A reader of `evident export`'s CSV: `;`-separated, UTF-8 with a byte-order mark (skipped
/// with the header row).
fn reader(path: &str) -> Result<csv::Reader<std::fs::File>, Box<dyn Error>> {
    Ok(csv::ReaderBuilder::new().delimiter(b';').from_path(path)?)
}

fn date(raw: &str) -> Result<Option<NaiveDate>, Box<dyn Error>> {
    if raw.is_empty() {
        return Ok(None);
    }
    Ok(Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d")?))
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, measurements, interventions, out] = &args[..] else {
        return Err(
            "usage: evident-indicator-oracle MEASUREMENTS.csv INTERVENTIONS.csv OUT.csv".into(),
        );
    };
    let started = Instant::now();
    let mut order: Vec<String> = Vec::new();
    let mut cases: HashMap<String, CaseFacts> = HashMap::new();
    let mut case_of =
        |id: &str, unit: &str, female: &str, birth_year: &str| -> Result<String, Box<dyn Error>> {
            if !cases.contains_key(id) {
                order.push(id.to_owned());
                cases.insert(
                    id.to_owned(),
                    CaseFacts {
                        unit: OrgCode::parse(unit)?,
                        client: ClientFacts {
                            female: female == "1",
                            birth_year: birth_year.parse()?,
                        },
                        opened_on: NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date"),
                        first_follow_up_month: None,
                        interventions: Vec::new(),
                        measurements: Vec::new(),
                        goals: Vec::new(),
                    },
                );
            }
            Ok(id.to_owned())
        };
    let mut pending: Vec<(String, Option<u32>, NaiveDate, MeasurementFacts)> = Vec::new();
    for row in reader(measurements)?.records() {
        let r = row?;
        // case_id,unit_code,female,birth_year,opened_on,first_follow_up_month,case_type,
        // instrument_id,time_point,measured_on,score
        let id = case_of(&r[0], &r[1], &r[2], &r[3])?;
        let month = if r[5].is_empty() {
            None
        } else {
            Some(r[5].parse()?)
        };
        let opened = date(&r[4])?.ok_or("no opened_on")?;
        pending.push((
            id,
            month,
            opened,
            MeasurementFacts {
                instrument: r[7].to_owned(),
                baseline: &r[8] == "baseline",
                measured_on: date(&r[9])?.ok_or("no measured_on")?,
                score: if r[10].is_empty() {
                    None
                } else {
                    Some(r[10].parse()?)
                },
            },
        ));
    }
    let mut intervention_rows = Vec::new();
    for row in reader(interventions)?.records() {
        let r = row?;
        // case_id,unit_code,female,birth_year,type_code,applied_on,decided_on,started_on,
        // private_provider
        let id = case_of(&r[0], &r[1], &r[2], &r[3])?;
        intervention_rows.push((
            id,
            InterventionFacts {
                type_code: r[4].to_owned(),
                applied_on: date(&r[5])?,
                decided_on: date(&r[6])?,
                started_on: date(&r[7])?,
                private_provider: &r[8] == "1",
            },
        ));
    }
    for (id, month, opened, m) in pending {
        let case = cases.get_mut(&id).expect("added above");
        case.first_follow_up_month = month;
        case.opened_on = opened;
        case.measurements.push(m);
    }
    for (id, i) in intervention_rows {
        cases
            .get_mut(&id)
            .expect("added above")
            .interventions
            .push(i);
    }
    let read = started.elapsed();

    let started = Instant::now();
    let instruments: HashMap<String, _> = embedded_instruments()
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();
    let set = IndicatorSet::embedded();
    // As of the end of time: every record counts, as in the DuckDB script.
    let mut facts = Facts::as_of(NaiveDate::MAX);
    for id in &order {
        facts.add_case(&cases[id], &instruments);
    }
    let records = started.elapsed();
    let started = Instant::now();
    let cube = compute(&set, &facts);
    let computed = started.elapsed();

    let mut keys: Vec<_> = cube.rows.keys().collect();
    keys.sort();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(
        w,
        "indicator,variant,period,node,category,n,hits,sum,sum_sq,value"
    )?;
    let mut cells = 0usize;
    for key in keys {
        let definition = set.get(&key.indicator).expect("computed from the set");
        for (c, stats) in cube.rows[key].iter().enumerate() {
            if stats.n <= 0 {
                continue;
            }
            cells += 1;
            let value = publish(definition, stats, false)
                .value()
                .map_or(String::new(), |v| v.to_string());
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                key.indicator,
                key.variant,
                key.period,
                key.node,
                CATEGORIES[c],
                stats.n,
                stats.hits,
                stats.sum,
                stats.sum_sq,
                value
            )?;
        }
    }
    eprintln!(
        "oracle: {} cases, {} records, {} rows, {cells} cells; read {:.3} s, records {:.3} s, compute {:.3} s",
        order.len(),
        facts.records.len(),
        cube.rows.len(),
        read.as_secs_f64(),
        records.as_secs_f64(),
        computed.as_secs_f64()
    );
    Ok(())
}

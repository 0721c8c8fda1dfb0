//! Sweden's counties and municipalities with their official codes (SCB), embedded from
//! `data/sweden/` so that the binary never reads reference data from disk at run time.

use crate::DomainError;
use crate::org::{OrgCode, OrgLevel, OrgNode};

const COUNTIES_CSV: &str = include_str!("../../../../data/sweden/counties.csv");
const MUNICIPALITIES_CSV: &str = include_str!("../../../../data/sweden/municipalities.csv");

/// The fixed upper part of the organisation tree: the nation, its counties and municipalities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The 21 counties, in code order.
    pub counties: Vec<OrgNode>,
    /// The 290 municipalities, in code order.
    pub municipalities: Vec<OrgNode>,
}

impl Registry {
    /// The registry embedded in the binary.
    pub fn sweden() -> Self {
        Self::parse(COUNTIES_CSV, MUNICIPALITIES_CSV)
            .expect("the embedded registry in data/sweden/ is checked by the tests")
    }

    /// Parses a registry from the two CSV files (`code,name` and `code,name,county_code`).
    ///
    /// # Errors
    /// Names the file, line and field of the first row that is malformed, has a code of the
    /// wrong shape, repeats a code, or names a county that is not in the county file.
    pub fn parse(counties_csv: &str, municipalities_csv: &str) -> Result<Self, DomainError> {
        let counties = read_rows("counties.csv", counties_csv, 2)?
            .into_iter()
            .map(|(line, row)| {
                let code = OrgCode::parse_at("code", &row[0], OrgLevel::County)
                    .map_err(|e| at("counties.csv", line, e))?;
                Ok(OrgNode::new(code, row[1].clone()))
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let municipalities = read_rows("municipalities.csv", municipalities_csv, 3)?
            .into_iter()
            .map(|(line, row)| {
                let code = OrgCode::parse_at("code", &row[0], OrgLevel::Municipality)
                    .map_err(|e| at("municipalities.csv", line, e))?;
                let parent = code.parent().expect("a municipality has a county");
                if parent.as_str() != row[2] {
                    return Err(at(
                        "municipalities.csv",
                        line,
                        DomainError::new(
                            "county_code",
                            format!(
                                "is {} but the code {code} belongs to county {parent}",
                                row[2]
                            ),
                        ),
                    ));
                }
                if !counties.iter().any(|c| c.code == parent) {
                    return Err(at(
                        "municipalities.csv",
                        line,
                        DomainError::new(
                            "county_code",
                            format!("county {parent} is not in counties.csv"),
                        ),
                    ));
                }
                Ok(OrgNode::new(code, row[1].clone()))
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let mut registry = Self {
            counties,
            municipalities,
        };
        registry.counties.sort_by(|a, b| a.code.cmp(&b.code));
        registry.municipalities.sort_by(|a, b| a.code.cmp(&b.code));
        for list in [&registry.counties, &registry.municipalities] {
            if let Some(pair) = list.windows(2).find(|w| w[0].code == w[1].code) {
                return Err(DomainError::new(
                    "code",
                    format!("{} appears twice", pair[0].code),
                ));
            }
        }
        Ok(registry)
    }

    /// The nation, the root of the tree.
    pub fn nation() -> OrgNode {
        OrgNode::new(OrgCode::nation(), "Sverige")
    }

    /// Every node: the nation, then the counties, then the municipalities (parents first).
    pub fn nodes(&self) -> impl Iterator<Item = &OrgNode> + '_ {
        std::iter::once(&*NATION)
            .chain(&self.counties)
            .chain(&self.municipalities)
    }

    /// The county or municipality with this code.
    pub fn find(&self, code: &OrgCode) -> Option<&OrgNode> {
        self.nodes().find(|n| &n.code == code)
    }
}

static NATION: std::sync::LazyLock<OrgNode> = std::sync::LazyLock::new(Registry::nation);

const POPULATION_CSV: &str = include_str!("../../../../data/sweden/population.csv");

/// Registered population per municipality code (SCB, 31 December 2021; see
/// `data/sweden/SOURCE.md`), for grouping similar municipalities by size.
static POPULATION: std::sync::LazyLock<std::collections::HashMap<String, u64>> =
    std::sync::LazyLock::new(|| {
        POPULATION_CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (code, population) = line.trim().split_once(',')?;
                Some((code.to_owned(), population.parse().ok()?))
            })
            .collect()
    });

/// The registered population of a municipality (SCB, 31 December 2021); `None` for other
/// nodes.
pub fn population(municipality: &OrgCode) -> Option<u64> {
    POPULATION.get(municipality.as_str()).copied()
}

fn at(file: &str, line: usize, err: DomainError) -> DomainError {
    DomainError::new(err.field, format!("{file} line {line}: {}", err.problem))
}

/// Reads a CSV with a header row; every row must have exactly `columns` fields. Returns each
/// row with its 1-based line number.
fn read_rows(
    file: &str,
    text: &str,
    columns: usize,
) -> Result<Vec<(usize, Vec<String>)>, DomainError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| DomainError::new("csv", format!("{file}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != columns {
            return Err(DomainError::new(
                "csv",
                format!(
                    "{file} line {line}: expected {columns} fields, found {}",
                    record.len()
                ),
            ));
        }
        rows.push((line, record.iter().map(|f| f.trim().to_owned()).collect()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_municipality_has_a_population_summing_to_scbs_2021_total() {
        let registry = Registry::sweden();
        let total: u64 = registry
            .municipalities
            .iter()
            .map(|m| population(&m.code).expect("every municipality has a population"))
            .sum();
        assert_eq!(total, 10_452_326);
        assert_eq!(population(&OrgCode::nation()), None);
    }

    #[test]
    fn the_embedded_registry_has_21_counties_and_290_municipalities_under_them() {
        let registry = Registry::sweden();
        assert_eq!(registry.counties.len(), 21);
        assert_eq!(registry.municipalities.len(), 290);
        for m in &registry.municipalities {
            let parent = m.parent.as_ref().unwrap();
            assert_eq!(parent.as_str(), &m.code.as_str()[..2]);
            assert!(registry.find(parent).is_some(), "{} has no county", m.code);
        }
        assert_eq!(
            registry
                .find(&OrgCode::parse("0380").unwrap())
                .unwrap()
                .name,
            "Uppsala"
        );
        assert_eq!(registry.nodes().count(), 1 + 21 + 290);
    }

    #[test]
    fn a_municipality_in_the_wrong_county_is_reported_with_file_and_line() {
        let err = Registry::parse(
            "code,name\n01,A\n03,B\n",
            "code,name,county_code\n0114,X,01\n0380,Y,01\n",
        )
        .unwrap_err();
        assert_eq!(err.field, "county_code");
        assert!(
            err.problem.starts_with("municipalities.csv line 3:"),
            "{err}"
        );
    }

    #[test]
    fn unknown_counties_bad_codes_duplicates_and_short_rows_are_rejected() {
        let unknown =
            Registry::parse("code,name\n01,A\n", "code,name,county_code\n0380,Y,03\n").unwrap_err();
        assert!(unknown.problem.contains("not in counties.csv"), "{unknown}");
        let bad = Registry::parse("code,name\n1,A\n", "code,name,county_code\n").unwrap_err();
        assert!(bad.problem.starts_with("counties.csv line 2:"), "{bad}");
        let twice =
            Registry::parse("code,name\n01,A\n01,B\n", "code,name,county_code\n").unwrap_err();
        assert!(twice.problem.contains("01 appears twice"), "{twice}");
        let short = Registry::parse("code,name\n01\n", "code,name,county_code\n").unwrap_err();
        assert_eq!(short.field, "csv");
    }
}

//! Indicators measured by a client survey: one node's published survey result turned into the
//! cells of an indicator, so the indicator shows exactly what the survey's results publish.

use super::{CATEGORIES, Published};
use crate::followup::unit_table::Cell;
use crate::participation::survey::NodeResult;
use crate::stats::comparison::wilson;

/// One node's published cells (one per breakdown category, `crate::indicator::CATEGORIES`)
/// of an indicator measured by the share positive on `question`, from that node's survey
/// results — already through disclosure control, so a withheld share stays withheld. The
/// answers are anonymous: only the first category (all) has a value, the others have no
/// data. `None` where nobody answered the question (a published zero: nothing to show).
pub fn survey_cells(result: &NodeResult, question: &str) -> Option<Vec<Published>> {
    let q = result.questions.iter().find(|q| q.question == question)?;
    let all = match (q.answers, q.share_positive) {
        (Cell::Value(0), _) => return None,
        (Cell::Value(n), Cell::Value(share)) => {
            // share = positive / n exactly, so this recovers the count.
            let positive = (share * n as f64).round() as u64;
            Published::Value {
                value: share,
                n,
                numerator: Some(positive),
                ci: wilson(positive, n, 1.96),
            }
        }
        _ => Published::Suppressed,
    };
    let mut cells = vec![Published::NoData; CATEGORIES.len()];
    cells[0] = all;
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participation::survey::fixtures::{answers, code, definition, node};
    use crate::participation::survey::{DEFAULT_K, results};

    #[test]
    fn survey_cells_carry_the_published_share_for_all_only() {
        let results = results(
            &definition(),
            &[
                (code("0380-0001"), answers(2, 1)), // 3: too few
                (code("0380-0002"), answers(4, 2)), // 6, withheld with it
                (code("0380-0003"), answers(8, 0)),
                (code("0380-0004"), Vec::new()),
            ],
            DEFAULT_K,
        );
        assert_eq!(
            survey_cells(node(&results, "0380-0001"), "helhet").unwrap(),
            [vec![Published::Suppressed], vec![Published::NoData; 7]].concat()
        );
        assert_eq!(
            survey_cells(node(&results, "0380-0002"), "helhet").unwrap()[0],
            Published::Suppressed
        );
        assert_eq!(
            survey_cells(node(&results, "0380-0003"), "helhet").unwrap()[0],
            Published::Value {
                value: 1.0,
                n: 8,
                numerator: Some(8),
                ci: wilson(8, 8, 1.96)
            }
        );
        // 14 of 17 in the municipality answered "helhet" positively.
        let municipality = survey_cells(node(&results, "0380"), "helhet").unwrap();
        assert_eq!(
            municipality[0],
            Published::Value {
                value: 14.0 / 17.0,
                n: 17,
                numerator: Some(14),
                ci: wilson(14, 17, 1.96)
            }
        );
        assert!(municipality[1..].iter().all(|c| *c == Published::NoData));
        assert_eq!(survey_cells(node(&results, "0380-0004"), "helhet"), None);
        assert_eq!(survey_cells(node(&results, "SE"), "fritext"), None);
    }
}

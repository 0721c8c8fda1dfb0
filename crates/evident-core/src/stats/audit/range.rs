//! Feasible ranges: the least and greatest value of each hidden cell of one group that agrees
//! with every published cell and every relation, by linear programming (integrality relaxed,
//! so a range may be a little wider than the integer one, never narrower).
//!
//! Only ranges narrower than `k` matter, so the programs are spared where they cannot be:
//! every optimum found is a feasible table, and once the feasible tables seen so far already
//! give a cell two values `k` or more apart, its range is wide whatever its optimum.

use super::Equation;
use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};

/// What linear programming found about one unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Bound {
    /// The exact feasible range, narrower than `k`.
    Narrow {
        /// The least feasible value.
        min: f64,
        /// The greatest feasible value.
        max: f64,
    },
    /// At least `k` wide.
    Wide,
    /// No greatest value.
    Unbounded,
}

/// The slack below `k` under which a width counts as narrower than `k`, for rounding.
const TOLERANCE: f64 = 1e-6;

/// The bound of each unknown not in `skip` (`None` for those), subject to `equations` and each
/// unknown at least its `lowest`.
///
/// # Errors
/// The solver's error when a program cannot be solved (infeasible: the published cells
/// contradict the relations).
pub(super) fn bounds(
    equations: &[Equation],
    skip: &[bool],
    lowest: &[f64],
    k: u64,
) -> Result<Vec<Option<Bound>>, microlp::Error> {
    let unknowns = skip.len();
    let k = k as f64;
    let mut seen_min = vec![f64::INFINITY; unknowns];
    let mut seen_max = vec![f64::NEG_INFINITY; unknowns];
    let mut out = vec![None; unknowns];
    let wide = |min: &[f64], max: &[f64], u: usize| max[u] - min[u] >= k - TOLERANCE;
    for u in 0..unknowns {
        if skip[u] {
            continue;
        }
        if wide(&seen_min, &seen_max, u) {
            out[u] = Some(Bound::Wide);
            continue;
        }
        let mut extremes = [0.0; 2];
        let mut unbounded = false;
        for (i, direction) in [
            OptimizationDirection::Minimize,
            OptimizationDirection::Maximize,
        ]
        .into_iter()
        .enumerate()
        {
            match optimum(equations, u, direction, lowest) {
                Ok(values) => {
                    for (v, value) in values.iter().enumerate() {
                        seen_min[v] = seen_min[v].min(*value);
                        seen_max[v] = seen_max[v].max(*value);
                    }
                    extremes[i] = values[u];
                }
                Err(microlp::Error::Unbounded) => unbounded = true,
                Err(e) => return Err(e),
            }
            if unbounded || wide(&seen_min, &seen_max, u) {
                break;
            }
        }
        out[u] = Some(if unbounded {
            Bound::Unbounded
        } else if wide(&seen_min, &seen_max, u) {
            Bound::Wide
        } else {
            Bound::Narrow {
                min: extremes[0],
                max: extremes[1],
            }
        });
    }
    Ok(out)
}

/// The values of an optimal solution for the least (or greatest) value of unknown `target`.
fn optimum(
    equations: &[Equation],
    target: usize,
    direction: OptimizationDirection,
    lowest: &[f64],
) -> Result<Vec<f64>, microlp::Error> {
    let mut problem = Problem::new(direction);
    let vars: Vec<Variable> = lowest
        .iter()
        .enumerate()
        .map(|(u, low)| problem.add_var(if u == target { 1.0 } else { 0.0 }, (*low, f64::INFINITY)))
        .collect();
    for equation in equations {
        let terms: Vec<(Variable, f64)> = equation
            .terms
            .iter()
            .map(|(u, coef)| (vars[*u as usize], *coef as f64))
            .collect();
        problem.add_constraint(terms, ComparisonOp::Eq, equation.rhs as f64);
    }
    let outcome = problem.solve()?;
    let solution = outcome
        .solution()
        .ok_or_else(|| microlp::Error::InternalError("interrupted without a solution".into()))?;
    Ok(vars.iter().map(|v| solution.var_value(*v)).collect())
}

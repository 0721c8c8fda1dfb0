//! Exact determination: which hidden cells of one group follow from the equations left after
//! substituting every published value, and their values.
//!
//! First *peeling*: an equation with one unknown left determines it, which may leave another
//! equation with one unknown, and so on (the subtraction an analyst does by hand). Then exact
//! Gauss–Jordan elimination over the integers on the equations still holding two or more
//! unknowns: a cell is determined exactly when its unit vector lies in the row space, i.e. when
//! the reduced echelon form holds a row with that cell alone. The elimination is fraction-free
//! (each combination divided by the content of the row) in `i128` with checked arithmetic,
//! and is redone with big integers should a coefficient ever overflow.

use super::Equation;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// The value of each of `unknowns` unknowns that `equations` determine exactly (`None` for the
/// others).
pub(super) fn determined(equations: &[Equation], unknowns: usize) -> Vec<Option<i128>> {
    let mut known = peel(equations, unknowns);
    let residual: Vec<Row<i128>> = equations
        .iter()
        .filter_map(|e| {
            let mut rhs = e.rhs;
            let mut terms = Vec::new();
            for (u, coef) in &e.terms {
                match known[*u as usize] {
                    Some(value) => rhs -= i128::from(*coef) * value,
                    None => terms.push((*u, i128::from(*coef))),
                }
            }
            // One unknown left cannot happen after peeling; none left is a check only.
            (terms.len() >= 2).then(|| Row::new(terms, rhs))
        })
        .collect();
    if residual.is_empty() {
        return known;
    }
    let solved = match eliminate(residual.clone()) {
        Some(solved) => solved,
        None => {
            let big: Vec<Row<BigInt>> = residual
                .into_iter()
                .map(|r| Row {
                    terms: r
                        .terms
                        .into_iter()
                        .map(|(c, v)| (c, BigInt::from(v)))
                        .collect(),
                    rhs: BigInt::from(r.rhs),
                })
                .collect();
            eliminate(big).expect("big integers do not overflow")
        }
    };
    for (u, value) in solved {
        known[u as usize] = Some(value);
    }
    known
}

/// Peeling: repeatedly solves equations with a single unknown left.
pub(super) fn peel(equations: &[Equation], unknowns: usize) -> Vec<Option<i128>> {
    let mut known: Vec<Option<i128>> = vec![None; unknowns];
    let mut by_unknown: Vec<Vec<usize>> = vec![Vec::new(); unknowns];
    let mut left: Vec<usize> = Vec::with_capacity(equations.len());
    let mut rhs: Vec<i128> = Vec::with_capacity(equations.len());
    for (e, equation) in equations.iter().enumerate() {
        for (u, _) in &equation.terms {
            by_unknown[*u as usize].push(e);
        }
        left.push(equation.terms.len());
        rhs.push(equation.rhs);
    }
    let mut queue: Vec<usize> = (0..equations.len()).filter(|e| left[*e] == 1).collect();
    while let Some(e) = queue.pop() {
        if left[e] != 1 {
            continue;
        }
        let Some((u, coef)) = equations[e]
            .terms
            .iter()
            .find(|(u, _)| known[*u as usize].is_none())
        else {
            continue;
        };
        let value = rhs[e] / i128::from(*coef);
        known[*u as usize] = Some(value);
        for other in &by_unknown[*u as usize] {
            let coef = equations[*other]
                .terms
                .iter()
                .find(|(v, _)| v == u)
                .map_or(0, |(_, c)| *c);
            rhs[*other] -= i128::from(coef) * value;
            left[*other] -= 1;
            if left[*other] == 1 {
                queue.push(*other);
            }
        }
    }
    known
}

/// Exact integer arithmetic that may overflow (`None`).
trait Exact: Clone + PartialEq + Sized {
    fn is_zero(&self) -> bool;
    fn is_negative(&self) -> bool;
    fn times(&self, other: &Self) -> Option<Self>;
    fn minus(&self, other: &Self) -> Option<Self>;
    fn negated(&self) -> Option<Self>;
    /// The greatest common divisor, non-negative (0 with 0).
    fn gcd_with(&self, other: &Self) -> Self;
    /// Division known to be exact.
    fn divided_by(&self, other: &Self) -> Self;
    fn to_i128(&self) -> Option<i128>;
    fn one() -> Self;
}

impl Exact for i128 {
    fn is_zero(&self) -> bool {
        *self == 0
    }
    fn is_negative(&self) -> bool {
        *self < 0
    }
    fn times(&self, other: &Self) -> Option<Self> {
        self.checked_mul(*other)
    }
    fn minus(&self, other: &Self) -> Option<Self> {
        self.checked_sub(*other)
    }
    fn negated(&self) -> Option<Self> {
        self.checked_neg()
    }
    fn gcd_with(&self, other: &Self) -> Self {
        let (mut a, mut b) = (self.unsigned_abs(), other.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        // 2¹²⁷ does not fit; dividing by 1 instead is still exact.
        i128::try_from(a).unwrap_or(1)
    }
    fn divided_by(&self, other: &Self) -> Self {
        self / other
    }
    fn to_i128(&self) -> Option<i128> {
        Some(*self)
    }
    fn one() -> Self {
        1
    }
}

impl Exact for BigInt {
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_negative(&self) -> bool {
        Signed::is_negative(self)
    }
    fn times(&self, other: &Self) -> Option<Self> {
        Some(self * other)
    }
    fn minus(&self, other: &Self) -> Option<Self> {
        Some(self - other)
    }
    fn negated(&self) -> Option<Self> {
        Some(-self)
    }
    fn gcd_with(&self, other: &Self) -> Self {
        self.gcd(other)
    }
    fn divided_by(&self, other: &Self) -> Self {
        self / other
    }
    fn to_i128(&self) -> Option<i128> {
        ToPrimitive::to_i128(self)
    }
    fn one() -> Self {
        BigInt::from(1)
    }
}

/// A sparse equation `Σ coef · x[column] = rhs`, its terms by column.
#[derive(Debug, Clone)]
struct Row<T> {
    terms: Vec<(u32, T)>,
    rhs: T,
}

impl<T: Exact> Row<T> {
    fn new(mut terms: Vec<(u32, T)>, rhs: T) -> Self {
        terms.sort_by_key(|(c, _)| *c);
        Self { terms, rhs }
    }

    fn coefficient(&self, column: u32) -> Option<&T> {
        self.terms
            .binary_search_by_key(&column, |(c, _)| *c)
            .ok()
            .map(|i| &self.terms[i].1)
    }

    /// `a · self − b · other`, divided by its content.
    fn combine(&self, a: &T, other: &Self, b: &T) -> Option<Self> {
        let mut terms = Vec::with_capacity(self.terms.len() + other.terms.len());
        let (mut i, mut j) = (0, 0);
        while i < self.terms.len() || j < other.terms.len() {
            let x = self.terms.get(i).map_or(u32::MAX, |t| t.0);
            let y = other.terms.get(j).map_or(u32::MAX, |t| t.0);
            let (column, value) = if x < y {
                i += 1;
                (x, self.terms[i - 1].1.times(a)?)
            } else if y < x {
                j += 1;
                (y, other.terms[j - 1].1.times(b)?.negated()?)
            } else {
                i += 1;
                j += 1;
                let left = self.terms[i - 1].1.times(a)?;
                (x, left.minus(&other.terms[j - 1].1.times(b)?)?)
            };
            if !value.is_zero() {
                terms.push((column, value));
            }
        }
        let rhs = self.rhs.times(a)?.minus(&other.rhs.times(b)?)?;
        let mut row = Self { terms, rhs };
        row.reduce_content();
        Some(row)
    }

    fn negated(self) -> Option<Self> {
        Some(Self {
            terms: self
                .terms
                .into_iter()
                .map(|(c, v)| Some((c, v.negated()?)))
                .collect::<Option<_>>()?,
            rhs: self.rhs.negated()?,
        })
    }

    fn reduce_content(&mut self) {
        let mut g = self.rhs.gcd_with(&self.rhs);
        for (_, v) in &self.terms {
            g = g.gcd_with(v);
            if g == T::one() {
                return;
            }
        }
        if g.is_zero() || g == T::one() {
            return;
        }
        for (_, v) in &mut self.terms {
            *v = v.divided_by(&g);
        }
        self.rhs = self.rhs.divided_by(&g);
    }
}

/// Gauss–Jordan elimination kept reduced as each equation arrives (shortest first): the
/// unknowns with a row of their own (and the value it gives), or `None` on overflow.
fn eliminate<T: Exact>(mut rows: Vec<Row<T>>) -> Option<Vec<(u32, i128)>> {
    rows.sort_by_key(|r| r.terms.len());
    let columns = rows
        .iter()
        .flat_map(|r| r.terms.iter().map(|(c, _)| *c as usize + 1))
        .max()
        .unwrap_or(0);
    // Pivot rows; each holds its pivot column and columns that are no one's pivot.
    let mut pivots: Vec<(u32, Row<T>)> = Vec::new();
    let mut pivot_of: Vec<Option<usize>> = vec![None; columns];
    // For each column that is no one's pivot, the pivot rows that may hold it (stale entries
    // are skipped when read).
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for mut row in rows {
        // Clear the row's pivot columns.
        while let Some((column, b)) = row
            .terms
            .iter()
            .find(|(c, _)| pivot_of[*c as usize].is_some())
            .cloned()
        {
            let (_, pivot) = &pivots[pivot_of[column as usize].expect("a pivot")];
            let a = pivot
                .coefficient(column)
                .expect("a pivot row holds its pivot");
            row = row.combine(a, pivot, &b)?;
        }
        if row.terms.is_empty() {
            // Dependent (and, for consistent data, with a zero right-hand side).
            continue;
        }
        // The pivot that disturbs the fewest existing rows.
        let column = row
            .terms
            .iter()
            .map(|(c, _)| *c)
            .min_by_key(|c| (holders[*c as usize].len(), *c))
            .expect("a non-empty row");
        if row.coefficient(column).is_some_and(Exact::is_negative) {
            row = row.negated()?;
        }
        let a = row.coefficient(column).expect("the pivot").clone();
        let mut held = std::mem::take(&mut holders[column as usize]);
        held.sort_unstable();
        held.dedup();
        for q in held {
            let (pc, old) = &pivots[q];
            let Some(b) = old.coefficient(column).cloned() else {
                continue;
            };
            let mut new = old.combine(&a, &row, &b)?;
            if new.coefficient(*pc).is_some_and(Exact::is_negative) {
                new = new.negated()?;
            }
            // Columns the row gains: it may hold them now.
            let pc = *pc;
            for (c, _) in &new.terms {
                if *c != pc && old.coefficient(*c).is_none() {
                    holders[*c as usize].push(q);
                }
            }
            pivots[q].1 = new;
        }
        let index = pivots.len();
        for (c, _) in &row.terms {
            if *c != column {
                holders[*c as usize].push(index);
            }
        }
        pivot_of[column as usize] = Some(index);
        pivots.push((column, row));
    }
    Some(
        pivots
            .iter()
            .filter(|(_, row)| row.terms.len() == 1)
            .filter_map(|(column, row)| {
                let value = row.rhs.divided_by(&row.terms[0].1);
                Some((*column, value.to_i128()?))
            })
            .collect(),
    )
}

//! Multi-row statements for bulk writes (imports, indicator rows): how many rows one
//! statement may carry on each backend, and the numbered placeholders for them.

/// SQLite refuses a statement with more than 32 766 parameters; every batch stays below it.
const MAX_PARAMETERS: usize = 32_766;

/// Parameters per statement on SQLite. sqlx asks SQLite for the name of every parameter it
/// binds, and SQLite finds a `$N` name by walking the statement's parameter list, so binding
/// one statement costs time quadratic in its parameters: past a few hundred, binding outgrows
/// the insert itself. Statements are cheap on SQLite (no round trip), so small ones are best.
pub(crate) const SQLITE_PARAMETERS: usize = 250;

/// Parameters per statement on PostgreSQL, where binding is linear and each statement costs
/// a round trip — and, with sqlx 0.9.0, which no longer sets TCP_NODELAY
/// (transact-rs/sqlx#4335, fixed upstream but not released), up to a 40 ms Nagle/delayed-ACK
/// stall for every statement that spans several TCP segments. Statements as large as the
/// SQLite limit allows amortise that to a few microseconds a row.
pub(crate) const POSTGRES_PARAMETERS: usize = 32_000;

/// How many rows of `columns` values one statement takes when it may hold about `parameters`.
pub(crate) fn batch_rows(parameters: usize, columns: usize) -> usize {
    (parameters.min(MAX_PARAMETERS) / columns).max(1)
}

/// `{prefix} ($1, $2), ($3, $4) {suffix}`: `rows` tuples of `columns` numbered placeholders,
/// which both backends accept.
pub(crate) fn values_sql(prefix: &str, columns: usize, rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + suffix.len() + rows * columns * 7);
    sql.push_str(prefix);
    sql.push(' ');
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * columns + column + 1).to_string());
        }
        sql.push(')');
    }
    sql.push(' ');
    sql.push_str(suffix);
    sql
}

/// `{select} in ($1, $2, …, $n)`.
pub(crate) fn in_list_sql(select: &str, n: usize) -> String {
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    format!("{select} in ({})", placeholders.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_row_by_row() {
        assert_eq!(
            values_sql("insert into t (a, b) values", 2, 2, "returning id"),
            "insert into t (a, b) values ($1, $2), ($3, $4) returning id"
        );
    }

    #[test]
    fn in_lists_are_numbered() {
        assert_eq!(
            in_list_sql("select code from unit where code", 3),
            "select code from unit where code in ($1, $2, $3)"
        );
    }

    #[test]
    fn no_batch_exceeds_sqlites_parameter_limit() {
        for parameters in [SQLITE_PARAMETERS, POSTGRES_PARAMETERS, 100_000] {
            for columns in 1..=20 {
                assert!(batch_rows(parameters, columns) * columns <= MAX_PARAMETERS);
                assert!(batch_rows(parameters, columns) >= 1);
            }
        }
    }
}

//! Bulk appends of many rows to one table inside a caller's transaction, at the speed each
//! backend allows: `COPY … FROM STDIN` on PostgreSQL, and on SQLite multi-row `insert …
//! values` statements of a few thousand rows each, so that no round trip is paid per row.
//!
//! Also the JSON-array row sources ([`json_rows`], [`json_texts`]) that let one statement
//! insert or look up thousands of keys on either backend.
//!
//! The rows are written in the order given and every value comes back exactly as written: COPY
//! carries integers in decimal and reals in their shortest round-trip form, which PostgreSQL
//! parses correctly rounded; SQLite gets each value bound in its binary form.

use crate::{PgStore, Result, SqliteStore};
use chrono::NaiveDate;
use std::fmt::Write as _;

/// One value of a bulk row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Int(i64),
    Real(f64),
    Text(&'a str),
    Date(NaiveDate),
    Null,
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Cell::Null, Cell::Text)
    }
}

impl From<Option<NaiveDate>> for Cell<'_> {
    fn from(value: Option<NaiveDate>) -> Self {
        value.map_or(Cell::Null, Cell::Date)
    }
}

impl From<Option<f64>> for Cell<'_> {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Cell::Null, Cell::Real)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Cell::Null, Cell::Int)
    }
}

/// A table and the columns a bulk append fills, in the order of each row's cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub table: &'static str,
    pub columns: &'static [&'static str],
}

/// Bytes of COPY data sent to PostgreSQL in one message.
const COPY_CHUNK_BYTES: usize = 1 << 20;

/// Bound parameters one SQLite statement may carry (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32).
const SQLITE_MAX_PARAMETERS: usize = 32_766;

/// `insert into {table} ({columns}) values (?, …), …` for `rows` rows.
fn sqlite_sql(target: Target, rows: usize) -> String {
    let mut sql = format!(
        "insert into {} ({}) values ",
        target.table,
        target.columns.join(", ")
    );
    let tuple = format!("({})", vec!["?"; target.columns.len()].join(", "));
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&tuple);
    }
    sql
}

/// Appends `row` to `out` as a JSON array.
fn push_json_row(out: &mut String, row: &[Cell<'_>]) {
    out.push('[');
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Real(v) if v.is_finite() => {
                // `{:?}` is Rust's shortest round-trip form. PostgreSQL reads it back as the
                // same double; SQLite's JSON reader may miss by the last bit, so the SQLite
                // bulk append binds reals instead (see `round_trip` below).
                let _ = write!(out, "{v:?}");
            }
            Cell::Real(_) | Cell::Null => out.push_str("null"),
            Cell::Text(s) => push_json_string(out, s),
            Cell::Date(d) => {
                let _ = write!(out, "\"{}\"", d.format("%Y-%m-%d"));
            }
        }
    }
    out.push(']');
}

/// Appends `s` as a JSON string literal.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `row` to `out` as one line of PostgreSQL's COPY text format.
fn push_copy_row(out: &mut String, row: &[Cell<'_>]) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match cell {
            Cell::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Real(v) if v.is_finite() => {
                let _ = write!(out, "{v:?}");
            }
            Cell::Real(_) | Cell::Null => out.push_str("\\N"),
            Cell::Text(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
            }
            Cell::Date(d) => {
                let _ = write!(out, "{}", d.format("%Y-%m-%d"));
            }
        }
    }
    out.push('\n');
}

/// Rows per statement that reads its rows from one bound JSON array ([`json_rows`]).
pub(crate) const JSON_ROWS: usize = 4_000;

/// `rows` as one JSON array of arrays: what [`SqliteStore::json_rows_sql`] and
/// [`PgStore::json_rows_sql`] read back as rows. For keys, counts, texts and dates only: SQLite
/// may read a real in JSON back one bit off.
pub(crate) fn json_rows<'a, const N: usize>(rows: impl Iterator<Item = [Cell<'a>; N]>) -> String {
    let mut json = String::from("[");
    for (i, row) in rows.enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_json_row(&mut json, &row);
    }
    json.push(']');
    json
}

/// `texts` as one JSON array of strings: what `json_texts_sql` reads back as a column.
pub(crate) fn json_texts<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut json = String::from("[");
    for (i, text) in texts.enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_json_string(&mut json, text);
    }
    json.push(']');
    json
}

impl SqliteStore {
    /// `select value->>0, … from json_each($1)`: the rows of a bound [`json_rows`] array as
    /// the source of a query. SQLite takes each column's type from where it goes, so
    /// `pg_types` only gives the count.
    pub(crate) fn json_rows_sql(pg_types: &[&str]) -> String {
        let columns: Vec<String> = (0..pg_types.len())
            .map(|i| format!("value->>{i}"))
            .collect();
        format!("select {} from json_each($1)", columns.join(", "))
    }

    /// `select value from json_each($1)`: the strings of a bound [`json_texts`] array.
    pub(crate) const JSON_TEXTS_SQL: &str = "select value from json_each($1)";

    /// Widens (or, after the bulk write, narrows back) this connection's page cache. Bulk
    /// writes insert into unique indexes at random places (pseudonyms are keyed hashes): with
    /// SQLite's default 2 MB cache, an index larger than that is read from the file page by
    /// page. The cache only grows as pages are used and shrinks when narrowed.
    pub(crate) async fn bulk_cache(
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        wide: bool,
    ) -> Result<()> {
        let pragma = if wide {
            "pragma cache_size = -262144"
        } else {
            "pragma cache_size = -2000"
        };
        sqlx::query(pragma).execute(&mut **tx).await?;
        Ok(())
    }

    /// Rows per bulk batch the import hands over at once.
    pub(crate) const BULK_ROWS: usize = 4_000;

    /// `rows` as [`SqliteStore::bulk_write`] binds them: as they are. Values are bound, not
    /// written as text, because SQLite's text-to-real conversion is not correctly rounded
    /// (a JSON or SQL literal of a double may come back one bit off).
    pub(crate) fn bulk_encode<'a, const N: usize>(
        rows: impl Iterator<Item = [Cell<'a>; N]>,
    ) -> Vec<[Cell<'a>; N]> {
        rows.collect()
    }

    /// Appends `rows` to `target` inside `tx`, with as few multi-row `insert … values`
    /// statements as SQLite's limit on bound parameters allows.
    pub(crate) async fn bulk_write<const N: usize>(
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        target: Target,
        rows: &[[Cell<'_>; N]],
    ) -> Result<()> {
        debug_assert_eq!(N, target.columns.len());
        for statement_rows in rows.chunks(SQLITE_MAX_PARAMETERS / N) {
            let sql = sqlite_sql(target, statement_rows.len());
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for cell in statement_rows.iter().flatten() {
                query = match *cell {
                    Cell::Int(v) => query.bind(v),
                    Cell::Real(v) => query.bind(v),
                    Cell::Text(v) => query.bind(v),
                    Cell::Date(v) => query.bind(v),
                    Cell::Null => query.bind(None::<i64>),
                };
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

impl SqliteStore {
    /// SQLite plans without statistics (none are gathered), as the plans in `tests/plans.rs`
    /// are checked: nothing to refresh.
    pub(crate) async fn refresh_statistics(&self, _written: &[(&str, u64)]) -> Result<()> {
        Ok(())
    }
}

impl PgStore {
    /// Analyzes each table of `written` (name, rows just added) that changed by a tenth or
    /// more since it was last analyzed, or never was: autovacuum's own rule, applied at once.
    /// After a bulk load the planner's statistics are those of the table before it (or none),
    /// and autovacuum analyzes only on its next round, a minute or more later: meanwhile a
    /// unit's follow-up table was planned as a scan of every measurement (369 ms instead of
    /// 5 ms on the national demo). A role that does not own the table gets a warning from
    /// PostgreSQL and no analysis, not an error.
    pub(crate) async fn refresh_statistics(&self, written: &[(&str, u64)]) -> Result<()> {
        for (table, rows) in written {
            if *rows == 0 {
                continue;
            }
            // reltuples is -1 for a table never analyzed; the count of changes since the last
            // analysis may not include this import's yet, so it is added (at worst, analyzing
            // a little early).
            let known: Option<(f32, i64)> = sqlx::query_as(
                r"
                select c.reltuples, coalesce(s.n_mod_since_analyze, 0)
                from pg_class c
                left join pg_stat_user_tables s on s.relid = c.oid
                where c.oid = to_regclass($1)
                ",
            )
            .bind(*table)
            .fetch_optional(&self.pool)
            .await?;
            let stale = known.is_none_or(|(tuples, changed)| {
                tuples < 0.0 || (changed as f64 + *rows as f64) >= f64::from(tuples) / 10.0
            });
            if stale {
                let started = std::time::Instant::now();
                sqlx::query(sqlx::AssertSqlSafe(format!("analyze {table}")))
                    .execute(&self.pool)
                    .await?;
                tracing::debug!(table, seconds = started.elapsed().as_secs_f64(), "analyzed");
            }
        }
        Ok(())
    }
}

impl PgStore {
    /// PostgreSQL's buffers are the server's: nothing to widen per connection.
    pub(crate) async fn bulk_cache(
        _tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        _wide: bool,
    ) -> Result<()> {
        Ok(())
    }

    /// `select (value->>0)::{type}, … from jsonb_array_elements($1::jsonb)`: the rows of a
    /// bound [`json_rows`] array as the source of a query, each column read as its type.
    pub(crate) fn json_rows_sql(pg_types: &[&str]) -> String {
        let columns: Vec<String> = pg_types
            .iter()
            .enumerate()
            .map(|(i, t)| format!("(value->>{i})::{t}"))
            .collect();
        format!(
            "select {} from jsonb_array_elements($1::jsonb)",
            columns.join(", ")
        )
    }

    /// `select jsonb_array_elements_text($1::jsonb)`: the strings of a bound [`json_texts`] array.
    pub(crate) const JSON_TEXTS_SQL: &str = "select jsonb_array_elements_text($1::jsonb)";

    /// Rows per `COPY`: a few megabytes of text, so a progress bar moves and memory stays
    /// bounded by the batch.
    pub(crate) const BULK_ROWS: usize = 50_000;

    /// `rows` in COPY's text format, as [`PgStore::bulk_write`] sends them.
    pub(crate) fn bulk_encode<'a, const N: usize>(
        rows: impl Iterator<Item = [Cell<'a>; N]>,
    ) -> String {
        let mut data = String::new();
        for row in rows {
            push_copy_row(&mut data, &row);
        }
        data
    }

    /// Appends the rows `encoded` by [`PgStore::bulk_encode`] to `target` inside `tx`, with
    /// one `COPY … FROM STDIN`.
    pub(crate) async fn bulk_write(
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        target: Target,
        encoded: &str,
    ) -> Result<()> {
        let statement = format!(
            "copy {} ({}) from stdin",
            target.table,
            target.columns.join(", ")
        );
        let mut copy = tx.copy_in_raw(&statement).await?;
        for chunk in encoded.as_bytes().chunks(COPY_CHUNK_BYTES) {
            if let Err(e) = copy.send(chunk).await {
                copy.abort("the bulk append failed").await?;
                return Err(e.into());
            }
        }
        copy.finish().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_statement_binds_every_cell_of_every_row() {
        let target = Target {
            table: "t",
            columns: &["a", "b"],
        };
        assert_eq!(
            sqlite_sql(target, 2),
            "insert into t (a, b) values (?, ?), (?, ?)"
        );
    }

    #[test]
    fn json_row_sources_read_every_column() {
        assert_eq!(
            SqliteStore::json_rows_sql(&["bigint", "date"]),
            "select value->>0, value->>1 from json_each($1)"
        );
        assert_eq!(
            PgStore::json_rows_sql(&["bigint", "date"]),
            "select (value->>0)::bigint, (value->>1)::date from jsonb_array_elements($1::jsonb)"
        );
        assert_eq!(json_texts(["a", "b\"c"].into_iter()), r#"["a","b\"c"]"#);
    }

    #[test]
    fn json_rows_escape_text_and_keep_reals_exact() {
        let mut out = String::new();
        let day = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
        push_json_row(
            &mut out,
            &[
                Cell::Int(-7),
                Cell::Real(12.0),
                Cell::Real(0.1 + 0.2),
                Cell::Text("a\"b\\c\n\u{1}å"),
                Cell::Date(day),
                Cell::Null,
            ],
        );
        assert_eq!(
            out,
            r#"[-7,12.0,0.30000000000000004,"a\"b\\c\n\u0001å","2025-03-09",null]"#
        );
    }

    #[test]
    fn copy_rows_escape_separators_and_mark_nulls() {
        let mut out = String::new();
        push_copy_row(
            &mut out,
            &[
                Cell::Text("a\tb\\c\nd"),
                Cell::Null,
                Cell::Real(f64::NAN),
                Cell::Int(3),
            ],
        );
        assert_eq!(out, "a\\tb\\\\c\\nd\t\\N\t\\N\t3\n");
    }
}

/// Reals written in bulk come back bit for bit: the texts both encodings carry are parsed by
/// the database's own number reader, which must not round a score differently than Rust.
#[cfg(test)]
mod round_trip {
    use super::*;

    const REAL: Target = Target {
        table: "t",
        columns: &["v"],
    };

    /// Awkward reals (thirds, subnormals, the extremes) and a few thousand scattered over
    /// every exponent, from a fixed-seed generator.
    fn reals() -> Vec<f64> {
        let mut values = vec![
            0.1,
            1.0 / 3.0,
            2.0 / 3.0,
            0.1 + 0.2,
            12.0,
            123_456.789,
            1e-300,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            -f64::MAX,
            -2.5,
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        while values.len() < 5_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let v = f64::from_bits(state);
            if v.is_finite() && v != 0.0 {
                values.push(v);
            }
        }
        values
    }

    fn assert_same(written: &[f64], read: &[f64]) {
        assert_eq!(written.len(), read.len());
        let changed: Vec<String> = written
            .iter()
            .zip(read)
            .filter(|(w, r)| w.to_bits() != r.to_bits())
            .map(|(w, r)| format!("{w:?} -> {r:?}"))
            .collect();
        assert!(changed.is_empty(), "{} changed: {changed:?}", changed.len());
    }

    #[tokio::test]
    async fn sqlite_reads_every_real_back_unchanged() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query("create table t (v real)")
            .execute(&pool)
            .await
            .unwrap();
        let values = reals();
        let mut tx = pool.begin().await.unwrap();
        for chunk in values.chunks(SqliteStore::BULK_ROWS) {
            let encoded = SqliteStore::bulk_encode(chunk.iter().map(|v| [Cell::Real(*v)]));
            SqliteStore::bulk_write(&mut tx, REAL, &encoded)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let read: Vec<f64> = sqlx::query_scalar("select v from t order by rowid")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_same(&values, &read);
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
    async fn postgres_reads_every_real_back_unchanged() {
        let url = std::env::var("EVIDENT_TEST_POSTGRES_URL")
            .expect("EVIDENT_TEST_POSTGRES_URL names the test server");
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("create temporary table t (v double precision)")
            .execute(&mut *tx)
            .await
            .unwrap();
        let values = reals();
        let encoded = PgStore::bulk_encode(values.iter().map(|v| [Cell::Real(*v)]));
        PgStore::bulk_write(&mut tx, REAL, &encoded).await.unwrap();
        let read: Vec<f64> = sqlx::query_scalar("select v from t order by ctid")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_same(&values, &read);
    }
}

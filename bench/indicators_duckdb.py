#!/usr/bin/env python3
"""The indicator full recompute of Evident, written as DuckDB SQL, for comparing speed.

Evident computes every indicator (data/indicators/*.json) for every organisation node (unit,
municipality, county, nation) x period (quarter, year) x breakdown (all, female, male, five age
bands) from per-case records (crates/evident-core/src/indicator/facts.rs, cube.rs). This script
does the same computation in DuckDB over two CSV exports and times it:

  measurements.csv   case_id,unit_code,female,birth_year,opened_on,first_follow_up_month,
                     case_type,instrument_id,time_point,measured_on,score
  interventions.csv  case_id,unit_code,female,birth_year,type_code,applied_on,decided_on,
                     started_on,private_provider

Records, as in `Facts::add_case`:
  intervention  one per intervention. EVI001 share with a baseline (the case's earliest baseline
                of any instrument on or before started_on + 14 days) among started, dated by
                started_on; EVI009 share private among started; EVI007 median days
                applied->decided among applied & decided, dated by decided_on; EVI008 median days
                decided->started among decided & started, dated by started_on.
  baseline      per (case, instrument) the earliest baseline, when the case has a first
                follow-up month: window closes baseline + N calendar months (day clamped to the
                month's end) + 14 days; followed up when a non-baseline measurement of that
                instrument lies after the baseline and on or before the closing. Dated by the
                closing. EVI002.
  change        per (case, instrument) the earliest baseline (if it has no score, no record) and
                the latest later non-baseline measurement with a score, on a known instrument;
                Jacobson-Truax with SEdiff = SD0*sqrt(2)*sqrt(1-r). Dated by the follow-up.
                EVI003 improved, EVI004 deteriorated, EVI005 mean effect (oriented change / SD0).
EVI002-EVI005 also per 'instrument:<id>' and 'type:<type of the case's first intervention>'.
EVI006 (goals, not in the export) and EVI010 (a difference, derived when published) are skipped.

As in Evident, records are first folded per (indicator, variant, unit, quarter, sex, age band) —
medians as histograms of whole days — and then rolled up the organisation tree and to years.
Ties between measurements on the same date are broken by the order of the rows in the file
(the first baseline, the last follow-up), like Rust's min_by_key / max_by_key over a case's
measurements in recorded order.

Not done here, but part of Evident's timed full recompute: reading the cases from its database,
disclosure control (complementary suppression) and writing the rows back.

Usage:
  indicators_duckdb.py --measurements M.csv --interventions I.csv [--evident-seconds X]
                       [--threads N] [--write-results OUT.csv] [--check EXPECTED.csv [--listed-only]]
                       [--strategy staged|grouping-sets] [--verbose]
  indicators_duckdb.py --generate 1000000 [--seed 1] [--out-dir /tmp/evident-duckdb]  (self-test)

--check compares with a CSV holding at least indicator,variant,period,node,category,n,value
(further columns are ignored), such as bench/oracle's output (evident-core's own computation
over the same CSVs) or bench/testdata/expected.csv: the cells must match in n and value
(relative 1e-9); a listed cell with n = 0 must be absent. It exits 1 on a difference.
"""

import argparse
import glob
import json
import math
import os
import sys
import time

try:
    import duckdb
except ImportError:  # pragma: no cover - message for people running it by hand
    sys.exit("duckdb is not installed: pip install -r bench/requirements.txt (or run bench/run_indicators.sh)")

HERE = os.path.dirname(os.path.abspath(__file__))
INSTRUMENT_DIR = os.path.join(HERE, "..", "data", "instruments")
EXT = "http://evident.example/fhir/StructureDefinition/"
# progress::DUE_WINDOW_DAYS
DUE_WINDOW_DAYS = 14
RELIABLE_Z = 1.96

MEASUREMENT_TYPES = {
    "unit_code": "VARCHAR",
    "female": "TINYINT",
    "birth_year": "INTEGER",
    "opened_on": "DATE",
    "first_follow_up_month": "INTEGER",
    "case_type": "VARCHAR",
    "instrument_id": "VARCHAR",
    "time_point": "VARCHAR",
    "measured_on": "DATE",
    "score": "DOUBLE",
}
INTERVENTION_TYPES = {
    "unit_code": "VARCHAR",
    "female": "TINYINT",
    "birth_year": "INTEGER",
    "type_code": "VARCHAR",
    "applied_on": "DATE",
    "decided_on": "DATE",
    "started_on": "DATE",
    "private_provider": "TINYINT",
}


def load_instruments(directory):
    """(id, SEdiff, SD0, sign) per FHIR Questionnaire in `directory`."""
    out = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            q = json.load(f)
        if q.get("resourceType") != "Questionnaire":
            continue
        ext = {e["url"].removeprefix(EXT): e for e in q.get("extension", [])}
        try:
            r = float(ext["reliability"]["valueDecimal"])
            sd0 = float(ext["normative-sd"]["valueDecimal"])
            higher = bool(ext["higher-is-better"]["valueBoolean"])
        except KeyError as missing:
            sys.exit(f"{path}: no {missing} extension")
        # change::se_difference, in the same order of operations.
        sediff = sd0 * math.sqrt(2.0) * math.sqrt(1.0 - r)
        out.append((q["id"], sediff, sd0, 1.0 if higher else -1.0))
    if not out:
        sys.exit(f"no instruments in {directory}")
    return out


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def read_csv_sql(path, types):
    t = ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in types.items())
    return (
        f"read_csv({sql_str(path)}, header = true, delim = ';', quote = '\"', "
        f"nullstr = '', dateformat = '%Y-%m-%d', types = {{{t}}})"
    )


def load(con, measurements, interventions):
    # rowid of m follows the file order (DuckDB keeps insertion order by default): the tie-break.
    con.execute(f"CREATE OR REPLACE TABLE m AS SELECT * FROM {read_csv_sql(measurements, MEASUREMENT_TYPES)}")
    con.execute(f"CREATE OR REPLACE TABLE i AS SELECT * FROM {read_csv_sql(interventions, INTERVENTION_TYPES)}")
    (nm,) = con.execute("SELECT count(*) FROM m").fetchone()
    (ni,) = con.execute("SELECT count(*) FROM i").fetchone()
    return nm, ni


# cube::CATEGORIES, by index: 0 all, 1 female, 2 male, 3..7 age bands.
CATEGORIES = ["all", "female", "male", "age_0_17", "age_18_29", "age_30_49", "age_50_64", "age_65_plus"]
CATEGORY_LIST = "[" + ", ".join(sql_str(c) for c in CATEGORIES) + "]"


def band(age):
    """cube::age_category: the index of the age band; `age` is the year of the record's date
    minus the birth year."""
    return (
        f"(CASE WHEN {age} <= 17 THEN 3 WHEN {age} <= 29 THEN 4 WHEN {age} <= 49 THEN 5 "
        f"WHEN {age} <= 64 THEN 6 ELSE 7 END)::TINYINT"
    )


def place(date):
    """The fine-key columns of a record dated by `date`: unit, year, quarter, sex, age band."""
    return (
        f"unit_code, year({date})::SMALLINT AS y, quarter({date})::TINYINT AS q, "
        f"female::TINYINT AS female, {band(f'year({date}) - birth_year')} AS band"
    )


FINE_KEY = "unit_code, y, q, female, band"


def record_statements(instruments):
    """From the loaded tables to the fine statistics: `fine` (shares and means per indicator,
    variant, unit, quarter, sex and age band) and `hist` (counts of whole days for medians)."""
    inst_values = ", ".join(
        f"({sql_str(i)}, {se!r}::DOUBLE, {sd!r}::DOUBLE, {sign!r}::DOUBLE)" for i, se, sd, sign in instruments
    )

    # Orders a case's measurements by date, then by their row in the file.
    def key(alias):
        return f"(date_diff('day', DATE '1970-01-01', {alias}measured_on)::BIGINT * 10000000000 + {alias}rowid)"

    variants = (
        "unnest(CASE WHEN case_type IS NULL THEN ['', 'instrument:' || instrument_id] "
        "ELSE ['', 'instrument:' || instrument_id, 'type:' || case_type] END)"
    )
    return [
        # Instrument parameters.
        f"CREATE OR REPLACE TEMP TABLE inst AS SELECT * FROM (VALUES {inst_values}) t(instrument_id, sediff, sd0, sign)",
        # Per (case, instrument): the first baseline (earliest date, then first row), its score
        # (possibly none) and, when follow-ups are scheduled, when its window closes.
        f"""CREATE OR REPLACE TEMP TABLE base AS
        SELECT case_id, instrument_id,
               any_value(unit_code) AS unit_code, any_value(female) AS female,
               any_value(birth_year) AS birth_year, any_value(case_type) AS case_type,
               min(measured_on) AS b_on,
               arg_min_null(score, {key('')}) AS pre,
               (min(measured_on) + to_months(any_value(first_follow_up_month)))::DATE
                   + {DUE_WINDOW_DAYS} AS closes
        FROM m WHERE time_point = 'baseline'
        GROUP BY case_id, instrument_id""",
        # Per (case, instrument): the later non-baseline measurements: any inside the window,
        # and the latest with a score (latest date, then last row).
        f"""CREATE OR REPLACE TEMP TABLE later AS
        SELECT b.case_id, b.instrument_id,
               bool_or(x.measured_on <= b.closes) AS followed,
               arg_max(x.score, {key('x.')}) FILTER (WHERE x.score IS NOT NULL) AS post,
               max(x.measured_on) FILTER (WHERE x.score IS NOT NULL) AS post_on
        FROM base b JOIN m x ON x.case_id = b.case_id AND x.instrument_id = b.instrument_id
        WHERE x.time_point <> 'baseline' AND x.measured_on > b.b_on
        GROUP BY b.case_id, b.instrument_id""",
        # One row per (case, instrument) with a baseline: the baseline and what came after it.
        """CREATE OR REPLACE TEMP TABLE pairs AS
        SELECT b.*, coalesce(l.followed, false) AS followed, l.post, l.post_on
        FROM base b LEFT JOIN later l ON l.case_id = b.case_id AND l.instrument_id = b.instrument_id""",
        # Fine statistics of shares and means: (ind, variant, unit, y, q, female, band). Baseline
        # and change records are first counted per instrument and case type, then once more
        # per variant (the total, the instrument's, the type's).
        f"""CREATE OR REPLACE TEMP TABLE fine AS
        WITH iv AS (
            SELECT i.*, (fb.first_b IS NOT NULL AND fb.first_b <= i.started_on + {DUE_WINDOW_DAYS}) AS has_baseline
            FROM i LEFT JOIN (SELECT case_id, min(b_on) AS first_b FROM base GROUP BY case_id) fb
                ON fb.case_id = i.case_id
        ),
        started AS (
            SELECT {place('started_on')}, count(*) AS n,
                   count(*) FILTER (WHERE has_baseline) AS h001,
                   count(*) FILTER (WHERE private_provider = 1) AS h009
            FROM iv WHERE started_on IS NOT NULL
            GROUP BY ALL
        ),
        baseline0 AS (
            SELECT instrument_id, case_type, {place('closes')}, count(*) AS n, count(*) FILTER (WHERE followed) AS hits
            FROM pairs WHERE closes IS NOT NULL
            GROUP BY ALL
        ),
        baseline AS (
            SELECT variant, {FINE_KEY}, sum(n) AS n, sum(hits) AS hits
            FROM (SELECT {variants} AS variant, * FROM baseline0)
            GROUP BY ALL
        ),
        change0 AS (
            SELECT instrument_id, case_type, {FINE_KEY}, count(*) AS n,
                   count(*) FILTER (WHERE towards > {RELIABLE_Z}) AS improved,
                   count(*) FILTER (WHERE towards < -{RELIABLE_Z}) AS deteriorated,
                   count(effect) AS n_effect, sum(effect) AS s, sum(effect * effect) AS ss
            FROM (
                SELECT p.instrument_id, case_type, {place('post_on')},
                       s.sign * ((post - pre) / s.sediff) AS towards,
                       CASE WHEN s.sd0 > 0 THEN s.sign * (post - pre) / s.sd0 END AS effect
                FROM pairs p JOIN inst s ON s.instrument_id = p.instrument_id
                WHERE pre IS NOT NULL AND post IS NOT NULL
            )
            GROUP BY ALL
        ),
        change AS (
            SELECT variant, {FINE_KEY}, sum(n) AS n, sum(improved) AS improved, sum(deteriorated) AS deteriorated,
                   sum(n_effect) AS n_effect, sum(s) AS s, sum(ss) AS ss
            FROM (SELECT {variants} AS variant, * FROM change0)
            GROUP BY ALL
        )
        SELECT 'EVI001' AS ind, '' AS variant, {FINE_KEY}, n, h001 AS hits, 0.0 AS s, 0.0 AS ss FROM started
        UNION ALL SELECT 'EVI009', '', {FINE_KEY}, n, h009, 0.0, 0.0 FROM started
        UNION ALL SELECT 'EVI002', variant, {FINE_KEY}, n, hits, 0.0, 0.0 FROM baseline
        UNION ALL SELECT 'EVI003', variant, {FINE_KEY}, n, improved, 0.0, 0.0 FROM change
        UNION ALL SELECT 'EVI004', variant, {FINE_KEY}, n, deteriorated, 0.0, 0.0 FROM change
        UNION ALL SELECT 'EVI005', variant, {FINE_KEY}, n_effect, 0, s, ss FROM change WHERE n_effect > 0""",
        # Fine histograms of whole days for the medians (the numbers exist only when both dates do).
        f"""CREATE OR REPLACE TEMP TABLE hist AS
        SELECT 'EVI007' AS ind, {place('decided_on')}, (decided_on - applied_on)::INTEGER AS v, count(*) AS cnt
        FROM i WHERE decided_on IS NOT NULL AND applied_on IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT 'EVI008', {place('started_on')}, (started_on - decided_on)::INTEGER, count(*)
        FROM i WHERE started_on IS NOT NULL AND decided_on IS NOT NULL GROUP BY ALL""",
    ]


def median_sql(src):
    """Medians from a rolled-up histogram `src` (ind, node, period, category, v, cnt): the
    value at rank (total-1)//2 and at total//2 (0-based), averaged, as Stats::median. The cell
    key is packed into one integer for the window (much faster to partition by)."""
    key = "(ind_code::BIGINT << 48) | (node::BIGINT << 24) | (period::BIGINT << 4) | category::BIGINT"
    return f"""
        SELECT CASE k >> 48 WHEN 7 THEN 'EVI007' ELSE 'EVI008' END AS ind,
               ((k >> 24) & 16777215)::INTEGER AS node, ((k >> 4) & 1048575)::INTEGER AS period,
               (k & 15)::TINYINT AS category, n, median
        FROM (
            SELECT k, any_value(total)::BIGINT AS n,
                   (min(v) FILTER (WHERE c > (total - 1) // 2) + min(v) FILTER (WHERE c > total // 2)) / 2.0 AS median
            FROM (
                SELECT k, v, sum(cnt) OVER (PARTITION BY k ORDER BY v
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c,
                             sum(cnt) OVER (PARTITION BY k) AS total
                FROM (SELECT {key} AS k, v, cnt
                      FROM (SELECT *, CASE ind WHEN 'EVI007' THEN 7 ELSE 8 END AS ind_code FROM {src}))
            )
            GROUP BY k
        )"""


def median_sql_plain(src):
    """As median_sql, partitioning by the key columns themselves (any types)."""
    return f"""
        SELECT ind, node, period, category, any_value(total)::BIGINT AS n,
               (min(v) FILTER (WHERE c > (total - 1) // 2) + min(v) FILTER (WHERE c > total // 2)) / 2.0 AS median
        FROM (
            SELECT *, sum(cnt) OVER (PARTITION BY ind, node, period, category ORDER BY v
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c,
                      sum(cnt) OVER (PARTITION BY ind, node, period, category) AS total
            FROM {src}
        )
        GROUP BY ind, node, period, category"""


def period_name(period):
    """`2025` for y*10, `2025Q3` for y*10+3."""
    return (
        f"CASE WHEN {period} % 10 = 0 THEN ({period} // 10)::VARCHAR "
        f"ELSE ({period} // 10)::VARCHAR || 'Q' || ({period} % 10)::VARCHAR END"
    )



def staged_statements():
    """The roll-up as Evident does it: fine cells per unit and quarter, then years from
    quarters, then each level of the organisation tree from the one below it. Keys are
    integers (variant, node, period y*10+q with q = 0 for the year, category index) until the
    final table."""
    out = [
        "CREATE OR REPLACE TEMP TABLE variants AS SELECT variant, (row_number() OVER ())::INTEGER AS vid "
        "FROM (SELECT DISTINCT variant FROM fine)",
        # Every node at or above a unit: its level (3 unit, 2 municipality, 1 county, 0 nation).
        """CREATE OR REPLACE TEMP TABLE nodes AS
        WITH units AS (SELECT DISTINCT unit_code AS code FROM fine UNION SELECT DISTINCT unit_code FROM hist),
        codes AS (
            SELECT code, 3 AS level, left(code, 4) AS parent FROM units
            UNION SELECT DISTINCT left(code, 4), 2, left(code, 2) FROM units
            UNION SELECT DISTINCT left(code, 2), 1, 'SE' FROM units
            UNION SELECT 'SE', 0, NULL
        )
        SELECT code, level, parent, (row_number() OVER (ORDER BY code))::INTEGER AS node FROM codes""",
        "CREATE OR REPLACE TEMP TABLE parents AS SELECT c.node, c.level, p.node AS parent "
        "FROM nodes c JOIN nodes p ON p.code = c.parent",
    ]
    for src, dst, keys, join, measures in [
        ("fine", "cells", "ind, vid", "JOIN variants USING (variant)", [("n", "BIGINT"), ("hits", "BIGINT"), ("s", "DOUBLE"), ("ss", "DOUBLE")]),
        ("hist", "hcells", "ind, v", "", [("cnt", "BIGINT")]),
    ]:
        stats = ", ".join(f"sum({c})::{t} AS {c}" for c, t in measures)
        unit = f"SELECT {keys}, node, (y * 10 + q)::INTEGER AS period"
        grp = f"GROUP BY {keys}, node, y, q"
        # Units by quarter and sex, then all (from sex) and by age band.
        out.append(
            f"""CREATE OR REPLACE TEMP TABLE {dst}_fine AS
            SELECT {keys}, node, y, q, female, band, {", ".join(c for c, _ in measures)}
            FROM {src} {join} JOIN nodes ON nodes.code = {src}.unit_code"""
        )
        out.append(
            f"""CREATE OR REPLACE TEMP TABLE {dst} AS
            {unit}, (2 - female)::TINYINT AS category, {stats} FROM {dst}_fine {grp}, female"""
        )
        out.append(
            f"""INSERT INTO {dst}
            SELECT {keys}, node, period, 0::TINYINT, {stats} FROM {dst} GROUP BY {keys}, node, period
            UNION ALL {unit}, band, {stats} FROM {dst}_fine {grp}, band"""
        )
        # Units by year, from their quarters.
        out.append(
            f"INSERT INTO {dst} SELECT {keys}, node, (period // 10 * 10)::INTEGER, category, {stats} "
            f"FROM {dst} GROUP BY {keys}, node, period // 10, category"
        )
        # Municipalities from units, counties from municipalities, the nation from counties.
        for level in (3, 2, 1):
            out.append(
                f"INSERT INTO {dst} SELECT {keys}, parent, period, category, {stats} "
                f"FROM {dst} JOIN parents USING (node) WHERE parents.level = {level} "
                f"GROUP BY {keys}, parent, period, category"
            )
    out += [
        f"CREATE OR REPLACE TEMP TABLE medians AS {median_sql('hcells')}",
        f"""CREATE OR REPLACE TEMP TABLE periods AS SELECT period, {period_name('period')} AS period_name
        FROM (SELECT DISTINCT period FROM cells UNION SELECT DISTINCT period FROM medians)""",
        f"""CREATE OR REPLACE TEMP TABLE categories AS
        SELECT (i - 1)::TINYINT AS category, {CATEGORY_LIST}[i] AS category_name FROM range(1, 9) t(i)""",
        """CREATE OR REPLACE TABLE results AS
        SELECT ind AS indicator, variant, period_name AS period, code AS node, category_name AS category,
               n, hits, s AS sum, ss AS sum_sq, CASE WHEN ind = 'EVI005' THEN s / n ELSE hits / n END AS value
        FROM cells JOIN variants USING (vid) JOIN nodes USING (node) JOIN periods USING (period)
             JOIN categories USING (category)
        UNION ALL
        SELECT ind, '', period_name, code, category_name, n, NULL, NULL, NULL, median
        FROM medians JOIN nodes USING (node) JOIN periods USING (period) JOIN categories USING (category)""",
    ]
    return out


# One GROUPING SETS query instead: every node of the lineage x quarter and year x all / sex / age band.
ROLLUP = (
    "y, GROUPING SETS ((unit_code), (muni), (county), ()), "
    "GROUPING SETS ((q), ()), GROUPING SETS ((), (female), (band))"
)
ROLLED_COLUMNS = (
    "CASE WHEN grouping(unit_code) = 0 THEN unit_code WHEN grouping(muni) = 0 THEN muni "
    "WHEN grouping(county) = 0 THEN county ELSE 'SE' END AS node, "
    "(y * 10 + CASE WHEN grouping(q) = 0 THEN q ELSE 0 END)::INTEGER AS period, "
    "(CASE WHEN grouping(female) = 0 THEN 2 - female WHEN grouping(band) = 0 THEN band ELSE 0 END)::TINYINT AS category"
)


def grouping_sets_statements():
    return [
        f"""CREATE OR REPLACE TABLE results AS
        WITH f AS (SELECT *, left(unit_code, 4) AS muni, left(unit_code, 2) AS county FROM fine),
        h AS (SELECT *, left(unit_code, 4) AS muni, left(unit_code, 2) AS county FROM hist),
        rolled AS (
            SELECT ind, variant, {ROLLED_COLUMNS},
                   sum(n)::BIGINT AS n, sum(hits)::BIGINT AS hits, sum(s) AS sum, sum(ss) AS sum_sq
            FROM f GROUP BY ind, variant, {ROLLUP}
        ),
        hist_rolled AS (
            SELECT ind, {ROLLED_COLUMNS}, v, sum(cnt)::BIGINT AS cnt
            FROM h GROUP BY ind, v, {ROLLUP}
        )
        SELECT ind AS indicator, variant, {period_name('period')} AS period, node,
               {CATEGORY_LIST}[category + 1] AS category, n, hits, sum, sum_sq,
               CASE WHEN ind = 'EVI005' THEN sum / n ELSE hits / n END AS value
        FROM rolled WHERE n > 0
        UNION ALL
        SELECT ind, '', {period_name('period')}, node, {CATEGORY_LIST}[category + 1], n, NULL, NULL, NULL, median
        FROM ({median_sql_plain('hist_rolled')})"""
    ]


STRATEGIES = {"staged": staged_statements, "grouping-sets": grouping_sets_statements}


def compute_statements(instruments, strategy="staged"):
    return record_statements(instruments) + STRATEGIES[strategy]()


def compute(con, instruments, strategy="staged", verbose=False):
    for statement in compute_statements(instruments, strategy):
        t = time.perf_counter()
        con.execute(statement)
        if verbose:
            head = " ".join(statement.split())[:70]
            print(f"  {time.perf_counter() - t:7.3f} s  {head}")


def count_results(con):
    """(cells, rows): cells with n > 0, and rows (indicator, variant, period, node)."""
    (cells,) = con.execute("SELECT count(*) FROM results").fetchone()
    (rows,) = con.execute("SELECT count(*) FROM results WHERE category = 'all'").fetchone()
    return cells, rows


def check(con, expected_path, listed_only=False, tolerance=1e-9):
    """Compares `results` with an expected CSV; returns the number of differences. Expected
    cells with n = 0 must be absent; with `listed_only`, cells the file does not list are not
    compared."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE expected AS
        SELECT indicator, coalesce(variant, '') AS variant, period::VARCHAR AS period, node, category,
               n::BIGINT AS n, CASE WHEN n::BIGINT > 0 THEN value::DOUBLE END AS value
        FROM read_csv({sql_str(expected_path)}, header = true, all_varchar = true)"""
    )
    join = "LEFT JOIN" if listed_only else "FULL OUTER JOIN"
    diffs = con.execute(
        f"""SELECT coalesce(r.indicator, e.indicator) AS indicator, coalesce(r.variant, e.variant) AS variant,
                   coalesce(r.period, e.period) AS period, coalesce(r.node, e.node) AS node,
                   coalesce(r.category, e.category) AS category,
                   r.n AS duckdb_n, e.n AS expected_n, r.value AS duckdb_value, e.value AS expected_value
            FROM expected e {join} results r
              ON r.indicator = e.indicator AND r.variant = e.variant AND r.period = e.period
             AND r.node = e.node AND r.category = e.category
            WHERE coalesce(r.n, 0) IS DISTINCT FROM coalesce(e.n, 0)
               OR (r.value IS DISTINCT FROM e.value
                   AND NOT coalesce(abs(r.value - e.value) <= {tolerance} * greatest(1.0, abs(e.value)), false))
            ORDER BY ALL"""
    ).fetchall()
    (checked,) = con.execute("SELECT count(*) FROM expected").fetchone()
    for d in diffs[:20]:
        print("  differs:", d)
    print(f"check: {checked} expected cells, {len(diffs)} differences")
    return len(diffs)


def generate(con, n, seed, out_dir):
    """Writes a synthetic measurements.csv (n rows, four per case) and interventions.csv."""
    os.makedirs(out_dir, exist_ok=True)
    m_path = os.path.join(out_dir, "measurements.csv")
    i_path = os.path.join(out_dir, "interventions.csv")
    types = "['BOU-KBT', 'HEMTJ', 'BOEND', 'KONTAKT', 'FAMILJ', 'ARBETE']"
    instruments = "['phq-9', 'gad-7', 'who-5', 'k10', 'audit', 'custom-x']"

    def h(x, salt):
        return f"hash({x}, {seed}, {salt})"

    cases = f"""
        SELECT c,
            lpad((1 + {h('c', 1)} % 21)::VARCHAR, 2, '0') || lpad((1 + {h('c', 2)} % 14)::VARCHAR, 2, '0')
                || '-' || lpad((1 + {h('c', 3)} % 5)::VARCHAR, 4, '0') AS unit_code,
            ({h('c', 4)} % 2)::INTEGER AS female,
            (1930 + {h('c', 5)} % 85)::INTEGER AS birth_year,
            DATE '2023-01-01' + ({h('c', 6)} % 1000)::INTEGER AS opened_on,
            CASE {h('c', 7)} % 10 WHEN 0 THEN NULL WHEN 9 THEN 12 WHEN 8 THEN 6 WHEN 7 THEN 6 ELSE 3 END AS ffm,
            {h('c', 8)} % 20 <> 0 AS has_interventions,
            1 + ({h('c', 9)} % 3 = 0)::INTEGER AS n_interventions,
            {types}[(1 + {h('c', 10)} % 6)::INTEGER] AS first_type,
            {h('c', 11)} % 10 < 3 AS multi,
            {instruments}[(1 + {h('c', 12)} % 6)::INTEGER] AS inst_a,
            {instruments}[(1 + {h('c', 13)} % 5)::INTEGER] AS inst_b
        FROM range(({n} + 3) // 4) t(c)"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE gen_cases AS {cases}")
    con.execute(
        f"""COPY (
        SELECT c + 1 AS case_id, unit_code, female, birth_year, opened_on, ffm AS first_follow_up_month,
               CASE WHEN has_interventions THEN first_type END AS case_type,
               CASE WHEN multi AND slot >= 2 THEN inst_b ELSE inst_a END AS instrument_id,
               CASE WHEN multi THEN CASE WHEN slot % 2 = 0 THEN 'baseline' ELSE 'follow_up' END
                    WHEN slot = 0 THEN 'baseline'
                    WHEN slot = 1 AND {h('i', 14)} % 10 = 0 THEN 'baseline'
                    WHEN slot = 3 THEN 'end'
                    ELSE 'follow_up' END AS time_point,
               opened_on + ({h('c', 15)} % 10)::INTEGER + (CASE
                    WHEN NOT multi AND slot = 1 AND {h('i', 14)} % 10 = 0 THEN {h('i', 17)} % 3
                    WHEN slot = 0 THEN 0
                    WHEN slot = 1 THEN 70 + {h('i', 17)} % 60
                    WHEN slot = 2 AND multi THEN {h('i', 17)} % 4
                    WHEN slot = 2 THEN 160 + {h('i', 17)} % 60
                    ELSE 150 + {h('i', 17)} % 250 END)::INTEGER AS measured_on,
               CASE WHEN {h('i', 16)} % 20 = 0 THEN NULL ELSE ({h('i', 18)} % 28)::DOUBLE END AS score
        FROM (SELECT i, i // 4 AS c, i % 4 AS slot FROM range({n}) t(i)) r JOIN gen_cases USING (c)
        ORDER BY i
        ) TO {sql_str(m_path)} (HEADER, DELIMITER ';')"""
    )
    con.execute(
        f"""COPY (
        SELECT c + 1 AS case_id, unit_code, female, birth_year,
               CASE WHEN j = 0 THEN first_type ELSE {types}[(1 + {h('c', '20 + j')} % 6)::INTEGER] END AS type_code,
               applied_on, decided_on, started_on, private_provider
        FROM (
            SELECT *, CASE WHEN {h('c', '30 + j')} % 7 = 0 THEN NULL ELSE decided_on + ({h('c', '40 + j')} % 60)::INTEGER END AS started_on
            FROM (
                SELECT *, CASE WHEN {h('c', '50 + j')} % 10 = 0 THEN NULL
                          ELSE coalesce(applied_on, opened_on) + ({h('c', '60 + j')} % 40)::INTEGER END AS decided_on
                FROM (
                    SELECT c, j, unit_code, female, birth_year, first_type, opened_on,
                           CASE WHEN {h('c', '70 + j')} % 10 = 0 THEN NULL
                                ELSE opened_on - ({h('c', '80 + j')} % 20)::INTEGER + (30 * j)::INTEGER END AS applied_on,
                           ({h('c', '90 + j')} % 4 = 0)::INTEGER AS private_provider
                    FROM gen_cases JOIN range(2) t(j) ON j < n_interventions
                    WHERE has_interventions
                )
            )
        ) ORDER BY c, j
        ) TO {sql_str(i_path)} (HEADER, DELIMITER ';')"""
    )
    con.execute("DROP TABLE gen_cases")
    return m_path, i_path


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--measurements", help="measurements CSV")
    p.add_argument("--interventions", help="interventions CSV")
    p.add_argument("--evident-seconds", type=float, help="Evident's full recompute, for the ratio")
    p.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    p.add_argument("--instruments", default=INSTRUMENT_DIR, help="directory of FHIR Questionnaires")
    p.add_argument("--write-results", metavar="CSV", help="write the result cells here")
    p.add_argument("--check", metavar="CSV", help="compare the results with these expected cells")
    p.add_argument("--listed-only", action="store_true", help="--check only the cells the file lists")
    p.add_argument("--generate", type=int, metavar="N", help="write synthetic CSVs of N measurements first")
    p.add_argument("--seed", type=int, default=1, help="seed of --generate")
    p.add_argument("--out-dir", default="/tmp/evident-duckdb", help="where --generate writes")
    p.add_argument("--database", default=":memory:", help="DuckDB database (default in memory)")
    p.add_argument("--strategy", choices=sorted(STRATEGIES), default="staged",
                   help="roll-up: staged like Evident (default) or one GROUPING SETS query")
    p.add_argument("--verbose", action="store_true", help="time each statement")
    args = p.parse_args()

    con = duckdb.connect(args.database)
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    (threads,) = con.execute("SELECT current_setting('threads')").fetchone()

    if args.generate:
        t = time.perf_counter()
        args.measurements, args.interventions = generate(con, args.generate, args.seed, args.out_dir)
        print(f"generated {args.measurements} and {args.interventions} in {time.perf_counter() - t:.2f} s")
    if not args.measurements or not args.interventions:
        p.error("give --measurements and --interventions (or --generate N)")

    instruments = load_instruments(args.instruments)

    t0 = time.perf_counter()
    n_measurements, n_interventions = load(con, args.measurements, args.interventions)
    t1 = time.perf_counter()
    compute(con, instruments, args.strategy, args.verbose)
    t2 = time.perf_counter()
    cells, rows = count_results(con)
    load_s, compute_s, total_s = t1 - t0, t2 - t1, t2 - t0

    print(f"duckdb_version={duckdb.__version__}")
    print(f"threads={threads}")
    print(f"strategy={args.strategy}")
    print(f"measurements loaded    {n_measurements:>12,}")
    print(f"interventions loaded   {n_interventions:>12,}")
    print(f"result rows            {rows:>12,}  (indicator x variant x period x node)")
    print(f"result cells           {cells:>12,}  (x category, n > 0)")
    print(f"load_seconds={load_s:.3f}")
    print(f"compute_seconds={compute_s:.3f}")
    print(f"total_seconds={total_s:.3f}")
    if args.evident_seconds is not None:
        print(f"evident_seconds={args.evident_seconds:.3f}")
        print(f"ratio_total=" + (f"{args.evident_seconds / total_s:.2f}" if total_s > 0 else "inf")
              + "  (Evident full recompute / DuckDB load+compute)")
        print(f"ratio_compute=" + (f"{args.evident_seconds / compute_s:.2f}" if compute_s > 0 else "inf")
              + "  (Evident full recompute / DuckDB compute only)")
    if args.write_results:
        con.execute(
            f"COPY (SELECT * FROM results ORDER BY indicator, variant, period, node, category) "
            f"TO {sql_str(args.write_results)} (HEADER, DELIMITER ',')"
        )
    if args.check:
        if check(con, args.check, args.listed_only):
            sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Evident's indicator full recompute against the same computation in DuckDB.
#
#   bench/run_indicators.sh [MEASUREMENTS] [SEED]      (defaults 10000000 and 1)
#
# 1. builds the CLI (release);
# 2. `evident bench indicators` generates a synthetic population into a fresh SQLite database,
#    times the full recompute and single-measurement incremental updates;
# 3. exports the measurements and interventions as CSV;
# 4. bench/indicators_duckdb.py loads both into DuckDB and computes every indicator for every
#    node, period and breakdown, and prints the ratios Evident / DuckDB.
#
# Environment: CARGO_TARGET_DIR (where the CLI is built, default target/), EVIDENT_BENCH_DB
# (default /tmp/evident-bench.db, deleted first), EVIDENT_BENCH_DIR (CSV exports and logs,
# default /tmp), THREADS (DuckDB threads, default all cores), ORACLE=1 to also check DuckDB's
# cells against evident-core's own computation over the same CSVs (bench/oracle; needs memory
# for the whole cube). DuckDB comes from bench/.venv, made here with bench/requirements.txt
# unless python3 already has it.
set -euo pipefail

N="${1:-10000000}"
SEED="${2:-1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB="${EVIDENT_BENCH_DB:-/tmp/evident-bench.db}"
DIR="${EVIDENT_BENCH_DIR:-/tmp}"
M_CSV="$DIR/evident-bench-measurements.csv"
I_CSV="$DIR/evident-bench-interventions.csv"
EVIDENT_LOG="$DIR/evident-bench-indicators.log"
DUCKDB_LOG="$DIR/evident-bench-duckdb.log"
cd "$ROOT"
mkdir -p "$DIR"

# A Python with duckdb.
PY=python3
if ! python3 -c 'import duckdb' 2>/dev/null; then
    PY="$ROOT/bench/.venv/bin/python"
    if ! [ -x "$PY" ] || ! "$PY" -c 'import duckdb' 2>/dev/null; then
        echo "== installing duckdb into bench/.venv"
        python3 -m venv "$ROOT/bench/.venv"
        "$PY" -m pip install --quiet -r "$ROOT/bench/requirements.txt"
    fi
fi

echo "== cargo build --release -p evident-cli"
cargo build --release -p evident-cli
EVIDENT="${CARGO_TARGET_DIR:-$ROOT/target}/release/evident"

echo "== evident bench indicators: $N measurements, seed $SEED, $DB"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
extra=()
# Newer CLIs may want --keep to leave the database for the export; older ones keep it anyway.
if "$EVIDENT" bench indicators --help 2>/dev/null | grep -q -- '--keep'; then
    extra+=(--keep)
fi
"$EVIDENT" bench indicators --measurements "$N" --seed "$SEED" --database-url "sqlite://$DB" \
    ${extra[@]+"${extra[@]}"} | tee "$EVIDENT_LOG"
full="$(sed -n 's/^full_recompute_seconds=//p' "$EVIDENT_LOG" | tail -n 1)"
incremental="$(sed -n 's/^incremental_ms=//p' "$EVIDENT_LOG" | tail -n 1)"
if [ -z "$full" ]; then
    echo "no full_recompute_seconds= line from evident bench indicators" >&2
    exit 1
fi

echo "== evident export measurements / interventions"
t0=$(date +%s.%N)
"$EVIDENT" export measurements --format csv --database-url "sqlite://$DB" > "$M_CSV"
"$EVIDENT" export interventions --format csv --database-url "sqlite://$DB" > "$I_CSV"
t1=$(date +%s.%N)
export_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "exported $(($(wc -l < "$M_CSV") - 1)) measurements, $(($(wc -l < "$I_CSV") - 1)) interventions in $export_s s"

echo "== DuckDB"
threads=()
if [ -n "${THREADS:-}" ]; then threads=(--threads "$THREADS"); fi
check=()
if [ "${ORACLE:-0}" = 1 ]; then
    echo "-- evident-core oracle over the same CSVs"
    (cd "$ROOT/bench/oracle" && cargo build --release --quiet)
    "$ROOT/bench/oracle/target/release/evident-indicator-oracle" "$M_CSV" "$I_CSV" "$DIR/evident-bench-oracle.csv"
    check=(--check "$DIR/evident-bench-oracle.csv")
fi
"$PY" "$ROOT/bench/indicators_duckdb.py" --measurements "$M_CSV" --interventions "$I_CSV" \
    --evident-seconds "$full" ${threads[@]+"${threads[@]}"} ${check[@]+"${check[@]}"} | tee "$DUCKDB_LOG"

value() { sed -n "s/^$1=\([^ ]*\).*/\1/p" "$DUCKDB_LOG" | tail -n 1; }
echo
echo "== Indicators: Evident vs DuckDB ($N measurements, seed $SEED, $(nproc) cores)"
printf '%-44s %12s\n' "Evident full recompute (s)" "$full"
printf '%-44s %12s\n' "Evident incremental update, median (ms)" "${incremental:-?}"
printf '%-44s %12s\n' "Evident CSV export (s, not compared)" "$export_s"
printf '%-44s %12s\n' "DuckDB $(value duckdb_version) load CSV (s)" "$(value load_seconds)"
printf '%-44s %12s\n' "DuckDB compute (s)" "$(value compute_seconds)"
printf '%-44s %12s\n' "DuckDB load + compute (s)" "$(value total_seconds)"
printf '%-44s %12s\n' "Evident / DuckDB load + compute" "$(value ratio_total)"
printf '%-44s %12s\n' "Evident / DuckDB compute only" "$(value ratio_compute)"

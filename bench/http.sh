#!/usr/bin/env bash
# The HTTP bench of issue 15: serves a demo population with a release `evident serve`, loads
# each route with wrk (64 connections, 2 threads, DURATION seconds each) and prints one table:
# req/s, p50, p99 and the ratio of req/s to /api/v1/health measured in the same run. Then a
# case page is loaded while heavy requests (county funnels and Excel downloads) run beside it,
# then while a full recompute of the indicators runs in another process, and the server's peak
# RSS is printed.
#
# Usage: bench/http.sh [sqlite|postgres] [DURATION] [SCALE]
#   SCALE: national (default; ~500 000 clients, built once and kept under bench/.cache/) or
#   small (the 20 000-client demo).
# Env: EVIDENT_TEST_POSTGRES_URL — the PostgreSQL server (default the local one);
#      CONNECTIONS (default 64); KEEP_DATABASE=1 keeps a PostgreSQL bench database for reuse.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${1:-sqlite}
DURATION=${2:-10}
SCALE=${3:-national}
CONNECTIONS=${CONNECTIONS:-64}
BIN=target/release/evident
[ -x "$BIN" ] || cargo build --release -p evident-cli
if ! command -v wrk > /dev/null; then
  echo "installing wrk (Debian package)…" >&2
  apt-get install -y wrk > /dev/null 2>&1 || sudo apt-get install -y wrk > /dev/null
fi
CACHE=bench/.cache
mkdir -p "$CACHE"
KEY="$CACHE/$SCALE.key"
# Evident creates the audit key file on first use.
export EVIDENT_AUDIT_KEY_FILE="$CACHE/$SCALE-audit.key"
case "$BACKEND" in
  sqlite)
    URL="sqlite:$CACHE/$SCALE.db"
    FRESH=$([ -s "$CACHE/$SCALE.db" ] && [ -e "$CACHE/$SCALE.done" ] && echo no || echo yes)
    if [ "$FRESH" = yes ]; then rm -f "$CACHE/$SCALE.db"*; fi
    ;;
  postgres)
    ADMIN=${EVIDENT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    DB="evident_bench_$SCALE"
    URL="${ADMIN%/*}/$DB"
    if psql -qtA "$ADMIN" -c "select 1 from pg_database where datname = '$DB'" | grep -q 1 \
        && [ -e "$CACHE/$SCALE-pg.done" ]; then
      FRESH=no
    else
      psql -q "$ADMIN" -c "drop database if exists $DB with (force)" -c "create database $DB"
      FRESH=yes
    fi
    ;;
  *) echo "usage: $0 [sqlite|postgres] [DURATION] [national|small]" >&2; exit 2 ;;
esac
if [ "$FRESH" = yes ]; then
  echo "building the $SCALE demo on $BACKEND (once; kept in $CACHE)…" >&2
  /usr/bin/time -f "demo: %e s, peak RSS %M KB" \
    "$BIN" demo --seed 1 --scale "$SCALE" --key-file "$KEY" --database-url "$URL" > "$CACHE/$SCALE-$BACKEND-demo.log"
  if [ "$BACKEND" = sqlite ]; then touch "$CACHE/$SCALE.done"; else touch "$CACHE/$SCALE-pg.done"; fi
fi
TOKEN=$("$BIN" tokens create --email unit.manager@demo.evident.example --database-url "$URL" 2>/dev/null | grep -o 'evt_[A-Za-z0-9_-]*' | head -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
RUST_LOG=warn "$BIN" serve --addr "127.0.0.1:$PORT" --database-url "$URL" --pseudonym-key-file "$KEY" \
  --insecure-cookies > "$CACHE/serve-$BACKEND.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2> /dev/null || true' EXIT
for _ in $(seq 600); do
  if curl -sf "$BASE/api/v1/health" > /dev/null; then break; fi
  sleep 0.5
done
# The server recomputes the indicators as of today at start: wait until it has.
sleep 2
AUTH="Authorization: Bearer $TOKEN"
api() { curl -sf -H "$AUTH" -H 'content-type: application/json' "$@"; }
UNIT=$(api "$BASE/api/v1/me" | python3 -c 'import json,sys; me=json.load(sys.stdin); print(next(g["org"] for g in me["grants"] if "-" in g["org"]))')
MUNICIPALITY=${UNIT%-*}
CASE=$(api "$BASE/api/v1/units/$UNIT/cases?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cases"][0]["id"])')
SURVEY=$(api -X POST "$BASE/api/v1/units/$UNIT/survey-publications" \
  -d '{"survey":"brukarundersokning-2026","period":"2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])' || true)
SELF=$(api -X POST "$BASE/api/v1/cases/$CASE/self-report-links" \
  -d '{"instrument":"phq-9","time_point":"follow_up","month":"6"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])' || true)

# name | path | needs the token
ROUTES=(
  "health|/api/v1/health|"
  "indicator, municipalities|/indicators/EVI001|"
  "indicator, counties|/indicators/EVI001?level=county|"
  "indicator, units (signed in)|/indicators/EVI001?node=$MUNICIPALITY|auth"
  "indicator EVI003|/indicators/EVI003|"
  "municipality profile|/orgs/$MUNICIPALITY/profile|"
  "indicator list|/indicators|"
  "data API (Kolada)|/api/v1/data/kpi/EVI003/year/2025|"
  "KPI metadata|/api/v1/kpi|"
  "unit data API|/api/v1/oudata/kpi/EVI001/ou/$UNIT/year/2025|auth"
  "unit case list|/orgs/$UNIT/cases|auth"
  "case list API|/api/v1/units/$UNIT/cases|auth"
  "case page|/cases/$CASE|auth"
  "unit follow-up table|/orgs/$UNIT/follow-up|auth"
  "survey page|$SURVEY|"
  "self-report page|$SELF|"
)

LUA=$(mktemp --suffix=.lua)
cat > "$LUA" << 'EOF'
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, errors))
end
EOF
run() { # name path auth -> "req/s p50 p99 requests errors"
  local args=(-t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s "$LUA")
  [ -n "$3" ] && args+=(-H "$AUTH")
  curl -s -o /dev/null -w '%{http_code}' ${3:+-H "$AUTH"} "$BASE$2" | grep -q '^2' \
    || { echo "FAIL $1: $BASE$2 answers $(curl -s -o /dev/null -w '%{http_code}' ${3:+-H "$AUTH"} "$BASE$2")" >&2; }
  wrk "${args[@]}" "$BASE$2" | grep '^RESULT' | cut -d' ' -f2-
}
rss() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }

echo
echo "backend $BACKEND, scale $SCALE, $CONNECTIONS connections, ${DURATION}s per route, $(nproc) cores"
printf '%-30s %10s %9s %9s %9s %7s\n' route "req/s" "p50 ms" "p99 ms" "× health" errors
HEALTH=
for route in "${ROUTES[@]}"; do
  IFS='|' read -r name path auth <<< "$route"
  [ -n "$path" ] || { printf '%-30s %10s\n' "$name" "(no path)"; continue; }
  read -r rate p50 p99 _ errors <<< "$(run "$name" "$path" "$auth")"
  [ -n "$HEALTH" ] || HEALTH=$rate
  ratio=$(python3 -c "print(f'{$rate / $HEALTH:.3f}')")
  printf '%-30s %10s %9s %9s %9s %7s\n' "$name" "$rate" "$p50" "$p99" "$ratio" "$errors"
done

# One slow request must not delay another user's page: case pages at 8 connections while
# 32 connections ask for county funnels and Excel downloads of the national table.
HEAVY_DURATION=$((DURATION + 4))
wrk -t1 -c16 -d"${HEAVY_DURATION}s" --timeout 30s "$BASE/indicators/EVI001?level=county&period=2025&breakdown=female" > /dev/null &
H1=$!
wrk -t1 -c16 -d"${HEAVY_DURATION}s" --timeout 30s "$BASE/indicators/EVI001/download?format=xlsx" > /dev/null &
H2=$!
sleep 2
read -r rate p50 p99 _ errors <<< "$(CONNECTIONS=8 run "case page beside heavy load" "/cases/$CASE" auth)"
wait $H1 $H2 || true
ratio=$(python3 -c "print(f'{$rate / $HEALTH:.3f}')")
printf '%-30s %10s %9s %9s %9s %7s\n' "case page, heavy beside" "$rate" "$p50" "$p99" "$ratio" "$errors"

# Caseworkers at work: 32 connections, each request a case page (3 in 4) or a recorded GAD-7
# follow-up (1 in 4: a write with its audit entry and incremental indicator update), over 32
# cases opened for this run (so runs on the kept database do not grow the same cases).
# Needs the municipality of the unit manager's unit to have a second unit.
# The writes go to another unit of the municipality, by a practitioner made for the bench, so
# that runs on the kept database do not grow the unit whose follow-up table is measured.
WRITER=bench.practitioner@demo.evident.example
for n in 0002 0003 0004 0005; do
  WRITE_UNIT="$MUNICIPALITY-$n"
  [ "$WRITE_UNIT" != "$UNIT" ] || continue
  if "$BIN" users grant --email "$WRITER" --role practitioner --org "$WRITE_UNIT" --database-url "$URL" > /dev/null 2>&1 \
    || head -c 24 /dev/urandom | base64 | "$BIN" users add --email "$WRITER" --name "Bench Practitioner" \
      --role practitioner --org "$WRITE_UNIT" --database-url "$URL" > /dev/null 2>&1; then
    break
  fi
done
WRITER_TOKEN=$("$BIN" tokens create --email "$WRITER" --database-url "$URL" 2>/dev/null | grep -o 'evt_[A-Za-z0-9_-]*' | head -1)
MIXED_CASES=$(python3 - << 'EOF' | while read -r number; do
import random
def luhn(digits):
    total = 0
    for i, d in enumerate(int(c) for c in digits):
        d = d * 2 if i % 2 == 0 else d
        total += d // 10 + d % 10
    return str((10 - total % 10) % 10)
random.seed()
for _ in range(32):
    born = f"{random.randint(40, 99):02d}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    serial = f"{random.randint(0, 999):03d}"
    print(f"19{born}-{serial}{luhn(born + serial)}")
EOF
  curl -sf -H "Authorization: Bearer $WRITER_TOKEN" -H 'content-type: application/json' \
    -X POST "$BASE/api/v1/units/$WRITE_UNIT/cases" -d "{\"personal_number\":\"$number\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["case"]["id"])'
done | paste -sd, -)
MIXED=$(mktemp --suffix=.lua)
{
  cat "$LUA"
  cat << EOF
local cases = { $MIXED_CASES }
local n = 0
request = function()
  n = n + 1
  local case = cases[n % #cases + 1]
  if n % 4 == 0 then
    return wrk.format("POST", "/api/v1/cases/" .. case .. "/measurements",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $WRITER_TOKEN" },
      '{"instrument":"gad-7","time_point":"follow_up","month":6,"respondent":"client","answers":{"1":"LA6569-3","2":"LA6570-1","3":"LA6569-3","4":"LA6570-1","5":"LA6570-1","6":"LA6570-1","7":"LA6568-5"}}')
  end
  return wrk.format("GET", "/cases/" .. case, { ["Authorization"] = "Bearer $WRITER_TOKEN" })
end
EOF
} > "$MIXED"
read -r rate p50 p99 _ errors <<< "$(wrk -t2 -c32 -d"${DURATION}s" --timeout 30s -s "$MIXED" "$BASE" | grep '^RESULT' | cut -d' ' -f2-)"
ratio=$(python3 -c "print(f'{$rate / $HEALTH:.3f}')")
printf '%-30s %10s %9s %9s %9s %7s\n' "case reads + writes (32 conn.)" "$rate" "$p50" "$p99" "$ratio" "$errors"
rm -f "$MIXED"

# A full recompute of the indicators (another process, as `evident indicators compute` or the
# nightly check runs it) must not stop caseworkers: case pages at 8 connections meanwhile, for
# RECOMPUTE_SECONDS (default 40: the national recompute takes ~33 s on 2 cores).
RECOMPUTE_SECONDS=${RECOMPUTE_SECONDS:-40}
"$BIN" indicators compute --database-url "$URL" > "$CACHE/recompute-$BACKEND.log" 2>&1 &
RECOMPUTE=$!
sleep 1
read -r rate p50 p99 _ errors <<< "$(CONNECTIONS=8 DURATION=$RECOMPUTE_SECONDS run "case page during a recompute" "/cases/$CASE" auth)"
ratio=$(python3 -c "print(f'{$rate / $HEALTH:.3f}')")
printf '%-30s %10s %9s %9s %9s %7s\n' "case page, recompute beside" "$rate" "$p50" "$p99" "$ratio" "$errors"
wait $RECOMPUTE || echo "the recompute failed: see $CACHE/recompute-$BACKEND.log" >&2
echo "recompute beside: $(tail -1 "$CACHE/recompute-$BACKEND.log")"
echo "server peak RSS: $(($(rss) / 1024)) MB"
rm -f "$LUA"

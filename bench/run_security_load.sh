#!/usr/bin/env bash
# Bounded load, as the security issue asks: 64 concurrent wrong-password sign-ins and 32 staff
# clients opening and listing cases, for 20 seconds, against a release `evident serve` on a
# fresh demo database; then the audit trail must verify. See bench/security_load.py for what
# is counted. Usage: bench/run_security_load.sh [sqlite|postgres] [SECONDS]
# PostgreSQL: the server EVIDENT_TEST_POSTGRES_URL points at (default the local one).
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${1:-sqlite}
DURATION=${2:-20}
BIN=target/release/evident
[ -x "$BIN" ] || cargo build --release -p evident-cli
WORK=$(mktemp -d)
export EVIDENT_AUDIT_KEY_FILE="$WORK/audit.key"
export EVIDENT_PSEUDONYM_KEY_FILE="$WORK/pseudonym.key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$EVIDENT_PSEUDONYM_KEY_FILE"
chmod 600 "$EVIDENT_PSEUDONYM_KEY_FILE"
case "$BACKEND" in
  sqlite) URL="sqlite:$WORK/load.db" ;;
  postgres)
    ADMIN=${EVIDENT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
    DB="evident_load_$$"
    psql -q "$ADMIN" -c "create database $DB"
    trap 'psql -q "$ADMIN" -c "drop database if exists $DB with (force)"' EXIT
    URL="${ADMIN%/*}/$DB"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [SECONDS]" >&2; exit 2 ;;
esac
"$BIN" demo --seed 1 --clients 2000 --key-file "$EVIDENT_PSEUDONYM_KEY_FILE" --database-url "$URL" > "$WORK/demo.log"
for _ in $(seq 32); do
  "$BIN" tokens create --email practitioner@demo.evident.example --database-url "$URL" 2>/dev/null >> "$WORK/tokens"
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn "$BIN" serve --addr "127.0.0.1:$PORT" --database-url "$URL" --insecure-cookies > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do
  if curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null; then break; fi
  sleep 0.1
done
STATUS=0
python3 bench/security_load.py "http://127.0.0.1:$PORT" "$SERVER" auto "$WORK/tokens" "$DURATION" || STATUS=$?
kill "$SERVER"; wait "$SERVER" || true
"$BIN" audit verify --database-url "$URL" || STATUS=1
echo "backend: $BACKEND; server log: $WORK/serve.log"
exit "$STATUS"

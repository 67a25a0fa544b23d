#!/usr/bin/env bash
# Runs every test: core, component and integration tests (Portal.Tests) and the browser tests (e2e) in Chromium, on
# SQLite; then the integration tests again on PostgreSQL, in a throwaway cluster this script starts and removes
# (scripts/throwaway-postgres.sh). Installs Debian's Chromium first when it is missing (Playwright never downloads a
# browser here); PostgreSQL it does not install, it says how.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: installing Debian's chromium package for the browser tests..."
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

# shellcheck source=scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh
sqlite_log="$(mktemp)"
pg_log="$(mktemp)"
trap 'rm -f "$sqlite_log" "$pg_log"; stop_postgres' EXIT

# What runs on PostgreSQL: every test of Portal.Tests but those of SQLite's own code paths (trait Database=SqliteOnly).
pg_filter='Database!=SqliteOnly'

set +e
dotnet test Portal.sln "$@" 2>&1 | tee "$sqlite_log"
sqlite_status=${PIPESTATUS[0]}
PORTAL_TEST_PROVIDER=PostgreSql dotnet test Portal.Tests --no-build --filter "$pg_filter" 2>&1 | tee "$pg_log"
pg_status=${PIPESTATUS[0]}
set -e

# One closing line per database and one for the whole run, summed over the test projects.
count() { grep -Eo "$1: +[0-9]+" "$2" | awk '{s += $2} END {print s + 0}'; }
sqlite_passed=$(count Passed "$sqlite_log"); sqlite_failed=$(count Failed "$sqlite_log")
pg_passed=$(count Passed "$pg_log"); pg_failed=$(count Failed "$pg_log")
echo "SQLite (Portal.Tests and e2e): ${sqlite_passed} passed, ${sqlite_failed} failed"
echo "PostgreSQL (Portal.Tests' integration tests): ${pg_passed} passed, ${pg_failed} failed"
echo "tests: $((sqlite_passed + pg_passed)) passed, $((sqlite_failed + pg_failed)) failed"
if [ "$sqlite_passed" -eq 0 ] || [ "$pg_passed" -eq 0 ]; then
  echo "no test ran on one of the databases" >&2
  exit 1
fi
if [ "$sqlite_status" -ne 0 ]; then exit "$sqlite_status"; fi
exit "$pg_status"

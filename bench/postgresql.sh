#!/usr/bin/env bash
# The PostgreSQL benchmarks: loading 1M users and 10M transactions by binary COPY (`load`), then the segment refresh
# against the same query written by hand (`refresh`), on a throwaway cluster with PostgreSQL's durable defaults
# (fsync on; max_wal_size raised as for any bulk load), started and removed here. Figures: bench/README.md.
#   bench/postgresql.sh [--users N] [--transactions N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
users=1000000; transactions=10000000; runs=5
while [ $# -gt 1 ]; do
  case "$1" in
    --users) users="$2" ;; --transactions) transactions="$2" ;; --runs) runs="$2" ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done

dotnet build bench/Portal.Bench -c Release -v q >/dev/null
bench=bench/Portal.Bench/bin/Release/net10.0/Portal.Bench
export PG_SETTINGS="-c max_wal_size=4GB"
# shellcheck source=../scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh
pg_psql -c "CREATE DATABASE bench_load" -c "CREATE DATABASE bench_refresh"
server="${PORTAL_TEST_POSTGRESQL%Database=postgres}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" load --users "$users" --transactions "$transactions" --postgresql "${server}Database=bench_load"
pg_psql -c "DROP DATABASE bench_load"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" refresh --users "$users" --transactions "$transactions" --runs "$runs" --postgresql "${server}Database=bench_refresh"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

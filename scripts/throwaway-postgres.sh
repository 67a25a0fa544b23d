#!/usr/bin/env bash
# Sourced by test.sh: starts a throwaway PostgreSQL cluster for the tests and stops and removes it on exit.
#   initdb into a temporary folder, pg_ctl on a free loopback port with its socket in that folder, as the `postgres`
#   user when the script runs as root (PostgreSQL refuses to run as root). No system service is touched.
# Exports PORTAL_TEST_POSTGRESQL (an Npgsql connection string to the cluster's `postgres` database, trust auth on
# loopback only); the tests create a database of their own in it per test.
# PostgreSQL's binaries: $PG_BIN, else pg_config --bindir, else the newest /usr/lib/postgresql/*/bin.
# Server settings: $PG_SETTINGS, else none of the durability a test cluster does not need (fsync and the like off);
# the benchmarks set durable ones (bench/postgresql.sh).

pg_bin="${PG_BIN:-}"
if [ -z "$pg_bin" ] && command -v pg_config >/dev/null 2>&1; then pg_bin="$(pg_config --bindir)"; fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  echo "PostgreSQL is missing: the tests run on SQLite and on a throwaway PostgreSQL cluster." >&2
  echo "Install Debian's server package (sudo apt-get install postgresql), or set PG_BIN to the folder holding initdb and pg_ctl." >&2
  exit 1
fi

pg_dir="$(mktemp -d /tmp/portal-pg.XXXXXX)"
pg_run=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$pg_dir"
  pg_run=(runuser -u postgres --)
fi

pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

stop_postgres() {
  "${pg_run[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT

"${pg_run[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log" >&2; echo "initdb failed (log above)." >&2; exit 1; }
# Loopback TCP only, the socket in the throwaway folder.
pg_settings="${PG_SETTINGS--c fsync=off -c synchronous_commit=off -c full_page_writes=off}"
"${pg_run[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 $pg_settings" >/dev/null \
  || { cat "$pg_dir/server.log" >&2; echo "PostgreSQL did not start (log above)." >&2; exit 1; }

export PORTAL_TEST_POSTGRESQL="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
pg_psql() { "${pg_run[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -q "$@"; }
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$pg_port (data in $pg_dir, removed at the end)"

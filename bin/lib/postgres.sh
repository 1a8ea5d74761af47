# A PostgreSQL server of its own for the tests, from Debian's postgresql package:
# initdb into a temporary folder, a free port on loopback, run as an unprivileged user
# (PostgreSQL refuses root), stopped by stop_test_postgres. Sourced by bin/test.

# Prints the bin folder of the newest installed PostgreSQL.
postgres_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

# Runs a command as the user PostgreSQL runs as: "postgres" when we are root, else ourselves.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_test_postgres DIR: starts a cluster in DIR with the user "trestle" (password in
# DIR/password) and exports TRESTLE_TEST_PG_URL (jdbc:postgresql://127.0.0.1:PORT/), TRESTLE_TEST_PG_PORT,
# TRESTLE_TEST_PG_USER and TRESTLE_TEST_PG_PASSWORD_FILE.
start_test_postgres() {
  local dir="$1" bin port
  bin="$(postgres_bin)" || die "PostgreSQL is not installed (Debian package postgresql)"
  mkdir -p "$dir"
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
  chmod 700 "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U trestle --pwfile="$dir/password" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null 2>&1; then
      export TRESTLE_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/"
      export TRESTLE_TEST_PG_PORT="$port"
      export TRESTLE_TEST_PG_USER=trestle
      export TRESTLE_TEST_PG_PASSWORD_FILE="$dir/password"
      export TRESTLE_TEST_PG_DIR="$dir"
      return 0
    fi
  done
  cat "$dir/postgres.log" >&2
  die "PostgreSQL did not start"
}

stop_test_postgres() {
  [ -n "${TRESTLE_TEST_PG_DIR:-}" ] || return 0
  as_postgres "$(postgres_bin)/pg_ctl" -D "$TRESTLE_TEST_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

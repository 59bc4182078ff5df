#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 for the store tests and print its URL:
#
#   export UNSPIN_TEST_PG_URL=$(bash tests/corpus/start_pg.sh)    # start (idempotent)
#   bash tests/corpus/start_pg.sh --stop                          # stop and delete it
#
# Needs Debian's postgresql package (apt-get install -y postgresql). As root, the cluster runs as
# the 'postgres' user. Port: $UNSPIN_TEST_PG_PORT (default 54329); data: $UNSPIN_TEST_PG_DIR.
set -euo pipefail
PORT="${UNSPIN_TEST_PG_PORT:-54329}"
DIR="${UNSPIN_TEST_PG_DIR:-/tmp/unspin-pg-$PORT}"
PASSWORD="unspin-test"

BIN="$(pg_config --bindir 2>/dev/null || true)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "start_pg.sh: no PostgreSQL server binaries; install them: apt-get install -y postgresql" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$DIR/PG_VERSION" ]; then as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >&2 || true; fi
  rm -rf "$DIR"
  exit 0
fi

if ! [ -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  PWFILE="$(mktemp)"; echo "$PASSWORD" > "$PWFILE"; chmod 644 "$PWFILE"
  as_owner "$BIN/initdb" -D "$DIR" -U postgres --pwfile="$PWFILE" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$PWFILE"
fi
if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DIR" -w -l "$DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off" \
    start >/dev/null
fi
export PGPASSWORD="$PASSWORD"
if ! psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'unspin_test'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE unspin_test" >&2
fi
echo "postgresql://postgres:$PASSWORD@127.0.0.1:$PORT/unspin_test"

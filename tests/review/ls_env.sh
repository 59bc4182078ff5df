#!/usr/bin/env bash
# Label Studio in a virtualenv of its own (its pins clash with unspin's), for the round-trip test
# in tests/review/test_labelstudio.py. Made once (two to three minutes), then reused while its
# requirements stay the same; prints the virtualenv's folder.
#   bash tests/review/ls_env.sh            # -> CHECKOUT/.venv-ls
#   UNSPIN_TEST_LS_VENV=/elsewhere bash tests/review/ls_env.sh
set -euo pipefail
# sentry-sdk 3 removed an option Label Studio 1.23 passes at start-up
REQUIREMENTS="label-studio==1.23.2 sentry-sdk<3"
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${UNSPIN_TEST_LS_VENV:-$root/.venv-ls}"
if [ "$(cat "$venv/.unspin-requirements" 2>/dev/null)" != "$REQUIREMENTS" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q --disable-pip-version-check $REQUIREMENTS >&2
  echo "$REQUIREMENTS" > "$venv/.unspin-requirements"
fi
echo "$venv"

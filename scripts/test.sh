#!/usr/bin/env bash
# The whole test suite on the real services: start them, run lint and pytest,
# and stop them afterwards whatever happened.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Our servers listen on ports inside Linux's ephemeral range (32768-60999), so
# an outgoing connection of the run itself (to PostgreSQL, say) can hold one as
# its local port just when a test wants to listen there. Reserve them for the
# run (as root, where the kernel lets us) and put the old value back after.
RESERVED=/proc/sys/net/ipv4/ip_local_reserved_ports
OLD_RESERVED=""
if [ -w "$RESERVED" ]; then
  OLD_RESERVED="$(cat "$RESERVED")"
  echo "51200-52299,55400-56599,58000-58999${OLD_RESERVED:+,$OLD_RESERVED}" >"$RESERVED" || true
fi
restore_reserved() { [ -w "$RESERVED" ] && echo "$OLD_RESERVED" >"$RESERVED" || true; }

scripts/services.sh up || exit 1
trap 'scripts/services.sh down; restore_reserved' EXIT

status=0
echo "== ruff"
$BIN/ruff check . || status=1
$BIN/ruff format --check . >/dev/null || { echo "ruff format: files need formatting"; $BIN/ruff format --check . ; status=1; }
echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=whisper.settings.test $BIN/python manage.py makemigrations --check --dry-run >/dev/null || { echo "missing migrations"; status=1; }
echo "== bandit (medium and high severity fail; each one left is explained by a nosec comment)"
$BIN/bandit -q -c pyproject.toml -r apps whisper -ll || status=1
echo "== pytest"
$BIN/pytest "$@" || status=$?
exit $status

#!/usr/bin/env bash
# The whole test suite on the real services: start them, run lint and pytest,
# and stop them afterwards whatever happened.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# The services' ports (scripts/services.sh; PG_PORT and the others move
# them), handed to the tests in the variables whisper/settings/test.py reads.
export PG_PORT="${PG_PORT:-55432}" MEMCACHED_PORT="${MEMCACHED_PORT:-51211}" REDIS_PORT="${REDIS_PORT:-56379}"
export DB_PORT="$PG_PORT" MEMCACHED_LOCATION="127.0.0.1:$MEMCACHED_PORT"

# Our servers' ports, reserved from Linux's ephemeral range for the run
# (scripts/reserved-ports.sh); the old value is put back after.
added=1
restore_reserved() { [ "$added" -eq 0 ] && scripts/reserved-ports.sh restore; }
trap 'scripts/services.sh down; restore_reserved' EXIT
scripts/reserved-ports.sh add
added=$?

scripts/services.sh up || exit 1

status=0
echo "== ruff"
$BIN/ruff check . || status=1
$BIN/ruff format --check . >/dev/null || { echo "ruff format: files need formatting"; $BIN/ruff format --check . ; status=1; }
echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=whisper.settings.test $BIN/python manage.py makemigrations --check --dry-run >/dev/null || { echo "missing migrations"; status=1; }
echo "== bandit (medium and high severity fail; each one left is explained by a nosec comment)"
$BIN/bandit -q -c pyproject.toml -r apps whisper -ll || status=1
echo "== import-linter"; $BIN/lint-imports || status=1
echo "== messages (compiled for the tests; every .po up to date with the code and complete: README \"Languages\")"
DJANGO_SETTINGS_MODULE=whisper.settings.test $BIN/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null || status=1
DJANGO_SETTINGS_MODULE=whisper.settings.test scripts/messages.sh check || status=1
echo "== pytest"
$BIN/pytest "$@" || status=$?
exit $status

#!/usr/bin/env bash
# Save PNGs of the key pages, with the demo data, under docs/screenshots/
# (README.md shows them): tests/browser/test_screenshots.py with
# SCREENSHOTS_DIR set. Needs PostgreSQL and memcached: starts them if they are
# not running, and then stops them again afterwards (and only then).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT="${SCREENSHOTS_DIR:-docs/screenshots}"

if ! (exec 3<>"/dev/tcp/127.0.0.1/${PG_PORT:-55432}") 2>/dev/null; then
  scripts/services.sh up || exit 1
  trap 'scripts/services.sh down' EXIT
fi

mkdir -p "$OUT"
SCREENSHOTS_DIR="$(cd "$OUT" && pwd)" \
  WHISPER_TEST_DB="${WHISPER_TEST_DB:-test_whisper_screenshots}" \
  $BIN/pytest tests/browser/test_screenshots.py -q -p no:randomly "$@" || exit $?
echo "screenshots: $(ls "$OUT"/*.png | wc -l) PNGs in $OUT/"

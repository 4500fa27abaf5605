#!/usr/bin/env bash
# Whisper's message catalogs (locale/<lang>/LC_MESSAGES/{django,djangojs}.po).
#
#   scripts/messages.sh update   collect every message of the code into the .po files
#                                (after changing words; then the translators fill them in)
#   scripts/messages.sh check    fail if collecting would change a .po, or leave one with an
#                                untranslated or fuzzy message (make test runs it)
#   scripts/messages.sh compile  the .mo files, with Babel only (make run: no gettext needed)
#
# update and check need GNU gettext (Debian's gettext: scripts/install-system.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LANGS=(de fr es)
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-whisper.settings.dev}"
IGNORE=(--ignore=tests --ignore=bench --ignore=docs --ignore=deploy --ignore=node_modules --ignore=.run
        --ignore="*/migrations/*" --ignore="*.min.js")

collect() {  # into the locale/ of the current directory
  local args=(--no-obsolete --add-location=file "${IGNORE[@]}")
  for lang in "${LANGS[@]}"; do args+=(-l "$lang"); done
  "$BIN/python" manage.py makemessages "${args[@]}" >/dev/null
  "$BIN/python" manage.py makemessages -d djangojs "${args[@]}" >/dev/null
}

case "${1:-}" in
  update)
    collect
    ;;
  check)
    # Collect into a copy, so the check changes nothing in the checkout.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    git ls-files -z --cached --others --exclude-standard | grep -zv '^locale/.*\.mo$' \
      | xargs -0 cp --parents -t "$tmp" 2>/dev/null || true
    ln -s "$PWD/.venv" "$tmp/.venv"
    (cd "$tmp" && collect)
    status=0
    for po in "$tmp"/locale/*/LC_MESSAGES/*.po; do
      name=${po#"$tmp/"}
      untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
      fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
      # msgattrib prints the header entry (msgid "") with any other: it is not a message.
      untranslated=$(( untranslated > 0 ? untranslated - 1 : 0 ))
      fuzzy=$(( fuzzy > 0 ? fuzzy - 1 : 0 ))
      if (( untranslated || fuzzy )); then
        echo "$name: $untranslated untranslated, $fuzzy fuzzy (scripts/messages.sh update, then translate)"
        status=1
      fi
      if ! cmp -s <(grep -v '^"POT-Creation-Date' "$po") <(grep -v '^"POT-Creation-Date' "$name"); then
        echo "$name: not up to date with the code (scripts/messages.sh update)"
        status=1
      fi
    done
    exit $status
    ;;
  compile)
    for domain in django djangojs; do
      "$BIN/pybabel" compile --statistics -d locale -D "$domain" 2>&1 | grep -v '^$' || true
    done
    ;;
  *)
    echo "usage: $0 update|check|compile" >&2
    exit 2
    ;;
esac

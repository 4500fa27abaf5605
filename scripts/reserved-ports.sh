#!/usr/bin/env bash
# Our servers listen on ports inside Linux's ephemeral range (32768-60999), so
# an outgoing connection (to PostgreSQL, say) can hold one as its local port
# just when nginx or a test server wants to listen there. This reserves them
# (as root, where the kernel lets us) for a run of make test or make bench.
#
#   scripts/reserved-ports.sh add       reserve ours; the old value is kept in .run/
#   scripts/reserved-ports.sh restore   put the old value back
#
# The saved file names the process that added them (the caller). "add" while
# that process still runs (a bench during a test run) changes nothing and
# exits 3: only the first caller restores. A file left by a run that died is
# taken over, with the value it saved.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESERVED=/proc/sys/net/ipv4/ip_local_reserved_ports
SAVED="$ROOT/.run/reserved-ports.old"
OURS="51200-52599,55400-56599,58000-58999"

case "${1:-}" in
  add)
    [ -w "$RESERVED" ] || exit 0
    if [ -f "$SAVED" ]; then
      owner="$(head -n 1 "$SAVED")"
      if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
        exit 3
      fi
      old="$(tail -n +2 "$SAVED")"
    else
      # Without our ranges: another checkout's run may have added them, and
      # restoring them after both runs would keep them reserved for good.
      old="$(tr ',' '\n' <"$RESERVED" | grep -vxF "${OURS//,/$'\n'}" | paste -sd, -)"
    fi
    mkdir -p "$ROOT/.run"
    printf '%s\n%s\n' "$PPID" "$old" >"$SAVED"
    echo "$OURS${old:+,$old}" >"$RESERVED" || true
    ;;
  restore)
    [ -w "$RESERVED" ] && [ -f "$SAVED" ] || exit 0
    tail -n +2 "$SAVED" >"$RESERVED" || true
    rm -f "$SAVED"
    ;;
  *) echo "usage: $0 add|restore" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Our servers listen on ports inside Linux's ephemeral range (32768-60999), so
# an outgoing connection (to PostgreSQL, say) can hold one as its local port
# just when nginx or a test server wants to listen there. This reserves them
# (as root, where the kernel lets us) for a run of make test or make bench.
#
#   scripts/reserved-ports.sh add       reserve ours; the old value is kept in .run/
#   scripts/reserved-ports.sh restore   put the old value back
#
# "add" while they are already added (a bench inside a test run) changes
# nothing and says so with exit status 3: only the first caller restores.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESERVED=/proc/sys/net/ipv4/ip_local_reserved_ports
SAVED="$ROOT/.run/reserved-ports.old"
OURS="51200-52299,55400-56599,58000-58999"

case "${1:-}" in
  add)
    [ -w "$RESERVED" ] || exit 0
    # Already added by a run still going (a saved value left by a run that
    # died, while ours are not reserved, is stale: start afresh).
    [ -f "$SAVED" ] && grep -q "${OURS%%,*}" "$RESERVED" && exit 3
    mkdir -p "$ROOT/.run"
    old="$(cat "$RESERVED")"
    echo "$old" >"$SAVED"
    echo "$OURS${old:+,$old}" >"$RESERVED" || true
    ;;
  restore)
    [ -w "$RESERVED" ] && [ -f "$SAVED" ] || exit 0
    cat "$SAVED" >"$RESERVED" || true
    rm -f "$SAVED"
    ;;
  *) echo "usage: $0 add|restore" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Start and stop the real services Whisper's tests use, on loopback, with
# their data under .run/ and ports of their own:
#
#   scripts/services.sh up [postgres|memcached|redis ...]
#   scripts/services.sh down [NAME ...]
#   scripts/services.sh status
#
# It ends only what it started: the processes its own pid files name (and
# postmaster.pid in its own data folder), checked against their command line.
# A port held by anything else is reported with its pid and command, and the
# run stops: free it, or give another port (PG_PORT, MEMCACHED_PORT,
# REDIS_PORT; scripts/test.sh hands the same ones to the tests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="${WHISPER_RUN_DIR:-$ROOT/.run}"
PG_PORT="${PG_PORT:-55432}"
MEMCACHED_PORT="${MEMCACHED_PORT:-51211}"
REDIS_PORT="${REDIS_PORT:-56379}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
ALL=(postgres memcached redis)

mkdir -p "$RUN"
chmod 755 "$RUN"

log() { echo "services: $*"; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# The pid of whatever listens on 127.0.0.1:PORT, if anything.
port_pid() {
  ss -Htlnp "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
}

wait_port() { # port tenths-of-a-second
  local i
  for ((i = 0; i < $2; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Whether pid is alive and its command line holds MARK (our port or folder):
# a pid file may name a pid reused since by someone else's process.
ours() { # pid mark
  pid_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# Stop unless something holds PORT; we never end a process we did not start.
port_free() { # port variable
  local pid who="a process we cannot see"
  wait_port "$1" 1 || return 0
  pid="$(port_pid "$1")"
  [ -n "$pid" ] && who="pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed 's/ $//'))"
  echo "services: port $1 is held by $who, which this checkout did not start; left alone." \
    "Stop it, or set $2 to a free port." >&2
  return 1
}

stop_pidfile() { # pidfile name mark
  local pid
  [ -f "$1" ] || return 0
  pid="$(head -1 "$1" 2>/dev/null || true)"
  if ours "$pid" "$3"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do pid_alive "$pid" || break; sleep 0.1; done
    pid_alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    log "$2 stopped (pid $pid)"
  fi
  rm -f "$1"
}

# PostgreSQL refuses to run as root; it runs as the postgres system user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_up() {
  local data="$RUN/postgres" pid
  pid="$(head -1 "$data/postmaster.pid" 2>/dev/null || true)"
  if ours "$pid" "$data"; then
    wait_port "$PG_PORT" 50 && { log "postgres already running on $PG_PORT"; return 0; }
    echo "services: our postgres (pid $pid) runs, but not on $PG_PORT; scripts/services.sh down first" >&2
    return 1
  fi
  rm -f "$data/postmaster.pid"
  port_free "$PG_PORT" PG_PORT
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"; mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    as_pg "$PG_BIN/initdb" -D "$data" -U whisper --auth=trust -E UTF8 --locale=C.UTF-8 >"$RUN/postgres-initdb.log" 2>&1
  fi
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$data"
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U whisper -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='whisper'" | grep -q 1 \
    || as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U whisper whisper
  log "postgres up on 127.0.0.1:$PG_PORT (data $data)"
}

postgres_down() {
  local data="$RUN/postgres"
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || stop_pidfile "$data/postmaster.pid" postgres "$data"
    log "postgres stopped"
  fi
}

memcached_up() {
  local pidfile="$RUN/memcached.pid"
  if ours "$(cat "$pidfile" 2>/dev/null)" "-p $MEMCACHED_PORT " && wait_port "$MEMCACHED_PORT" 5; then
    log "memcached already running on $MEMCACHED_PORT"; return 0
  fi
  stop_pidfile "$pidfile" memcached "memcached -l 127.0.0.1"
  port_free "$MEMCACHED_PORT" MEMCACHED_PORT
  local user=()
  [ "$(id -u)" -eq 0 ] && user=(-u nobody)
  # In the foreground of a detached shell so that we, not memcached (which
  # drops to an unprivileged user), write the pid file.
  setsid memcached -l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 64 -c 1024 "${user[@]}" \
    >"$RUN/memcached.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_port "$MEMCACHED_PORT" 100 || { echo "services: memcached did not start" >&2; return 1; }
  log "memcached up on 127.0.0.1:$MEMCACHED_PORT"
}

memcached_down() { stop_pidfile "$RUN/memcached.pid" memcached "memcached -l 127.0.0.1"; }

redis_up() {
  local pidfile="$RUN/redis.pid" dir="$RUN/redis"
  if ours "$(cat "$pidfile" 2>/dev/null)" "127.0.0.1:$REDIS_PORT" && wait_port "$REDIS_PORT" 5; then
    log "redis already running on $REDIS_PORT"; return 0
  fi
  stop_pidfile "$pidfile" redis redis-server
  port_free "$REDIS_PORT" REDIS_PORT
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" --daemonize yes \
    --pidfile "$pidfile" --logfile "$dir/redis.log" --save "" --appendonly yes >/dev/null
  wait_port "$REDIS_PORT" 100 || { echo "services: redis did not start" >&2; return 1; }
  log "redis up on 127.0.0.1:$REDIS_PORT"
}

redis_down() { stop_pidfile "$RUN/redis.pid" redis redis-server; }

cmd="${1:-status}"; shift || true
names=("$@"); [ ${#names[@]} -eq 0 ] && names=("${ALL[@]}")

case "$cmd" in
  up) for n in "${names[@]}"; do "${n}_up"; done ;;
  down) for n in "${names[@]}"; do "${n}_down"; done ;;
  status)
    for p in "postgres $PG_PORT" "memcached $MEMCACHED_PORT" "redis $REDIS_PORT"; do
      set -- $p
      if wait_port "$2" 2; then echo "$1: up on $2"; else echo "$1: down"; fi
    done ;;
  *) echo "usage: $0 up|down|status [postgres|memcached|redis ...]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Start and stop the real services Whisper's tests use, on loopback, with
# their data under .run/ and ports of their own:
#
#   scripts/services.sh up [postgres|memcached|redis ...]
#   scripts/services.sh down [NAME ...]
#   scripts/services.sh status
#
# Copes with leftovers of an earlier run: a stale pid file is removed, and a
# port still held by a process of the same kind started from this checkout
# is freed before starting again.
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

# Free PORT if a leftover holds it: only processes named like NAME are killed.
free_port() { # port name
  local pid
  pid="$(port_pid "$1")"
  [ -z "$pid" ] && return 0
  if grep -q "$2" "/proc/$pid/comm" 2>/dev/null; then
    log "port $1 held by a leftover $2 (pid $pid); stopping it"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do pid_alive "$pid" || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    sleep 0.2
  else
    echo "services: port $1 is taken by another program ($(cat /proc/$pid/comm 2>/dev/null)); set ${2^^}_PORT" >&2
    return 1
  fi
}

stop_pidfile() { # pidfile name
  local pid
  [ -f "$1" ] || return 0
  pid="$(head -1 "$1" 2>/dev/null || true)"
  if pid_alive "$pid"; then
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
  local data="$RUN/postgres"
  if [ -f "$data/postmaster.pid" ] && pid_alive "$(head -1 "$data/postmaster.pid")" \
     && wait_port "$PG_PORT" 5; then
    log "postgres already running on $PG_PORT"; return 0
  fi
  rm -f "$data/postmaster.pid"
  free_port "$PG_PORT" postgres
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
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || stop_pidfile "$data/postmaster.pid" postgres
    log "postgres stopped"
  fi
}

memcached_up() {
  local pidfile="$RUN/memcached.pid"
  if [ -f "$pidfile" ] && pid_alive "$(cat "$pidfile")" && wait_port "$MEMCACHED_PORT" 5; then
    log "memcached already running on $MEMCACHED_PORT"; return 0
  fi
  stop_pidfile "$pidfile" memcached
  free_port "$MEMCACHED_PORT" memcached
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

memcached_down() { stop_pidfile "$RUN/memcached.pid" memcached; }

redis_up() {
  local pidfile="$RUN/redis.pid" dir="$RUN/redis"
  if [ -f "$pidfile" ] && pid_alive "$(cat "$pidfile")" && wait_port "$REDIS_PORT" 5; then
    log "redis already running on $REDIS_PORT"; return 0
  fi
  stop_pidfile "$pidfile" redis
  free_port "$REDIS_PORT" redis
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" --daemonize yes \
    --pidfile "$pidfile" --logfile "$dir/redis.log" --save "" --appendonly yes >/dev/null
  wait_port "$REDIS_PORT" 100 || { echo "services: redis did not start" >&2; return 1; }
  log "redis up on 127.0.0.1:$REDIS_PORT"
}

redis_down() { stop_pidfile "$RUN/redis.pid" redis; }

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

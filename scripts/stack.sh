#!/usr/bin/env bash
# Whisper's production-like stack on loopback: nginx in front of gunicorn
# node(s), a celery worker and celery beat under supervisord, on the
# PostgreSQL, memcached and Redis of scripts/services.sh.
#
#   scripts/stack.sh up            configs, database, migrations, static files; start; wait until it answers
#   scripts/stack.sh down          stop nginx and supervisord (graceful, then kill), and any leftover
#   scripts/stack.sh restart       down, then up (picks up new code)
#   scripts/stack.sh status
#   scripts/stack.sh prepare       everything "up" does before starting anything
#   scripts/stack.sh manage ARGS   manage.py with the stack's settings and database
#
# Environment (defaults in brackets):
#   NGINX_PORT [58080]   GUNICORN_PORTS ["58001"; a comma list: one supervised gunicorn per port]
#   WEB_CONCURRENCY [3]  GUNICORN_WORKER_CLASS [sync]  GUNICORN_THREADS [1]
#   STACK_SETTINGS [bench.settings]  STACK_DB_NAME [whisper_stack]
#   STACK_WSGI [bench.wsgi:application with bench.settings, else whisper.wsgi:application]:
#     the app gunicorn loads (bench.wsgi: the site, plus /bench/bare/ through Django's default middleware)
#   STACK_RUN_DIR [.run/stack]  STACK_CACHE_PREFIX [stack]  STACK_BROKER_URL [redis://…:REDIS_PORT/1]
#   NGINX_ACCESS_LOG [buffered | off]
#   STACK_SKIP_PREPARE=1: "up" skips migrate/collectstatic (just done by "prepare")
#
# Everything it writes (configs, pid files, logs, static and media) is under
# STACK_RUN_DIR. It never stops the services of scripts/services.sh: other
# people's tests use them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
RUN="${STACK_RUN_DIR:-$ROOT/.run/stack}"
mkdir -p "$RUN"
RUN="$(cd "$RUN" && pwd)"
NGINX_PORT="${NGINX_PORT:-58080}"
GUNICORN_PORTS="${GUNICORN_PORTS:-58001}"
PG_PORT="${PG_PORT:-55432}"
MEMCACHED_PORT="${MEMCACHED_PORT:-51211}"
REDIS_PORT="${REDIS_PORT:-56379}"
NGINX_PID="$RUN/nginx/nginx.pid"
SUPERVISOR_PID="$RUN/supervisord.pid"

# The stack's environment, all of it explicit: variables of the caller (a
# test run's DB_NAME, say) never point the stack at somebody else's data.
export STACK_RUN_DIR="$RUN" WHISPER_STACK="$RUN" VENV
export DJANGO_SETTINGS_MODULE="${STACK_SETTINGS:-bench.settings}"
export DB_NAME="${STACK_DB_NAME:-whisper_stack}" DB_USER=whisper DB_HOST=127.0.0.1 DB_PORT="$PG_PORT"
export MEMCACHED_LOCATION="127.0.0.1:$MEMCACHED_PORT" CACHE_KEY_PREFIX="${STACK_CACHE_PREFIX:-stack}"
export CELERY_BROKER_URL="${STACK_BROKER_URL:-redis://127.0.0.1:$REDIS_PORT/1}"
export STATIC_ROOT="$RUN/static" MEDIA_ROOT="$RUN/media" TIMELOG_LOG="$RUN/timelog.log"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-3}" GUNICORN_WORKER_CLASS="${GUNICORN_WORKER_CLASS:-sync}"
export NGINX_PORT GUNICORN_PORTS PYTHONUNBUFFERED=1
if [ "$DJANGO_SETTINGS_MODULE" = "bench.settings" ]; then
  STACK_WSGI="${STACK_WSGI:-bench.wsgi:application}"
else
  STACK_WSGI="${STACK_WSGI:-whisper.wsgi:application}"
fi
[[ "$STACK_WSGI" =~ ^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$ ]] || {
  echo "stack: STACK_WSGI must look like module.path:name, not '$STACK_WSGI'" >&2
  exit 2
}
export STACK_WSGI
unset DB_PASSWORD DB_PASSWORD_FILE WHISPER_TEST_DB
umask 022

log() { echo "stack: $*"; }
die() { echo "stack: $*" >&2; exit 1; }

# Alive and not a zombie (nobody may reap an orphan here, and a zombie answers kill -0).
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat:0:1}" != "Z" ]
}
pidfile_pid() {
  if [ -f "$1" ]; then head -1 "$1" 2>/dev/null | tr -cd '0-9' || true; fi
}

gunicorn_ports() { tr ',' ' ' <<<"$GUNICORN_PORTS"; }
all_ports() { echo "$NGINX_PORT $(gunicorn_ports)"; }

# The pid of whatever listens on 127.0.0.1:PORT, if anything.
port_pid() {
  ss -Htlnp "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
}

http_code() { # url -> the status code, 000 when nothing answers
  curl -s -o /dev/null -m 5 -w '%{http_code}' -H "Host: 127.0.0.1" "$1" 2>/dev/null || true
}

# This script and the processes that started it: never treated as leftovers.
declare -A KEEP=()
keep_ancestors() {
  local pid=$$ ppid
  KEEP[$$]=1
  KEEP[$BASHPID]=1
  while [ "$pid" -gt 1 ] 2>/dev/null; do
    ppid="$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null || true)"
    [ -z "$ppid" ] && break
    KEEP[$ppid]=1
    pid="$ppid"
  done
}

# True when PID belongs to this stack: started with WHISPER_STACK=$RUN in its
# environment, a path under $RUN on its command line (nginx -c, supervisord -c,
# gunicorn --pid), or an nginx running in $RUN/nginx (its workers retitle
# themselves, but keep the directory the master was started in). The helpers
# the check itself runs have exited before the next pid is looked at.
is_ours() {
  local pid="$1" item comm=""
  local -a parts=()
  [ -n "${KEEP[$pid]:-}" ] && return 1
  [ "$pid" = "$BASHPID" ] && return 1
  mapfile -d "" -t parts 2>/dev/null <"/proc/$pid/cmdline" || return 1
  for item in "${parts[@]}"; do [[ "$item" == *"$RUN/"* ]] && return 0; done
  read -r comm 2>/dev/null <"/proc/$pid/comm" || true
  if [ "$comm" = "nginx" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null || true)" = "$RUN/nginx" ]; then
    return 0
  fi
  mapfile -d "" -t parts 2>/dev/null <"/proc/$pid/environ" || return 1
  for item in "${parts[@]}"; do [ "$item" = "WHISPER_STACK=$RUN" ] && return 0; done
  return 1
}

stack_pids() {
  local entry pid
  for entry in /proc/[0-9]*; do
    pid="${entry#/proc/}"
    is_ours "$pid" && echo "$pid"
  done
  return 0
}

# A pid file's process, if it is still alive and still ours (pids get reused).
our_pid() { pid_alive "${1:-}" && is_ours "$1"; }

# Signal PIDs, wait up to SECONDS for them to exit, then SIGKILL what is left.
stop_pids() { # signal seconds pid...
  local sig="$1" secs="$2" pid i alive
  shift 2
  [ $# -eq 0 ] && return 0
  kill "-$sig" "$@" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    alive=0
    for pid in "$@"; do pid_alive "$pid" && alive=1; done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do
    if pid_alive "$pid"; then
      log "pid $pid did not stop in ${secs}s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}

ensure_database() {
  [[ "$DB_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || die "STACK_DB_NAME must be a plain lowercase name, not '$DB_NAME'"
  local q=(psql -h 127.0.0.1 -p "$PG_PORT" -U whisper -d postgres -v ON_ERROR_STOP=1 -tAq)
  if ! "${q[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    # A concurrent "up" may win the race: only a database still missing is an error.
    "${q[@]}" -c "CREATE DATABASE \"$DB_NAME\"" 2>/dev/null \
      || "${q[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
      || die "could not create database $DB_NAME"
    log "created database $DB_NAME"
  fi
}

render_configs() {
  "$ROOT/scripts/services.sh" up
  mkdir -p "$RUN/logs" "$RUN/nginx/logs" "$RUN/nginx/tmp" "$RUN/nginx/cache" "$STATIC_ROOT" "$MEDIA_ROOT"
  chmod 755 "$RUN" "$STATIC_ROOT" "$MEDIA_ROOT"
  "$PY" "$ROOT/deploy/render.py" "$RUN" >/dev/null
}

prepare() {
  render_configs
  ensure_database
  cd "$ROOT"
  log "migrate ($DJANGO_SETTINGS_MODULE, database $DB_NAME)"
  "$PY" manage.py migrate --noinput -v 0
  log "collectstatic into $STATIC_ROOT"
  "$PY" manage.py collectstatic --noinput -v 0
  local offline out
  offline="$("$PY" -c 'import django; django.setup(); from django.conf import settings as s; print(int(bool(s.COMPRESS_ENABLED and s.COMPRESS_OFFLINE)))')"
  if [ "$offline" = "1" ]; then
    if out="$("$PY" manage.py compress --force 2>&1)"; then
      log "compress: done"
    elif grep -q "No 'compress' template tags found" <<<"$out"; then
      log "compress: no {% compress %} blocks in the templates yet; nothing to do"
    else
      echo "$out" >&2
      die "manage.py compress failed"
    fi
  fi
}

# Free our ports: a leftover of this stack is stopped, anything else is an error.
free_ports() {
  local port pid
  for port in $(all_ports); do
    pid="$(port_pid "$port")"
    [ -z "$pid" ] && continue
    if is_ours "$pid"; then
      log "port $port held by a leftover of this stack (pid $pid, $(cat "/proc/$pid/comm" 2>/dev/null)); stopping it"
      stop_pids TERM 10 "$pid"
    else
      die "port $port is taken by another program ($(cat "/proc/$pid/comm" 2>/dev/null), pid $pid); set NGINX_PORT / GUNICORN_PORTS"
    fi
  done
}

supervisor_status() {
  "$VENV/bin/supervisorctl" -c "$RUN/supervisord.conf" status 2>/dev/null || true
}

show_logs() {
  local f
  for f in "$RUN"/logs/*.log "$RUN/nginx/logs/error.log"; do
    [ -s "$f" ] || continue
    echo "---- $f (last lines)" >&2
    tail -n 25 "$f" >&2
  done
}

# Every supervised program RUNNING (past its startsecs), none starting or failed.
all_running() {
  local out
  out="$(supervisor_status)"
  [ -n "$out" ] && ! grep -qv "RUNNING" <<<"$out"
}

# Wait until every program runs, every gunicorn node answers and nginx proxies to them.
wait_ready() {
  local i port code ready
  for ((i = 0; i < 900; i++)); do
    ready=1
    all_running || ready=0
    for port in $(gunicorn_ports); do
      [ "$(http_code "http://127.0.0.1:$port/health/")" = "000" ] && ready=0
    done
    if [ "$ready" -eq 1 ]; then
      code="$(http_code "http://127.0.0.1:$NGINX_PORT/health/")"
      case "$code" in
        000 | 502 | 504) ;;
        *) log "up: http://127.0.0.1:$NGINX_PORT/ (nginx → gunicorn $GUNICORN_PORTS; /health/ says $code)"; return 0 ;;
      esac
    fi
    if ((i % 20 == 19)) && supervisor_status | grep -q FATAL; then
      supervisor_status >&2
      show_logs
      die "a supervised program failed to start"
    fi
    sleep 0.1
  done
  supervisor_status >&2
  show_logs
  die "the stack did not answer within 90 s"
}

running() {
  our_pid "$(pidfile_pid "$SUPERVISOR_PID")" && our_pid "$(pidfile_pid "$NGINX_PID")"
}

up() {
  if running; then
    log "already running"
    wait_ready
    return 0
  fi
  # Half up (one of them died) or leftovers: start from a clean slate.
  down quiet
  if [ -n "${STACK_SKIP_PREPARE:-}" ]; then render_configs; else prepare; fi
  free_ports
  log "starting supervisord (gunicorn $STACK_WSGI on $GUNICORN_PORTS, celery worker, celery beat)"
  "$VENV/bin/supervisord" -c "$RUN/supervisord.conf"
  local i
  for ((i = 0; i < 100; i++)); do pid_alive "$(pidfile_pid "$SUPERVISOR_PID")" && break; sleep 0.1; done
  pid_alive "$(pidfile_pid "$SUPERVISOR_PID")" || { show_logs; die "supervisord did not start"; }
  log "starting nginx on 127.0.0.1:$NGINX_PORT"
  local nginx=(nginx -c "$RUN/nginx/nginx.conf" -p "$RUN/nginx/" -e "$RUN/nginx/logs/error.log")
  (cd "$RUN/nginx" && "${nginx[@]}" -t -q) || die "nginx rejected $RUN/nginx/nginx.conf"
  (cd "$RUN/nginx" && "${nginx[@]}")
  wait_ready
}

down() {
  local quiet="${1:-}" pid pids port
  pid="$(pidfile_pid "$NGINX_PID")"
  if our_pid "$pid"; then
    stop_pids QUIT 15 "$pid" # graceful: requests in flight finish
    log "nginx stopped (pid $pid)"
  fi
  rm -f "$NGINX_PID"
  pid="$(pidfile_pid "$SUPERVISOR_PID")"
  if our_pid "$pid"; then
    # supervisord stops its programs (each with its stopsignal) before it exits.
    stop_pids TERM 90 "$pid"
    log "supervisord and its programs stopped (pid $pid)"
  fi
  rm -f "$SUPERVISOR_PID" "$RUN/supervisor.sock"
  mapfile -t pids < <(stack_pids)
  if [ ${#pids[@]} -gt 0 ]; then
    log "stopping leftovers of this stack: ${pids[*]}"
    stop_pids TERM 10 "${pids[@]}"
  fi
  rm -f "$RUN"/gunicorn-*.pid "$RUN"/gunicorn-*.ctl
  for port in $(all_ports); do
    pid="$(port_pid "$port")"
    [ -n "$pid" ] && echo "stack: port $port is still held by $(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid), not ours" >&2
  done
  [ -z "$quiet" ] && log "down"
  return 0
}

# Exits 0 when nginx and supervisord both run, 1 otherwise.
status() {
  local pid
  pid="$(pidfile_pid "$NGINX_PID")"
  if our_pid "$pid"; then echo "nginx: running (pid $pid) on 127.0.0.1:$NGINX_PORT"; else echo "nginx: stopped"; fi
  pid="$(pidfile_pid "$SUPERVISOR_PID")"
  if our_pid "$pid"; then
    echo "supervisord: running (pid $pid)"
    supervisor_status
  else
    echo "supervisord: stopped"
  fi
  running
}

keep_ancestors
cmd="${1:-status}"
shift || true
case "$cmd" in
  up) up ;;
  down) down ;;
  restart) down && up ;;
  status) status ;;
  prepare) prepare ;;
  manage) cd "$ROOT" && exec "$PY" manage.py "$@" ;;
  *) echo "usage: $0 up|down|restart|status|prepare|manage [ARGS]" >&2; exit 2 ;;
esac

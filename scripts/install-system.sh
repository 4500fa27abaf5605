#!/usr/bin/env bash
# Install the Debian packages Whisper's tests, benchmark and deploy need.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

# command-to-check  debian-package
NEEDED=(
  "/usr/lib/postgresql/15/bin/postgres postgresql"
  "/usr/bin/memcached memcached"
  "/usr/bin/redis-server redis-server"
  "/usr/sbin/nginx nginx-light"
  "/usr/bin/chromium chromium"
  "/usr/bin/npm npm"
  "/usr/bin/wrk wrk"
  "/usr/sbin/sshd openssh-server"
  "/usr/bin/ss iproute2"
  "/usr/bin/fuser psmisc"
  "/usr/bin/openssl openssl"
  "/usr/bin/msgfmt gettext"
)

missing=()
for pair in "${NEEDED[@]}"; do
  set -- $pair
  [ -x "$1" ] || missing+=("$2")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-system: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system: need root to apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packages start system-wide daemons on their default ports; ours run on
# ports of their own under .run/, so stop the system ones to leave the machine quiet.
for svc in postgresql memcached redis-server nginx ssh; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || service "$svc" stop 2>/dev/null || true
done

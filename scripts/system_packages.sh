#!/bin/sh
# System packages the tests need, from Debian: installed once, skipped when present (dpkg -s),
# so a repeated `make test` stays fast. Run as root (the project machine), or with sudo.
#   redis-server: the Celery broker the queue test starts on 127.0.0.1 (tests/test_queue.py)
set -e
missing=""
for package in redis-server; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
echo "installing system packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/usr/bin/env bash
# System packages brevgen and its tests need, from Debian's archive: libharfbuzz-subset0, with
# which WeasyPrint subsets the letter fonts (without it WeasyPrint falls back to fontTools: slower,
# and it warns); Chromium for the web app's browser tests (driven by Playwright with
# executable_path=/usr/bin/chromium; never `playwright install`); PostgreSQL for the store tests (a
# throwaway server per test run); Redis for the queue test (the Celery broker, started on
# 127.0.0.1 by tests/test_queue.py); LibreOffice Writer without a GUI for the Word template's test
# (tests/test_docx_layout.py converts DOCX letters to PDF and compares them with WeasyPrint's).
# Idempotent and quiet: a package already installed (dpkg -s)
# is skipped, so a repeated `make test` stays fast; apt-get update runs only when something is to
# be installed.
set -euo pipefail
missing=()
for package in libharfbuzz-subset0 chromium postgresql redis-server libreoffice-writer-nogui; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

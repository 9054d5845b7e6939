#!/usr/bin/env bash
# Setup for benchmark 6: LibreOffice Writer without a GUI (Debian's libreoffice-writer-nogui),
# the tool a municipality would otherwise use to turn mail-merged DOCX letters into PDF.
# Needs root (or sudo) and Debian's package archive. `make setup` installs it too
# (scripts/setup_system.sh: the Word template's test converts DOCX letters with it).
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
    echo "LibreOffice present: $(soffice --version 2>/dev/null | head -1)"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends libreoffice-writer-nogui

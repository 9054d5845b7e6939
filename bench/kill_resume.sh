#!/bin/bash
# Issue 17: a batch killed part-way resumes, rebuilding only what changed.
#   bench/kill_resume.sh [YOUTHS] [STOP_AFTER] [WORK]      (defaults: 5000 6000 /tmp/brevgen-kill-resume)
# Writes an invented register (bench/scale_register.py), runs `transition invite --workers 2`
# stopped hard after STOP_AFTER letters (BREVGEN_STOP_AFTER: the process ends like a kill, without
# clean-up), runs the same command again to resume, then a third time (nothing left to do), and
# prints what each run's summary says it wrote and kept. Takes as long as one full run and a bit.
set -u
cd "$(dirname "$0")/.."
YOUTHS=${1:-5000}; STOP=${2:-6000}; W=${3:-/tmp/brevgen-kill-resume}
rm -rf "$W"; mkdir -p "$W"
.venv/bin/python -m bench.scale_register "$YOUTHS" "$W/register.csv" > /dev/null
run() { .venv/bin/brevgen transition invite --register "$W/register.csv" --meeting 2027-02-10 --out "$W/out" --workers 2 "$@"; }
BREVGEN_STOP_AFTER=$STOP run > "$W/killed.txt" 2>&1; echo "killed run: exit $? after $STOP letters"
run > "$W/resumed.txt" 2>&1; echo "resumed run: exit $?"
grep -E "written now|parts written now" "$W/resumed.txt"
run > "$W/again.txt" 2>&1; echo "third run: exit $?"
grep -E "written now|parts written now" "$W/again.txt"
echo "manifest rows: $(($(wc -l < "$W/out/manifest.csv") - 1)); parts: $(($(wc -l < "$W/out/print_parts.csv") - 1))"

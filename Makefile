# Two entry points, both usable on a fresh clone: `make example` and `make test`.
# Setup is a virtual environment in .venv with the package and its test extras installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system example test clean bench bytecode

setup: system $(STAMP)

# Debian packages brevgen and its tests need (libharfbuzz-subset0, Chromium, PostgreSQL, Redis,
# LibreOffice Writer);
# skipped quickly when present.
system:
	@bash scripts/setup_system.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# pip compiles the libraries it installs, but not an editable package; where Python may not write
# bytecode itself (PYTHONDONTWRITEBYTECODE, as in CI) each cold start would compile generator/ anew.
bytecode:
	$(BIN)/python -m compileall -q generator > /dev/null

# The main job on the bundled (invented) example data; everything lands in output/.
example: setup
	$(BIN)/brevgen check
	@# brevgen never overwrites a letter; the examples are rewritten from scratch on each run.
	rm -rf output/letters output/guidance
	$(BIN)/brevgen guidance content/examples/guidance --out output/guidance
	$(BIN)/brevgen letter content/examples/cases --out output/letters
	$(BIN)/brevgen leaflet content/leaflets --out output/leaflets
	@# exit status 1 = findings: the example register has deliberately bad rows (reported in errors.csv)
	$(BIN)/brevgen transition invite --register content/examples/transition/register.csv --meeting 2027-02-10 --out output/transition; test $$? -le 1
	$(BIN)/brevgen transition overview --register content/examples/transition/register.csv --as-of 2026-07-01 --out output/transition
	$(BIN)/brevgen send output/letters output/guidance output/transition

test: setup system
	$(BIN)/pytest

# The benchmarks of bench/ (a few minutes; installs LibreOffice for benchmark 6 via apt-get).
# `make bench BENCH_ARGS="1 2 --rounds 30"` picks some; add --record to update bench/RESULTS.md.
bench: setup bytecode
	bash bench/setup.sh
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf output/* $(VENV)

# Two entry points, both usable on a fresh clone: `make example` and `make test`.
# Setup is a virtual environment in .venv with the package and its test extras installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup example test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job on the bundled (invented) example data; everything lands in output/.
example: setup
	$(BIN)/brevgen check
	$(BIN)/brevgen guidance content/examples/guidance --out output/guidance
	$(BIN)/brevgen letter content/examples/cases --out output/letters

test: setup
	$(BIN)/pytest

clean:
	rm -rf output/* $(VENV)

"""Fuzz (hypothesis): random bytes and random YAML/CSV structures into the case and register
loaders. Every outcome is success or exit 2 with a `brevgen: error:` line; never a traceback,
within a time bound and a memory bound (RLIMIT_AS is not used: the whole process would die)."""

from __future__ import annotations

import csv
import io
import resource
import time

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import app
from generator.register import COLUMNS

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates().map(str), st.sampled_from(["2026-02-30", "9999-12-31", "=1+1"]))
keys = st.sampled_from(["case_number", "provision", "decision", "department", "dated", "recipients", "facts",
                        "name", "channel", "role", "phrases", "params", "id", "x"])
structures = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(keys, inner, max_size=5)), max_leaves=20)


def check(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert "brevgen: error:" in result.output or "Error:" in result.output
    assert "Traceback" not in result.output


def run(*args) -> None:
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    check(CliRunner().invoke(app, [str(a) for a in args]))
    assert time.monotonic() - started < 20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000  # KB


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_case_file(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "case.yaml").write_bytes(data)
    run("letter", folder / "case.yaml", "--out", folder / "o", "--format", "html")


@SETTINGS
@given(data=structures)
def test_random_yaml_structures_as_a_case_file(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "case.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run("letter", folder / "case.yaml", "--out", folder / "o", "--format", "html")


cells = st.one_of(st.text(max_size=20), st.sampled_from(["youth", "custody", "post", "digital", "2011-01-01",
                                                         "2011-02-30", "9999", "0101111234", "U1"]))


@SETTINGS
@given(header=st.permutations(COLUMNS), rows=st.lists(st.lists(cells, min_size=0, max_size=11), max_size=6),
       delimiter=st.sampled_from([",", ";"]))
def test_random_registers(tmp_path_factory, header, rows, delimiter):
    folder = tmp_path_factory.mktemp("fuzz")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    (folder / "register.csv").write_text(buffer.getvalue(), encoding="utf-8")
    run("transition", "invite", "--register", folder / "register.csv", "--meeting", "2027-02-10",
        "--out", folder / "o", "--dry-run")
    run("transition", "overview", "--register", folder / "register.csv", "--as-of", "2026-07-01", "--out", folder / "v")


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_register(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "register.csv").write_bytes(data)
    run("transition", "invite", "--register", folder / "register.csv", "--meeting", "2027-02-10",
        "--out", folder / "o", "--dry-run")


@SETTINGS
@given(value=st.one_of(st.text(max_size=20), st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(-10**30, 10**30), st.none(), st.booleans(),
                       st.from_regex(r"-?[0-9]{1,12}([.,][0-9]{0,4}){0,3}", fullmatch=True)))
def test_money_parameters_are_a_sane_amount_or_refused(value):
    """Item 5 of issue 16 (built in params.py by issue 10): anything typed as an amount is a
    Decimal between 0 and the bound, or a ParamError; never another exception, inf or nan."""
    from decimal import Decimal

    from generator.loading import read_yaml_text
    from generator.params import MONEY_MAX, ParamError, parse_money

    for candidate in (value, *([read_yaml_text(f"v: {value}\n", "case.yaml")[0]["v"]] if isinstance(value, str)
                               and value.strip() and value.strip()[0].isdigit() else [])):
        try:
            amount = parse_money(candidate)
        except ParamError:
            continue
        assert isinstance(amount, Decimal) and amount.is_finite() and Decimal(0) <= amount <= MONEY_MAX

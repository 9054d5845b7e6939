"""Typed phrase parameters: Danish amounts, refused values, amounts tied to the rate table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from generator.errors import BrevgenError
from generator.loading import read_yaml_text
from generator.params import ParamError, ParamSpec, parse_date, parse_int, parse_money, parse_text, typed
from generator.phrases import Phrase, PhraseLibrary

from conftest import EXAMPLES, d


def yaml_value(text: str):
    """A value as brevgen's loader reads it from a case file (numbers keep their text)."""
    data, _ = read_yaml_text(f"v: {text}\n", "case.yaml")
    return data["v"]


@pytest.mark.parametrize(
    "written, amount",
    [("2400", "2400"), ("2.400", "2400"), ('"2.400"', "2400"), ('"2.400,50"', "2400.50"), ('"2400,5"', "2400.5"),
     ('"12.345.678"', None), ('"1.234.567,89"', "1234567.89"), ("0", "0"), ('"2.400 kr."', "2400"), ("7212", "7212")],
)
def test_danish_amounts(written, amount):
    if amount is None:  # above the sane bound
        with pytest.raises(ParamError, match="above"):
            parse_money(yaml_value(written))
        return
    assert parse_money(yaml_value(written)) == Decimal(amount)


@pytest.mark.parametrize(
    "written, why",
    [(".inf", "not an amount"), (".nan", "not an amount"), ("-.inf", "negative"), ("null", "empty"), ("~", "empty"),
     ("tusind", "not an amount"), ("-5", "below"), ('"-5"', "negative"), ("2.4", "not an amount"), ("2.40", "not an amount"),
     ('"2,400"', "not an amount"), ("1e3", "not an amount"), ("true", "yes/no"), ("[1, 2]", "not an amount"),
     ("99999999", "above"), ('"2.400,505"', "not an amount"), ("2400.5", "not an amount")],
)
def test_refused_amounts(written, why):
    with pytest.raises(ParamError, match=why):
        parse_money(yaml_value(written))


def test_float_without_its_text_is_only_taken_when_whole():
    assert parse_money(2400.0) == Decimal(2400)
    for value in (2.4, float("inf"), float("nan")):
        with pytest.raises(ParamError):
            parse_money(value)


def test_other_types():
    assert parse_int(yaml_value("3")) == 3 and parse_int(yaml_value("2.400")) == 2400
    with pytest.raises(ParamError, match="outside"):
        parse_int(5, ParamSpec(type="int", max=4))
    with pytest.raises(ParamError):
        parse_int(yaml_value("3.5"))
    assert parse_date(yaml_value("2026-06-01")) == dt.date(2026, 6, 1)
    with pytest.raises(ParamError, match="YYYY-MM-DD"):
        parse_date("1. juni 2026")
    with pytest.raises(ParamError, match="plausible"):
        parse_date("3026-06-01")
    assert parse_text("  to   linjer\n") == "to linjer"
    with pytest.raises(ParamError, match="not a text"):
        parse_text(yaml_value("12"))


def test_a_rate_tied_amount_is_taken_from_the_table_and_a_contradiction_names_both_figures():
    specs = {"graense": ParamSpec(type="money", rate="kompensation_minimum"), "beloeb": ParamSpec(type="money")}
    rates = {"kompensation_minimum": Decimal(6660)}
    assert typed("p", specs, {"beloeb": "2.400"}, rates)["graense"] == Decimal(6660)
    assert typed("p", specs, {"beloeb": "2.400", "graense": "6.660"}, rates)["graense"] == Decimal(6660)
    with pytest.raises(BrevgenError) as caught:
        typed("p", specs, {"beloeb": 2400, "graense": 7212}, rates, d("2026-11-10"))
    message = str(caught.value)
    assert "phrase 'p': parameter 'graense'" in message
    assert "7.212 kr." in message and "6.660 kr." in message and "kompensation_minimum" in message
    with pytest.raises(BrevgenError, match="has no amount for 'kompensation_minimum'"):
        typed("p", specs, {"beloeb": 1}, {})
    with pytest.raises(BrevgenError, match="unknown parameter 'belob'.*takes: beloeb, graense"):
        typed("p", specs, {"belob": 1}, rates, strict_names=True)


def test_phrase_declarations_are_checked():
    with pytest.raises(ValueError, match="only a money parameter"):
        ParamSpec(type="int", rate="kompensation_minimum")
    phrase = Phrase.model_validate({"id": "x", "version": 1, "title": "x", "text": "{{ n | kroner }}",
                                    "params": {"n": "money"}, "valid_from": "2016-01-01", "owner": "o",
                                    "reviewed": "2026-01-01"})
    library = PhraseLibrary({"x": phrase}, {}, {"x": "test"})
    assert library.render("x", {"n": "2.400,50"}).blocks[0].text == "2.400,50 kr."
    with pytest.raises(BrevgenError, match="phrase 'x': parameter 'n' 'abc' is not an amount"):
        library.render("x", {"n": "abc"})


# --- through brevgen letter: the caseworker's typed amounts ----------------------------------------


CASE = EXAMPLES / "cases" / "sel-100-afslag.yaml"


def write_case(tmp_path: Path, params: str, name: str = "case.yaml") -> Path:
    text = CASE.read_text(encoding="utf-8").replace('    params: {beloeb: "2.400"}', f"    params: {params}")
    assert text != CASE.read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unquoted_danish_amount_in_a_case_file_means_thousands(tmp_path, run_cli):
    out = tmp_path / "out"
    result = run_cli("letter", write_case(tmp_path, "{beloeb: 2.400}"), "--out", out, "--format", "html")
    assert result.exit_code == 0, result.output
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "2.400 kr. om året" in html and "2,40 kr." not in html


@pytest.mark.parametrize(
    "params, expected",
    [("{beloeb: .inf}", "'.inf' is not an amount"), ("{beloeb: .nan}", "'.nan' is not an amount"),
     ("{beloeb: null}", "is empty"), ("{beloeb: mange}", "'mange' is not an amount"), ("{beloeb: -100}", "below"),
     ("{beloeb: 50000000}", "above"), ("{beloeb: 2400, graense: 7212}", "7.212 kr. (7212) contradicts the rate table, which says 6.960 kr."),
     ("{beloeb: 2400, grænse: 6660}", "unknown parameter 'grænse'")],
)
def test_bad_amounts_are_refused_naming_file_phrase_and_parameter(tmp_path, run_cli, params, expected):
    out = tmp_path / "out"
    result = run_cli("letter", write_case(tmp_path, params), "--out", out)
    assert result.exit_code == 2
    assert "case.yaml: phrases[0].params: phrase 'begrundelse.valgt.kompensation.gruppe1-under-minimum'" in result.stderr
    assert expected in result.stderr
    assert not out.exists()  # nothing half-written

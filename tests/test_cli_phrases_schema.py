"""`brevgen phrases`, `brevgen schema case` and `brevgen user add`: what editors, integrators and
operators use on the command line."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from generator.case import CaseFile
from generator.cli import app

from conftest import EXAMPLES


def run(*args, input=None, env=None):
    return CliRunner().invoke(app, list(args), input=input, env=env)


def test_phrases_lists_what_fits_with_parameters():
    result = run("phrases", "--provision", "sel-85", "--decision", "partly_granted", "--dated", "2026-05-11", "--json")
    assert result.exit_code == 0, result.output
    phrases = {p["id"]: p for p in json.loads(result.output)}
    assert "begrundelse.valgt.timer" in phrases
    assert [p["name"] for p in phrases["begrundelse.valgt.timer"]["params"]] == ["timer", "niveau"]
    assert "begrundelse.valgt.merudgift-graense" not in phrases  # § 100 rejection only
    rejected = json.loads(run("phrases", "--provision", "sel-100", "--decision", "rejected", "--dated", "2026-05-11",
                              "--json").output)
    money = [param for phrase in rejected for param in phrase["params"] if param["type"] == "money"]
    assert money  # amounts are typed: the form asks for kroner
    plain = run("phrases", "--provision", "sel-85", "--decision", "partly_granted", "--dated", "2026-05-11")
    assert "begrundelse.valgt.timer" in plain.output and "timer (int)" in plain.output


def test_phrases_refuses_unknown_provision_or_decision():
    result = run("phrases", "--provision", "sel-999", "--decision", "rejected")
    assert result.exit_code == 2 and "sel-999" in result.output
    result = run("phrases", "--provision", "sel-85", "--decision", "maybe")
    assert result.exit_code == 2 and "partly_granted" in result.output


def test_schema_case_describes_the_example_cases():
    result = run("schema", "case")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False and "recipients" in schema["required"]
    assert set(schema["properties"]) == set(CaseFile.model_fields)
    import jsonschema

    from generator.web.pages_cases import yaml_safe

    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((EXAMPLES / "cases").glob("*.yaml")):
        assert list(validator.iter_errors(yaml_safe(yaml.safe_load(path.read_text())))) == [], path
    broken = yaml_safe(yaml.safe_load((EXAMPLES / "cases" / "sel-85-delvis-bevilling.yaml").read_text()))
    broken["decision"] = "maybe"
    broken["typo_field"] = 1
    assert len(list(validator.iter_errors(broken))) == 2


def test_user_add_reads_password_and_refuses_duplicates(tmp_path):
    env = {"BREVGEN_DATA": str(tmp_path), "BREVGEN_DATABASE_URL": ""}
    result = run("user", "add", "--role", "admin", "--department", "voksen", "--password-stdin", "chefen",
                 input="en-god-lang-kode\n", env=env)
    assert result.exit_code == 0, result.output
    assert "en-god-lang-kode" not in result.output
    again = run("user", "add", "--role", "admin", "--department", "voksen", "--password-stdin", "chefen",
                input="en-god-lang-kode\n", env=env)
    assert again.exit_code == 2 and "exists already" in again.output
    short = run("user", "add", "--role", "lawyer", "--department", "voksen", "--password-stdin", "kort", input="abc\n", env=env)
    assert short.exit_code == 2 and "10 characters" in short.output
    bad = run("user", "add", "--role", "lawyer", "--department", "nowhere", "--password-stdin", "x1", input="en-god-lang-kode\n",
              env=env)
    assert bad.exit_code == 2 and "department" in bad.output

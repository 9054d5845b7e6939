"""Checks before anything is written: legal errors, warnings, --strict, and bad or hostile input."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml

from generator.case import CaseFile
from generator.checks import check_decision
from generator.documents.decision_letter import build_decision
from generator.errors import BrevgenError

from conftest import EXAMPLES, MM, docx_text, one_line

CASES = EXAMPLES / "cases"
PARTLY = CASES / "sel-85-delvis-bevilling.yaml"
REJECTED = CASES / "sel-100-afslag.yaml"


def data(path: Path = PARTLY) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build(change=None, path: Path = PARTLY):
    case = data(path)
    if change:
        change(case)
    return build_decision(CaseFile.model_validate(case), source="case.yaml", input_sha256="")


def findings(change=None, path: Path = PARTLY) -> dict[str, str]:
    """code -> its messages (one line each, prefixed by the level)."""
    found: dict[str, list[str]] = {}
    for finding in check_decision(build(change, path)):
        found.setdefault(finding.code, []).append(f"{finding.level}: {finding.message}")
    return {code: "\n".join(messages) for code, messages in found.items()}


def write(tmp_path: Path, change, path: Path = PARTLY, name: str = "case.yaml") -> Path:
    case = data(path)
    change(case)
    target = tmp_path / name
    target.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return target


def test_bundled_examples_have_no_findings():
    for path in sorted(CASES.glob("*.yaml")):
        assert findings(path=path) == {}, path.name


# --- errors: FVL §§ 22, 24, 25 and the references ---------------------------------------------


def test_no_facts_or_considerations_is_an_error_unless_fully_granted():
    found = findings(lambda c: c.update(facts=[], considerations=[]))
    assert found["no-facts"].startswith("error: a decision that is partly_granted")
    assert "FVL § 24" in found["no-considerations"]
    granted = findings(lambda c: c.update(decision="granted", facts=[], considerations=[], phrases=[]))
    assert granted == {}


def test_no_phrase_explaining_the_provision_is_missing_legal_basis():
    # A library in which no phrase explains sel-84's rule (as for most provisions before issue 11).
    from generator.phrases import PhraseLibrary, default_library

    full = default_library()
    library = PhraseLibrary({k: v for k, v in full.phrases.items() if k != "begrundelse.regel.sel-84"},
                            full.compositions, full.origins)
    case = data()
    case.update(provision="sel-84", phrases=[])
    built = build_decision(CaseFile.model_validate(case), source="case.yaml", input_sha256="", library=library)
    found = {f.code: f.message for f in check_decision(built)}
    assert "no-legal-basis" in found and "'sel-84'" in found["no-legal-basis"]


def test_a_provision_not_in_the_registry_stops_the_build():
    with pytest.raises(BrevgenError, match=r"case.yaml: provision: reference 'sel-999' is not in the reference registry.*FVL § 24"):
        build(lambda c: c.update(provision="sel-999"))


def test_missing_complaint_guidance_is_an_error():
    built = build()
    without = dataclasses.replace(built, letters=tuple(dataclasses.replace(rl, guidance=None) for rl in built.letters))
    codes = [f.code for f in check_decision(without)]
    assert codes.count("no-complaint-guidance") == 2


def test_unknown_and_historic_references_are_errors():
    found = findings(lambda c: c.update(references=["pa-e-05-19", "ks-nope#1", "ks-sel-85#9"]))
    assert "historic" in found["historic-ruling"] and "E-05-19" in found["historic-ruling"]
    assert "'ks-nope#1' is not in the reference registry" in found["unknown-reference"]
    assert "must name a section" in found["reference-not-in-force"]


def test_a_reference_not_in_force_on_the_letters_date_is_an_error():
    # The § 85 quality standard applies from 2026; a letter dated 2025 cannot cite it.
    found = findings(lambda c: c.update(dated="2025-11-04"))
    assert found["reference-not-in-force"].splitlines() == [
        "error: quality standard 'ks-sel-85#3' is not in force on 2025-11-04",
        "error: quality standard 'ks-sel-85#4' is not in force on 2025-11-04",
    ]


def test_unknown_phrase_and_unfilled_parameter_stop_the_build():
    with pytest.raises(BrevgenError, match=r"phrases\[0\]\.id: unknown phrase id 'begrundelse.findes-ikke'"):
        build(lambda c: c["phrases"][0].update(id="begrundelse.findes-ikke"))
    with pytest.raises(BrevgenError, match=r"phrases\[0\]\.params: phrase 'begrundelse.valgt.timer': parameter missing: 'niveau'"):
        build(lambda c: c["phrases"][0].update(params={"timer": 3}))
    with pytest.raises(BrevgenError, match=r"phrases\[0\]\.id: phrase 'begrundelse.valgt.ledsager-ophoer' does not fit"):
        build(lambda c: c["phrases"][0].update(id="begrundelse.valgt.ledsager-ophoer"))


# --- warnings ------------------------------------------------------------------------------------


def digital(case: dict, **changes) -> None:
    """The case sent by Digital Post (received the day it is dated), with other changes."""
    case.update(changes)
    for r in case["recipients"]:
        r["channel"] = "digital"
        r.pop("person_id", None)  # not the example person, whom the channel look-up knows as exempt


def test_rejection_dated_friday_or_before_a_closing_day():
    friday = findings(lambda c: digital(c, dated="2026-11-13"), REJECTED)
    assert friday["sent-before-closing-day"].startswith("warning:")
    assert "2026-11-14: lørdag" in friday["sent-before-closing-day"]
    assert friday["sent-before-closing-day"].endswith("consider dating it 2026-11-16")
    # Thursday 4 June 2026: the next day is Constitution Day; Monday 8 June is suggested.
    eve = findings(lambda c: digital(c, dated="2026-06-04"), REJECTED)
    assert "2026-06-05: Grundlovsdag" in eve["sent-before-closing-day"]
    assert eve["sent-before-closing-day"].endswith("2026-06-08")
    assert "sent-before-closing-day" not in findings(lambda c: digital(c, dated="2026-11-12"), REJECTED)
    # By paper post a Friday letter is received 6 delivery days later, on Monday 23 November:
    # it reaches the reader on an open day before an open day, so no warning.
    assert "sent-before-closing-day" not in findings(lambda c: c.update(dated="2026-11-13"), REJECTED)
    # A full grant may go out on a Friday.
    assert findings(lambda c: c.update(dated="2026-06-12"), CASES / "sel-85-bevilling.yaml") == {}


def test_rejection_without_phone_call():
    assert "no-phone-call" in findings(lambda c: c.update(phone_call=False), REJECTED)
    assert "no-phone-call" not in findings(lambda c: c.update(phone_call=False), CASES / "sel-108-bevilling.yaml")


def test_unseen_information_without_party_hearing():
    found = findings(lambda c: c.update(party_hearing=False), REJECTED)
    assert found["no-party-hearing"].startswith("warning: documents[1] not seen by the party")
    assert "no-party-hearing" not in findings(lambda c: c.update(party_hearing=True), REJECTED)


def test_hard_letter_warns():
    legalese = ("Funktionsevnevurderingen dokumenterer sagsbehandlingsmæssige foranstaltninger vedrørende "
                "kommunalbestyrelsens serviceniveaubeslutninger, organisationsændringer, "
                "kompetencefordelingsprincipper og forvaltningsretlige retssikkerhedsgarantier. ")
    assert "hard-to-read" not in findings(lambda c: c.update(considerations=[legalese * 10]))  # LIX about 39
    found = findings(lambda c: c.update(considerations=[legalese * 20]))  # LIX about 48
    assert found["hard-to-read"].startswith("warning: letter 1 has LIX")


def test_warnings_are_printed_and_kept_and_strict_makes_them_errors(tmp_path, run_cli):
    source = write(tmp_path, lambda c: digital(c, dated="2026-11-13", phone_call=False), REJECTED)
    out = tmp_path / "out"
    result = run_cli("letter", source, "--out", out, "--format", "html")
    assert result.exit_code == 0, result.output
    assert "warning: case.yaml: sent-before-closing-day" in result.stdout
    assert "warning: case.yaml: no-phone-call" in result.stdout
    record = json.loads((out / "2026-0317_afgoerelse_1-borger.json").read_text(encoding="utf-8"))
    assert [w.split(":")[0] for w in record["warnings"]] == ["sent-before-closing-day", "no-phone-call"]
    strict_out = tmp_path / "strict"
    result = run_cli("letter", source, "--out", strict_out, "--strict")
    assert result.exit_code == 2
    assert "--strict" in result.stderr and "no-phone-call" in result.stderr
    assert not strict_out.exists()


# --- bad input: clear message, exit 2, nothing written ---------------------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda c: c.update(decision="maybe"), "decision: Input should be 'granted', 'partly_granted', 'rejected', 'stopped' or 'changed'"),
        (lambda c: c.pop("granted"), "`granted` (scope, start, provider) is required when decision is partly_granted"),
        (lambda c: c.update(facts="one fact"), "facts: Input should be a valid tuple"),
        (lambda c: c["application"].update(received="2026-02-30"), "application.received:"),
        (lambda c: c.update(department="ukendt"), "department 'ukendt' is not in content/profile.yaml"),
        (lambda c: c.update(facts=[], considerations=[]), "no-facts"),
        (lambda c: c.update(referencer=[]), "referencer: unknown field"),
    ],
    ids=["unknown decision type", "partly granted without grant", "wrong type", "impossible date",
         "unknown department", "legal error", "misspelt field"],
)
def test_bad_input_names_the_field_and_writes_nothing(tmp_path, run_cli, change, expected):
    bad = write(tmp_path, change, name="b-bad.yaml")
    shutil.copy(REJECTED, tmp_path / "a-good.yaml")  # a good case beside it is not written either
    out = tmp_path / "out"
    result = run_cli("letter", tmp_path / "a-good.yaml", bad, "--out", out)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_malformed_yaml_names_the_line(tmp_path, run_cli):
    source = tmp_path / "broken.yaml"
    source.write_text("case_number: 2026-1\nfacts: [\n", encoding="utf-8")
    result = run_cli("letter", source, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "broken.yaml: line" in result.stderr


def test_errors_do_not_repeat_personal_data(tmp_path, run_cli):
    source = write(tmp_path, lambda c: c["recipients"][0].update(name=["Fiktiv", "Jensen"], postcode="12"))
    result = run_cli("letter", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "recipients[0].name" in result.stderr and "recipients[0].postcode" in result.stderr
    assert "Jensen" not in result.stderr and "'12'" not in result.stderr


HOSTILE = "{{ 7*7 }} <script>x</script> & Co"


def test_hostile_text_is_printed_literally(tmp_path, run_cli):
    def change(case):
        case["recipients"][1]["name"] = HOSTILE
        case["facts"][0] = "Du skrev: {% raw %}{{ 7*7 }}{% endraw %} <b>fed</b> & mere."

    source = write(tmp_path, change)
    out = tmp_path / "out"
    result = run_cli("letter", source, "--out", out)
    assert result.exit_code == 0, result.output
    with pdfplumber.open(out / "2026-0142_afgoerelse_2-vaerge.pdf") as pdf:
        window = pdf.pages[0].crop((17 / MM, 25 / MM, 132 / MM, 114 / MM)).extract_text()
        body = one_line("\n".join(page.extract_text() for page in pdf.pages))
    assert HOSTILE in one_line(window)
    # In the guardian's letter the citizen is named where the case text says "du".
    assert "Fiktiv Borger Jensen skrev: {% raw %}{{ 7*7 }}{% endraw %} <b>fed</b> & mere." in body
    citizen_docx = docx_text(out / "2026-0142_afgoerelse_1-borger.docx")
    assert f"Kopi til: {HOSTILE}, værge" in citizen_docx
    assert "{% raw %}{{ 7*7 }}{% endraw %} <b>fed</b> & mere." in citizen_docx
    html = (out / "2026-0142_afgoerelse_2-vaerge.html").read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]  # the head holds the letter font as base64, where "49" may occur
    assert "&lt;script&gt;" in body and "<script>" not in html and "<b>fed" not in html and "49" not in body


def test_a_json_case_file_works_like_yaml(tmp_path, run_cli):
    source = tmp_path / "case.json"
    source.write_text(json.dumps(data(REJECTED), default=str, ensure_ascii=False), encoding="utf-8")
    result = run_cli("letter", source, "--out", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "2026-0317_afgoerelse_1-borger.html").read_text(encoding="utf-8")
    assert "Vi skal have din klage senest den 16. december 2026." in html

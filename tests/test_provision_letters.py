"""Every provision the municipality decides under has a phrase set, a complaint route and an example
letter (issue 11, item 1), and a § 108 grant states the own payment and the free choice (item 2).

A few representative letters are rendered to PDF and read back; every other example case is built
(no rendering) so each provision's legally required parts are asserted without slowing the suite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from generator import loading
from generator.case import CaseFile
from generator.checks import (check_decision, development_plan_problems, phrase_parameter_problems,
                              provisions_without_rule)
from generator.documents.decision_letter import build_decision
from generator.errors import BrevgenError
from generator.params import ParamSpec, checked_params
from generator.phrases import default_library
from generator.references import default_registry

from conftest import EXAMPLES, one_line, pdf_text, run_ok

CASES = EXAMPLES / "cases"
PLAN = loading.development_plan()

# One letter kind per decision type and recipient situation, rendered once for the module.
RENDERED = {
    "sel-83-delvis-bevilling.yaml": "2026-0511",  # partly granted; citizen digital, guardian by post
    "sel-96-afslag.yaml": "2026-0523",  # rejected; representative by quick letter
    "sel-107-ophoer.yaml": "2026-0560",  # stopped
    "bl-87-delvis-bevilling.yaml": "2026-0618",  # child: parent with custody
    "sel-108-bevilling.yaml": "2026-0254",  # fully granted, own payment and free choice
}


def case_data(name: str) -> dict:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


def build(data: dict):
    return build_decision(CaseFile.model_validate(data), source="case.yaml", input_sha256="")


def cases_by_provision() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in decision_cases():
        found.setdefault(yaml.safe_load(path.read_text(encoding="utf-8"))["provision"], []).append(path)
    return found


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("provision-letters")
    run_ok("letter", *(CASES / name for name in RENDERED), "--out", out, "--format", "pdf")
    return out


def pdf(letters: Path, case_number: str, suffix: str) -> str:
    return one_line(pdf_text(letters / f"{case_number}_afgoerelse_{suffix}.pdf"))


# --- coverage: `brevgen check` lists no provision with a route and no phrases ------------------


def test_every_provision_with_a_complaint_route_has_a_rule_phrase():
    assert provisions_without_rule(default_library(), loading.complaint_routes(), default_registry()) == []


def test_the_development_plan_is_covered_by_registry_route_phrases_and_examples():
    plan_cases = set(cases_by_provision())
    assert development_plan_problems(PLAN, default_library(), loading.complaint_routes(), default_registry(),
                                     plan_cases) == []
    assert {"sel-83", "sel-84", "sel-96", "sel-98", "sel-102", "sel-103", "sel-104", "sel-105", "sel-107",
            "sel-141", "bl-84", "bl-87", "bl-90-nr2"} <= set(PLAN)


def test_a_provision_missing_anything_is_named_with_what_is_missing():
    problems = development_plan_problems(["sel-999", "sel-163"], default_library(), loading.complaint_routes(),
                                         default_registry(), set(cases_by_provision()))
    assert any("'sel-999' is not in the reference registry" in p for p in problems)
    assert any("'sel-163' has no complaint route" in p for p in problems)
    assert any("'sel-163' has no phrase explaining its rule" in p for p in problems)
    assert any("'sel-163' has no example case" in p for p in problems)


# --- every example case: the legally required parts, built without rendering ------------------


def decision_cases() -> list[Path]:
    """Example cases whose letter is a decision (not an acknowledgement, hearing, ...)."""
    return [p for p in sorted(CASES.glob("*.yaml"))
            if yaml.safe_load(p.read_text(encoding="utf-8")).get("kind", "decision") == "decision"]


@pytest.mark.parametrize("path", decision_cases(), ids=lambda p: p.stem)
def test_each_example_letter_has_the_decision_first_the_rule_and_guidance_when_not_granted(path):
    built = build(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert [f.message for f in check_decision(built) if f.level == "error"] == []
    case = built.case
    for recipient_letter in built.letters:
        letter = recipient_letter.letter
        headings = [s.heading for s in letter.sections if s.heading]  # the reader line has none
        assert headings[0] == "Afgørelse"
        assert headings.index("Begrundelse") > 0
        assert "begrundelse.regel" in recipient_letter.slots
        section = built.hjemmel.facts["section"]
        assert f"{section}" in letter.citizen_text
        if case.decision.fully_grants:
            assert recipient_letter.guidance is None
        else:
            assert recipient_letter.guidance is not None and "Sådan klager du" in headings


@pytest.mark.parametrize("provision", PLAN)
def test_each_provision_has_an_example_letter(provision):
    assert cases_by_provision().get(provision), f"no example case for {provision}"


# --- read back from PDF -------------------------------------------------------------------------


def test_partly_granted_83_reads_decision_first_with_stk_and_conditions(letters):
    body = pdf(letters, "2026-0511", "1-borger")
    order = [
        "Afgørelse om personlig og praktisk hjælp efter serviceloven § 83",
        "Du får praktisk hjælp til rengøring og tøjvask hver anden uge. Det er mindre, end du har søgt om.",
        "Begrundelse",
        "Efter serviceloven § 83, stk. 1, skal kommunen tilbyde personlig hjælp og pleje",
        "midlertidigt eller varigt nedsat fysisk eller psykisk funktionsevne eller særlige sociale problemer",
        "Det svarer til 45 minutter om ugen",
        "Vi har vurderet, at du selv kan klare indkøb.",
        "Sådan klager du",
    ]
    positions = [body.find(part) for part in order]
    assert -1 not in positions, [part for part, pos in zip(order, positions) if pos == -1]
    assert positions == sorted(positions)
    guardian = pdf(letters, "2026-0511", "2-vaerge")
    assert "Sådan klager du" in guardian and "værge for Fiktiv Borger Skov" in guardian


def test_rejected_96_states_the_bpa_conditions_and_complaint_guidance(letters):
    for suffix in ("1-borger", "2-repraesentant"):
        body = pdf(letters, "2026-0523", suffix)
        reader = "Du" if suffix == "1-borger" else "Fiktiv Borger Krogh"  # "du" is always the reader
        assert body.index(f"{reader} får afslag på") < body.index("Begrundelse")
        assert "serviceloven § 96, stk. 1" in body
        assert "betydelig og varigt nedsat fysisk eller psykisk funktionsevne" in body
        assert "§ 96, stk. 2" in body and "arbejdsleder" in body
        assert "Sådan klager du" in body


def test_stopped_107_states_the_conditions_the_end_date_and_guidance(letters):
    body = pdf(letters, "2026-0560", "1-borger")
    assert body.index("Den sidste dag med støtte er den 31. december 2026") < body.index("Begrundelse")
    assert "serviceloven § 107, stk. 1" in body and "§ 107, stk. 2" in body
    assert "Formålet med opholdet er nået." in body
    assert "Sådan klager du" in body


def test_child_87_letter_to_a_parent(letters):
    body = pdf(letters, "2026-0618", "1-foraelder")
    assert "Afgørelse om tabt arbejdsfortjeneste efter barnets lov § 87" in body
    assert "barnets lov § 87, stk. 1" in body
    assert "betydelig og varigt nedsat fysisk eller psykisk funktionsevne eller indgribende kronisk" in body
    assert "Vi dækker tabt arbejdsfortjeneste i 10 timer om ugen." in body
    assert "Sådan klager du" in body


def test_108_grant_states_own_payment_as_a_separate_decision_and_free_choice(letters):
    body = pdf(letters, "2026-0254", "1-borger")
    assert "serviceloven § 108, stk. 1" in body and "betydelig og varigt nedsat" in body
    assert "Du skal selv betale for at bo i botilbuddet." in body
    assert "særskilt afgørelse om din betaling" in body and "§ 163, stk. 2 og 3" in body
    assert "Du har frit valg af botilbud." in body and "(§ 108, stk. 2)" in body and "(§ 108, stk. 3)" in body
    assert "Sådan klager du" not in body  # fully granted: no complaint guidance
    record = json.loads((letters / "2026-0254_afgoerelse_1-borger.json").read_text(encoding="utf-8"))
    assert "begrundelse.regel.sel-108.bevilling" in {p["id"] for p in record["phrases"]}


def test_108_payment_and_free_choice_are_chosen_by_the_rule_engine_not_the_caseworker():
    data = case_data("sel-108-bevilling.yaml")
    data.update(decision="rejected", granted=None, phrases=[], facts=["Du bor i dag i egen bolig med støtte."],
                considerations=["Dit behov kan dækkes i din egen bolig."])
    text = build(data).letters[0].letter.citizen_text
    assert "Du har frit valg af botilbud." not in text and "Du skal selv betale" not in text
    assert "§ 108, stk. 1" in text
    data = case_data("sel-108-bevilling.yaml")
    data["phrases"] = []  # the caseworker chose nothing: the grant still says both
    text = build(data).letters[0].letter.citizen_text
    assert "Du skal selv betale for at bo i botilbuddet." in text and "Du har frit valg af botilbud." in text


# --- typed parameters -----------------------------------------------------------------------------


def test_provision_phrase_parameters_convert_and_refuse_without_echoing_the_value():
    # The declarations of the provision phrases as they are written in phrases/provision-*.yaml.
    specs = default_library().phrases["begrundelse.valgt.sel-84.omfang"].params
    ok, problems = checked_params("p", specs, {"doegn": "24", "periode": "året"})
    assert problems == [] and ok["doegn"] == 24
    _, problems = checked_params("p", specs, {"doegn": "SECRET-1234", "periode": "ugen", "ekstra": 1})
    assert len(problems) == 3 and not any("SECRET" in p for p in problems)
    assert any(p.startswith("params.periode") for p in problems)


def test_a_wrongly_typed_parameter_in_a_case_file_is_refused_with_field_and_phrase():
    data = case_data("sel-83-delvis-bevilling.yaml")
    data["phrases"][0]["params"]["minutter"] = "en halv time"
    with pytest.raises(BrevgenError, match=r"phrases\[0\]\.params: phrase 'begrundelse\.valgt\.sel-83\.behov': "
                                           r"parameter 'minutter' is not a whole number"):
        build(data)


def test_bad_parameter_exits_2_and_writes_nothing(run_cli, tmp_path):
    data = case_data("sel-97-ophoer.yaml")
    data["provision"] = "sel-97"
    data["phrases"] = [{"id": "begrundelse.valgt.sel-97.kan-faerdes", "params": {"hvordan": "x", "ukendt": 1}}]
    data["decision"] = "rejected"
    source = tmp_path / "case.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("letter", source, "--out", out)
    assert result.exit_code == 2
    assert "phrases[0].params" in result.output and "unknown parameter 'ukendt'" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_every_phrase_that_declares_params_declares_all_it_uses():
    problems, _ = phrase_parameter_problems(default_library())
    assert problems == []
    library = default_library()
    chosen = [p for p in library.phrases.values() if p.params]
    assert len(chosen) >= 30  # the provision phrase sets are typed


def test_an_undeclared_parameter_is_a_check_problem():
    import datetime as dt

    from generator.phrases import Composition, Phrase, PhraseLibrary, SlotRef

    phrase = Phrase(id="x", version=1, title="x", slot="valgt", text="{{ timer }} timer om {{ periode }}.",
                    params={"timer": ParamSpec(type="integer")}, valid_from=dt.date(2024, 1, 1), owner="t",
                    reviewed=dt.date(2026, 1, 1))
    library = PhraseLibrary({"x": phrase}, {"c": Composition(id="c", heading="H", slots=(SlotRef(slot="valgt", chosen=True),))},
                            {"x": "test.yaml:1"})
    problems, _ = phrase_parameter_problems(library)
    assert problems == ["test.yaml:1: phrase 'x' uses periode but does not declare it under `params`"]


def test_the_83_rule_follows_the_2025_change_madservice_moved_out():
    data = case_data("sel-83-delvis-bevilling.yaml")
    text_2026 = build(data).letters[0].letter.citizen_text
    assert "madservice" not in text_2026
    data.update(dated="2025-03-04")
    data["application"]["received"] = "2025-01-06"
    data["granted"]["start"] = "2025-04-01"
    data["references"] = []
    built = build_decision(CaseFile.model_validate(data), source="case.yaml", input_sha256="")
    assert re.search(r"hjemmet og madservice", built.letters[0].letter.citizen_text)

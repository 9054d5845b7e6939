"""The phrase engine for decisions: provision/decision-type filters, chosen slots, moved provisions."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.checks import check_decision
from generator.phrases import Composition, Phrase, PhraseLibrary, SlotRef

from test_letter_checks import CASES, build

ON = dt.date(2026, 6, 1)


def phrase(pid, text="Tekst.", **extra):
    return Phrase(id=pid, version=1, title=pid, text=text, valid_from=dt.date(2016, 1, 1), owner="test",
                  reviewed=dt.date(2026, 1, 1), **extra)


def library(*phrases, slots=()):
    composition = Composition(id="c", heading="Overskrift", slots=tuple(slots))
    return PhraseLibrary({p.id: p for p in phrases}, {"c": composition}, {p.id: f"test:{p.id}" for p in phrases})


def test_provisions_and_decision_types_choose_the_phrase():
    lib = library(
        phrase("a", "Regel A.", slot="regel", provisions=("sel-85",)),
        phrase("b", "Regel B.", slot="regel", provisions=("sel-97",), decision_types=("stopped",)),
        slots=[SlotRef(slot="regel")],
    )
    assert lib.select("regel", {"provision": "sel-85", "decision": "rejected"}, ON).id == "a"
    assert lib.select("regel", {"provision": "sel-97", "decision": "stopped"}, ON).id == "b"
    assert lib.select("regel", {"provision": "sel-97", "decision": "granted"}, ON, required=False) is None


def test_chosen_slot_renders_the_caseworkers_phrases_in_order_with_their_parameters():
    lib = library(
        phrase("auto", "Automatisk."),
        phrase("x", "Valgt {{ n }}.", slot="valgt"),
        phrase("y", "Også {{ n }} af {{ total }}.", slot="valgt"),
        slots=[SlotRef(slot="valgt", chosen=True)],
    )
    section, used = lib.compose("c", {"total": 2}, ON, {"valgt": [("y", {"n": 2}), ("x", {"n": 1})]})
    assert [b.text for b in section.blocks] == ["Også 2 af 2.", "Valgt 1."]
    assert [p.id for p in used] == ["y", "x"]
    empty, _ = lib.compose("c", {}, ON)
    assert empty.blocks == ()


def test_a_letter_dated_2023_cites_the_child_provision_in_serviceloven():
    built = build(lambda c: c.update(dated="2023-10-03", phrases=[]), CASES / "bl-86-afslag.yaml")
    letter = built.letters[0].letter
    assert letter.heading == "Afgørelse om dækning af merudgifter for børn efter serviceloven § 41"
    assert "Serviceloven § 41, jf. lovbekendtgørelse nr. 170 af 24. januar 2022" in letter.citizen_text
    # The old wording (merudgifter) applies in 2023, and it cites what was in force then.
    assert "merudgifter til et barn med en betydelig og varigt nedsat funktionsevne" in letter.citizen_text
    assert "Gruppe 1:" not in letter.citizen_text and "stk." not in letter.heading
    errors = [f.message for f in check_decision(built) if f.level == "error"]
    assert errors == []


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_letters_are_easy_to_read(path):
    from generator.readability import lix

    for recipient_letter in build(path=path).letters:
        assert lix(recipient_letter.letter.citizen_text).score < 35


def test_a_changed_decision():
    def change(case):
        case.update(decision="changed", phrases=[])
        case["application"]["applied_for"] = "socialpædagogisk støtte 6 timer om ugen"

    letter = build(change).letters[0].letter
    text = " ".join(letter.citizen_text.split())
    assert "Vi ændrer din støtte. Fra den 1. juni 2026 får du socialpædagogisk støtte 3 timer om ugen." in text
    assert "Vi har fulgt op på din støtte den 2. marts 2026." in text
    assert letter.sections[-2].heading == "Sådan klager du"


def test_a_letter_about_someone_else_needs_their_name():
    import pytest
    from pydantic import ValidationError

    from generator.case import CaseFile
    from test_letter_checks import data

    case = data(CASES / "bl-86-afslag.yaml")
    case.pop("party_name")
    with pytest.raises(ValidationError, match="party_name"):
        CaseFile.model_validate(case)

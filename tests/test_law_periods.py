"""A letter dated on each side of each change in the law cites the text in force on its date."""

from __future__ import annotations

import pytest
import yaml

from generator.case import CaseFile
from generator.checks import check_decision, unconfirmed_findings
from generator.documents.decision_letter import build_decision

from conftest import EXAMPLES, one_line

CASES = EXAMPLES / "cases"


def letter_text(name: str, **changes) -> str:
    data = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    data.update(changes)
    built = build_decision(CaseFile.model_validate(data), source=name, input_sha256="")
    letter = built.letters[0].letter
    return one_line(letter.heading + "\n" + letter.citizen_text)


@pytest.mark.parametrize(
    "dated, cited",
    [
        ("2024-07-02", "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 67 af 22. januar 2024"),
        ("2024-07-03", "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 909 af 3. juli 2024"),
        ("2025-02-10", "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 909 af 3. juli 2024"),
        ("2025-02-11", "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 155 af 11. februar 2025"),
        ("2025-09-19", "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 155 af 11. februar 2025"),
        ("2025-09-22", "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 1129 af 22. september 2025"),
    ],
)
def test_serviceloven_letters_follow_each_consolidation(dated, cited):
    assert cited in letter_text("sel-85-delvis-bevilling.yaml", dated=dated)


OLD_100 = [{"id": "begrundelse.valgt.merudgift-graense", "params": {"beloeb": 2400, "graense": "7.212"}}]


def test_section_100_before_the_reform_uses_the_merudgift_wording():
    text = letter_text("sel-100-afslag.yaml", dated="2025-08-29", phrases=OLD_100)
    assert "Afgørelse om dækning af nødvendige merudgifter for voksne efter serviceloven § 100" in text
    assert "kan du få dækket nødvendige merudgifter" in text
    assert "Serviceloven § 100, stk. 1, jf. lovbekendtgørelse nr. 155 af 11. februar 2025" in text
    assert "Serviceloven § 100, stk. 2, jf. lovbekendtgørelse nr. 155 af 11. februar 2025" in text
    assert "Bekendtgørelse om nødvendige merudgifter ved den daglige livsførelse, nr. 931 af 19. juni 2020" in text
    assert "Grænsen er 7.212 kr. om året." in text
    reason = text.split("Efter serviceloven § 100, stk. 1,")[1].split("Afgørelsen bygger på")[0]
    assert "kompensationsydelse" not in reason and "gruppe 1 eller gruppe 2" not in reason


def test_section_100_from_the_reform_uses_kompensationsydelse_and_the_rate_table():
    text = letter_text("sel-100-afslag.yaml", dated="2025-09-22")
    assert "kan du få kompensationsydelse" in text
    assert "mindst 6.660 kr. om året" in text and "1.105 kr. om måneden" in text
    assert "Serviceloven § 100, stk. 2, jf. lovbekendtgørelse nr. 1129 af 22. september 2025" in text
    assert "Bekendtgørelse om kompensationsydelse efter lov om social service" in text
    assert "nødvendige merudgifter" not in text


def test_the_old_chosen_phrase_cannot_be_used_after_the_reform():
    from generator.errors import BrevgenError

    with pytest.raises(BrevgenError, match="merudgift-graense' is not valid on 2025-09-01"):
        letter_text("sel-100-afslag.yaml", dated="2025-09-01", phrases=OLD_100)


@pytest.mark.parametrize(
    "dated, heading_part, cited, wording",
    [
        ("2023-12-29", "efter serviceloven § 41", "Serviceloven § 41, jf. lovbekendtgørelse nr. 170 af 24. januar 2022",
         "merudgifter til et barn"),
        ("2024-01-02", "efter barnets lov § 86", "Barnets lov § 86, jf. lov nr. 721 af 13. juni 2023", "merudgifter til et barn"),
        ("2025-08-29", "efter barnets lov § 86", "Barnets lov § 86, jf. lovbekendtgørelse nr. 282 af 17. marts 2025",
         "merudgifter til et barn"),
        ("2025-09-01", "efter barnets lov § 86", "Barnets lov § 86, stk. 1, jf. lovbekendtgørelse nr. 282 af 17. marts 2025",
         "kan I få kompensationsydelse"),
    ],
)
def test_the_child_provision_moved_in_2024_and_changed_in_2025(dated, heading_part, cited, wording):
    phrases = [] if dated < "2025-09-01" else None
    changes = {"dated": dated, **({"phrases": phrases} if phrases is not None else {})}
    text = letter_text("bl-86-afslag.yaml", **changes)
    assert heading_part in text and cited in text and wording in text


def test_a_letter_citing_an_unconfirmed_entry_is_noted_and_refused_with_strict(tmp_path, run_cli):
    data = yaml.safe_load((CASES / "sel-85-delvis-bevilling.yaml").read_text(encoding="utf-8"))
    built = build_decision(CaseFile.model_validate(data), source="x", input_sha256="")
    notes = unconfirmed_findings(built)
    assert notes and all(n.level == "note" and n.code == "unconfirmed-reference" for n in notes)
    assert not [f for f in check_decision(built) if f.level == "error"]
    ok = run_cli("letter", CASES / "sel-85-delvis-bevilling.yaml", "--out", tmp_path / "a", "--format", "html")
    # Which entry is unconfirmed is data (content/references/), so the test names none.
    assert ok.exit_code == 0 and "note: sel-85-delvis-bevilling.yaml: unconfirmed-reference: " in ok.output
    strict = run_cli("letter", CASES / "sel-85-delvis-bevilling.yaml", "--out", tmp_path / "b", "--strict")
    assert strict.exit_code == 2 and "unconfirmed-reference" in strict.stderr
    assert not (tmp_path / "b").exists()
    # A full grant cites no complaint rules; every reference it cites is confirmed: --strict passes.
    granted = run_cli("letter", CASES / "sel-85-bevilling.yaml", "--out", tmp_path / "c", "--format", "html", "--strict")
    assert granted.exit_code == 0, granted.output


def test_a_2026_section_100_letter_states_the_rate_table_amounts(tmp_path, run_cli):
    from generator.references import default_registry

    rates = default_registry().rates_on(__import__("datetime").date(2026, 11, 10))
    text = letter_text("sel-100-afslag.yaml")
    for rate in ("kompensation_minimum", "kompensation_standard_gruppe1", "kompensation_graense_gruppe2",
                 "kompensation_standard_gruppe2"):
        assert f"{int(rates[rate]):,}".replace(",", ".") + " kr." in text, rate

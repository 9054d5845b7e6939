"""Decision letters from the example cases: PDF, DOCX, HTML and JSON records read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from generator.formatting import dato
from generator.references import default_registry

from conftest import EXAMPLES, MM, assert_same_files, docx_text, one_line, pdf_text, run_ok

CASES = EXAMPLES / "cases"
PARTLY = "2026-0142_afgoerelse"  # § 85 partly granted: citizen on Digital Post, guardian on paper
REJECTED = "2026-0317_afgoerelse_1-borger"  # § 100 rejected, paper post
STOPPED = "2026-0288_afgoerelse"  # § 97 stopped, citizen and representative
CHILD = "2026-0402_afgoerelse"  # barnets lov § 86 rejected, two parents
GRANTED = "2026-0201_afgoerelse_1-borger"  # § 85 granted
HOUSING = "2026-0254_afgoerelse"  # § 108 granted
BASE_CASES = ("sel-85-delvis-bevilling.yaml", "sel-100-afslag.yaml", "sel-97-ophoer.yaml", "bl-86-afslag.yaml",
              "sel-85-bevilling.yaml", "sel-108-bevilling.yaml")


def text_in_force(act: str, on: str) -> str:
    """The act's text in force on the date, as a letter cites it, read from the registry (so a
    newer consolidation added to content/references/ does not break this test)."""
    text = default_registry().consolidation_on(act, dt.date.fromisoformat(on))
    return f"{text.form} nr. {text.number} af {dato(text.date)}"


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("letters")
    # The cases this module asserts on; every other example case is built by `brevgen check` and
    # its provision's letter is read back in test_provision_letters.py (keeps this fixture fast).
    run_ok("letter", *(CASES / name for name in BASE_CASES), "--out", out)
    return out


def text(letters: Path, stem: str) -> str:
    return one_line(pdf_text(letters / f"{stem}.pdf"))


def test_one_set_of_files_per_recipient_of_each_case(letters):
    stems = {p.stem for p in letters.iterdir() if "_afgoerelse_" in p.stem}  # the other kinds: test_case_letters.py
    assert stems == {
        f"{PARTLY}_1-borger", f"{PARTLY}_2-vaerge", REJECTED, f"{STOPPED}_1-borger", f"{STOPPED}_2-repraesentant",
        f"{CHILD}_1-foraelder", f"{CHILD}_2-foraelder", GRANTED, f"{HOUSING}_1-borger", f"{HOUSING}_2-vaerge",
    }
    for stem in stems:
        assert {p.suffix for p in letters.glob(f"{stem}.*")} == {".pdf", ".docx", ".html", ".json"}


def test_partly_granted_letter_reads_in_the_legal_order(letters):
    body = text(letters, f"{PARTLY}_1-borger")
    order = [
        "Afgørelse om socialpædagogisk støtte efter serviceloven § 85",
        "Du får socialpædagogisk støtte 3 timer om ugen. Det er mindre, end du har søgt om.",
        "Det har du søgt om",
        "Du søgte den 2. marts 2026 om socialpædagogisk støtte 6 timer om ugen.",
        "Begrundelse",
        "Reglen står i serviceloven § 85, stk. 1. Kommunen skal tilbyde",
        "Du bor alene i din egen lejlighed.",  # facts
        "Du kan selv klare de daglige ting i hjemmet.",  # considerations
        "Det svarer til niveau 2 i vores kvalitetsstandard.",  # the caseworker's chosen phrase
        "Regler og praksis",
        "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 1129 af 22. september 2025",
        "afsnit 4: Omfang og opfølgning",
        "Principafgørelse E-11-24",
        "Det sker nu",
        "Støtten starter den 1. juni 2026.",
        "senest den 1. december 2026",
        "Det har vi bygget afgørelsen på",
        "Referat af møde med dig og din værge fra den 14. april 2026",
        "Sådan klager du",
        "Vi skal have din klage senest den 8. juni 2026.",
        "Har du spørgsmål?",
        "Kopi til: Fiktiv Værge Hansen, værge",
    ]
    positions = [body.find(part) for part in order]
    assert -1 not in positions, [part for part, pos in zip(order, positions) if pos == -1]
    assert positions == sorted(positions)
    assert re.search(r"Side 1 af [23]", body)


def test_each_recipient_gets_the_deadline_of_their_own_channel(letters):
    guardian = text(letters, f"{PARTLY}_2-vaerge")
    assert "Vi skal have din klage senest den 17. juni 2026." in guardian
    assert "har fået det den 20. maj 2026" in guardian
    assert "Du får dette brev, fordi du er værge for Fiktiv Borger Jensen." in guardian
    assert "Kopi til: Fiktiv Borger Jensen" in guardian
    assert "Kopi til: Fiktiv Værge Hansen" not in guardian
    parents = [text(letters, f"{CHILD}_{n}-foraelder") for n in (1, 2)]
    assert "Vi skal have din klage senest den 3. november 2026." in parents[0]  # Digital Post
    assert "Vi skal have din klage senest den 11. november 2026." in parents[1]  # paper: 6 delivery days
    assert "forældremyndigheden over Fiktivt Barn Nielsen" in parents[0]


def test_paper_letter_address_sits_in_the_window(letters):
    with pdfplumber.open(letters / f"{PARTLY}_2-vaerge.pdf") as pdf:
        window = pdf.pages[0].crop((17 / MM, 25 / MM, 132 / MM, 114 / MM)).extract_text()
    assert "Fiktiv Værge Hansen" in window and "9998 Testrup" in window
    assert "Afgørelse" not in window


def test_rejection_cites_rules_standard_and_ruling(letters):
    body = text(letters, REJECTED)
    assert "Du får afslag på din ansøgning om kompensationsydelse efter gruppe 1" in body
    # The 2026 letter cites the consolidation in force on its date, with stk., and the
    # kompensationsydelse amounts of the rate table (content/rates.yaml), never a typed limit.
    assert "Serviceloven § 100, stk. 1, jf. lovbekendtgørelse nr. 1129 af 22. september 2025" in body
    assert "Serviceloven § 100, stk. 2, jf. lovbekendtgørelse nr. 1129 af 22. september 2025" in body
    assert "Serviceloven § 100, jf." not in body  # the exact subsection, not the bare section
    assert f"Retssikkerhedsloven § 5, jf. {text_in_force('rsl', '2026-11-10')}" in body
    assert "1555" not in body and "7.212" not in body and "6.660" not in body  # 2026, not 2025 level
    assert "afsnit 3: Gruppe 1 og gruppe 2 og borgerens valg" in body
    assert "Principafgørelse E-27-25" in body
    assert "Vi har regnet dine udgifter ud til 2.400 kr. om året. Udgifterne skal være mindst 6.960 kr. om året." in body
    assert "Gruppe 1: Du får et fast beløb på 1.155 kr. om måneden." in body
    assert "over 25.080 kr. om året" in body and "fast beløb på 523 kr. om måneden" in body
    assert "Vi skal have din klage senest den 16. december 2026." in body  # 10 Nov + 6 delivery days + 4 weeks
    assert "http" not in body  # paper: no bare links


def test_stopped_and_child_letters(letters):
    stopped = text(letters, f"{STOPPED}_1-borger")
    assert "Din støtte stopper. Den sidste dag med støtte er den 31. oktober 2026." in stopped
    assert "Kopi til: Fiktiv Repræsentant Holm, partsrepræsentant" in stopped
    assert "Principafgørelse E-31-25" in stopped
    child = text(letters, f"{CHILD}_1-foraelder")
    # The child provision moved from serviceloven § 41 to barnets lov § 86 on 1 January 2024.
    assert "Afgørelse om kompensationsydelse til børn og unge efter barnets lov § 86" in child
    assert "Barnets lov § 86, stk. 1, jf. lovbekendtgørelse nr. 282 af 17. marts 2025" in child
    assert "serviceloven § 41" not in child.lower()


def test_full_grant_has_no_complaint_guidance(letters):
    body = text(letters, GRANTED)
    assert "Du får det, du har søgt om." in body
    assert "Sådan klager du" not in body and "Fristen" not in body
    record = json.loads((letters / f"{GRANTED}.json").read_text(encoding="utf-8"))
    assert record["deadlines"] == {"complaint": None}


def test_docx_reads_back(letters):
    body = one_line(docx_text(letters / f"{PARTLY}_2-vaerge.docx"))
    for part in (
        "Afgørelse om socialpædagogisk støtte efter serviceloven § 85",
        "Fiktiv Borger Jensen får socialpædagogisk støtte 3 timer om ugen.",  # "du" is the guardian
        "Serviceloven § 85, stk. 1, jf. lovbekendtgørelse nr. 1129 af 22. september 2025",
        "Principafgørelse E-11-24",
        "Vi skal have din klage senest den 17. juni 2026.",
        "Kopi til: Fiktiv Borger Jensen",
        "Fiktiv Værge Hansen",
    ):
        assert part in body, part
    assert "{{" not in body and "{%" not in body
    child = one_line(docx_text(letters / f"{CHILD}_2-foraelder.docx"))
    assert "Vi skal have din klage senest den 11. november 2026." in child
    assert "Kopi til: Fiktiv Forælder Nielsen, forælder med forældremyndighed" in child


def test_pdf_is_tagged_danish_and_titled_without_personal_data(letters):
    for pdf in letters.glob("*_afgoerelse_*.pdf"):
        reader = pypdf.PdfReader(pdf)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "da"
        assert root["/MarkInfo"]["/Marked"]
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r'pdfuaid:part(="1"|>1<)', xmp)
        assert reader.metadata["/Title"] == "Afgørelse - Eksempel Kommune"
        metadata = " ".join(str(v) for v in reader.metadata.values())
        assert "Fiktiv" not in metadata and "2026-0" not in metadata
        assert pdf.stat().st_size < 60_000  # Digital Post is billed by size
        tags = set(structure_tags(root["/StructTreeRoot"]))
        assert {"H1", "H2", "P", "L", "LI"} <= tags, (pdf.name, tags)


def structure_tags(node, depth=0):
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        for child in node:
            yield from structure_tags(child, depth + 1)
        return
    if not isinstance(node, pypdf.generic.DictionaryObject) or depth > 40:
        return
    if "/S" in node:
        yield str(node["/S"]).lstrip("/")
    if "/K" in node:
        yield from structure_tags(node["/K"], depth + 1)


def test_html_preview_links_addresses_in_every_letter(letters):
    """Issue 14: web and e-mail addresses are links in paper letters too (the PDF is also read on
    screen and archived; PDF/UA wants a link where there is an address). A paper letter with an
    address: tests/test_pdf_ua.py."""
    digital = (letters / f"{PARTLY}_1-borger.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in digital and '<a href="https://' in digital and '<a href="mailto:' in digital


def test_record_holds_what_went_into_the_letter(letters):
    source = CASES / "sel-85-delvis-bevilling.yaml"
    record = json.loads((letters / f"{PARTLY}_2-vaerge.json").read_text(encoding="utf-8"))
    assert record["input_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert record["recipient"] == {"index": 2, "role": "guardian", "channel": "post", "person_id": "P2002",
                                   "channel_source": "exempt_file", "typed_channel": "post"}
    phrases = {p["id"]: p["version"] for p in record["phrases"]}
    assert phrases["begrundelse.valgt.timer"] == 1 and "klage.frist.post" in phrases
    refs = {r["id"]: r for r in record["references"]}
    assert refs["sel-85"]["text_id"] == "sel-lbk-1129-2025"
    assert refs["sel-85-stk1"]["paragraph"] == "§ 85, stk. 1"
    assert {"ks-sel-85#3", "ks-sel-85#4", "pa-e-11-24", "rsl-67", "fvl-25"} <= set(refs)
    assert record["rules_applied"] == {
        "legal_basis": refs["sel-85"], "complaint_route": "municipality_first", "deadline_rule": "jm-vejledning-9533-2018",
    }
    assert record["deadlines"]["complaint"]["deadline"] == "2026-06-17"
    assert record["warnings"] == []
    assert record["files"]["pdf"]["sha256"] == hashlib.sha256((letters / f"{PARTLY}_2-vaerge.pdf").read_bytes()).hexdigest()
    raw = json.dumps(record, ensure_ascii=False)
    assert "Hansen" not in raw and "Prøvegade" not in raw and "Jensen" not in raw


def test_same_input_gives_identical_bytes(letters, run_cli, tmp_path):
    assert run_cli("letter", CASES / "sel-85-delvis-bevilling.yaml", "--out", tmp_path).exit_code == 0
    for path in tmp_path.iterdir():
        assert_same_files(path, letters / path.name)


def test_format_option(run_cli, tmp_path):
    result = run_cli("letter", CASES / "sel-85-bevilling.yaml", "--out", tmp_path, "--format", "html")
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".json"]


def test_workers_write_the_same_files_byte_for_byte(letters, run_cli, tmp_path):
    # The six base cases (ten letters) rendered by two worker processes.
    result = run_cli("letter", *(CASES / name for name in BASE_CASES), "--out", tmp_path, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in letters.iterdir())
    for path in tmp_path.iterdir():
        assert_same_files(path, letters / path.name)


def test_two_files_for_the_same_case_are_refused_not_overwritten(run_cli, tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    source = (CASES / "sel-85-bevilling.yaml").read_text(encoding="utf-8")
    (cases / "a.yaml").write_text(source, encoding="utf-8")
    (cases / "b.yaml").write_text(source, encoding="utf-8")
    result = run_cli("letter", cases, "--out", tmp_path / "out")
    assert result.exit_code != 0
    assert "b.yaml: case_number: the same case as" in result.output and "a.yaml" in result.output
    assert not (tmp_path / "out").exists()

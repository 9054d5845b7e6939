"""Complaint guidance: rendered PDF, DOCX and HTML read back and checked."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import yaml
from docx import Document

from generator.documents.complaint_guidance import guidance_section
from generator.models import Channel
from generator.readability import lix

from conftest import EXAMPLES, MM, assert_same_files, d, docx_text, one_line, pdf_text, recipient, run_ok

EXAMPLE = EXAMPLES / "guidance" / "sel-85-delvis-bevilling.yaml"
CITIZEN = "2026-0142_klagevejledning_1-borger"  # Digital Post, dated 11 May 2026
GUARDIAN = "2026-0142_klagevejledning_2-vaerge"  # paper post


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guidance")
    run_ok("guidance", EXAMPLE, "--out", out)
    return out


def test_one_set_of_files_per_recipient(rendered):
    names = sorted(p.name for p in rendered.iterdir())
    assert names == sorted(f"{stem}.{ext}" for stem in (CITIZEN, GUARDIAN) for ext in ("pdf", "docx", "html", "json"))


def test_digital_letter_pdf(rendered):
    text = one_line(pdf_text(rendered / f"{CITIZEN}.pdf"))
    assert "Vi skal have din klage senest den 8. juni 2026." in text
    assert "digitale postkasse den 11. maj 2026" in text
    assert "svare på denne besked i Digital Post" in text
    assert "Ankestyrelsen inden for 4 uger" in text
    assert "mundtligt eller skriftligt" in text
    assert "sagsnummer 2026-0142" in text
    assert "særlig grund" in text
    assert "De andre kan have en anden frist end dig" in text  # a guardian got the decision too
    assert "Side 1 af 1" in text
    with pdfplumber.open(rendered / f"{CITIZEN}.pdf") as pdf:
        links = [link["uri"] for page in pdf.pages for link in page.hyperlinks]
    assert links == ["mailto:socialafdeling@eksempel-kommune.example", "https://www.eksempel-kommune.example/klage"]


def test_paper_letter_pdf(rendered):
    text = one_line(pdf_text(rendered / f"{GUARDIAN}.pdf"))
    assert "Vi skal have din klage senest den 17. juni 2026." in text
    assert "almindelig post den 11. maj 2026" in text
    assert "har fået det den 20. maj 2026" in text
    assert "6 hverdage efter brevets dato" in text
    assert "Telefontid" in text or "telefontid" in text
    assert "Rådhustorvet 1, 9999 Eksempelby" in text
    assert "Digital Post" in text  # only as one way to complain, not "answer this message"
    assert "svare på denne besked" not in text
    assert "http" not in text and "www." not in text
    with pdfplumber.open(rendered / f"{GUARDIAN}.pdf") as pdf:
        assert not any(page.hyperlinks for page in pdf.pages)


def test_paper_letter_address_sits_in_the_window(rendered):
    """Window 115 x 89 mm at 17 mm left / 25 mm top; recipient block at about 21 mm / 41 mm."""
    with pdfplumber.open(rendered / f"{GUARDIAN}.pdf") as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
    lines = ["Fiktiv Værge Hansen", "Prøvegade 3", "9998 Testrup"]
    first = next(w for w in words if w["text"] == "Fiktiv")
    assert abs(first["x0"] * MM - 21) < 1.5
    assert abs(first["top"] * MM - 41) < 2.5
    address_words = [w for w in words if w["text"] in " ".join(lines).split()]
    for word in address_words:
        assert 17 <= word["x0"] * MM and word["x1"] * MM <= 17 + 115
        assert 25 <= word["top"] * MM and word["bottom"] * MM <= 25 + 89
    # Nothing else inside the window but the return address line and the recipient block.
    inside = [w for w in words if 17 <= w["x0"] * MM <= 132 and 25 <= w["top"] * MM <= 114]
    allowed = set(" ".join(lines).split()) | set("Eksempel Kommune, Rådhustorvet 1, 9999 Eksempelby".split())
    assert {w["text"] for w in inside} <= allowed


def test_pdf_is_tagged_danish_and_titled_without_personal_data(rendered):
    for stem in (CITIZEN, GUARDIAN):
        reader = pypdf.PdfReader(rendered / f"{stem}.pdf")
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "da"
        assert root["/MarkInfo"]["/Marked"]
        assert "/StructTreeRoot" in root
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r'pdfuaid:part(="1"|>1<)', xmp), "not declared PDF/UA-1"
        metadata = " ".join(str(v) for v in reader.metadata.values())
        assert reader.metadata["/Title"] == "Klagevejledning - Eksempel Kommune"
        for personal in ("Fiktiv", "Jensen", "Hansen", "Eksempelvej", "Prøvegade"):
            assert personal not in metadata


def test_docx_reads_back(rendered):
    text = one_line(docx_text(rendered / f"{GUARDIAN}.docx"))
    assert "Vi skal have din klage senest den 17. juni 2026." in text
    assert "Fiktiv Værge Hansen" in text and "9998 Testrup" in text
    assert "Sådan klager du" in text
    assert "{{" not in text and "{%" not in text
    key = [p for p in Document(str(rendered / f"{GUARDIAN}.docx")).paragraphs if p.text.startswith("Vi skal have din klage")]
    assert len(key) == 1 and all(run.bold for run in key[0].runs)  # the deadline stands out
    digital = one_line(docx_text(rendered / f"{CITIZEN}.docx"))
    assert "Vi skal have din klage senest den 8. juni 2026." in digital


def test_html_preview(rendered):
    html = (rendered / f"{CITIZEN}.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html
    assert "8. juni 2026" in html
    assert '<a href="https://www.eksempel-kommune.example/klage">' in html
    assert '<p class="key"><strong>Vi skal have din klage senest den 8. juni 2026.</strong></p>' in html
    paper = (rendered / f"{GUARDIAN}.html").read_text(encoding="utf-8")
    assert "<a " not in paper


def test_record_holds_the_facts_without_personal_data(rendered):
    record = json.loads((rendered / f"{GUARDIAN}.json").read_text(encoding="utf-8"))
    assert record["complaint"]["deadline"]["deadline"] == "2026-06-17"
    assert record["complaint"]["deadline"]["rule"] == "jm-vejledning-9533-2018"
    assert record["recipient"] == {"index": 2, "role": "guardian", "channel": "post", "person_id": "P2002",
                                   "channel_source": "exempt_file", "typed_channel": "post"}
    assert record["lix"]["score"] <= 40
    assert record["files"]["pdf"]["name"] == f"{GUARDIAN}.pdf"
    raw = json.dumps(record, ensure_ascii=False)
    assert "Hansen" not in raw and "Prøvegade" not in raw


def test_same_input_gives_identical_bytes(rendered, run_cli, tmp_path):
    assert run_cli("guidance", EXAMPLE, "--out", tmp_path).exit_code == 0
    for path in rendered.iterdir():
        assert_same_files(tmp_path / path.name, path)


def test_not_appealable_route(tmp_path, run_cli):
    result = run_cli("guidance", EXAMPLES / "guidance" / "sel-141-handleplan.yaml", "--out", tmp_path, "--format", "pdf")
    assert result.exit_code == 0, result.output
    text = one_line(pdf_text(tmp_path / "2026-0188_klagevejledning_1-borger.pdf"))
    assert "Du kan ikke klage over denne afgørelse" in text
    assert "Klagemuligheder" in text and "Sådan klager du" not in text
    assert "derfor er der ikke noget at klage over" in text  # the route's citizen explanation
    assert "Fristen" not in text


def test_direct_route_and_quick_letter():
    guidance = guidance_section(
        provision="bl-ungeudvalg", dated=d("2026-05-08"), recipient=recipient("quickpost"),
        other_parties=0, case_number="2026-0001",
    )
    text = one_line(guidance.section.plain_text)
    assert "direkte til Ankestyrelsen" in text
    assert "Quickbrev den 8. maj 2026" in text and "den 10. maj 2026" in text
    assert "Vi skal have din klage senest den 8. juni 2026." in text
    assert "Fristen ville ende den 7. juni 2026. Den dag er søndag" in text
    assert "andre i sagen" not in text


def test_2017_paper_letter_uses_the_rule_of_its_day():
    guidance = guidance_section(
        provision="sel-85", dated=d("2017-03-08"), recipient=recipient("post"), other_parties=0,
        case_number="2017-0001",
    )
    text = one_line(guidance.section.plain_text)
    assert "onsdag den 8. marts 2017" in text and "den 15. marts 2017" in text
    assert "Vi skal have din klage senest den 12. april 2017." in text
    assert guidance.deadline.rule_set == "post-weekday-table-2016"


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("provision", ["sel-85", "bl-ungeudvalg", "sel-141"])
@pytest.mark.parametrize("dated", ["2026-05-11", "2026-12-03", "2017-03-13"])
@pytest.mark.parametrize("others", [0, 2])
def test_bundled_phrases_stay_readable(channel, provision, dated, others):
    guidance = guidance_section(
        provision=provision, dated=d(dated), recipient=recipient(channel.value), other_parties=others,
        case_number="2026-0001",
    )
    assert lix(guidance.section.plain_text).score <= 40


# --- bad input: a clear message naming the field, exit 2, nothing written -----------------------


def write_case(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda c: c["recipients"][1].pop("channel"), "recipients[1].channel: this field is required"),
        (lambda c: c["recipients"][0].update(channel="fax"), "recipients[0].channel: Input should be 'digital', 'post' or 'quickpost'"),
        (lambda c: c.update(provision="sel-999"), "provision 'sel-999' has no complaint route"),
        (lambda c: c.update(dated="2026-02-30"), "dated:"),
        (lambda c: c["recipients"][0].update(postcode="99"), "recipients[0].postcode"),
    ],
    ids=["missing channel", "unknown channel", "unknown provision route", "date that does not exist", "bad postcode"],
)
def test_bad_input_names_the_field_and_writes_nothing(tmp_path, run_cli, change, expected):
    source = write_case(tmp_path, change)
    out = tmp_path / "out"
    # A valid file next to the bad one: the good one must not be written either.
    shutil.copy(EXAMPLE, tmp_path / "a-good.yaml")
    result = run_cli("guidance", tmp_path / "a-good.yaml", source, "--out", out)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert str(source) in result.stderr or "provision" in expected
    assert not out.exists() or not any(out.iterdir())


def test_error_messages_do_not_repeat_personal_data(tmp_path, run_cli):
    source = write_case(tmp_path, lambda c: c["recipients"][0].update(name=["Fiktiv", "Jensen"]))
    result = run_cli("guidance", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "recipients[0].name" in result.stderr
    assert "Jensen" not in result.stderr


def test_malformed_yaml_names_the_line(tmp_path, run_cli):
    source = tmp_path / "broken.yaml"
    source.write_text("case_number: 1\nrecipients: [\n", encoding="utf-8")
    result = run_cli("guidance", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "broken.yaml: line" in result.stderr


def test_hostile_text_is_printed_literally(tmp_path, run_cli):
    source = write_case(tmp_path, lambda c: c["recipients"][1].update(name="{{ 7*7 }} <script>x</script> & Co"))
    out = tmp_path / "out"
    result = run_cli("guidance", source, "--out", out)
    assert result.exit_code == 0, result.output
    with pdfplumber.open(out / f"{GUARDIAN}.pdf") as pdf:
        window = pdf.pages[0].crop((17 / MM, 25 / MM, 132 / MM, 114 / MM)).extract_text()
    assert "{{ 7*7 }} <script>x</script> & Co" in one_line(window)
    assert "{{ 7*7 }} <script>x</script> & Co" in docx_text(out / f"{GUARDIAN}.docx")
    html = (out / f"{GUARDIAN}.html").read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]  # the head holds the letter font as base64, where "49" may occur
    assert "&lt;script&gt;" in body and "<script>" not in html and "49" not in body

"""Issue 14, point 2: no nearly empty last pages. Every bundled example letter is read back from
its PDF (the session's `example_output`, rendered once): its last page holds at least a quarter of
the text area, unless the letter cannot fit on fewer pages (its tight layout needs as many);
closing blocks stay with the text before them; the transition information letter is one page;
records give the page count."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pypdf

from generator.case import CaseFile
from generator.documents.complaint_guidance import guidance_letters
from generator.documents.decision_letter import build_decision
from generator.loading import load_model
from generator.models import GuidanceRequest
from generator.output import letter_stem
from generator.render import pdf as pdf_module
from generator.render.html import render_html_text

from conftest import EXAMPLES

MM = 72 / 25.4  # millimetres to PDF points
LAST_PAGE_MIN = pdf_module.LAST_PAGE_MIN  # a quarter of the text area


def letter_pdfs(out: Path) -> list[Path]:
    """The letters (decisions, guidance, invitations, the information letter), not print bundles
    or leaflets."""
    found = [*(out / "letters").glob("*.pdf"), *(out / "guidance").glob("*.pdf"),
             *(out / "transition" / "letters").glob("*.pdf"), *(out / "transition").glob("*_information.pdf")]
    return sorted(found)


def body_and_footer(page) -> tuple[list[dict], list[dict]]:
    """Words of the flowed text, and of the running footer ("Side 2 af 3"): the footer is the
    lowest line of the page and starts with "Side"."""
    words = page.extract_words()
    lowest = max(words, key=lambda w: w["top"])
    footer = [w for w in words if abs(w["top"] - lowest["top"]) < 1]
    assert any(w["text"] == "Side" for w in footer), "no running footer on the page"
    return [w for w in words if w not in footer], footer


def last_page_fill(path: Path) -> tuple[int, float, int]:
    """(pages, share of the last page's text area the text fills, lines on it), from the PDF.

    The text area is measured from the page itself: its top is where the text starts (the last
    page is never page one here), its bottom margin twice the distance of the footer's middle from
    the paper's edge (the footer is centred in the bottom margin; the tight layout's is smaller)."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[-1]
        height = float(page.height)
        body, footer = body_and_footer(page)
        footer_middle = sum((w["top"] + w["bottom"]) / 2 for w in footer) / len(footer)
        bottom_margin = 2 * (height - footer_middle)
        top = min(w["top"] for w in body)
        fill = (max(w["bottom"] for w in body) - top) / (height - bottom_margin - top)
        return len(pdf.pages), fill, len({round(w["top"]) for w in body})


@lru_cache(maxsize=None)
def example_letters() -> dict[str, object]:
    """file stem -> Letter, for the example cases and guidance requests (built, not rendered)."""
    letters = {}
    for path in sorted((EXAMPLES / "cases").glob("*.yaml")):
        built = build_decision(load_model(CaseFile, path), source=str(path), input_sha256="0" * 64)
        for index, rl in enumerate(built.letters, start=1):
            letters[letter_stem(rl.letter.case_number, rl.letter.kind, index, rl.letter.recipient.role)] = rl.letter
    for path in sorted((EXAMPLES / "guidance").glob("*.yaml")):
        for index, letter in enumerate(guidance_letters(load_model(GuidanceRequest, path), input_sha256="0" * 64), start=1):
            letters[letter_stem(letter.case_number, letter.kind, index, letter.recipient.role)] = letter
    return letters


def tight_pages(stem: str) -> int:
    """Pages of the letter in the tight layout: the fewest it can have."""
    letter = example_letters()[stem]
    return len(pdf_module.layout(render_html_text(letter, for_print=True, tight=True)).pages)


def test_no_example_letter_ends_on_a_nearly_empty_page(example_output):
    """The rule (generator/render/pdf.py): a letter of more than one page holds at least a quarter
    of the text area on its last page, unless its tight layout has as many pages (it cannot fit
    on fewer, so the page is needed)."""
    pdfs = letter_pdfs(example_output)
    assert len(pdfs) >= 40
    short = []
    for path in pdfs:
        pages, fill, lines = last_page_fill(path)
        if pages > 1 and fill < LAST_PAGE_MIN:
            if path.stem not in example_letters() or tight_pages(path.stem) < pages:
                short.append(f"{path.name}: {pages} pages, the last {fill:.0%} full ({lines} lines)")
    assert short == []


def test_the_measure_sees_a_nearly_empty_page(tmp_path):
    """The check above can fail: a letter forced onto a second page of two lines measures as such."""
    letter = example_letters()["2026-0201_opfoelgning_1-borger"]
    html = render_html_text(letter, for_print=True)
    main = html.index("</main>")
    html = html[:main] + '<p style="break-before: page">Kopi til: Fiktiv Modtager</p>' + html[main:]
    path = tmp_path / "short.pdf"
    path.write_bytes(pdf_module.html_to_pdf(html))
    pages, fill, lines = last_page_fill(path)
    assert (pages, lines) == (2, 1) and fill < 0.05


def test_closing_blocks_stay_with_the_text_before_them(example_output):
    """"Har du spørgsmål?" and "Kopi til" never open a page: the last page always holds text of
    the section before them (or they are on page one)."""
    for path in letter_pdfs(example_output):
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) == 1:
                continue
            body, _ = body_and_footer(pdf.pages[-1])
            first_line = " ".join(w["text"] for w in body if abs(w["top"] - body[0]["top"]) < 1)
            assert not first_line.startswith(("Har du spørgsmål?", "Kopi til")), path.name


def test_guardian_guidance_and_information_letter_save_their_sheets(example_output):
    """The guardian's complaint guidance had a page 2 of two lines; the information letter sent
    with every transition invitation spilled onto a second page."""
    info = next((example_output / "transition").glob("*_information.pdf"))
    assert len(pypdf.PdfReader(info).pages) == 1
    guardian = example_output / "guidance" / "2026-0142_klagevejledning_2-vaerge.pdf"
    pages, fill, lines = last_page_fill(guardian)
    assert pages == 1 or lines > 5


def test_tight_layout_only_where_it_saves_a_page():
    """The tight layout is used only when it saves a page: a one-page letter is the ordinary
    layout, and the same letter always gives the same bytes."""
    letters = example_letters()
    short = letters["2026-0201_opfoelgning_1-borger"]
    normal = pdf_module.html_to_pdf(render_html_text(short, for_print=True))
    assert pdf_module.render_pdf(short) == normal
    saved = letters["2026-0612_afgoerelse_1-foraelder"]  # 3 pages, the last holding "Kopi til" only
    assert len(pdf_module.layout(render_html_text(saved, for_print=True)).pages) == 3
    assert pdf_module.render_pdf(saved) == pdf_module.write(
        pdf_module.layout(render_html_text(saved, for_print=True, tight=True)))
    assert pdf_module.render_pdf(saved) == pdf_module.render_pdf(saved)


def test_records_give_the_page_count(example_output):
    for record_path in sorted((example_output / "letters").glob("*.json")):
        record = json.loads(record_path.read_text(encoding="utf-8"))
        pdf = record["files"]["pdf"]
        assert pdf["pages"] == len(pypdf.PdfReader(record_path.parent / pdf["name"]).pages), record_path.name
    report = json.loads(next((example_output / "leaflets").glob("*.json")).read_text(encoding="utf-8"))
    assert report["files"]["pdf"]["pages"] >= 2

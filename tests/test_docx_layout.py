"""The Word letter is the PDF letter: DOCX converted by LibreOffice compared with WeasyPrint's PDF,
and the DOCX package read back (language, styles, fonts, metadata).

One LibreOffice run converts two letters of one example case (the guardian's paper letter with
the envelope window, the citizen's digital letter). LibreOffice sees Fira Sans, the letter font,
through a fontconfig file in a temporary folder that points at templates/fonts/.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from fontTools.ttLib import TTFont

from generator import paths

from conftest import EXAMPLES, MM, run_ok

CASE = EXAMPLES / "cases" / "sel-85-delvis-bevilling.yaml"
PAPER = "2026-0142_afgoerelse_2-vaerge"  # by post: return line and address in the window
DIGITAL = "2026-0142_afgoerelse_1-borger"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The window of a Danish C5/C4 window envelope (templates/letter.css): x, y, width, height in mm.
WINDOW = (17, 25, 115, 89)
PERSONAL = ("Fiktiv", "Jensen", "Hansen", "Prøvegade", "Eksempelvej", "Testrup", "2026-0142", "Sagsbehandler Eksempel")


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docx-layout")
    run_ok("letter", CASE, "--out", out / "letters", "--format", "pdf,docx")
    return out / "letters"


@pytest.fixture(scope="module")
def converted(letters, tmp_path_factory) -> Path:
    """LibreOffice's PDFs of the two DOCX letters (one soffice run, a throwaway profile)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice missing: `make setup` installs libreoffice-writer-nogui"
    work = tmp_path_factory.mktemp("soffice")
    (work / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{paths.TEMPLATES / 'fonts'}</dir><cachedir>{work / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(work / "pdf"), *(str(letters / f"{stem}.docx") for stem in (PAPER, DIGITAL))],
        env=env, check=True, capture_output=True, timeout=180,
    )
    return work / "pdf"


@lru_cache(maxsize=None)
def words(pdf: Path, page: int = 0) -> list[dict]:
    """The runs of text on a page (read once per test run: pdfplumber is slow)."""
    with pdfplumber.open(pdf) as document:
        return document.pages[page].extract_words(keep_blank_chars=True, x_tolerance=1.5)


def line_top(pdf: Path, text: str, page: int = 0) -> tuple[float, float]:
    """(x, top) in mm of the first run of text on page `page` that starts with `text` (runs are
    split at wide gaps, so the sender block and the address beside it are apart)."""
    for word in words(pdf, page):
        if word["text"].startswith(text):
            return word["x0"] * MM, word["top"] * MM
    raise AssertionError(f"{text!r} not on page {page + 1} of {pdf.name}")


def pages(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as document:
        return [page.extract_text() or "" for page in document.pages]


def fonts(pdf: Path) -> set[str]:
    with pdfplumber.open(pdf) as document:
        return {char["fontname"].split("+")[-1] for page in document.pages for char in page.chars}


@pytest.mark.parametrize("stem", [PAPER, DIGITAL])
def test_libreoffice_pages_match_the_pdf(letters, converted, stem):
    word_pdf, print_pdf = converted / f"{stem}.pdf", letters / f"{stem}.pdf"
    assert fonts(word_pdf) == {"FiraSans-Regular", "FiraSans-Bold"}  # the letter font, nothing else
    word_pages, print_pages = pages(word_pdf), pages(print_pdf)
    assert len(word_pages) == len(print_pages) >= 2
    last = len(word_pages)
    for number, text in enumerate(word_pages, 1):
        footer = [w for w in words(word_pdf, number - 1) if w["top"] * MM > 297 - 22]  # bottom margin
        assert " ".join(w["text"] for w in footer) == f"Eksempel Kommune Side {number} af {last}"
    # the same places on page 1: sender block top right, recipient, the heading where the text starts
    lines = ["Eksempel Kommune", "Dato: 11. maj 2026", "Afgørelse om socialpædagogisk støtte"]
    lines += ["Fiktiv Værge Hansen", "Prøvegade 3", "9998 Testrup"] if stem == PAPER else ["Fiktiv Borger Jensen", "9999 Eksempelby"]
    for text in lines:
        (x, top), (px, ptop) = line_top(word_pdf, text), line_top(print_pdf, text)
        assert abs(x - px) < 1 and abs(top - ptop) < 1.5, (text, (x, top), (px, ptop))
    if stem == PAPER:  # the pages break at the same lines (the digital letter's first page
        # differs by one line: LibreOffice fits a last line that WeasyPrint moves on)
        assert [body_end(t) for t in word_pages] == [body_end(t) for t in print_pages]


def body_end(text: str) -> str:
    """The last line of a page's text above the footer."""
    lines = [line for line in text.splitlines() if not re.search(r"Side \d+ af \d+$", line)]
    return lines[-1].strip()


def test_libreoffice_paper_letter_has_window_return_line_and_logo(converted):
    pdf = converted / f"{PAPER}.pdf"
    x0, y0, width, height = WINDOW
    first = words(pdf)
    address = [w for w in first if w["text"].startswith(("Fiktiv Værge Hansen", "Prøvegade 3", "9998 Testrup"))]
    assert len(address) == 3
    for word in address:
        assert x0 <= word["x0"] * MM and word["x1"] * MM <= x0 + width, word
        assert y0 <= word["top"] * MM and word["bottom"] * MM <= y0 + height, word
    return_line = [w for w in first if w["text"].startswith("Eksempel Kommune, Rådhustorvet 1, 9999 Eksempelby")]
    assert len(return_line) == 1
    assert y0 <= return_line[0]["top"] * MM < min(w["top"] for w in address) * MM  # above the address
    with pdfplumber.open(pdf) as document:
        first_page, later = document.pages[0], document.pages[1:]
        logos = [i for i in first_page.images if i["x0"] * MM > 130 and i["top"] * MM < 25]
        assert len(logos) == 1 and abs((logos[0]["x1"] - logos[0]["x0"]) * MM - 50) < 1  # 50 mm wide, top right
        assert all(not page.images for page in later)  # the logo is on the first page only


# --- the DOCX package itself -------------------------------------------------------------------


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_docx_is_danish_with_fira_sans_and_no_other_font(letters):
    for stem in (PAPER, DIGITAL):
        xml = {name: data.decode("utf-8") for name, data in parts(letters / f"{stem}.docx").items() if name.endswith((".xml", ".rels"))}
        for name, text in xml.items():
            for unwanted in ("DejaVu", "Calibri", "Cambria", "Times New Roman", "en-US", "latentStyles", 'w:type="table"'):
                assert unwanted not in text, (stem, name, unwanted)
            assert set(re.findall(r'<w:(?:lang|themeFontLang) ([^>]*)/>', text)) <= {'w:val="da-DK" w:eastAsia="da-DK" w:bidi="da-DK"'}, name
            for fonts in re.findall(r"<w:rFonts ([^>]*)/>", text):
                assert set(re.findall(r'="([^"]+)"', fonts)) == {"Fira Sans"}, (name, fonts)
        assert '<w:themeFontLang w:val="da-DK"' in xml["word/settings.xml"]
        document = Document(str(letters / f"{stem}.docx"))
        defaults = document.styles.element.find(f"{W}docDefaults")
        assert defaults.find(f".//{W}lang").get(f"{W}val") == "da-DK"
        assert defaults.find(f".//{W}rFonts").get(f"{W}ascii") == "Fira Sans"
        for style in document.styles:  # every style names the language itself
            assert style.element.find(f"{W}rPr/{W}lang").get(f"{W}val") == "da-DK", style.name


def test_docx_font_table_names_fira_sans_with_a_windows_fallback(letters):
    fonts = Document(str(letters / f"{PAPER}.docx")).part.package
    table = next(p for p in fonts.parts if p.partname.endswith("/fontTable.xml"))
    from lxml import etree

    entries = etree.fromstring(table.blob).findall(f"{W}font")
    assert [e.get(f"{W}name") for e in entries] == ["Fira Sans"]
    font = entries[0]
    assert font.find(f"{W}altName").get(f"{W}val") == "Arial"
    assert font.find(f"{W}family").get(f"{W}val") == "swiss" and font.find(f"{W}pitch").get(f"{W}val") == "variable"
    panose = TTFont(paths.TEMPLATES / "fonts" / "FiraSans-Regular.ttf")["OS/2"].panose
    own = "".join(f"{getattr(panose, field):02X}" for field in (
        "bFamilyType", "bSerifStyle", "bWeight", "bProportion", "bContrast", "bStrokeVariation",
        "bArmStyle", "bLetterForm", "bMidline", "bXHeight"))
    assert font.find(f"{W}panose1").get(f"{W}val") == own


def used_styles(document) -> set[str]:
    """Style ids the rendered letter refers to (body, headers, footers), with what they are based on."""
    xml = [document.element.xml]
    for section in document.sections:
        for part in (section.first_page_header, section.footer, section.first_page_footer):
            xml.append(part._element.xml)
    used = set(re.findall(r'<w:[pr]Style w:val="([^"]+)"', "".join(xml)))
    used.add("Normal")  # the default paragraph style: every paragraph without a style
    styles = {s.style_id: s for s in document.styles}
    for style_id in list(used):
        while styles[style_id].base_style is not None:
            style_id = styles[style_id].base_style.style_id
            used.add(style_id)
    return used


def test_docx_has_only_the_styles_the_letter_uses_and_real_headings(letters):
    document = Document(str(letters / f"{PAPER}.docx"))
    defined = {s.style_id for s in document.styles}
    assert defined == used_styles(document)  # the paper letter uses them all (list, key sentence, copies)
    assert document.styles.element.find(f"{W}latentStyles") is None
    by_style = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Heading 1"] == ["Afgørelse om socialpædagogisk støtte efter serviceloven §\u00a085"]  # no break after §
    assert by_style["Heading 2"][:2] == ["Afgørelse", "Det har Fiktiv Borger Jensen søgt om"]
    assert "Sådan klager du" in by_style["Heading 2"]
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        assert document.styles[name].element.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == level
    assert by_style["Vigtigt"] == ["Vi skal have din klage senest den 17. juni 2026."]  # the deadline stands out
    assert by_style["Modtager"] == ["Fiktiv Værge Hansen", "Prøvegade 3", "9998 Testrup"]
    assert by_style["Returadresse"] == ["Eksempel Kommune, Rådhustorvet 1, 9999 Eksempelby"]
    # the closing blocks ("Har du spørgsmål?" and its text, "Kopi til") and the paragraph before
    # them go to a new page together (the PDF's .closing)
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Har du spørgsmål?") - 1
    keep = [p.paragraph_format.keep_with_next for p in document.paragraphs]
    assert keep[start:] == [True] * (len(texts) - start - 1) + [None] and not keep[start - 1]
    assert texts[-1].startswith("Kopi til: ")
    footer = document.sections[0].footer._element.xml
    assert re.findall(r"<w:instrText[^>]*> (\w+)", footer) == ["PAGE", "NUMPAGES"]
    header = document.sections[0].first_page_header._element.xml
    assert 'descr="Eksempel Kommune"' in header and "<a:blip r:embed=" in header  # the logo, with alt text


def test_docx_follows_the_pdfs_tight_layout(letters):
    """The citizen's letter is set tight in the PDF (it saves a nearly empty third page); so is its
    DOCX: smaller margins and spacing; page one's text still starts at 80 mm."""
    from docx.shared import Mm

    from generator.render.docx import TIGHT_MARGINS

    for stem, margins in ((PAPER, (20, 22)), (DIGITAL, TIGHT_MARGINS)):
        document = Document(str(letters / f"{stem}.docx"))
        section = document.sections[0]
        assert (round(section.top_margin.mm), round(section.bottom_margin.mm)) == margins, stem
        spacer = document.paragraphs[0].paragraph_format.line_spacing
        assert abs(section.top_margin + spacer - Mm(116 if stem == PAPER else 80)) < Mm(0.1), stem


def test_docx_metadata_holds_no_personal_data(letters):
    for stem in (PAPER, DIGITAL):
        package = parts(letters / f"{stem}.docx")
        meta = " ".join(package[name].decode("utf-8") for name in package if name.startswith("docProps/"))
        for personal in PERSONAL:
            assert personal not in meta, (stem, personal)
        properties = Document(str(letters / f"{stem}.docx")).core_properties
        assert (properties.title, properties.author, properties.last_modified_by, properties.language) == (
            "Afgørelse - Eksempel Kommune", "Eksempel Kommune", "Eksempel Kommune", "da-DK")


def test_long_address_shrinks_in_the_docx_as_in_the_pdf():
    from generator.formatting import address_fit
    from generator.render.docx import fit_recipient

    lines = ("Fiktiv Testperson Med Et Meget Langt Navn Og Flere Mellemnavne", "c/o Eksempel Bosted",
             "Eksempelvej 123, 2. th.", "9999 Eksempelby")
    size, leading, _unbroken = address_fit(lines)
    assert size < 10
    document = Document(str(paths.TEMPLATES / "letter.docx"))
    recipient = [p for p in document.paragraphs if p.style.style_id == "Modtager"]
    fit_recipient(document, lines)
    for paragraph in recipient:
        assert paragraph.paragraph_format.line_spacing.pt == pytest.approx(size * leading, abs=0.05)
        assert all(run.font.size.pt == size for run in paragraph.runs)


def test_committed_template_is_what_the_script_makes():
    spec = importlib.util.spec_from_file_location("make_docx_template", paths.CHECKOUT / "scripts" / "make_docx_template.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    made = parts_of(script.build())
    committed = parts(paths.TEMPLATES / "letter.docx")
    assert made.keys() == committed.keys()
    for name in made:
        if name.endswith(".png"):  # pixels from pdfium, which may round differently elsewhere
            assert made[name][16:24] == committed[name][16:24], "logo size differs"  # IHDR width, height
        else:
            assert made[name] == committed[name], f"{name}: run scripts/make_docx_template.py"


def parts_of(data: bytes) -> dict[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}

"""The letter font: Fira Sans (plain zero, issue 14), prepared in templates/fonts/ and subset per letter."""

from __future__ import annotations

import io

import pypdf
import pytest
from fontTools.pens.pointInsidePen import PointInsidePen
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from generator import paths
from generator.render.pdf import html_to_pdf

from conftest import one_line

FONTS = paths.TEMPLATES / "fonts"
FACES = ["FiraSans-Regular.ttf", "FiraSans-Bold.ttf"]
FAMILY = "Fira-Sans"  # the font name WeasyPrint writes after the subset tag
DANISH = "æøå ÆØÅ § « » – — „ “ ” ‘ ’ … € é ü"


def base_fonts(pdf: bytes) -> set[str]:
    """/BaseFont of every font a page or an XObject on it (the SVG logo) uses."""
    names: set[str] = set()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        resources = [page["/Resources"]]
        for xobject in page["/Resources"].get("/XObject", {}).values():
            resources.append(xobject.get_object().get("/Resources", {}))
        for resource in resources:
            for font in resource.get("/Font", {}).values():
                names.add(str(font.get_object()["/BaseFont"]))
    return names


def page_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return one_line(" ".join(page.extract_text() for page in reader.pages))


def letter_html(text: str) -> str:
    return f'<!DOCTYPE html><html lang="da"><head><title>Prøve</title></head><body><p>{text}</p></body></html>'


@pytest.fixture(scope="module")
def rendered_examples(example_output):
    """The example letters and guidance (conftest's session-wide rendering)."""
    return [*(example_output / "letters").glob("*.pdf"), *(example_output / "guidance").glob("*.pdf")]


@pytest.mark.parametrize("face", FACES)
def test_prepared_font_covers_danish_and_is_small(face):
    font = TTFont(FONTS / face)
    cmap = font.getBestCmap()
    assert [c for c in DANISH.replace(" ", "") if ord(c) not in cmap] == []
    assert all(ord(c) in cmap for c in map(chr, range(0xA0, 0x100)))  # all of Latin-1
    assert (FONTS / face).stat().st_size < 40_000
    assert font["OS/2"].fsType == 0  # installable embedding: may be embedded in any PDF
    assert "Open Font License" in font["name"].getDebugName(13)
    assert "SIL OPEN FONT LICENSE" in (FONTS / "OFL.txt").read_text(encoding="utf-8")
    header = (FONTS / "OFL.txt").read_text(encoding="utf-8").split("SIL OPEN FONT LICENSE")[0]
    assert "Reserved Font Name" not in header  # none declared: the cut may keep the name
    assert f"{face} <- " in (FONTS / "SOURCE.txt").read_text(encoding="utf-8")  # where it was cut from


def crosses_its_middle(font: TTFont, char: str) -> bool:
    """True when the outline of `char` covers the centre of its bounding box: a slash or a dot
    through a zero does, a plain oval zero has its counter (white) there."""
    glyph_set = font.getGlyphSet()
    name = font.getBestCmap()[ord(char)]
    glyph = font["glyf"][name]
    glyph.recalcBounds(font["glyf"])
    pen = PointInsidePen(glyph_set, ((glyph.xMin + glyph.xMax) / 2, (glyph.yMin + glyph.yMax) / 2))
    glyph_set[name].draw(pen)
    return pen.getResult()


def contours(font: TTFont, char: str) -> int:
    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(char)]].draw(pen)
    return sum(1 for operator, _ in pen.value if operator in ("closePath", "endPath"))


@pytest.mark.parametrize("face", FACES)
def test_the_zero_is_plain_not_slashed_or_dotted(face):
    """Issue 14: "2026" and "§ 100" must not read as "2Ø26" next to Danish Ø. The zero is two
    contours (an outer and an inner oval) with nothing at its centre; the check itself tells
    Ø (slashed) from O (plain) in the same font, so it can fail."""
    font = TTFont(FONTS / face)
    assert not crosses_its_middle(font, "0") and contours(font, "0") == 2
    assert not crosses_its_middle(font, "O")
    assert crosses_its_middle(font, "Ø")  # the test sees a slash where there is one


def test_example_letters_embed_only_the_prepared_font(rendered_examples):
    for pdf in rendered_examples:
        data = pdf.read_bytes()
        fonts = base_fonts(data)
        assert fonts and all(name.split("+", 1)[1].startswith(FAMILY) for name in fonts), fonts
        assert len(data) < 60_000, "a letter must stay small (Digital Post is billed by size)"
    assert len([p for p in rendered_examples if "_afgoerelse_" in p.name or "klagevejledning" in p.name]) >= 4


def test_danish_letters_and_section_sign_render():
    pdf = html_to_pdf(letter_html(f"Ærø, Søren og Åse: {DANISH} <strong>§ 85, stk. 1</strong>"))
    assert {name.split("+", 1)[1] for name in base_fonts(pdf)} == {FAMILY, f"{FAMILY}-Bold"}
    text = page_text(pdf)
    assert "Ærø, Søren og Åse" in text
    assert "æøå ÆØÅ § « » – — „ “ ” ‘ ’ … € é ü" in text
    assert "§ 85, stk. 1" in text


def test_character_outside_the_font_falls_back_and_stays_small():
    """A name in another script still prints; the fallback font is subset, not embedded whole."""
    pdf = html_to_pdf(letter_html("Łukasz Żółć skriver til os → æøå"))
    fonts = base_fonts(pdf)
    assert any(FAMILY in name for name in fonts)
    assert any(FAMILY not in name for name in fonts)  # the system fallback
    assert "Łukasz Żółć skriver til os → æøå" in page_text(pdf)
    assert len(pdf) < 40_000


def test_pdf_is_still_tagged_with_the_fast_path():
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(letter_html("Hej"))))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert html_to_pdf(letter_html("Hej")) == html_to_pdf(letter_html("Hej"))

"""Issue 18: letters subset their fonts (HarfBuzz), draw the logo once per process, stay small and
tagged; the print bundle packs objects and shares one whole font among the letters' subsets."""

from __future__ import annotations

import io
import subprocess
import sys

import pikepdf
import pypdf
import pytest
from fontTools.ttLib import TTFont

from generator import paths, printing
from generator.case import CaseFile
from generator.checks import check_decision
from generator.documents import decision_letter
from generator.loading import load_model
from generator.render import pdf as pdf_module
from generator.render.pdf import html_to_pdf, render_pdf

CASES = paths.CONTENT / "examples" / "cases"
DECISION = CASES / "sel-100-afslag.yaml"  # the 3-page decision letter of the issue (and bench/)
OTHER = sorted(p for p in CASES.glob("*.yaml") if p != DECISION)[0]  # any other example case
SIZE_BOUND = 24_000  # bytes: issue 18's "at most 24 KB", read strictly


def built(case):
    return decision_letter.build_decision(load_model(CaseFile, case), source=str(case), input_sha256="0" * 64)


def letters_of(case) -> list[bytes]:
    return [render_pdf(rl.letter) for rl in built(case).letters]


@pytest.fixture(scope="module")
def decision_pdf() -> bytes:
    return letters_of(DECISION)[0]


def font_programs(data: bytes) -> list[tuple[str, bytes]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [(str(o.FontName), o.FontFile2.read_bytes()) for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor" and "/FontFile2" in o]


def glyphs_used(data: bytes) -> dict[str, set[int]]:
    """Font name -> the glyph ids the text uses (from each CID font's /W widths array)."""
    used: dict[str, set[int]] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in (o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/CIDFontType2"):
            widths, gids, i = list(font.get("/W", [])), used.setdefault(str(font.FontDescriptor.FontName), set()), 0
            while i < len(widths):
                if isinstance(widths[i + 1], pikepdf.Array):
                    gids.update(range(int(widths[i]), int(widths[i]) + len(widths[i + 1])))
                    i += 2
                else:
                    gids.update(range(int(widths[i]), int(widths[i + 1]) + 1))
                    i += 3
    return used


def test_the_three_page_decision_letter_is_at_most_24_kb_and_still_pdf_ua(decision_pdf):
    reader = pypdf.PdfReader(io.BytesIO(decision_pdf))
    assert len(reader.pages) >= 2  # 3 pages; 2 where the layout is tightened to save a page
    assert len(decision_pdf) <= SIZE_BOUND, f"{len(decision_pdf)} bytes"
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "da"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    tree = root["/StructTreeRoot"].get_object()
    kinds = set()
    stack = [tree["/K"]]
    while stack:  # every structure element the tag tree reaches
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict) and "/S" in node:
            kinds.add(str(node["/S"]))
            if str(node["/S"]) == "/Figure":
                assert node.get("/Alt"), "the logo keeps its alternative text"
            stack.append(node.get("/K", []))
    assert {"/Figure", "/P", "/H1"} <= kinds or {"/Figure", "/P"} <= kinds
    assert "afslag" in " ".join(page.extract_text() for page in reader.pages).lower()


def test_fonts_are_subset_not_embedded_whole(decision_pdf):
    whole = {TTFont(f)["name"].getDebugName(6): f.stat().st_size for f in (paths.TEMPLATES / "fonts").glob("*.ttf")}
    programs = font_programs(decision_pdf)
    assert programs
    for name, data in programs:
        tag, _, _ = name.lstrip("/").partition("+")
        assert len(tag) == 6 and tag.isupper()  # a subset's tag (ISO 32000 9.6.4)
        assert len(data) < 0.6 * min(whole.values()), (name, len(data))


def test_same_letter_same_bytes_whatever_the_process_drew_first(decision_pdf):
    """The logo is recorded on its first draw; a letter must not differ for being first."""
    script = (
        "import sys, hashlib\n"
        "from tests.test_pdf_size import letters_of\n"
        "from pathlib import Path\n"
        "for case in sys.argv[1:]: data = letters_of(Path(case))[0]\n"
        "print(hashlib.sha256(data).hexdigest())\n"
    )
    import hashlib

    runs = [[str(DECISION)], [str(OTHER), str(DECISION)]]
    digests = {subprocess.run([sys.executable, "-c", script, *cases], cwd=paths.ROOT, capture_output=True, text=True,
                              check=True).stdout.strip() for cases in runs}
    assert digests == {hashlib.sha256(decision_pdf).hexdigest()}


def test_logo_is_drawn_once_per_process_and_is_in_every_letter():
    from generator.render.html import logo_uri
    from generator.render.page_content import _compact

    letters = letters_of(OTHER)  # the logo is loaded, and drawn at the letter's size, by now
    logo = pdf_module._IMAGE_CACHE[logo_uri(built(DECISION).letters[0].letter.sender.logo)]
    drawn = logo.draw.draws
    letters += letters_of(DECISION) + letters_of(DECISION)
    assert logo.draw.draws == drawn == len(logo.draw.recorded)  # WeasyPrint drew it once per size, no more
    sizes = [ops for ops in logo.draw.recorded.values() if ops]
    drawings = [b"\n".join(_compact(op) for op in ops) for ops in sizes]  # as the page writes them
    assert all(drawing.count(b"\nf") >= 3 for drawing in drawings)  # shield, inner shape, name: filled paths
    for data in letters:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            page = pdf.pages[0].Contents.read_bytes()
            assert sum(drawing in page for drawing in drawings) == 1


SVG_WITH_GRADIENT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>'
    '<rect width="40" height="20" fill="url(#g)" opacity="0.5"/></svg>'
)


def test_an_svg_that_needs_page_resources_is_drawn_by_weasyprint_every_time():
    import base64

    uri = "data:image/svg+xml;base64," + base64.b64encode(SVG_WITH_GRADIENT.encode()).decode()
    html = f'<!DOCTYPE html><html lang="da"><head><title>Prøve</title></head><body><p>Hej</p><img src="{uri}" alt="Prøve"></body></html>'
    first, second = html_to_pdf(html), html_to_pdf(html)
    assert first == second
    assert pdf_module._IMAGE_CACHE[uri].draw.recorded[next(iter(pdf_module._IMAGE_CACHE[uri].draw.recorded))] is None
    assert pdf_module._IMAGE_CACHE[uri].draw.draws >= 2
    with pikepdf.open(io.BytesIO(second)) as pdf:
        resources = repr(pdf.pages[0].Resources)
        assert "/Shading" in resources or "/Pattern" in resources  # the gradient is still drawn


def test_lix_is_measured_once_per_letter(monkeypatch):
    calls = []
    real = decision_letter.lix
    monkeypatch.setattr(decision_letter, "lix", lambda text: calls.append(text) or real(text))
    case = built(DECISION)
    check_decision(case)
    assert len(calls) == len(case.letters)


def test_bundle_uses_object_streams_and_one_whole_font_for_all_subsets():
    letters = [data for case in sorted(CASES.glob("*.yaml"))[:5] for data in letters_of(case)]
    subsets = {data for letter in letters for _, data in font_programs(letter)}
    assert len(subsets) > 4  # the letters' subsets differ (names, words)
    bundle, pages = printing.print_bundle(letters)
    assert bundle == printing.print_bundle(letters)[0]  # deterministic
    assert b"/ObjStm" in bundle
    with pikepdf.open(io.BytesIO(bundle)) as pdf:
        programs = {d.FontFile2.objgen: d.FontFile2.read_bytes() for d in pdf.objects
                    if isinstance(d, pikepdf.Dictionary) and d.get("/Type") == "/FontDescriptor" and "/FontFile2" in d}
        text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(bundle)).pages)
    assert pages >= len(letters) and len(programs) == 2  # regular and bold, once each
    assert set(programs.values()) <= {f.read_bytes() for f in (paths.TEMPLATES / "fonts").glob("*.ttf")}
    assert "Klagevejledning" in text or "klage" in text.lower()
    assert len(bundle) < sum(map(len, letters))


def test_whole_font_draws_every_glyph_of_each_subset_the_same():
    """The bundle swaps a letter's subset for the whole font: each glyph id must be the same shape."""
    for data in letters_of(DECISION) + letters_of(OTHER):
        for name, subset in font_programs(data):
            found = printing._whole_font(subset)
            assert found is not None, name
            small, whole = TTFont(io.BytesIO(subset)), TTFont(io.BytesIO(found[1]))
            small_order, whole_order = small.getGlyphOrder(), whole.getGlyphOrder()
            drawn = glyphs_used(data)[name]
            assert len(drawn) > 20
            for gid in drawn:
                a, b = small["glyf"][small_order[gid]], whole["glyf"][whole_order[gid]]
                assert a.getCoordinates(small["glyf"])[0] == b.getCoordinates(whole["glyf"])[0], (name, gid)
                assert small["hmtx"][small_order[gid]][0] == whole["hmtx"][whole_order[gid]][0]


def test_a_font_subset_of_another_font_is_not_swapped():
    """A fallback font (a name in another script) keeps its own subset in the bundle."""
    families = {TTFont(f)["name"].getDebugName(1).replace(" ", "-") for f in (paths.TEMPLATES / "fonts").glob("*.ttf")}
    fallback = html_to_pdf('<!DOCTYPE html><html lang="da"><head><title>Prøve</title></head><body><p>Łukasz → Żółć</p></body></html>')
    others = [data for name, data in font_programs(fallback) if not any(f in name for f in families)]
    assert others and all(printing._whole_font(data) is None for data in others)


def test_compacting_moves_no_point_more_than_half_a_step_and_keeps_strokes():
    from generator.render.prepared_image import _compact

    fill = [b"q", b"0.1 0.2 0.3 rg", b"[] 0 d", b"0 J", b"0 0 m", b"4.04 4 m", b"190.26 4.333333 l", b"58.943333 26.17 58.243 26.02 57.65 25.72 c", b"h", b"f", b"Q"]
    out = _compact(fill)
    assert out == [b"q", b"0.1 0.2 0.3 rg", b"4 4 m", b"190.3 4.3 l", b"58.9 26.2 58.2 26 57.6 25.7 c", b"h", b"f", b"Q"]
    stroke = [b"2 w", b"[3 1] 0 d", b"0 0 m", b"10.123456 0 l", b"S"]
    assert _compact(stroke) == [b"2 w", b"[3 1] 0 d", b"0 0 m", b"10.12 0 l", b"S"]  # extent 10: steps of 0.01


BULLET = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Ccircle cx='5' cy='5' r='5'/%3E%3C/svg%3E"
TWO_SHAPES = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Crect width='6' height='6'/%3E%3Crect x='4' y='4' width='6' height='6'/%3E%3C/svg%3E"


def list_html(bullet: str, opacity: str = "1") -> str:
    style = (f"li {{ padding-left: 4mm; opacity: {opacity}; "
             f'background: url("{bullet}") no-repeat 0 0.3em / 1.5mm 1.5mm; }}')
    items = "".join(f"<li>Punkt {n}</li>" for n in range(1, 9))
    return (f'<!DOCTYPE html><html lang="da"><head><title>Prøve</title><style>{style}</style></head>'
            f"<body><p>Liste:</p><ul>{items}</ul></body></html>")


def forms(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(1 for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.stream_dict.get("/Subtype") == "/Form")


def test_background_bullets_are_drawn_in_the_page_not_as_one_object_each():
    """WeasyPrint puts each no-repeat background image in a Form XObject of its own; a
    one-shape drawing is put back into the page (render/inline_forms.py)."""
    html = list_html(BULLET)
    document = pdf_module.layout(html)
    plain = document.write_pdf(**pdf_module.OPTIONS)  # WeasyPrint as it is: one group per bullet
    assert forms(plain) == 8
    inlined = html_to_pdf(html)
    assert forms(inlined) == 0 and len(inlined) < len(plain) - 8 * 150
    with pikepdf.open(io.BytesIO(inlined)) as pdf:
        content = pdf.pages[0].Contents.read_bytes()
        assert "/XObject" not in pdf.pages[0].Resources or not pdf.pages[0].Resources.XObject.keys()
    assert content.count(b"\nf\n") >= 8  # eight filled circles, on the page itself
    assert content.count(b"/Artifact") >= 8  # still marked as decoration, not content
    text = pypdf.PdfReader(io.BytesIO(inlined)).pages[0].extract_text()
    assert all(f"Punkt {n}" in text for n in range(1, 9))


def test_a_group_with_several_shapes_stays_a_group():
    """Opacity applies to a transparency group as a whole: two overlapping shapes inlined under
    an opacity would each be half transparent and their overlap darker, so a group that paints
    more than once is left alone."""
    assert forms(html_to_pdf(list_html(TWO_SHAPES))) == 8


def test_compacted_pages_show_the_same_text_in_the_same_places():
    import pdfplumber

    from generator.render.page_content import _compact

    assert _compact(b"[<0012>0<0034>0<0056>-15<0078>0] TJ") == b"[<001200340056>-15<0078>] TJ"
    assert _compact(b"0.944882 0 0 0.944882 10.123456 4.724409 cm") == b"0.944882 0 0 0.944882 10.123 4.724 cm"
    assert _compact(b"/ABCDEF 18.666016 Tf") == b"/ABCDEF 18.666 Tf"
    html = pdf_module.render_html_text(built(DECISION).letters[0].letter, for_print=True)
    plain, compact = pdf_module.layout(html).write_pdf(**pdf_module.OPTIONS), html_to_pdf(html)
    assert len(compact) < len(plain)

    def chars(data):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [(c["text"], c["x0"], c["top"], c["size"]) for page in pdf.pages for c in page.chars]

    before, after = chars(plain), chars(compact)
    assert len(before) == len(after) > 1000
    for (t1, x1, y1, s1), (t2, x2, y2, s2) in zip(before, after):
        assert t1 == t2 and abs(x1 - x2) < 0.01 and abs(y1 - y2) < 0.01 and abs(s1 - s2) < 0.01

"""Letter -> tagged PDF (PDF/UA-1, language Danish) with WeasyPrint.

The document title comes from the HTML <title>, which never holds personal data.

Fonts: letters are set in templates/fonts/ (a font cut in advance to the characters letters need,
scripts/prepare_fonts.py) and WeasyPrint embeds only the glyphs a letter uses. It subsets with
HarfBuzz (libharfbuzz-subset0, installed by `make setup`) in about the time whole-font embedding
took, and the 3-page decision letter is half the size (bench/RESULTS.md, issue 18). A character
outside the font (a name in another script) falls back to a system font, subset the same way.

Per process, not per letter: the stylesheet and its fonts (one FontConfiguration, so the font
files are read once), and the logo (generator/render/prepared_image.py: drawn once, replayed).
The pages are written smaller by generator/render/page_content.py: one-shape background images
(list bullets) in the page rather than an object each, no zero adjustments in text, 3 decimals.

A letter that would end on a nearly empty page is laid out again, tighter, when that saves the
page (`fitted`, below).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Callable

from .. import paths
from ..documents.model import Letter
from .fetcher import safe_fetcher
from .html import render_html_text
from . import artifacts, page_content
from .prepared_image import ImageCache
from .weasyprint_loader import load_weasyprint

weasyprint = load_weasyprint()
FontConfiguration = weasyprint.text.fonts.FontConfiguration

# fontTools (the subsetter WeasyPrint falls back on without HarfBuzz's) stamps each subset font
# with the current time unless SOURCE_DATE_EPOCH is set; HarfBuzz keeps the font's own stamp.
# Either way the same letter gives the same bytes (and the same SHA-256 in records).
os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01

# WeasyPrint's defaults for the fonts: subset (full_fonts False), hinting dropped (PDF viewers
# do not use it); both spelled out because the letter's size bound (tests) rests on them.
OPTIONS = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False, "full_fonts": False, "hinting": False}

# Images (the logo) decoded and drawn once per process, not once per letter; keyed by URL.
_IMAGE_CACHE = ImageCache()


@lru_cache(maxsize=None)
def font_config() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=None)
def stylesheet(name: str = "letter.css") -> weasyprint.CSS:
    return weasyprint.CSS(filename=str(paths.TEMPLATES / name), font_config=font_config(), url_fetcher=safe_fetcher())


def layout(html: str, stylesheet_name: str = "letter.css") -> weasyprint.Document:
    """WeasyPrint's layout step with the process-wide CSS, fonts and image cache."""
    document = weasyprint.HTML(string=html, base_url=str(paths.TEMPLATES), url_fetcher=safe_fetcher())
    return document.render(
        stylesheets=[stylesheet(stylesheet_name)], font_config=font_config(), cache=_IMAGE_CACHE, **OPTIONS
    )


def finish(document: weasyprint.Document, pdf) -> None:
    """WeasyPrint's finisher hook: running headers and footers as artifacts, printable links
    (artifacts.py); then the pages written smaller (page_content.py: bullets in the page, fewer
    digits)."""
    artifacts.finish(document, pdf)
    page_content.finish(document, pdf)


def write(document: weasyprint.Document) -> bytes:
    return document.write_pdf(finisher=finish, **OPTIONS)


def html_to_pdf(html: str, stylesheet_name: str = "letter.css") -> bytes:
    return write(layout(html, stylesheet_name))


# --- near-empty last pages (issue 14) ------------------------------------------------------------
#
# A letter whose last page holds only "Kopi til" or "Har du spørgsmål?" costs a sheet (remote print
# bills per sheet) and looks careless. The closing blocks are kept with the text before them in
# letter.css; and when the last page of a letter is filled less than NEAR_EMPTY of its text area,
# the letter is laid out a second time in the tight layout (`body.tight` in letter.css: less space
# between lines, paragraphs and headings, smaller top and bottom margins after page one; the same
# 10 pt type). The tight layout is kept only when it has fewer pages. The rule the tests hold
# every example letter to: the last page holds at least LAST_PAGE_MIN of the text area, unless the
# tight layout needs as many pages (the letter cannot fit on fewer). Both layouts depend only on
# the letter, so the same letter still gives the same bytes.

LAST_PAGE_MIN = 0.25  # of the text area's height: the least a last page should hold
# A tighter trigger than LAST_PAGE_MIN: the fill measured here (line boxes) and from the PDF's
# glyphs (the tests) differ by a fraction of a line; a letter just above the minimum may also
# save its sheet.
NEAR_EMPTY = 1 / 3


def last_page_fill(document: weasyprint.Document) -> float:
    """How much of the last page's text area (content box) the flowed content fills, 0..1: from
    its top to the bottom of the lowest line or image. Running headers and footers (page margin
    boxes) do not count."""
    boxes = weasyprint.formatting_structure.boxes
    page = document.pages[-1]._page_box  # WeasyPrint's layout tree of the page
    top, height = page.content_box_y(), page.height
    bottom = top
    for child in page.children:
        if isinstance(child, boxes.MarginBox):
            continue
        for box in child.descendants():
            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
                bottom = max(bottom, box.position_y + box.margin_height())
    return max(0.0, min(1.0, (bottom - top) / height))


def fitted(render_html: Callable[[bool], str], stylesheet_name: str = "letter.css") -> weasyprint.Document:
    """The layout of `render_html(tight=False)`, or of `render_html(tight=True)` when the first
    ends on a nearly empty page and the tight one has fewer pages."""
    html = render_html(False)
    document = chosen = layout(html, stylesheet_name)
    if len(document.pages) > 1 and last_page_fill(document) < NEAR_EMPTY:
        tight = layout(render_html(True), stylesheet_name)
        if len(tight.pages) < len(document.pages):
            chosen = tight
    _remember(html, chosen is not document)
    return chosen


# Which layout each letter got (the SHA-256 of its normal print HTML -> tight), for the DOCX
# renderer, which follows the PDF's choice so that the Word letter has the PDF's pages
# (generator/render/docx.py). Rendered PDF first, DOCX second (as jobs do), the layout is not
# done twice. Per process, bounded.
_CHOSEN: dict[str, bool] = {}


def _remember(html: str, tight: bool) -> None:
    if len(_CHOSEN) > 4096:
        _CHOSEN.clear()
    _CHOSEN[hashlib.sha256(html.encode("utf-8")).hexdigest()] = tight


def uses_tight(render_html: Callable[[bool], str]) -> bool:
    """Whether `fitted` chooses the tight layout for this document (remembered, or laid out now)."""
    key = hashlib.sha256(render_html(False).encode("utf-8")).hexdigest()
    if key not in _CHOSEN:
        fitted(render_html)
    return _CHOSEN[key]


def render_pdf(letter: Letter) -> bytes:
    return write(fitted(lambda tight: render_html_text(letter, for_print=True, tight=tight)))

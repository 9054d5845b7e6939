"""Letter -> tagged PDF (PDF/UA-1, language Danish) with WeasyPrint.

The document title comes from the HTML <title>, which never holds personal data.

Speed (bench/RESULTS.md): with a large system font, most of a letter's time went to subsetting
the font with fontTools for every PDF. Letters use templates/fonts/, a font cut in advance to
the characters letters need (scripts/prepare_fonts.py), embedded whole: no subsetting at all.
Should a letter need a character outside it (a name in another script, say), Pango falls back to
a system font; embedding that whole would make the letter hundreds of KB, so such a letter is
rendered again with WeasyPrint's ordinary subsetting: slower, but small and correct.
"""

from __future__ import annotations

import os
from functools import lru_cache

from .. import paths
from ..documents.model import Letter
from .fetcher import safe_fetcher
from .html import render_html_text
from .weasyprint_loader import load_weasyprint

weasyprint = load_weasyprint()
FontConfiguration = weasyprint.text.fonts.FontConfiguration

# fontTools stamps each subset font with the current time unless SOURCE_DATE_EPOCH is set;
# a fixed stamp makes the same letter give the same bytes (and the same SHA-256 in records).
os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01

PREPARED_FAMILIES = frozenset({"Atkinson Hyperlegible"})  # the @font-face fonts in templates/*.css
OPTIONS = {"pdf_variant": "pdf/ua-1", "uncompressed_pdf": False}

# Images (the logo) decoded once per process, not once per letter; keyed by URL.
_IMAGE_CACHE: dict = {}


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


@lru_cache(maxsize=None)
def uses_prepared_font(stylesheet_name: str) -> bool:
    """Whether a stylesheet sets its text in a prepared font (letter.css does; leaflet.css not yet)."""
    css = (paths.TEMPLATES / stylesheet_name).read_text(encoding="utf-8")
    return any(f'"{family}"' in css for family in PREPARED_FAMILIES)


def html_to_pdf(html: str, stylesheet_name: str = "letter.css") -> bytes:
    document = layout(html, stylesheet_name)
    if not uses_prepared_font(stylesheet_name):
        return document.write_pdf(**OPTIONS)  # system fonts: WeasyPrint subsets them
    pdf = document.write_pdf(full_fonts=True, **OPTIONS)
    if {font.family for font in document.fonts.values()} <= PREPARED_FAMILIES:
        return pdf
    return layout(html, stylesheet_name).write_pdf(**OPTIONS)  # a fallback font is used: embed subsets only


def render_pdf(letter: Letter) -> bytes:
    return html_to_pdf(render_html_text(letter, for_print=True))

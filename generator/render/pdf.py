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
"""

from __future__ import annotations

import os
from functools import lru_cache

from .. import paths
from ..documents.model import Letter
from .html import render_html_text
from . import page_content
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
    return weasyprint.CSS(filename=str(paths.TEMPLATES / name), font_config=font_config())


def layout(html: str, stylesheet_name: str = "letter.css") -> weasyprint.Document:
    """WeasyPrint's layout step with the process-wide CSS, fonts and image cache."""
    document = weasyprint.HTML(string=html, base_url=str(paths.TEMPLATES))
    return document.render(
        stylesheets=[stylesheet(stylesheet_name)], font_config=font_config(), cache=_IMAGE_CACHE, **OPTIONS
    )


def html_to_pdf(html: str, stylesheet_name: str = "letter.css") -> bytes:
    # page_content.finish: the pages written smaller (bullets in the page, fewer digits)
    return layout(html, stylesheet_name).write_pdf(finisher=page_content.finish, **OPTIONS)


def render_pdf(letter: Letter) -> bytes:
    return html_to_pdf(render_html_text(letter, for_print=True))

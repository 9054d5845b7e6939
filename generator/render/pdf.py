"""Letter -> tagged PDF (PDF/UA-1, language Danish) with WeasyPrint.

The document title comes from the HTML <title>, which never holds personal data.
"""

from __future__ import annotations

import os
from functools import lru_cache

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .. import paths
from ..documents.model import Letter
from .html import render_html_text

# fontTools stamps each subset font with the current time unless SOURCE_DATE_EPOCH is set;
# a fixed stamp makes the same letter give the same bytes (and the same SHA-256 in records).
os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01


@lru_cache(maxsize=None)
def font_config() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=None)
def stylesheet(name: str = "letter.css") -> weasyprint.CSS:
    return weasyprint.CSS(filename=str(paths.TEMPLATES / name), font_config=font_config())


def html_to_pdf(html: str, stylesheet_name: str = "letter.css") -> bytes:
    document = weasyprint.HTML(string=html, base_url=str(paths.TEMPLATES))
    return document.write_pdf(
        stylesheets=[stylesheet(stylesheet_name)],
        font_config=font_config(),
        pdf_variant="pdf/ua-1",
        uncompressed_pdf=False,
    )


def render_pdf(letter: Letter) -> bytes:
    return html_to_pdf(render_html_text(letter, for_print=True))

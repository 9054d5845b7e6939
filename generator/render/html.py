"""Letter -> HTML (the preview, and the input to the PDF renderer)."""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache

from markupsafe import Markup

from .. import paths
from ..documents.model import Letter
from .environment import environment

TEMPLATE = "letter.html.j2"


@lru_cache(maxsize=None)
def logo_uri(logo: str) -> str:
    """The profile's logo as a data URI, so the preview is one self-contained file."""
    data = (paths.CONTENT / logo).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


_FONT_URL = re.compile(r'url\("(fonts/[^"/]+\.ttf)"\) format\("truetype"\)')


@lru_cache(maxsize=None)
def _font_data_uri(relative: str) -> str:
    """A prepared font (templates/fonts/) as a WOFF2 data URI: about 17 KB a face."""
    from fontTools.ttLib import TTFont

    font = TTFont(paths.TEMPLATES / relative)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return "data:font/woff2;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@lru_cache(maxsize=None)
def preview_css() -> Markup:
    """letter.css and preview.css for the HTML preview, one self-contained file (issue 14): the
    letter font's faces are embedded as data URIs in place of the `fonts/` files beside the
    stylesheet, which are not in the output folder, so the preview shows the letter's font."""
    css = (paths.TEMPLATES / "letter.css").read_text(encoding="utf-8")
    css = _FONT_URL.sub(lambda m: f'url("{_font_data_uri(m.group(1))}") format("woff2")', css)
    return Markup(css + "\n" + (paths.TEMPLATES / "preview.css").read_text(encoding="utf-8"))


def render_html_text(letter: Letter, *, for_print: bool = False, tight: bool = False) -> str:
    """`tight`: the tight print layout (render/pdf.py `fitted`: only when it saves a page)."""
    template = environment().get_template(TEMPLATE)
    return template.render(letter=letter, for_print=for_print, tight=tight, logo_uri=logo_uri(letter.sender.logo),
                           preview_css=None if for_print else preview_css())


def render_html(letter: Letter) -> bytes:
    return render_html_text(letter).encode("utf-8")

"""Letter -> HTML (the preview, and the input to the PDF renderer)."""

from __future__ import annotations

import base64
from functools import lru_cache

from .. import paths
from ..documents.model import Letter
from .environment import environment

TEMPLATE = "letter.html.j2"


@lru_cache(maxsize=None)
def logo_uri(logo: str) -> str:
    """The profile's logo as a data URI, so the preview is one self-contained file."""
    data = (paths.CONTENT / logo).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def render_html_text(letter: Letter, *, for_print: bool = False) -> str:
    template = environment().get_template(TEMPLATE)
    return template.render(letter=letter, for_print=for_print, logo_uri=logo_uri(letter.sender.logo))


def render_html(letter: Letter) -> bytes:
    return render_html_text(letter).encode("utf-8")

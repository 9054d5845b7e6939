"""Leaflet -> web page (HTML, one self-contained file) and print PDF (PDF/UA-1, A4 or A5).

Uses the project's sandboxed Jinja environment and the cached WeasyPrint setup of render/pdf.py
with its own stylesheet. The PDF's title is the leaflet's title; its language is Danish, which
also makes WeasyPrint hyphenate with the Danish pyphen dictionary.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markupsafe import Markup

from ..leaflets.build import Leaflet
from ..loading import profile
from .diagram import process_svg
from .environment import environment
from .html import logo_uri
from .pdf import html_to_pdf

# A link to another leaflet's web page (relative, no scheme): followed on screen, not on paper.
_PAGE_LINK = re.compile(r'<a href="[^":#]+\.html(?:#[^"]*)?">(.*?)</a>', re.DOTALL)

# The last word of a paragraph or list item, when short, goes to the next line only together with
# the word before it: no line holding "andre." alone (issue 14). The space before it becomes a
# no-break space; only plain text between tags is touched (never inside a tag or a link).
_SHORT_LAST_WORD = re.compile(r"(?<=[^\s>])[ \t\n]+([^\s<>]{1,12})(</(?:p|li)>)")

TEMPLATE = "leaflet.html.j2"
STYLESHEET = "leaflet.css"


def print_parts(leaflet: Leaflet) -> Leaflet:
    """For the PDF, links to other leaflets' web pages become plain text (they would not resolve)."""
    parts = tuple(replace(part, html=Markup(_PAGE_LINK.sub(r"\1", part.html))) for part in leaflet.parts)
    return replace(leaflet, parts=parts)


def render_leaflet_html_text(leaflet: Leaflet, *, for_print: bool = False) -> str:
    if for_print:
        leaflet = print_parts(leaflet)
    sender = profile()
    department = next((d.name for d in sender.departments if d.id == leaflet.front.area), "")
    html = environment().get_template(TEMPLATE).render(
        leaflet=leaflet,
        front=leaflet.front,
        sender=sender,
        department=department,
        logo_uri=logo_uri(sender.logo),
        diagram=process_svg,
        for_print=for_print,
    )
    return keep_last_words(html) if for_print else html  # the web page's lines depend on the screen


def keep_last_words(html: str) -> str:
    """A no-break space before the last word of each paragraph and list item when that word has
    at most 12 characters (with its punctuation), and the word is not hyphenated (class
    "last-word", leaflet.css): neither it nor a piece of it stands alone on the last line."""
    return _SHORT_LAST_WORD.sub(lambda m: f'\u00a0<span class="last-word">{m.group(1)}</span>{m.group(2)}', html)


def render_leaflet_html(leaflet: Leaflet) -> bytes:
    return render_leaflet_html_text(leaflet).encode("utf-8")


def render_leaflet_pdf(leaflet: Leaflet) -> bytes:
    return html_to_pdf(render_leaflet_html_text(leaflet, for_print=True), STYLESHEET)

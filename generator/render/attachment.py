"""Attachment -> HTML and tagged PDF, with the letter's stylesheet but no address field."""

from __future__ import annotations

from ..documents.model import Attachment
from .environment import environment
from .html import logo_uri, preview_css
from .pdf import fitted, write

TEMPLATE = "attachment.html.j2"


def render_attachment_html(doc: Attachment, *, for_print: bool = False, tight: bool = False) -> str:
    template = environment().get_template(TEMPLATE)
    return template.render(doc=doc, for_print=for_print, tight=tight, logo_uri=logo_uri(doc.sender.logo),
                           preview_css=None if for_print else preview_css())


def render_attachment_pdf(doc: Attachment) -> bytes:
    """Tight when that saves a page (render/pdf.py `fitted`): the information letter sent with
    every transition invitation fits one page."""
    return write(fitted(lambda tight: render_attachment_html(doc, for_print=True, tight=tight)))

"""Attachment -> HTML and tagged PDF, with the letter's stylesheet but no address field."""

from __future__ import annotations

from ..documents.model import Attachment
from .environment import environment
from .html import logo_uri
from .pdf import html_to_pdf

TEMPLATE = "attachment.html.j2"


def render_attachment_html(doc: Attachment, *, for_print: bool = False) -> str:
    template = environment().get_template(TEMPLATE)
    return template.render(doc=doc, for_print=for_print, logo_uri=logo_uri(doc.sender.logo))


def render_attachment_pdf(doc: Attachment) -> bytes:
    return html_to_pdf(render_attachment_html(doc, for_print=True))

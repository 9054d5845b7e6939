"""Renderers: Letter -> HTML, PDF, DOCX bytes. They know layout, not law.

Engines (Jinja environment, CSS, fonts, DOCX template bytes) are built once per process and
reused; build them inside a worker process, never before fork() (WeasyPrint is not fork-safe).
"""

from .docx import render_docx
from .html import render_html
from .pdf import render_pdf

RENDERERS = {"pdf": render_pdf, "docx": render_docx, "html": render_html}
FORMATS = tuple(RENDERERS)

__all__ = ["FORMATS", "RENDERERS", "render_docx", "render_html", "render_pdf"]

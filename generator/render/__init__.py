"""Renderers: Letter -> HTML, PDF, DOCX bytes. They know layout, not law.

Engines (Jinja environment, CSS, fonts, DOCX template bytes) are built once per process and
reused; build them inside a worker process, never before fork() (WeasyPrint is not fork-safe).

Each renderer is imported on first use: a PDF-only run never loads docxtpl and python-docx (a
cold `brevgen` start is mostly imports). The DOCX renderer asks the PDF's layout whether a letter
is set tight (render/pdf.py `uses_tight`), so a DOCX-only run loads WeasyPrint too; after the
letter's PDF in the same process the answer is remembered.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Callable, Iterator

FORMATS = ("pdf", "docx", "html")


def _renderer(fmt: str) -> Callable:
    return getattr(importlib.import_module(f"{__name__}.{fmt}"), f"render_{fmt}")


class _Renderers(Mapping):
    """format -> render function, imported when first asked for."""

    def __getitem__(self, fmt: str) -> Callable:
        if fmt not in FORMATS:
            raise KeyError(fmt)
        return _renderer(fmt)

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


RENDERERS: Mapping[str, Callable] = _Renderers()


def __getattr__(name: str) -> Callable:  # `from generator.render import render_pdf` still works
    if name.startswith("render_") and name[len("render_"):] in FORMATS:
        return _renderer(name[len("render_"):])
    raise AttributeError(name)


__all__ = ["FORMATS", "RENDERERS", "render_docx", "render_html", "render_pdf"]

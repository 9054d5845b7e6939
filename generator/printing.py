"""The print bundle for remote printing: all paper letters in one PDF, duplex-safe.

Each letter starts on an odd page, and so does the attachment after it (a blank page is
inserted after a part with an odd page count), so no sheet carries two recipients' pages.
The letters keep their own layout (address in the window field of page one). The attachment
is read once, so its fonts and content are stored once however many letters carry it.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def print_bundle(letters: list[bytes], attachment: bytes | None = None) -> tuple[bytes, int]:
    """One PDF of `letters`, each followed by `attachment`; returns the bytes and page count."""
    writer = PdfWriter()
    shared = PdfReader(io.BytesIO(attachment)) if attachment else None
    for letter in letters:
        _append(writer, PdfReader(io.BytesIO(letter)))
        if shared is not None:
            _append(writer, shared)
    writer.add_metadata({"/Title": "Printfil - breve til fjernprint"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _append(writer: PdfWriter, reader: PdfReader) -> None:
    for page in reader.pages:
        writer.add_page(page)
    if len(reader.pages) % 2:
        box = reader.pages[-1].mediabox
        writer.add_blank_page(width=box.width, height=box.height)

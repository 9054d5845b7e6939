"""The print bundle for remote printing: all paper letters in one PDF, duplex-safe.

Each letter starts on an odd page, and so does each attachment after it (a blank page is
inserted after a part with an odd page count), so no sheet carries two recipients' pages.
The letters keep their own layout (address in the window field of page one).
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def print_bundle(letters: list[tuple[bytes, ...]]) -> tuple[bytes, int]:
    """`letters`: for each paper letter, its PDF followed by its attachments' PDFs."""
    writer = PdfWriter()
    for parts in letters:
        for part in parts:
            reader = PdfReader(io.BytesIO(part))
            for page in reader.pages:
                writer.add_page(page)
            if len(reader.pages) % 2:
                box = reader.pages[-1].mediabox
                writer.add_blank_page(width=box.width, height=box.height)
    writer.add_metadata({"/Title": "Printfil - breve til fjernprint"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)

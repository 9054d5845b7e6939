"""The print bundle for remote printing: all paper letters in one PDF, duplex-safe.

Each letter starts on an odd page, and so does the attachment after it (a blank page is
inserted after a part with an odd page count), so no sheet carries two recipients' pages.
The letters keep their own layout (address in the window field of page one). The attachment
is read once, so its fonts and content are stored once however many letters carry it.
"""

from __future__ import annotations

import io

import pikepdf

# pikepdf (qpdf) rather than pypdf: pypdf parses each letter's compressed object streams (the
# PDF/UA structure tree) in Python, which made the bundle of 333 letters take 5 s of a 500-letter
# run; qpdf does it in 0.6 s (bench/RESULTS.md, benchmark 4).


def print_bundle(letters: list[bytes], attachment: bytes | None = None) -> tuple[bytes, int]:
    """One PDF of `letters`, each followed by `attachment`; returns the bytes and page count."""
    bundle = pikepdf.new()
    sources = []  # pikepdf copies pages from their source when saving: keep every source open
    shared = pikepdf.open(io.BytesIO(attachment)) if attachment else None
    for letter in letters:
        sources.append(pikepdf.open(io.BytesIO(letter)))
        _append(bundle, sources[-1])
        if shared is not None:
            _append(bundle, shared)
    bundle.docinfo["/Title"] = "Printfil - breve til fjernprint"
    out = io.BytesIO()
    bundle.save(out, deterministic_id=True)  # the same letters give the same bytes
    return out.getvalue(), len(bundle.pages)


def _append(bundle: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    for page in source.pages:
        bundle.pages.append(page)
    if len(source.pages) % 2:
        left, bottom, right, top = (float(v) for v in source.pages[-1].mediabox)
        bundle.add_blank_page(page_size=(right - left, top - bottom))

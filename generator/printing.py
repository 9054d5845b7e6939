"""The print bundle for remote printing: all paper letters in one PDF, duplex-safe.

Each letter starts on an odd page, and so does the attachment after it (a blank page is
inserted after a part with an odd page count), so no sheet carries two recipients' pages.
The letters keep their own layout (address in the window field of page one). The attachment
is read once, so its fonts and content are stored once however many letters carry it.
"""

from __future__ import annotations

import hashlib
import io

import pikepdf

# pikepdf (qpdf) rather than pypdf: pypdf parses each letter's compressed object streams (the
# PDF/UA structure tree) in Python, which made the bundle of 333 letters take 5 s of a 500-letter
# run; qpdf does it in under a second (bench/RESULTS.md, benchmark 4).


def print_bundle(letters: list[bytes], attachment: bytes | None = None) -> tuple[bytes, int]:
    """One PDF of `letters`, each followed by `attachment`; returns the bytes and page count."""
    bundle = pikepdf.new()
    shared = pikepdf.open(io.BytesIO(attachment)) if attachment else None
    taken = _TakenStreams()
    for letter in letters:
        with pikepdf.open(io.BytesIO(letter)) as source:
            first = len(bundle.pages)
            _append(bundle, source)
            for page in bundle.pages[first:]:
                taken.take(page.obj)  # so the letter can be closed now, not at save
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


FONT_PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")


class _TakenStreams:
    """Copies the data of every stream a copied page uses (content, fonts, images) into the bundle.

    qpdf copies a page's objects at once but reads stream data from the source only when saving,
    so every source would stay open, parsed, until then: about 0.4 MB per letter. Font programs
    are stored once: every letter embeds the same prepared font whole, and those copies were
    most of the bundle (10 of 13 MB for 333 letters)."""

    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()
        self.fonts: dict[str, pikepdf.Stream] = {}  # SHA-256 of a font program -> its one copy

    def take(self, page: pikepdf.Object) -> None:
        stack = [page]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Array):
                stack.extend(obj)
                continue
            if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                continue
            if obj.is_indirect:
                if obj.objgen in self.seen:
                    continue
                self.seen.add(obj.objgen)
            if isinstance(obj, pikepdf.Stream):
                obj.write(obj.read_raw_bytes(), filter=obj.get("/Filter"), decode_parms=obj.get("/DecodeParms"))
            for key in FONT_PROGRAMS:
                if isinstance(obj.get(key), pikepdf.Stream):
                    self._share_font(obj, key)
            stack.extend(value for key, value in obj.items() if key != "/Parent")

    def _share_font(self, descriptor: pikepdf.Object, key: str) -> None:
        program = descriptor[key]
        digest = hashlib.sha256(repr(sorted(program.stream_dict.items())).encode() + program.read_raw_bytes()).hexdigest()
        if digest in self.fonts:
            descriptor[key] = self.fonts[digest]
        else:
            self.fonts[digest] = program

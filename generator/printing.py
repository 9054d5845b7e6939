"""The print bundle for remote printing: paper letters in one PDF (one part of a batch), duplex-safe.

Each recipient's set (the letter, then the attachment sent with it) starts on an odd page: a
blank back is inserted after a set with an odd page count, so no sheet carries two recipients'
pages. Inside a set the attachment follows the letter directly, on the back of its last page when
that page is a front: it is the same recipient's, and remote print bills per sheet (a one-page
invitation and the one-page information letter take one sheet, not two; issue 14).
The letters keep their own layout (address in the window field of page one). The attachment
is read once, so its fonts and content are stored once however many letters carry it.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from typing import Iterable

import pikepdf
from fontTools.ttLib import TTFont

from . import paths

# pikepdf (qpdf) rather than pypdf: pypdf parses each letter's compressed object streams (the
# PDF/UA structure tree) in Python, which made the bundle of 333 letters take 5 s of a 500-letter
# run; qpdf does it in under a second (bench/RESULTS.md, benchmark 4).


def print_bundle(letters: Iterable[bytes], attachment: bytes | None = None) -> tuple[bytes, int]:
    """One PDF of `letters`, each followed by `attachment`; returns the bytes and page count.

    Call it per part (batch.py, content/remote_print.yaml `bundle_parts`), never for a whole
    batch: qpdf's page list costs more per page the more pages the document already has
    (appending the 2,000th letter took 3 times as long as the 250th), so one bundle of n letters
    took time in n squared and held every letter in memory (issue 17). `letters` is read one at a
    time; each letter is closed once its pages are copied."""
    bundle = pikepdf.new()
    shared = pikepdf.open(io.BytesIO(attachment)) if attachment else None
    taken = _TakenStreams(bundle)
    pages = 0
    for letter in letters:
        with pikepdf.open(io.BytesIO(letter)) as source:
            pages += _append(bundle, source, taken)
        if shared is not None:
            pages += _append(bundle, shared)
        if pages % 2:  # the next recipient starts on a new sheet
            left, bottom, right, top = (float(v) for v in bundle.pages[-1].mediabox)
            bundle.add_blank_page(page_size=(right - left, top - bottom))
            pages += 1
    bundle.docinfo["/Title"] = "Printfil - breve til fjernprint"
    out = io.BytesIO()
    # The same letters give the same bytes; object streams pack the many small objects (page and
    # structure dictionaries) of every letter compressed, about a third off the bundle (issue 18).
    bundle.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue(), pages


def _append(bundle: pikepdf.Pdf, source: pikepdf.Pdf, taken: _TakenStreams | None = None) -> int:
    """`source`'s pages at the end of `bundle`; returns their count. With `taken`, each page's
    streams are copied now, so the source can be closed at once."""
    count = 0
    for page in source.pages:
        bundle.pages.append(page)
        count += 1
        if taken is not None:
            taken.take(bundle.pages[-1].obj)
    return count


FONT_PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")


class _TakenStreams:
    """Copies the data of every stream a copied page uses (content, fonts, images) into the bundle.

    qpdf copies a page's objects at once but reads stream data from the source only when saving,
    so every source would stay open, parsed, until then: about 0.4 MB per letter. Font programs
    are stored once. Each letter embeds its own subset of the letter font (the glyphs it uses), so
    subsets differ from letter to letter; WeasyPrint keeps the font's glyph ids in a subset, so one
    whole copy of the prepared font (templates/fonts/) serves every letter's subset of it."""

    def __init__(self, bundle: pikepdf.Pdf) -> None:
        self.bundle = bundle
        self.seen: set[tuple[int, int]] = set()
        self.fonts: dict[str, pikepdf.Stream] = {}  # SHA-256 of a font program (or the whole font's name) -> its one copy

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
        whole = _whole_font(program.read_bytes()) if key == "/FontFile2" else None
        if whole is not None:
            name, data = whole
            if name not in self.fonts:
                self.fonts[name] = self.bundle.make_stream(data, Length1=len(data))  # compressed at save
            descriptor[key] = self.fonts[name]
            return
        digest = hashlib.sha256(repr(sorted(program.stream_dict.items())).encode() + program.read_raw_bytes()).hexdigest()
        if digest in self.fonts:
            descriptor[key] = self.fonts[digest]
        else:
            self.fonts[digest] = program


def _font_identity(font: TTFont) -> tuple:
    """What names one font file: PostScript name, version, unique id, glyph units (name/head)."""
    names = font["name"]
    return tuple(str(names.getDebugName(i)) for i in (6, 5, 3)) + (font["head"].unitsPerEm,)


@lru_cache(maxsize=1)
def _prepared_fonts() -> dict[tuple, tuple[str, bytes, int]]:
    """The prepared letter fonts (templates/fonts/) by identity: (name, bytes, glyph count)."""
    fonts = {}
    for path in sorted((paths.TEMPLATES / "fonts").glob("*.[ot]tf")):
        data = path.read_bytes()
        font = TTFont(io.BytesIO(data), lazy=True)
        if "glyf" in font:  # TrueType outlines: what a /FontFile2 holds
            fonts[_font_identity(font)] = (path.name, data, font["maxp"].numGlyphs)
    return fonts


def _whole_font(subset: bytes) -> tuple[str, bytes] | None:
    """The prepared font a letter's font subset was cut from, if it is one (same names, version,
    and no glyph beyond the whole font's): its glyph ids are the whole font's, so it can stand in."""
    try:
        font = TTFont(io.BytesIO(subset), lazy=True)
        found = _prepared_fonts().get(_font_identity(font))
        glyphs = font["maxp"].numGlyphs
    except Exception:  # not a font fontTools reads: keep the letter's own program
        return None
    if found is None or glyphs > found[2]:
        return None
    return found[0], found[1]

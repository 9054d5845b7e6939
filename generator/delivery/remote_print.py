"""Checks a paper letter against the remote-print requirements before it is bundled.

Every page: A4 portrait, nothing printed inside the edge margin, every font embedded. Page one
of a letter also: the address window (content/remote_print.yaml and its source) is white
except for the recipient block, which holds the address and stays within its size, and the
return-address line above it (at most 70 characters). A letter that fails is left out of the
bundle and reported; it is never silently printed with an address the window does not show.

The PDF is read with pdfium (pypdfium2): object bounds and text per page in milliseconds, where
pdfminer took a third of a second per page, too slow for a quarterly batch of hundreds of letters.
Fonts are read with pikepdf.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache

from pydantic import Field

from .. import paths
from ..loading import load_model
from ..models import Model

MM = 72 / 25.4  # PDF points per millimetre


class Paper(Model):
    width_mm: float
    height_mm: float
    tolerance_mm: float = Field(ge=0)


class Window(Model):
    left_mm: float
    top_mm: float
    width_mm: float
    height_mm: float


class RecipientBlock(Model):
    below_window_top_mm: float
    right_of_window_left_mm: float
    width_mm: float
    height_mm: float
    tolerance_mm: float = Field(ge=0)


class BundleParts(Model):
    """How large one print-bundle file may be (issue 17): parts of at most `max_letters` letters,
    which at the letters' usual length stays within `max_sheets` duplex sheets; a part that does
    not is still written, with a warning to lower `max_letters`."""

    max_letters: int = Field(ge=1)
    max_sheets: int = Field(ge=1)
    confirmed: bool = False
    why: str = Field(min_length=1)


class RemotePrint(Model):
    source: str
    checked: dt.date
    paper: Paper
    window: Window
    recipient_block: RecipientBlock
    return_address_max_chars: int
    margin_mm: float
    margin_confirmed: bool = False
    bundle_parts: BundleParts


@lru_cache(maxsize=1)
def requirements() -> RemotePrint:
    return load_model(RemotePrint, paths.CONTENT / "remote_print.yaml")


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres from the page's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom

    def within(self, other: Box, slack: float = 0.0) -> bool:
        return (self.left >= other.left - slack and self.right <= other.right + slack
                and self.top >= other.top - slack and self.bottom <= other.bottom + slack)


def zones(rules: RemotePrint) -> tuple[Box, Box, Box]:
    w, b = rules.window, rules.recipient_block
    window = Box(w.left_mm, w.top_mm, w.left_mm + w.width_mm, w.top_mm + w.height_mm)
    block_left, block_top = w.left_mm + b.right_of_window_left_mm, w.top_mm + b.below_window_top_mm
    block = Box(block_left, block_top, block_left + b.width_mm, block_top + b.height_mm)
    return_line = Box(window.left, window.top, window.right, block.top)
    return window, block, return_line


def check_pdf(data: bytes, window_page: bool = True) -> list[str]:
    """The problems of one letter (empty: fit for remote print). `window_page`: page one carries
    the address (a letter); False for an attachment, which has no address."""
    import pypdfium2 as pdfium

    rules = requirements()
    problems = _font_problems(data)
    pdf = pdfium.PdfDocument(data)
    try:
        for number in range(len(pdf)):
            page = pdf[number]
            try:
                problems.extend(f"page {number + 1}: {p}" for p in _page_problems(page, rules, window_page and number == 0))
            finally:
                page.close()
    finally:
        pdf.close()
    return problems


def _page_problems(page, rules: RemotePrint, with_window: bool) -> list[str]:
    import pypdfium2.raw as raw

    width, height = page.get_size()
    problems = []
    paper = rules.paper
    if abs(width / MM - paper.width_mm) > paper.tolerance_mm or abs(height / MM - paper.height_mm) > paper.tolerance_mm:
        problems.append(f"paper is {width / MM:.0f} x {height / MM:.0f} mm, not A4 portrait ({paper.width_mm:.0f} x {paper.height_mm:.0f} mm)")
    objects = []
    for obj in page.get_objects(max_depth=15):
        if obj.type == raw.FPDF_PAGEOBJ_FORM:
            continue  # its contents are visited themselves
        left, bottom, right, top = obj.get_bounds()
        objects.append((obj, Box(left / MM, (height - top) / MM, right / MM, (height - bottom) / MM)))
    margin = rules.margin_mm
    inner = Box(margin, margin, width / MM - margin, height / MM - margin)
    if any(not box.within(inner, 0.2) for _, box in objects if _is_printed(_, raw)):
        problems.append(f"something is printed within {margin:g} mm of the paper's edge")
    if with_window:
        problems.extend(_window_problems(page, objects, rules, raw))
    return problems


def _is_printed(obj, raw) -> bool:
    """A white filled shape (a background) prints nothing."""
    if obj.type != raw.FPDF_PAGEOBJ_PATH:
        return True
    return not _white(obj, raw)


def _white(obj, raw) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj.raw, mode, stroke)
    if stroke.value:
        return False
    raw.FPDFPageObj_GetFillColor(obj.raw, r, g, b, a)
    return a.value == 0 or min(r.value, g.value, b.value) >= 250


def _window_problems(page, objects, rules: RemotePrint, raw) -> list[str]:
    window, block, return_line = zones(rules)
    slack = rules.recipient_block.tolerance_mm
    text = page.get_textpage()
    problems = []
    in_block = False
    for obj, box in objects:
        if not box.overlaps(window):
            continue
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            problems.append("an image is printed in the address window (it must be white)")
        elif obj.type == raw.FPDF_PAGEOBJ_TEXT and box.within(block, slack):
            in_block = True
        elif box.within(return_line, 0.2):
            continue  # the return-address line (and its rule) above the recipient block
        elif obj.type == raw.FPDF_PAGEOBJ_PATH and _white(obj, raw):
            continue
        elif obj.type == raw.FPDF_PAGEOBJ_TEXT and (box.overlaps(block) or _continues(box, block, slack)):
            problems.append(f"the address does not fit the recipient block ({rules.recipient_block.width_mm:g} x "
                            f"{rules.recipient_block.height_mm:g} mm)")
        else:
            problems.append("something besides the address is printed in the address window (it must be white)")
    if not in_block:
        problems.append("no address in the recipient block of the window")
    returned = text.get_text_bounded(*_pdf_rect(return_line, page.get_size()[1])).strip()
    if len(" ".join(returned.split())) > rules.return_address_max_chars:
        problems.append(f"the return address is longer than {rules.return_address_max_chars} characters")
    text.close()
    return sorted(set(problems))


def _continues(box: Box, block: Box, slack: float) -> bool:
    """Text starting in the block's column below it: address lines that overflow the block."""
    return abs(box.left - block.left) <= slack and box.top >= block.top


def _pdf_rect(box: Box, height: float) -> tuple[float, float, float, float]:
    return box.left * MM, height - box.bottom * MM, box.right * MM, height - box.top * MM


def _font_problems(data: bytes) -> list[str]:
    import pikepdf

    problems = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for name, font in _fonts(page.obj.get("/Resources")):
                if not _embedded(font):
                    problems.add(f"page {number}: font {str(font.get('/BaseFont', name)).lstrip('/')} is not embedded")
    return sorted(problems)


def _fonts(resources, seen=None):
    seen = seen if seen is not None else set()
    if resources is None:
        return
    fonts = resources.get("/Font")
    if fonts is not None:
        for name, font in fonts.items():
            yield name, font
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for _, xobject in xobjects.items():
            key = xobject.objgen if xobject.is_indirect else id(xobject)
            if key in seen or xobject.get("/Subtype") != "/Form":
                continue
            seen.add(key)
            yield from _fonts(xobject.get("/Resources"), seen)


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are drawn by the PDF itself
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

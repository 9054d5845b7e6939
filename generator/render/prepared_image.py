"""The logo, drawn once per process: WeasyPrint's image cache with SVGs replayed, not redrawn.

WeasyPrint keeps a decoded image per URL in the `cache` dict given to `render()`, but it draws an
SVG anew for every PDF: it walks the tree and parses the path data again (about 5% of a warm
letter, issue 18). Here the first draw of an SVG at a size is recorded as PDF content operators,
and every later letter gets those operators appended: still vector, the same shapes and colours.

The recording is only used when it is self-contained: plain paths and colours. An SVG that needs
page resources (text in a font, gradients, patterns, embedded images, transparency) is drawn by
WeasyPrint every time, as before. Coordinates are rounded to steps of 1/1000 of the drawing's
extent instead of WeasyPrint's six decimals: 0.1 unit for the 200-unit logo, so a point moves
at most 12.5 micrometres on paper, less than the dot of a 1200-dpi printer (21 micrometres),
which keeps the letter small (its PDF size bound is tested).

Of WeasyPrint this uses the documented `cache` option of `render()` and, undocumented but
unprefixed, an image's `draw(stream, width, height, style)` and its PDF stream's `clone()` and
operator list (pydyf's `Stream.stream`); tests/test_pdf_size.py fails if an upgrade changes them.
"""

from __future__ import annotations

import math
import re

import pydyf  # WeasyPrint's PDF writer (a dependency of weasyprint)

from .weasyprint_loader import load_weasyprint

weasyprint = load_weasyprint()
SVGImage = weasyprint.images.SVGImage

PATH_OPERATORS = (b" m", b" l", b" c", b" v", b" y", b" re")
NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")
STROKING = {b"S", b"s", b"B", b"B*", b"b", b"b*"}
LINE_SETTINGS = {b"d", b"J", b"j", b"M", b"w"}  # only change how a stroke is drawn
OPAQUE_STATE = re.compile(rb"/[aA]1(?:\.0)? gs")  # WeasyPrint's names for opacity 1: the default


class ImageCache(dict):
    """The dict WeasyPrint caches images in (by URL); an SVG image gets a `PreparedSVG` draw.

    The image object itself is changed (not wrapped), because the letter that loads it already
    holds it: that first letter must be drawn the same way as every later one, or its bytes
    would depend on whether it was the first in its process."""

    def __setitem__(self, key, value):
        if isinstance(value, SVGImage) and not isinstance(value.draw, _PreparedDraw):
            value.draw = _PreparedDraw(value.draw)
        super().__setitem__(key, value)


class _PreparedDraw:
    """An SVG image's draw: WeasyPrint draws it once per size; later draws replay the operators."""

    def __init__(self, draw) -> None:
        self.weasyprint_draw = draw
        self.recorded: dict[tuple[float, float], list[bytes] | None] = {}  # None: not replayable
        self.draws = 0  # how many times WeasyPrint itself drew the SVG (tests read it)

    def __call__(self, stream, concrete_width, concrete_height, style) -> None:
        key = (round(concrete_width, 6), round(concrete_height, 6))
        if key not in self.recorded:
            self.recorded[key] = self._record(stream, concrete_width, concrete_height, style)
        operators = self.recorded[key]
        if operators is None:
            self.draws += 1
            self.weasyprint_draw(stream, concrete_width, concrete_height, style)
        else:
            stream.stream.extend(operators)

    def _record(self, stream, width, height, style) -> list[bytes] | None:
        """Draw into an empty stream with resources of its own; None if the result needs any."""
        resources = pydyf.Dictionary({name: pydyf.Dictionary() for name in ("ExtGState", "XObject", "Pattern", "Shading", "Font")})
        resources["ColorSpace"] = pydyf.Dictionary()
        fonts: dict = {}
        recorder = stream.clone(resources=resources, fonts=fonts, images={}, tags=None)
        self.draws += 1
        self.weasyprint_draw(recorder, width, height, style)
        states = resources["ExtGState"]
        opaque = all(dict(state) in ({"ca": 1}, {"CA": 1}, {"ca": 1.0}, {"CA": 1.0}) for state in states.values())
        if fonts or not opaque or any(resources[name] for name in ("XObject", "Pattern", "Shading", "Font", "ColorSpace")):
            return None
        if any(not isinstance(op, bytes) for op in recorder.stream):
            return None
        operators = [op for op in recorder.stream if not OPAQUE_STATE.fullmatch(op)]
        if not operators:
            return None
        return _compact(operators)


def _compact(operators: list[bytes]) -> list[bytes]:
    """The same drawing in fewer bytes: path coordinates in steps of 1/1000 of the drawing's extent; line
    settings dropped when nothing is stroked; a move-to that another move-to replaces dropped."""
    if not any(op.rsplit(b" ", 1)[-1] in STROKING for op in operators):
        operators = [op for op in operators if op.rsplit(b" ", 1)[-1] not in LINE_SETTINGS]
    operators = [op for op, after in zip(operators, operators[1:] + [b""]) if not (op.endswith(b" m") and after.endswith(b" m"))]
    numbers = [float(n) for op in operators if op.endswith(PATH_OPERATORS) for n in NUMBER.findall(op)]
    if not numbers:
        return operators
    extent = max(numbers) - min(numbers) or 1.0
    decimals = max(0, math.ceil(math.log10(1000 / extent)))  # a step of at most 1/1000 of it

    def fmt(match: re.Match) -> bytes:
        text = f"{float(match.group()):.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return (text if text not in ("-0", "") else "0").encode("ascii")

    return [NUMBER.sub(fmt, op) if op.endswith(PATH_OPERATORS) else op for op in operators]

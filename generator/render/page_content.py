"""Page content written smaller: a WeasyPrint finisher (the documented `finisher` hook of
`write_pdf`, which gets the pydyf PDF before it is written). It changes how the page is written,
never what it shows or how it is tagged.

1. Small one-shape drawings go back into the page. WeasyPrint draws each no-repeat background
   image into a group of its own (a Form XObject covering the page). A list bullet drawn as a
   background becomes one XObject per bullet, each with its own dictionary and resources, about
   320 bytes apiece however small the drawing. `/xN Do` on a page is replaced by the group's
   own operators, clipped to its box, and the group is freed. Only groups that draw exactly the
   same when inlined are touched: no resources of their own (no fonts, images, patterns,
   shadings or graphics states beyond the page's), no matrix or soft mask, and at most one
   painting operator. An opacity around a group composites the group as a whole, so with one
   shape the result is the same.
2. Text arrays lose WeasyPrint's zero adjustments: `[<0012>0<0034>0<0056>0] TJ` is the same
   text, placed the same, as `[<001200340056>] TJ` (ISO 32000-1 9.4.3).
3. Positions, sizes and path coordinates keep three decimals (1/1000 of a unit; a unit is at
   most 1 pt, so under 0.4 micrometre) instead of six. The scale and rotation parts of a matrix
   stay exact, because an error there grows with the distance from the origin.
"""

from __future__ import annotations

import re

import pydyf  # WeasyPrint's PDF writer (a dependency of weasyprint)

DO = re.compile(rb"/(\S+) Do")
DECIMAL = re.compile(rb"-?\d+\.\d+")
GEOMETRY = re.compile(rb"(?:-?[\d.]+ )+(?:re|m|l|c|v|y|Td|TD|w)|/[A-Za-z]+ [\d.]+ Tf")
MATRIX = re.compile(rb"((?:-?[\d.]+ ){4})(-?[\d.]+) (-?[\d.]+) (Tm|cm)")  # a b c d e f: only e, f rounded
PAINTING = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"sh", b"Do", b"BI", b"Tj", b"TJ", b"'", b'"'}


def finish(_document, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: every page's content, smaller (see the module's docstring)."""
    inline_forms(pdf)
    for page in pages_of(pdf):
        contents = resolve(pdf, page.get("Contents"))
        if isinstance(contents, pydyf.Stream):
            contents.stream[:] = [_compact(op) for op in contents.stream]


# Operators whose operands _compact rounds (GEOMETRY and MATRIX say exactly which lines qualify).
ROUNDED_OPERATORS = frozenset({b"re", b"m", b"l", b"c", b"v", b"y", b"Td", b"TD", b"w", b"Tf"})
MATRIX_OPERATORS = frozenset({b"Tm", b"cm"})


def _compact(op):
    # Dispatched on the operator (the last word) first: a letter's pages hold about 1,500
    # operators, most of which (BT, ET, q, Q, EMC, BDC) need nothing; the regular expressions
    # below run only on lines that can match them, and once per distinct line in a process (the
    # logo's curves, a line's position and the font sizes recur on every page and letter).
    if not isinstance(op, bytes):
        return op
    operator = op[op.rfind(b" ") + 1:]
    if operator == b"TJ":
        if op.startswith(b"[") and op.endswith(b"] TJ") and b"(" not in op:  # hex strings only: no ">0<" inside
            # Hex strings hold no ">", so a ">0<" or ">0]" is always an adjustment of 0, and removing
            # one cannot form another.
            return op.replace(b">0<", b"").replace(b">0]", b">]")
        return op
    if operator in ROUNDED_OPERATORS or operator in MATRIX_OPERATORS:
        compacted = _COMPACTED.get(op)
        if compacted is None:
            compacted = _rounded(op, operator)
            if len(_COMPACTED) > 100_000:  # bounded: a long batch meets many distinct positions
                _COMPACTED.clear()
            _COMPACTED[op] = compacted
        return compacted
    return op


_COMPACTED: dict[bytes, bytes] = {}  # a line as WeasyPrint wrote it -> rounded, per process


def _rounded(op: bytes, operator: bytes) -> bytes:
    if operator in ROUNDED_OPERATORS:
        return DECIMAL.sub(_three_decimals, op) if GEOMETRY.fullmatch(op) else op
    matrix = MATRIX.fullmatch(op)
    if matrix:  # a scale or rotation is kept exact: an error there grows with the distance
        a_to_d, e, f, operator = matrix.groups()
        return b"%s%s %s %s" % (a_to_d, DECIMAL.sub(_three_decimals, e), DECIMAL.sub(_three_decimals, f), operator)
    return op


def _three_decimals(match: re.Match) -> bytes:
    text = f"{float(match.group()):.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode("ascii")


def inline_forms(pdf: pydyf.PDF) -> None:
    """Inline every simple Form XObject a page content stream draws."""
    for page in pages_of(pdf):
        contents, resources = resolve(pdf, page.get("Contents")), resolve(pdf, page.get("Resources"))
        if not isinstance(contents, pydyf.Stream) or not isinstance(resources, dict):
            continue
        xobjects = resources.get("XObject") or {}
        inlined: dict[str, list] = {}
        operators = []
        for op in contents.stream:
            match = DO.fullmatch(op) if isinstance(op, bytes) else None
            name = match.group(1).decode() if match else None
            if name is not None and name not in inlined:
                form = _inlinable(pdf, resolve(pdf, xobjects.get(name)), resources)
                if form is not None:
                    inlined[name] = form
            if name is not None and name in inlined:
                operators.extend(inlined[name])
            else:
                operators.append(op)
        contents.stream[:] = operators
        for name in inlined:
            form = resolve(pdf, xobjects[name])
            own = resolve(pdf, form.extra.get("Resources"))
            form.free = "f"  # the page draws it now; the PDF keeps no copy
            if isinstance(own, pydyf.Object) and own is not resources:
                own.free = "f"
            del xobjects[name]


def _inlinable(pdf: pydyf.PDF, form, page_resources: dict) -> list | None:
    """The operators to draw `form` in place (q, clip to its box, its operators, Q), or None."""
    if not isinstance(form, pydyf.Stream) or form.extra.get("Subtype") != "/Form":
        return None
    if any(key in form.extra for key in ("Matrix", "SMask", "Ref", "OC", "Metadata")):
        return None
    own = resolve(pdf, form.extra.get("Resources"))
    if own is not None:
        if not isinstance(own, dict):
            return None
        for key, value in own.items():
            if key in ("ColorSpace", "Font"):
                if value is not page_resources.get(key) and resolve(pdf, value) != resolve(pdf, page_resources.get(key)):
                    return None
            elif resolve(pdf, value):
                return None  # graphics states, images, patterns, shadings of its own
    operators = list(form.stream)
    if not all(isinstance(op, bytes) for op in operators):
        return None
    if sum(op.rsplit(b" ", 1)[-1] in PAINTING for op in operators) > 1:
        return None
    box = form.extra.get("BBox")
    if box is None or len(box) != 4:
        return None
    x0, y0, x1, y1 = (float(v) for v in box)
    clip = f"{_num(x0)} {_num(y0)} {_num(x1 - x0)} {_num(y1 - y0)} re".encode()
    return [b"q", clip, b"W", b"n", *operators, b"Q"]


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def pages_of(pdf: pydyf.PDF) -> list:
    """The page dictionaries of a pydyf PDF (also used by the other finisher, artifacts.py)."""
    kids = list(pdf.pages["Kids"])
    return [pdf.objects[kids[i]] for i in range(0, len(kids), 3)]  # pydyf keeps "N 0 R" as three items


def resolve(pdf: pydyf.PDF, value):
    """A pydyf reference (b'N 0 R') -> the object; anything else as is."""
    if isinstance(value, bytes) and value.endswith(b" R"):
        return pdf.objects[int(value.split()[0])]
    return value

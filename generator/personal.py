"""Personal data hygiene in one place: the CPR detector, the text sanitiser, safe CSV cells.

- `looks_like_cpr`: a CPR number hidden in an id (ten digits with a prefix or suffix, or with
  a separator after the sixth digit: DDMMYY-NNNN). Ids end up in file names and manifests; a
  CPR number must not.
- `clean_text`: names and addresses lose bidi overrides, zero-width and control characters.
  They can turn "Anna" into text that reads differently on screen than in the file, or push
  the address out of the envelope window; the caller reports a warning when something went.
- `csv_cell`: a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading
  apostrophe (CSV injection, OWASP). Every CSV brevgen writes goes through `csv_bytes`.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Iterable

# Six digits that form a day and month (ddmmyy), an optional separator, four digits; not part of
# a longer run of digits. Letters around it do not hide it (`CPR0101111234`, `0101111234X`).
_CPR = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[-_ .\/]?\d{4}(?!\d)")


def looks_like_cpr(value: str) -> bool:
    return bool(_CPR.search(value))


# Bidi embeddings/overrides/isolates, marks, zero-width characters, BOM: invisible, and able to
# reorder or hide text. Control characters (Cc) other than tab and newline go too, and the line
# and paragraph separators.
_INVISIBLE = "\u061c\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u2028\u2029"
_REMOVE_KEEPING_LINES = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_REMOVE = re.compile(f"[\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_BREAKS = re.compile(r"[\t\n\r\x0b\x0c]+")


def clean_text(value: str, keep_newlines: bool = False) -> tuple[str, bool]:
    """The text without invisible and control characters, and whether any were removed.

    Without `keep_newlines` (names, address lines) tabs and line breaks become one space.
    With it, tab and newline stay; a carriage return goes (a CRLF file's lines stay lines)."""
    if value.isascii() and value.isprintable():
        return value, False
    if keep_newlines:
        cleaned = _REMOVE_KEEPING_LINES.sub("", value.replace("\r\n", "\n"))
        changed = cleaned != value.replace("\r\n", "\n")
        return cleaned, changed
    cleaned = _REMOVE.sub("", _BREAKS.sub(" ", value))
    cleaned = re.sub(r" {2,}", " ", cleaned).strip()
    return cleaned, cleaned != value


def hidden_character_lines(text: str) -> list[int]:
    """Line numbers (from 1) holding characters clean_text removes: for the warnings of a file."""
    return [number for number, line in enumerate(text.split("\n"), start=1)
            if not (line.isascii() and line.isprintable()) and clean_text(line.rstrip("\r"), keep_newlines=True)[1]]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell as written to CSV: text a spreadsheet would evaluate is prefixed with an apostrophe."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    # csv quotes a cell holding "\n" (the line terminator) but not a lone "\r", which readers
    # take for a line break: the row would split in two.
    return value.replace("\r\n", "\n").replace("\r", "\n")


def csv_bytes(rows: Iterable[Iterable[object]]) -> bytes:
    """CSV (UTF-8, comma, \\n) with every cell neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")

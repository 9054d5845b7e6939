"""Danish presentation of values (dates, weekdays, amounts), shared by phrases and templates."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "da_DK"

# The formatters are pure and a letter formats the same few dates and amounts many times (Babel
# parses its pattern on every call, about 0.1 ms), so their results are kept per process.
_remembered = lru_cache(maxsize=4096, typed=True)


@_remembered
def dato(value: dt.date | str) -> str:
    """8. juni 2026"""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "d. MMMM y", locale=LOCALE)


@_remembered
def ugedag(value: dt.date | str) -> str:
    """mandag"""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "EEEE", locale=LOCALE)


@_remembered
def kroner(value: float | int) -> str:
    """1.500 kr. / 1.234,50 kr."""
    pattern = "#,##0" if float(value).is_integer() else "#,##0.00"
    return f"{format_decimal(value, format=pattern, locale=LOCALE)} kr."


# A reference must not break after "§" or "stk.": "serviceloven §" at a line end and "85" on the next.
_NO_BREAK_AFTER = ("§ ", "§§ ", "stk. ", "nr. ")


def nobreak(text: str) -> str:
    """Non-breaking spaces after § and numbering abbreviations (typography, not content)."""
    for prefix in _NO_BREAK_AFTER:
        text = text.replace(prefix, prefix[:-1] + "\u00a0")
    return text


_WINDOW_SIZES = ((10, 1.4), (9, 1.25), (8, 1.2), (7, 1.15), (6.5, 1.1), (6, 1.1), (5.5, 1.05))


def address_fit(lines) -> tuple[float, float, bool] | None:
    """The largest font size (pt) and line height (em) at which the lines fit the 59 x 21 mm
    window block, and whether every line fits unbroken; None if nothing fits. Used by the PDF (as
    CSS, address_style) and the DOCX alike (generator/render/docx.py).

    First with every line unbroken (`white-space: nowrap`: "Eksempelvej 12, 2. th." is never
    split in the window, issue 14), measured with the letter font's advance widths; then, for a
    line too long for that even at 5.5 pt, with lines broken: an estimate on the safe side (an
    average character 0.62 em wide, long words broken anywhere)."""
    import math

    width_mm, height_mm, pt_mm = 59.0, 21.0, 0.3528
    for size, leading in _WINDOW_SIZES:
        unbroken = all(_line_em(line) * size * pt_mm <= width_mm - _WINDOW_SLACK_MM for line in lines)
        if unbroken and len(lines) * size * leading * pt_mm <= height_mm:
            return size, leading, True
    for size, leading in _WINDOW_SIZES:
        per_line = max(1, int(width_mm / (size * pt_mm * 0.62)))
        rows = sum(max(1, math.ceil(len(line) / per_line)) for line in lines)
        if rows * size * leading * pt_mm <= height_mm:
            return size, leading, False
    return None


def _window_fit(lines) -> str | None:
    fit = address_fit(lines)
    if fit is None:
        return None
    size, leading, unbroken = fit
    return f"font-size: {size}pt; line-height: {leading}" + ("; white-space: nowrap" if unbroken else "")


_WINDOW_SLACK_MM = 1.0  # kerning and rounding: a line measured at 58 mm still fits 59


@lru_cache(maxsize=None)
def _advances() -> dict[str, float]:
    """Character -> advance width in em of the letter font (templates/fonts/FiraSans-Regular.ttf);
    empty when the content root has no such font (then every character counts as 0.62 em)."""
    from fontTools.ttLib import TTFont

    from . import paths

    path = paths.TEMPLATES / "fonts" / "FiraSans-Regular.ttf"
    if not path.is_file():
        return {}
    font = TTFont(path, lazy=True)
    upem, widths = font["head"].unitsPerEm, font["hmtx"]
    return {chr(code): widths[name][0] / upem for code, name in font.getBestCmap().items()}


def _line_em(line: str) -> float:
    advances = _advances()
    return sum(advances.get(char, 0.62) for char in line)


def fits_window(lines) -> bool:
    """Whether name and address fit the envelope window at 5.5 pt or more (checked at input)."""
    return _window_fit(lines) is not None


def address_style(lines: tuple[str, ...] | list[str]) -> str:
    """Style of the recipient block: 10 pt when the lines fit the window, else the largest size
    down to 5.5 pt that does (the input models refuse what does not fit even then)."""
    return _window_fit(lines) or "font-size: 5.5pt; line-height: 1.05"


FILTERS = {"dato": dato, "ugedag": ugedag, "kroner": kroner, "nobreak": nobreak, "address_style": address_style}

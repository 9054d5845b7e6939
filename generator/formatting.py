"""Danish presentation of values (dates, weekdays, amounts), shared by phrases and templates."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "da_DK"


def dato(value: dt.date | str) -> str:
    """8. juni 2026"""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "d. MMMM y", locale=LOCALE)


def ugedag(value: dt.date | str) -> str:
    """mandag"""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "EEEE", locale=LOCALE)


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


FILTERS = {"dato": dato, "ugedag": ugedag, "kroner": kroner, "nobreak": nobreak}

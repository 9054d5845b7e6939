"""Closing days and delivery days: public holidays from `holidays` plus content/calendar.yaml.

A closing day is a day a deadline cannot end on. A delivery day is a day paper post is
delivered (Monday-Friday, not a public holiday). Names are Danish, for the citizen text.

The package's holidays are read from a table written out from it (content/public_holidays.csv,
scripts/make_holiday_table.py) for the years it covers, because importing `holidays` loads every
country's module: 0.1-0.2 s of each cold start. Other years are asked of the package. Tests and
`brevgen check` compare the table with the package (`table_differences`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import lru_cache

from . import loading, paths
from .errors import BrevgenError
from .models import WEEKDAYS, CalendarConfig, PublicHolidayTable

# Danish weekday names for the reason a deadline moved ("lørdag").
_WEEKDAY_NAMES_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


class ClosingCalendar:
    def __init__(self, config: CalendarConfig):
        self.config = config
        self._weekend = {WEEKDAYS.index(day) for day in config.weekend}
        self._annual = {(d.month, d.day): d.name for d in config.annual_closing_days}
        self._extra = {d.date: d.name for d in config.extra_closing_days}
        self._table = config.public_holidays
        self._tabled = read_holiday_table(config.public_holidays)
        self._package = None  # the package's calendar, built on first need for a year outside the table

    def public_holiday(self, day: dt.date) -> str | None:
        if self._table.first_year <= day.year <= self._table.last_year:
            return self._tabled.get(day)
        if self._package is None:
            self._package = package_holidays(self.config.country)
        return self._package.get(day)

    def closing_reason(self, day: dt.date) -> str | None:
        """Why `day` is a closing day (a Danish name), or None if it is an open day."""
        return (
            self.public_holiday(day)
            or self._annual.get((day.month, day.day))
            or self._extra.get(day)
            or (_WEEKDAY_NAMES_DA[day.weekday()] if day.weekday() in self._weekend else None)
        )

    def is_closing_day(self, day: dt.date) -> bool:
        return self.closing_reason(day) is not None

    def next_open_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is open, else the first open day after it."""
        while self.is_closing_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_open_day(self, day: dt.date) -> dt.date:
        while self.is_closing_day(day):
            day -= dt.timedelta(days=1)
        return day

    def is_delivery_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.public_holiday(day) is None

    def add_delivery_days(self, day: dt.date, count: int) -> dt.date:
        while count > 0:
            day += dt.timedelta(days=1)
            if self.is_delivery_day(day):
                count -= 1
        return day


@lru_cache(maxsize=None)
def default_calendar() -> ClosingCalendar:
    return ClosingCalendar(loading.calendar_config())


def package_holidays(country: str, years=None):
    """The `holidays` package's public holidays for `country`, names in Danish (a dict-like by date)."""
    import holidays  # here, not at the top: see the module docstring

    return holidays.country_holidays(country, language="da", years=years)


def read_holiday_table(table: PublicHolidayTable) -> dict[dt.date, str]:
    path = paths.CONTENT / table.file
    rows = csv.reader(io.StringIO(loading.read_text(path)))
    if next(rows, None) != ["date", "name"]:
        raise BrevgenError(f"{path}:1: expected the header 'date,name'")
    days: dict[dt.date, str] = {}
    for line, row in enumerate(rows, start=2):
        try:
            date_text, name = row
            day = dt.date.fromisoformat(date_text)
        except ValueError:
            raise BrevgenError(f"{path}:{line}: expected 'YYYY-MM-DD,name', got {row!r}") from None
        if not table.first_year <= day.year <= table.last_year:
            raise BrevgenError(f"{path}:{line}: date: {day} is outside first_year..last_year in calendar.yaml")
        days[day] = name
    return days


def holiday_table_rows(country: str, first_year: int, last_year: int) -> list[tuple[str, str]]:
    """What content/public_holidays.csv should hold according to the installed package."""
    holidays = package_holidays(country, years=range(first_year, last_year + 1))
    return [(day.isoformat(), name) for day, name in sorted(holidays.items())]


def table_differences(config: CalendarConfig) -> list[str]:
    """Where the holiday table and the installed `holidays` package disagree (empty: they agree)."""
    table = config.public_holidays
    written = {(day.isoformat(), name) for day, name in read_holiday_table(table).items()}
    package = set(holiday_table_rows(config.country, table.first_year, table.last_year))
    return [f"{day} {name}: only in the package" for day, name in sorted(package - written)] + [
        f"{day} {name}: only in {table.file}" for day, name in sorted(written - package)
    ]

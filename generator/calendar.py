"""Closing days and delivery days: public holidays from `holidays` plus content/calendar.yaml.

A closing day is a day a deadline cannot end on. A delivery day is a day paper post is
delivered (Monday-Friday, not a public holiday). Names are Danish, for the citizen text.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from . import loading
from .models import WEEKDAYS, CalendarConfig

# Danish weekday names for the reason a deadline moved ("lørdag").
_WEEKDAY_NAMES_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


class ClosingCalendar:
    def __init__(self, config: CalendarConfig):
        self.config = config
        self._weekend = {WEEKDAYS.index(day) for day in config.weekend}
        self._annual = {(d.month, d.day): d.name for d in config.annual_closing_days}
        self._extra = {d.date: d.name for d in config.extra_closing_days}
        self._public = holidays.country_holidays(config.country, language="da")

    def public_holiday(self, day: dt.date) -> str | None:
        return self._public.get(day)

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

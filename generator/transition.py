"""The 16-year transition: meeting schedule, ages, who is invited, and when the letter is dated.

The municipality's practice (content/transition/, docs/reference.md): a café meeting each quarter (February, May, August, November); the young
people who turn 16 in the quarter of the meeting are invited with each custody holder; the
invitation is dated four weeks before the meeting, or the last open day before that.

Ages: a birthday that does not exist in a year (29 February) falls on 1 March. A 16th birthday
is never affected (16 years after a leap year is a leap year until 2100), but half-year
milestones and ages on other days are.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from pydantic import Field, model_validator

from . import paths
from .calendar import ClosingCalendar, default_calendar
from .errors import BrevgenError
from .loading import load_model
from .models import Model, Role
from .output import ROLE_SLUGS
from .register import Register, RegisterRow



def default_schedule() -> Path:
    """content/transition/meetings.yaml in the content root in use (read when needed, not at import)."""
    return paths.CONTENT / "transition" / "meetings.yaml"


INVITE_AGE = 16
WEEKS_BEFORE = 4


class Meeting(Model):
    date: dt.date
    start: dt.time
    end: dt.time
    place: str = Field(min_length=1)
    address: str = Field(min_length=1)
    room: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Meeting:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Schedule(Model):
    example: bool = False
    source: str
    meeting_months: tuple[int, ...] = Field(min_length=1)
    department: str
    sender: str = Field(min_length=1, description="shown as 'Sagsbehandler' on the letters")
    reply_days_before: int = Field(default=7, ge=0, description="the invitation asks for an answer this many days before")
    meetings: tuple[Meeting, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _meetings_in_meeting_months(self) -> Schedule:
        for meeting in self.meetings:
            if meeting.date.month not in self.meeting_months:
                raise ValueError(f"meeting on {meeting.date} is not in a meeting month {list(self.meeting_months)}")
        days = [m.date for m in self.meetings]
        if len(set(days)) != len(days):
            raise ValueError("two meetings on the same date")
        return self

    def meeting_on(self, day: dt.date, source: Path) -> Meeting:
        for meeting in self.meetings:
            if meeting.date == day:
                return meeting
        known = ", ".join(str(m.date) for m in self.meetings)
        raise BrevgenError(f"--meeting {day}: no meeting on that date in {source} (meetings: {known})")


class AgeRules(Model):
    """The ages the transition letters state; the same as the leaflets say (content/leaflets/
    sagsforloeb-barn.md, "Når barnet bliver 16"), which a test compares."""

    example: bool = False
    source: str
    invite_age: int
    new_caseworker_age: int  # the case moves to an adult caseworker the year before adult_age
    adult_age: int


@lru_cache(maxsize=None)
def age_rules() -> AgeRules:
    return load_model(AgeRules, paths.CONTENT / "transition" / "age_rules.yaml")


def load_schedule(path: Path | None = None) -> Schedule:
    return load_model(Schedule, path or default_schedule())


# --- ages -------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later; a day the month lacks (29-31) becomes the 1st of the next month."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    if day.day > _calendar.monthrange(year, month)[1]:
        return dt.date(year, month, 1) + dt.timedelta(days=_calendar.monthrange(year, month)[1])
    return dt.date(year, month, day.day)


def birthday(birth: dt.date, age: int) -> dt.date:
    """The day a person born on `birth` turns `age`."""
    return add_months(birth, 12 * age)


def age_on(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    return years if birthday(birth, years) <= day else years - 1


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar quarter holding `day`."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


def turns_16_in_quarter_of(birth: dt.date, meeting: dt.date) -> bool:
    first, last = quarter_of(meeting)
    return first <= birthday(birth, INVITE_AGE) <= last


def letter_date(meeting: dt.date, closing: ClosingCalendar | None = None) -> dt.date:
    """Four weeks before the meeting; on a closing day, the last open day before it."""
    closing = closing or default_calendar()
    return closing.previous_open_day(meeting - dt.timedelta(weeks=WEEKS_BEFORE))


# --- who gets a letter -------------------------------------------------------------------------


@dataclass(frozen=True)
class Addressee:
    """One letter: to `person` (the young person or a custody holder) about `youth`."""

    youth: RegisterRow
    person: RegisterRow

    @property
    def role(self) -> Role:
        return Role(self.person.role)

    def stem(self, meeting: dt.date) -> str:
        """File name without personal data: meeting date, kind, case-system ids, role."""
        if self.role is Role.youth:
            return f"{meeting}_invitation_{self.youth.person_id}-{ROLE_SLUGS[Role.youth]}"
        return f"{meeting}_invitation_{self.youth.person_id}-{ROLE_SLUGS[Role.custody]}-{self.person.person_id}"


def invited_youths(register: Register, meeting: dt.date) -> Iterator[RegisterRow]:
    """The young people turning 16 in the meeting's quarter, in order of person_id."""
    return (y for y in register.youths_by_id() if y.birth_date and turns_16_in_quarter_of(y.birth_date, meeting))


def addressees(register: Register, meeting: dt.date) -> Iterator[Addressee]:
    """The young person first, then each custody holder (in register order), per young person."""
    for youth in invited_youths(register, meeting):
        yield Addressee(youth, youth)
        yield from (Addressee(youth, holder) for holder in register.custody.get(youth.person_id, []))

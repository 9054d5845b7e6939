"""The caseworkers' overview: young people who reach 15½ or 16½ within the next three months.

15½ is when the transition track is decided (Den Gode Overgang); 16½ is the follow-up
(docs/reference.md, transition invitations). The window is from --as-of (inclusive) to three months later (exclusive).
The overview is an internal document for caseworkers and holds names; file names do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import loading
from .output import write_all
from .personal import csv_bytes
from .register import Register, read_register
from .render.environment import environment
from .transition import add_months

MILESTONES = (("15½", 15 * 12 + 6), ("16½", 16 * 12 + 6))
WINDOW_MONTHS = 3


@dataclass(frozen=True)
class Entry:
    person_id: str
    name: str
    birth_date: dt.date
    milestone: str
    reached_on: dt.date


def overview_entries(register: Register, as_of: dt.date) -> list[Entry]:
    end = add_months(as_of, WINDOW_MONTHS)
    entries = []
    for youth in register.youths.values():
        assert youth.birth_date is not None
        for label, months in MILESTONES:
            day = add_months(youth.birth_date, months)
            if as_of <= day < end:
                entries.append(Entry(youth.person_id, youth.name, youth.birth_date, label, day))
    return sorted(entries, key=lambda e: (e.reached_on, e.milestone, e.person_id))


def overview_job(register_path: Path, as_of: dt.date, out: Path) -> Iterator[str]:
    register = read_register(register_path)
    entries = overview_entries(register, as_of)
    end = add_months(as_of, WINDOW_MONTHS)
    table = csv_bytes([["person_id", "name", "birth_date", "milestone", "reached_on"],
                       *([e.person_id, e.name, e.birth_date, e.milestone, e.reached_on] for e in entries)])
    html = environment().get_template("overview.html.j2").render(
        entries=entries, as_of=as_of, end=end - dt.timedelta(days=1), profile=loading.profile(),
        errors=register.errors,
    )
    stem = f"overgang_oversigt_{as_of}"
    write_all(out, {f"{stem}.csv": table, f"{stem}.html": html.encode("utf-8")})
    yield f"{len(entries)} milestones from {as_of} to {end - dt.timedelta(days=1)}"
    if register.errors:
        yield f"{len({e.row for e in register.errors})} register rows could not be used (row numbers in the HTML)"
    yield f"wrote {out / stem}.csv and .html"

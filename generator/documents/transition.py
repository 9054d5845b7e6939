"""The transition letters: one invitation per recipient, and the information letter once.

Texts come from content/transition/*.md (staff-edited); this module only supplies parameters
and wraps the result in the document model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from .. import loading, paths
from ..calendar import default_calendar
from ..readability import lix
from ..transition import INVITE_AGE, Addressee, Meeting, Schedule, age_rules, birthday
from .markdown_text import render_text
from .model import Attachment, Letter



def texts_folder() -> Path:
    """content/transition/ in the content root in use."""
    return paths.CONTENT / "transition"


INVITATION = "invitation.md"
INFORMATION = "information.md"


def _clock(value: dt.time) -> str:
    return value.strftime("%H.%M")  # Danish style: kl. 16.00


def invitation_letter(
    addressee: Addressee, meeting: Meeting, schedule: Schedule, dated: dt.date, texts: Path | None = None,
    custody_count: int = 0,
) -> Letter:
    """`custody_count`: how many custody holders the register holds for the young person, so the
    letter says "din forælder" or "dine forældre" (issue 11)."""
    profile = loading.profile()
    youth, person = addressee.youth, addressee.person
    assert youth.birth_date is not None
    params = {
        "name": person.name,
        "role": person.role,
        "youth_name": youth.name,
        "youth_first_name": youth.name.split()[0],
        "birthday": birthday(youth.birth_date, INVITE_AGE),
        "birthday_passed": birthday(youth.birth_date, INVITE_AGE) <= dated,
        "meeting": {
            "date": meeting.date, "start": _clock(meeting.start), "end": _clock(meeting.end),
            "place": meeting.place, "address": meeting.address, "room": meeting.room,
        },
        "dated": dated,
        "reply_by": reply_by(meeting, schedule),
        "custody_count": custody_count,
        "ages": age_rules(),
        "sender": schedule.sender,
        "channel": person.channel.value,
        "profile": profile,
    }
    text = render_text((texts or texts_folder()) / INVITATION, params)
    letter = Letter(
        kind="invitation",
        title=f"{text.title} - {profile.name}",
        heading=text.heading,
        dated=dated,
        case_number="",  # a person id is not a case number: the letter shows none (issue 11)
        department=profile.department_name(schedule.department, where="schedule: "),
        caseworker=schedule.sender,
        recipient=person.recipient,
        sender=profile,
        sections=text.sections,
    )
    readability = lix(letter.citizen_text)
    return dataclasses.replace(letter, record={"lix": {"score": readability.score, "band": readability.band}})


def reply_by(meeting: Meeting, schedule: Schedule) -> dt.date:
    """The day to say whether they come: `reply_days_before` the meeting, on an open day."""
    return default_calendar().previous_open_day(meeting.date - dt.timedelta(days=schedule.reply_days_before))


def information_attachment(schedule: Schedule, dated: dt.date, texts: Path | None = None) -> Attachment:
    profile = loading.profile()
    params = {"dated": dated, "sender": schedule.sender, "profile": profile, "ages": age_rules()}
    text = render_text((texts or texts_folder()) / INFORMATION, params)
    return Attachment(
        kind="information",
        title=f"{text.title} - {profile.name}",
        heading=text.heading,
        dated=dated,
        department=profile.department_name(schedule.department, where="schedule: "),
        sender=profile,
        sections=text.sections,
    )

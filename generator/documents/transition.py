"""The transition letters: one invitation per recipient, and the information letter once.

Texts come from content/transition/*.md (staff-edited); this module only supplies parameters
and wraps the result in the document model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from .. import loading, paths
from ..readability import lix
from ..transition import INVITE_AGE, Addressee, Meeting, Schedule, birthday
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
    addressee: Addressee, meeting: Meeting, schedule: Schedule, dated: dt.date, texts: Path | None = None
) -> Letter:
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
        case_number=youth.person_id,  # the case system's id of the young person the letter is about
        department=profile.department_name(schedule.department, where="schedule: "),
        caseworker=schedule.sender,
        recipient=person.recipient,
        sender=profile,
        sections=text.sections,
    )
    readability = lix(letter.citizen_text)
    return dataclasses.replace(letter, record={"lix": {"score": readability.score, "band": readability.band}})


def information_attachment(schedule: Schedule, dated: dt.date, texts: Path | None = None) -> Attachment:
    profile = loading.profile()
    params = {"dated": dated, "sender": schedule.sender, "profile": profile}
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

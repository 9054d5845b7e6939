"""The document model: what a letter says, per recipient. No HTML, no Word, no law.

Builders in this package produce `Letter`s; renderers in generator/render/ turn them into
HTML, PDF and DOCX. Everything here is plain text: renderers escape it for their format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from ..models import Channel, Profile, Recipient


@dataclass(frozen=True)
class Block:
    kind: Literal["paragraph", "list"]
    text: str = ""
    items: tuple[str, ...] = ()
    strong: bool = False  # a key sentence (e.g. the deadline), set in bold

    @property
    def plain_text(self) -> str:
        return self.text if self.kind == "paragraph" else "\n".join(self.items)


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    phrase_ids: tuple[str, ...] = ()

    @property
    def plain_text(self) -> str:
        return "\n\n".join(block.plain_text for block in self.blocks)


@dataclass(frozen=True)
class Letter:
    """One document for one recipient."""

    kind: str  # e.g. "complaint_guidance"; names the file, never personal data
    title: str  # PDF/HTML document title: no personal data
    heading: str  # the heading the reader sees first
    dated: dt.date
    case_number: str
    department: str
    caseworker: str
    recipient: Recipient
    sender: Profile
    sections: tuple[Section, ...]
    copies_to: tuple[str, ...] = ()
    # What went into the letter (phrase ids, rules, deadlines, LIX, warnings): the JSON record.
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def channel(self) -> Channel:
        return self.recipient.channel

    @property
    def window_envelope(self) -> bool:
        """Paper letters put the recipient address in the window-envelope field of page one."""
        return self.recipient.channel.is_paper

    @property
    def citizen_text(self) -> str:
        """The text LIX is measured on: sections only, not addresses or headers."""
        return "\n\n".join(section.plain_text for section in self.sections)

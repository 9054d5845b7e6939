"""Who "du" is in a letter (docs/case-letters.md, issue 11 item 2).

In a letter to a guardian or a representative, "du" means the reader, always: the date of
receipt, the deadline and "din digitale postkasse" are the reader's own. The decision itself is
about the citizen, so where a phrase or the caseworker's text says "du" about the citizen, the
letter says the citizen's name instead. The phrase library is written once, in the second person
(as the citizen reads it), and this module turns the parts about the citizen into the third
person for everyone else, so no sentence can be read as being about both.

Parents with custody in a children's case are parties themselves (they applied for their child):
their letters keep "du" for the parent and name the child, so they are not rewritten.
"""

from __future__ import annotations

import dataclasses
import re

from .documents.model import Block, Section
from .models import Recipient, Role

# Second-person singular forms. "dig selv" and "dig" become the name: the letter is explicit,
# not elegant (a name repeated beats a "du" that could mean two people).
_PRONOUN = re.compile(r"\b(du|dig|din|dit|dine)\b", re.IGNORECASE)
SECOND_PERSON = _PRONOUN  # used by the checks to find any that are left


def genitive(name: str) -> str:
    """Danish genitive: 'Anna Hansen' -> 'Anna Hansens', 'Jens' -> "Jens'"."""
    return f"{name}'" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def speaks_for_self(recipient: Recipient, recipients: tuple[Recipient, ...]) -> bool:
    """Is "du" in the decision's own text about this reader?

    The citizen, yes. A custody holder, yes when the citizen is not among the recipients (the
    parents are the parties of a children's case). A guardian or a representative, never."""
    if recipient.role is Role.citizen:
        return True
    if recipient.role is Role.custody:
        return not any(r.role is Role.citizen for r in recipients)
    return False


def third_person(text: str, name: str) -> str:
    def replace(match: re.Match) -> str:
        word = match.group(1).lower()
        return genitive(name) if word in ("din", "dit", "dine") else name

    return _PRONOUN.sub(replace, text)


def about_citizen(section: Section, name: str) -> Section:
    """The section as the guardian or representative reads it: the citizen by name."""
    blocks = tuple(
        dataclasses.replace(block, text=third_person(block.text, name), items=tuple(third_person(i, name) for i in block.items))
        for block in section.blocks
    )
    return dataclasses.replace(section, heading=third_person(section.heading, name), blocks=blocks)


def for_reader(section: Section, recipient: Recipient, recipients: tuple[Recipient, ...], citizen_name: str) -> Section:
    """A section about the citizen, worded for this reader."""
    if speaks_for_self(recipient, recipients) or not citizen_name:
        return section
    return about_citizen(section, citizen_name)


def starts_with_deres(text: str) -> bool:
    """A sentence beginning "Deres" reads as the polite "your" (issue 11): never for a third party."""
    return re.search(r"(^|[.!?:]\s+|\n)Deres\b", text) is not None


__all__ = ["Block", "SECOND_PERSON", "about_citizen", "for_reader", "genitive", "speaks_for_self", "starts_with_deres", "third_person"]

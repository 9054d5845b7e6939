"""Each recipient's real channel, resolved before a letter is dated.

Whether a citizen gets Digital Post or paper is a fact the service platform knows, and it decides
the date of receipt and the complaint deadline (content/deadline_rules.yaml, docs/delivery.md). So the channel typed
in a case file or register is only a fallback: when the profile configures a look-up
(`delivery.channel_lookup`), a recipient with a person id is looked up

- `platform`: the platform's registration look-up (python-serviceplatformen
  `digital_post.is_registered`, service PostForespoerg) by the person's CPR number;
- `exempt_file`: a file of the person ids exempt from Digital Post (without the platform). A
  person known to the identity mapping and not in the file has Digital Post.

Registered -> `digital`. Exempt -> paper: the typed paper class is kept (`quickpost` stays a
quick letter), a typed `digital` becomes `post`. A person the look-up does not know keeps the
typed channel. The record keeps the channel, its source and what was typed; a typed channel that
contradicts the look-up is a warning (digital against paper; the paper class is no contradiction).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from ..errors import BrevgenError
from ..loading import read_text
from ..models import Channel, Recipient
from .identity import Identities, identities
from .settings import content_file, delivery_settings


@dataclass(frozen=True)
class ResolvedChannel:
    channel: Channel
    source: str  # "case_file"/"register" (typed, not looked up), "exempt_file" or "platform"
    typed: Channel

    @property
    def contradicts(self) -> bool:
        return self.typed.is_paper != self.channel.is_paper

    def as_record(self) -> dict[str, Any]:
        return {"channel": self.channel.value, "source": self.source, "typed": self.typed.value}

    def warning(self, who: str) -> str:
        return (f"{who}: the channel typed is {self.typed.value!r}, but the {self.source.replace('_', ' ')} "
                f"says {'Digital Post' if self.channel is Channel.digital else 'exempt from Digital Post'}; "
                f"the letter is dated and its deadline computed for {self.channel.value!r}")


class Lookup(Protocol):
    source: str

    def registered(self, person_id: str) -> bool | None:
        """True: has Digital Post; False: exempt (paper); None: not known to the look-up."""


class ExemptFile:
    source = "exempt_file"

    def __init__(self, path: Path, people: Identities | None):
        text = "".join(line for line in io.StringIO(read_text(path)) if not line.lstrip().startswith("#"))
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "person_id" not in reader.fieldnames:
            raise BrevgenError(f"{path}: expected a column person_id (the case system's ids of exempt recipients)")
        self.exempt = frozenset((row.get("person_id") or "").strip() for row in reader) - {""}
        self.people = people

    def registered(self, person_id: str) -> bool | None:
        if person_id in self.exempt:
            return False
        if self.people is not None and self.people.cpr(person_id) is not None:
            return True
        return None


class PlatformLookup:
    """The platform's answer, asked once per person and process."""

    source = "platform"

    def __init__(self, people: Identities | None, access):
        if people is None:
            raise BrevgenError("content/profile.yaml: delivery.identities: the platform look-up needs the CPR numbers")
        self.people, self.access = people, access
        self._answers: dict[str, bool] = {}

    def registered(self, person_id: str) -> bool | None:
        cpr = self.people.cpr(person_id)
        if cpr is None:
            return None
        if person_id not in self._answers:
            from python_serviceplatformen import digital_post

            try:
                self._answers[person_id] = bool(digital_post.is_registered(cpr, "digitalpost", self.access))
            except Exception as exc:  # noqa: BLE001 - network, HTTP or token errors alike
                # the message names the person id and the kind of failure, never the CPR number
                raise BrevgenError(f"channel look-up for person id {person_id} failed ({type(exc).__name__}); "
                                   "nothing written; try again, or set delivery.channel_lookup") from None
        return self._answers[person_id]


@lru_cache(maxsize=1)
def default_lookup() -> Lookup | None:
    settings = delivery_settings()
    return make_lookup(settings)


def make_lookup(settings) -> Lookup | None:
    if settings.channel_lookup == "exempt_file":
        return ExemptFile(content_file(settings.exempt_file, "exempt_file"), identities(settings))
    if settings.channel_lookup == "platform":
        from .transports import platform_access

        return PlatformLookup(identities(settings), platform_access(settings))
    return None


def resolve(recipient: Recipient, typed_source: str = "case_file", lookup: Lookup | None | bool = True) -> ResolvedChannel:
    """The recipient's channel: looked up when possible, else as typed (`typed_source`)."""
    if lookup is True:
        lookup = default_lookup()
    typed = recipient.channel
    if not lookup or recipient.person_id is None:
        return ResolvedChannel(typed, typed_source, typed)
    registered = lookup.registered(recipient.person_id)
    if registered is None:
        return ResolvedChannel(typed, typed_source, typed)
    if registered:
        return ResolvedChannel(Channel.digital, lookup.source, typed)
    return ResolvedChannel(typed if typed.is_paper else Channel.post, lookup.source, typed)


def resolved_recipient(recipient: Recipient, typed_source: str = "case_file") -> tuple[Recipient, ResolvedChannel]:
    resolved = resolve(recipient, typed_source)
    if resolved.channel is recipient.channel:
        return recipient, resolved
    return recipient.model_copy(update={"channel": resolved.channel}), resolved


def recipient_record(recipient: Recipient, index: int, resolved: ResolvedChannel) -> dict[str, Any]:
    """A record's recipient: role, channel and its source, and the case system's person id; never
    a name, address or CPR number."""
    return {"index": index + 1, "role": recipient.role.value, "channel": recipient.channel.value,
            "channel_source": resolved.source, "typed_channel": resolved.typed.value,
            "person_id": recipient.person_id}

"""The case process as data: content/processes/*.yaml and content/processing_times.yaml.

A process describes one provision's case from the citizen's side, phase by phase (docs/reference.md,
"Process leaflets"). The expected time of a phase may use `{{ uger }}`: the municipality's published
case processing time for the provision (RSL § 3), taken from the processing-times table, so a
new published time changes every leaflet at once. No rendering here; see render/diagram.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import jinja2
from pydantic import Field, field_validator

from . import paths, sandbox
from .errors import BrevgenError
from .loading import load_model
from .models import Model
from .sandbox import BoundedEnvironment


class PhaseKind(str, Enum):
    """The phases every case goes through, in this order."""

    application = "application"
    facts = "facts"  # finding out the facts (oplysning af sagen)
    hearing = "hearing"  # party hearing (partshøring, FVL § 19)
    decision = "decision"
    delivery = "delivery"
    follow_up = "follow_up"


PHASE_ORDER = tuple(PhaseKind)


class Phase(Model):
    kind: PhaseKind
    title: str = Field(min_length=1, max_length=40, description="short: it is drawn in the diagram")
    who: tuple[str, ...] = Field(min_length=1, description="who is involved")
    citizen: str = Field(min_length=1, description="when and how the citizen and relatives take part")
    information: str = Field(min_length=1, description="what is gathered and how it is used")
    weighs: str = Field(min_length=1, description="what the caseworker weighs")
    time: str = Field(min_length=1, description="expected time; may use {{ uger }} from the table")


class Process(Model):
    example: bool = False
    id: str = Field(pattern=r"^[a-z0-9\-]+$")
    title: str = Field(min_length=1)
    area: str = Field(pattern=r"^(adult|child)$")
    provision: str = Field(min_length=1, description="as in the processing-times table, e.g. 'SEL § 85'")
    phases: tuple[Phase, ...]

    @field_validator("phases")
    @classmethod
    def _every_phase_in_order(cls, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
        kinds = tuple(phase.kind for phase in phases)
        if kinds != PHASE_ORDER:
            expected = ", ".join(kind.value for kind in PHASE_ORDER)
            raise ValueError(f"expected the phases {expected}, each once and in this order")
        return phases


class ProcessingTime(Model):
    provision: str
    weeks: int = Field(ge=1)
    id: str | None = None  # the provision's id in the reference registry (sel-85), for letters


class ProcessingTimes(Model):
    """The municipality's published case processing times per provision (RSL § 3, stk. 2)."""

    example: bool = False
    source: str = Field(min_length=1)
    published: dt.date
    times: tuple[ProcessingTime, ...]

    def weeks(self, provision: str) -> int | None:
        return next((t.weeks for t in self.times if t.provision == provision), None)

    def weeks_for(self, provision_id: str) -> int | None:
        """By registry id (sel-85): the acknowledgement of an application states it."""
        return next((t.weeks for t in self.times if t.id == provision_id), None)


@dataclass(frozen=True)
class ResolvedPhase:
    """A phase with its expected time filled in from the table."""

    phase: Phase
    time: str

    kind = property(lambda self: self.phase.kind)
    title = property(lambda self: self.phase.title)
    who = property(lambda self: self.phase.who)
    citizen = property(lambda self: self.phase.citizen)
    information = property(lambda self: self.phase.information)
    weighs = property(lambda self: self.phase.weighs)


@dataclass(frozen=True)
class ResolvedProcess:
    process: Process
    phases: tuple[ResolvedPhase, ...]
    weeks: int
    times_source: str
    times_published: dt.date

    @property
    def id(self) -> str:
        return self.process.id

    @property
    def title(self) -> str:
        return self.process.title

    @property
    def plain_text(self) -> str:
        """Everything the process tells the reader, for LIX."""
        parts = [self.title]
        for phase in self.phases:
            parts += [phase.title + ".", " ".join(phase.who) + ".", phase.citizen, phase.information,
                      phase.weighs, phase.time]
        return "\n\n".join(parts)


PROCESSES = "processes"
TIMES_FILE = "processing_times.yaml"


@lru_cache(maxsize=None)
def processing_times() -> ProcessingTimes:
    return load_model(ProcessingTimes, paths.CONTENT / TIMES_FILE)


def process_files() -> dict[str, Path]:
    """Process id (the file name without .yaml) -> file."""
    return {p.stem: p for p in sorted((paths.CONTENT / PROCESSES).glob("*.yaml"))}


@lru_cache(maxsize=None)
def _time_environment() -> BoundedEnvironment:
    return BoundedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def load_process(path: Path) -> ResolvedProcess:
    process = load_model(Process, path)
    if process.id != path.stem:
        raise BrevgenError(f"{path}: id: expected the file name without .yaml ({path.stem!r})")
    table = processing_times()
    weeks = table.weeks(process.provision)
    if weeks is None:
        raise BrevgenError(
            f"{path}: provision: {process.provision!r} has no published processing time in "
            f"content/{TIMES_FILE}"
        )
    phases = []
    for index, phase in enumerate(process.phases):
        try:
            time = sandbox.render(_time_environment().from_string(phase.time), {"uger": weeks})
        except sandbox.TextError as exc:
            raise BrevgenError(f"{path}: phases[{index}].time: {exc}") from None
        except jinja2.TemplateError as exc:
            raise BrevgenError(f"{path}: phases[{index}].time: {exc} (the only parameter is uger)") from None
        phases.append(ResolvedPhase(phase, time))
    return ResolvedProcess(process, tuple(phases), weeks, table.source, table.published)


def find_process(process_id: str) -> ResolvedProcess | None:
    path = process_files().get(process_id)
    return load_process(path) if path else None

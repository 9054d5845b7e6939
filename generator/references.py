"""The reference registry (content/references.yaml): what letters cite and when it is in force.

Resolving a reference id on a letter's date gives a `Citation`: plain facts (act name, section,
consolidated act number and date, ruling number, ...) that phrases turn into Danish. Problems
(unknown id, not in force that day, historic ruling) are returned, not raised, so checks.py can
report them all and `brevgen refs --outdated` can list them. No text, no rendering here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field

from . import paths
from .errors import BrevgenError
from .loading import load_model
from .models import Model

REGISTRY_FILE = "references.yaml"


class Dated(Model):
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Act(Model):
    id: str
    name: str  # as a letter names it, e.g. "serviceloven"
    title: str
    verify: bool = True


class Consolidation(Dated):
    id: str
    act: str
    form: str  # "lov" or "lovbekendtgørelse": how the letter names it
    number: str
    date: dt.date
    replaced_by: str | None = None
    verify: bool = True


class ProvisionPeriod(Dated):
    act: str
    section: str


class Provision(Model):
    id: str
    title: str
    periods: tuple[ProvisionPeriod, ...] = Field(min_length=1)
    verify: bool = True


class Document(Dated):
    id: str
    kind: Literal["executive_order", "guidance"]
    title: str
    number: str
    date: dt.date
    replaced_by: str | None = None
    verify: bool = True


class StandardSection(Model):
    id: str
    title: str


class QualityStandard(Dated):
    id: str
    title: str
    adopted: dt.date
    sections: tuple[StandardSection, ...] = Field(min_length=1)
    example: bool = False
    verify: bool = True


class Ruling(Model):
    id: str
    number: str
    title: str
    date: dt.date
    status: Literal["current", "historic"]
    historic_from: dt.date | None = None
    example: bool = False
    verify: bool = True

    def historic_on(self, day: dt.date) -> bool:
        if self.status == "historic":
            return self.historic_from is None or self.historic_from <= day
        return False


class RegistryFile(Model):
    example: bool = False
    acts: tuple[Act, ...]
    consolidations: tuple[Consolidation, ...] = ()
    provisions: tuple[Provision, ...] = ()
    documents: tuple[Document, ...] = ()
    quality_standards: tuple[QualityStandard, ...] = ()
    rulings: tuple[Ruling, ...] = ()


@dataclass(frozen=True)
class Citation:
    """One reference as cited on one date. `facts` is what phrases format; `problem` stops a letter."""

    id: str
    kind: Literal["rule", "document", "quality_standard", "ruling", "unknown"]
    facts: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    expires: dt.date | None = None  # last day in force, if known

    def as_record(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, **self.facts}


class Registry:
    def __init__(self, data: RegistryFile):
        self.data = data
        self.acts = {a.id: a for a in data.acts}
        self.provisions = {p.id: p for p in data.provisions}
        self.documents = {d.id: d for d in data.documents}
        self.standards = {s.id: s for s in data.quality_standards}
        self.rulings = {r.id: r for r in data.rulings}

    @property
    def ids(self) -> set[str]:
        return {*self.provisions, *self.documents, *self.standards, *self.rulings}

    def consistency_problems(self) -> list[str]:
        """Dangling ids, and acts whose consolidations overlap (two texts in force on one day)."""
        problems = []
        known_consolidations = {c.id for c in self.data.consolidations}
        for consolidation in self.data.consolidations:
            if consolidation.act not in self.acts:
                problems.append(f"consolidation {consolidation.id}: unknown act {consolidation.act!r}")
            if consolidation.replaced_by and consolidation.replaced_by not in known_consolidations:
                problems.append(f"consolidation {consolidation.id}: replaced_by {consolidation.replaced_by!r} is unknown")
        for provision in self.data.provisions:
            for period in provision.periods:
                if period.act not in self.acts:
                    problems.append(f"provision {provision.id}: unknown act {period.act!r}")
        for act in self.acts:
            texts = sorted((c for c in self.data.consolidations if c.act == act), key=lambda c: c.valid_from or dt.date.min)
            for before, after in zip(texts, texts[1:]):
                if before.valid_to is None or (after.valid_from and before.valid_to >= after.valid_from):
                    problems.append(f"act {act}: consolidations {before.id} and {after.id} overlap")
        return problems

    def consolidation_on(self, act: str, day: dt.date) -> Consolidation | None:
        for consolidation in self.data.consolidations:
            if consolidation.act == act and consolidation.in_force(day):
                return consolidation
        return None

    def cite(self, ref: str, on: dt.date) -> Citation:
        """Resolve `ref` (a provision, document, `standard#section` or ruling id) for a letter dated `on`."""
        base, _, section = ref.partition("#")
        if base in self.provisions:
            return self._cite_provision(self.provisions[base], on)
        if base in self.documents:
            document = self.documents[base]
            facts = {"title": document.title, "number": document.number, "date": document.date, "doc_kind": document.kind}
            problem = None if document.in_force(on) else f"reference {ref!r} is not in force on {on}" + _replaced(document.replaced_by)
            return Citation(ref, "document", facts, problem, document.valid_to)
        if base in self.standards:
            return self._cite_standard(self.standards[base], ref, section, on)
        if base in self.rulings:
            ruling = self.rulings[base]
            facts = {"number": ruling.number, "title": ruling.title, "date": ruling.date}
            problem = f"ruling {ruling.number} ({ref!r}) is historic and no longer guides practice" if ruling.historic_on(on) else None
            return Citation(ref, "ruling", facts, problem, (ruling.historic_from or ruling.date) if ruling.status == "historic" else None)
        return Citation(ref, "unknown", {}, f"reference {ref!r} is not in {REGISTRY_FILE}")

    def _cite_provision(self, provision: Provision, on: dt.date) -> Citation:
        period = next((p for p in provision.periods if p.in_force(on)), None)
        if period is None:
            return Citation(provision.id, "rule", {"title": provision.title}, f"provision {provision.id!r} is not in force on {on}")
        act = self.acts[period.act]
        consolidation = self.consolidation_on(period.act, on)
        facts: dict[str, Any] = {"act": act.name, "section": period.section, "title": provision.title}
        if consolidation is None:
            return Citation(provision.id, "rule", facts, f"no text of {act.name} (act {act.id!r}) is in force on {on} in {REGISTRY_FILE}")
        facts.update(form=consolidation.form, number=consolidation.number, date=consolidation.date, text_id=consolidation.id)
        ends = [d for d in (period.valid_to, consolidation.valid_to) if d]
        return Citation(provision.id, "rule", facts, None, min(ends) if ends else None)

    def _cite_standard(self, standard: QualityStandard, ref: str, section: str, on: dt.date) -> Citation:
        facts: dict[str, Any] = {"title": standard.title, "adopted": standard.adopted}
        match = next((s for s in standard.sections if s.id == section), None)
        if not section or match is None:
            known = ", ".join(f"{standard.id}#{s.id}" for s in standard.sections)
            return Citation(ref, "quality_standard", facts, f"reference {ref!r} must name a section of the quality standard ({known})")
        facts.update(section=match.id, section_title=match.title)
        problem = None if standard.in_force(on) else f"quality standard {ref!r} is not in force on {on}"
        return Citation(ref, "quality_standard", facts, problem, standard.valid_to)


def _replaced(replaced_by: str | None) -> str:
    return f" (replaced by {replaced_by!r})" if replaced_by else ""


def load_registry(path=None) -> Registry:
    registry = Registry(load_model(RegistryFile, path or paths.CONTENT / REGISTRY_FILE))
    problems = registry.consistency_problems()
    if problems:
        raise BrevgenError(f"{path or paths.CONTENT / REGISTRY_FILE}: " + "; ".join(problems))
    return registry


@lru_cache(maxsize=None)
def default_registry() -> Registry:
    return load_registry()


def outdated(library, registry: Registry, as_of: dt.date) -> list[tuple[str, str, str]]:
    """The lawyer's view: (phrase id, reference, why) for each phrase citing a reference that is
    expired or historic on `as_of`, or that no longer exists."""
    rows = []
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        if phrase.valid_to and phrase.valid_to < as_of:
            continue  # the phrase itself has been retired
        for ref in phrase.cites:
            citation = registry.cite(ref, as_of)
            if citation.problem:
                rows.append((phrase.id, ref, citation.problem))
    return rows

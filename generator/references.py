"""The reference registry: what letters cite, when each text is in force, and where we read it.

The registry is read from several YAML files (docs/lawyer.md describes the format for the
municipality's lawyer): every `content/references/*.yaml` (one file per act or topic, so two
people can add provisions without editing the same file), `content/rates.yaml` (the dated rate
table) and, for older checkouts, `content/references.yaml`. Each file may hold any of the lists
below; ids must be unique across all files.

Resolving a reference id on a letter's date gives a `Citation`: plain facts (act name, § and
stk./nr., consolidated act number and date, ruling number, an amount, ...) that phrases turn
into Danish. Problems (unknown id, not in force that day, historic ruling) are returned, not
raised, so checks.py can report them all and `brevgen refs --outdated` can list them. An entry
nobody could confirm at a public source carries `confirmed: false`; its citation says so in
`unconfirmed`, which is a warning on a letter (an error with --strict). No text, no rendering.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Iterable, Literal

from pydantic import Field, model_validator

from . import paths
from .errors import BrevgenError
from .loading import load_model
from .models import Model

REGISTRY_DIR = "references"  # content/references/*.yaml
RATES_FILE = "rates.yaml"  # content/rates.yaml
LEGACY_FILE = "references.yaml"  # content/references.yaml (a single-file registry)
REGISTRY_FILE = "the reference registry (content/references/)"  # how messages name it


class Dated(Model):
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @model_validator(mode="after")
    def _period_in_order(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class Sourced(Model):
    """Where a legal fact was read. `confirmed: false` marks what nobody could confirm yet.

    `source` is an address (URL) of a public page that states the fact; `checked` the day it was
    read there. A confirmed entry must have both; `note` says what was found (or not found)."""

    source: str | None = None
    checked: dt.date | None = None
    confirmed: bool = True
    note: str | None = None
    sourced_here: ClassVar[bool] = True  # False: the parts (periods) carry the source instead

    @model_validator(mode="before")
    @classmethod
    def _verify_means_unconfirmed(cls, data: Any) -> Any:
        """`verify: true` (the older marker, "to be checked") is read as `confirmed: false`."""
        if isinstance(data, dict) and "verify" in data:
            verify = data["verify"]
            data = {k: v for k, v in data.items() if k != "verify"}
            if verify is True and "confirmed" not in data:
                data["confirmed"] = False
                data.setdefault("note", "marked `verify: true` (to be checked)")
        return data

    @model_validator(mode="after")
    def _confirmed_needs_a_source(self):
        if not self.sourced_here or getattr(self, "example", False):
            return self
        if self.confirmed and (not self.source or not self.checked):
            raise ValueError("a confirmed entry needs `source` (an address) and `checked` (a date); "
                             "write `confirmed: false` and a `note` if nobody could confirm it")
        return self


class Act(Sourced):
    id: str
    name: str  # as a letter names it, e.g. "serviceloven"
    title: str


class Consolidation(Dated, Sourced):
    """The text of an act in force in a period: the original act (form `lov`) or a consolidated
    act (`lovbekendtgørelse`). A letter cites the one in force on its date."""

    id: str
    act: str
    form: Literal["lov", "lovbekendtgørelse"]
    number: str = Field(pattern=r"^[0-9]+$")
    date: dt.date
    replaced_by: str | None = None


class Amendment(Model):
    """An amending act, cited "som ændret ved lov nr. N af ..." while no consolidation includes it."""

    number: str = Field(pattern=r"^[0-9]+$")
    date: dt.date


class ProvisionPeriod(Dated, Sourced):
    """What a provision is (act, §, stk., nr.) in one period. `id` lets a phrase pin this period."""

    id: str | None = None
    act: str
    section: str = Field(pattern=r"^§ [0-9]+( ?[a-z])?$")  # "§ 83", "§ 3 a"
    stk: str | None = Field(default=None, pattern=r"^[0-9]+$")
    nr: str | None = Field(default=None, pattern=r"^[0-9]+$")
    title: str | None = None  # overrides the provision's title in this period
    amended_by: Amendment | None = None  # the act that made this text, until a consolidation includes it

    @property
    def paragraph(self) -> str:
        """§ 83, stk. 1, nr. 1"""
        return ", ".join(p for p in (self.section, self.stk and f"stk. {self.stk}", self.nr and f"nr. {self.nr}") if p)


class Provision(Sourced):
    id: str
    title: str
    periods: tuple[ProvisionPeriod, ...] = Field(min_length=1)
    sourced_here: ClassVar[bool] = False  # each period is checked (it inherits what is written here)

    @model_validator(mode="before")
    @classmethod
    def _periods_inherit_source(cls, data: Any) -> Any:
        """A period without its own source inherits the provision's (written once per provision)."""
        if isinstance(data, dict) and isinstance(data.get("periods"), list):
            data = cls._verify_means_unconfirmed(data)  # before inheriting (validator order is not ours)
            inherited = {k: data[k] for k in ("source", "checked", "confirmed", "note") if k in data}
            data = {**data, "periods": [({**inherited, **p} if isinstance(p, dict) else p) for p in data["periods"]]}
        return data


class Document(Dated, Sourced):
    """An executive order (bekendtgørelse) or guidance (vejledning). Documents that replace each
    other share a `series`: a phrase citing the series gets the one in force on the letter's date."""

    id: str
    kind: Literal["executive_order", "guidance"]
    title: str
    number: str | None = Field(default=None, pattern=r"^[0-9]+$")  # unknown only while unconfirmed
    date: dt.date | None = None
    series: str | None = None
    replaced_by: str | None = None


    @model_validator(mode="after")
    def _confirmed_has_number(self):
        if self.confirmed and (self.number is None or self.date is None):
            raise ValueError("a confirmed document needs its `number` and `date`")
        return self


class StandardSection(Model):
    id: str
    title: str


class QualityStandard(Dated, Sourced):
    id: str
    title: str
    adopted: dt.date
    sections: tuple[StandardSection, ...] = Field(min_length=1)
    example: bool = False


class Ruling(Sourced):
    id: str
    number: str
    title: str
    date: dt.date
    status: Literal["current", "historic"]
    historic_from: dt.date | None = None
    example: bool = False

    def historic_on(self, day: dt.date) -> bool:
        if self.status == "historic":
            return self.historic_from is None or self.historic_from <= day
        return False


class RatePeriod(Dated, Sourced):
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)
    level: int | None = None  # the year's price level the amount is stated in (e.g. 2026-niveau)
    example: bool = False


class Rate(Model):
    """An amount a letter states, by period: from law (`kind: law`) or the municipality's decision."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # used in phrases as satser.<id>
    title: str
    unit: str  # "kr. pr. år", "kr. pr. måned", "kr. pr. time"
    kind: Literal["law", "municipal"]
    provision: str | None = None  # the provision (or period) the amount comes from
    example: bool = False
    periods: tuple[RatePeriod, ...] = Field(min_length=1)


class RegistryFile(Model):
    example: bool = False
    acts: tuple[Act, ...] = ()
    consolidations: tuple[Consolidation, ...] = ()
    provisions: tuple[Provision, ...] = ()
    documents: tuple[Document, ...] = ()
    quality_standards: tuple[QualityStandard, ...] = ()
    rulings: tuple[Ruling, ...] = ()
    rates: tuple[Rate, ...] = ()


LISTS = ("acts", "consolidations", "provisions", "documents", "quality_standards", "rulings", "rates")


@dataclass(frozen=True)
class Citation:
    """One reference as cited on one date. `facts` is what phrases format; `problem` stops a letter;
    `unconfirmed` (what nobody could confirm) is a warning, an error under --strict."""

    id: str
    kind: Literal["rule", "document", "quality_standard", "ruling", "rate", "unknown"]
    facts: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    expires: dt.date | None = None  # last day in force, if known
    unconfirmed: str | None = None

    def as_record(self) -> dict[str, Any]:
        record = {"id": self.id, "kind": self.kind, **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.facts.items()}}
        if self.unconfirmed:
            record["unconfirmed"] = self.unconfirmed
        return record


def _unconfirmed(entries: Iterable[tuple[str, Sourced]]) -> str | None:
    found = [f"{label} is not confirmed at a public source" for label, entry in entries if not entry.confirmed]
    return "; ".join(found) or None


class Registry:
    def __init__(self, data: RegistryFile, origins: dict[str, str] | None = None):
        self.data = data
        self.origins = origins or {}  # entry id -> file it came from, for messages
        self.acts = {a.id: a for a in data.acts}
        self.consolidations = {c.id: c for c in data.consolidations}
        self.provisions = {p.id: p for p in data.provisions}
        self.periods = {period.id: (p, period) for p in data.provisions for period in p.periods if period.id}
        self.documents = {d.id: d for d in data.documents}
        self.series = {d.series for d in data.documents if d.series}
        self.standards = {s.id: s for s in data.quality_standards}
        self.rulings = {r.id: r for r in data.rulings}
        self.rates = {r.id: r for r in data.rates}

    @property
    def ids(self) -> set[str]:
        """Every id a phrase or case may cite."""
        return {*self.acts, *self.consolidations, *self.provisions, *self.periods, *self.documents, *self.series,
                *self.standards, *self.rulings, *self.rates}

    # --- consistency ---------------------------------------------------------------------------

    def consistency_problems(self) -> list[str]:
        """Dangling ids, duplicate ids, and periods that overlap (two texts in force on one day)."""
        problems = []
        for consolidation in self.data.consolidations:
            if consolidation.act not in self.acts:
                problems.append(f"consolidation {consolidation.id}: unknown act {consolidation.act!r}")
            if consolidation.replaced_by and consolidation.replaced_by not in self.consolidations:
                problems.append(f"consolidation {consolidation.id}: replaced_by {consolidation.replaced_by!r} is unknown")
        for document in self.data.documents:
            if document.replaced_by and document.replaced_by not in self.documents:
                problems.append(f"document {document.id}: replaced_by {document.replaced_by!r} is unknown")
        for provision in self.data.provisions:
            for period in provision.periods:
                if period.act not in self.acts:
                    problems.append(f"provision {provision.id}: unknown act {period.act!r}")
            problems.extend(f"provision {provision.id}: {p}" for p in _overlaps(provision.periods, lambda p: p.id or p.paragraph))
        for rate in self.data.rates:
            problems.extend(f"rate {rate.id}: {p}" for p in _overlaps(rate.periods, lambda p: f"{p.valid_from}..{p.valid_to or ''}"))
            if rate.provision and rate.provision not in self.provisions and rate.provision not in self.periods:
                problems.append(f"rate {rate.id}: provision {rate.provision!r} is unknown")
        for act in self.acts:
            texts = [c for c in self.data.consolidations if c.act == act]
            problems.extend(f"act {act}: {p}" for p in _overlaps(texts, lambda c: c.id))
        for series in self.series:
            documents = [d for d in self.data.documents if d.series == series]
            problems.extend(f"document series {series}: {p}" for p in _overlaps(documents, lambda d: d.id))
        kinds = [set(self.acts), set(self.consolidations), set(self.provisions), set(self.periods), set(self.documents),
                 self.series, set(self.standards), set(self.rulings), set(self.rates)]
        clashes = {i for n, a in enumerate(kinds) for b in kinds[n + 1:] for i in a & b}
        problems.extend(f"id {clash!r} is used twice" for clash in sorted(clashes))
        return problems

    # --- lookups -------------------------------------------------------------------------------

    def consolidation_on(self, act: str, day: dt.date) -> Consolidation | None:
        for consolidation in self.data.consolidations:
            if consolidation.act == act and consolidation.in_force(day):
                return consolidation
        return None

    def rate_on(self, rate_id: str, day: dt.date) -> RatePeriod | None:
        rate = self.rates.get(rate_id)
        return next((p for p in rate.periods if p.in_force(day)), None) if rate else None

    def rates_on(self, day: dt.date) -> dict[str, Decimal]:
        """The amounts in force on `day`, by rate id: what phrases see as `satser`."""
        found = {rate_id: self.rate_on(rate_id, day) for rate_id in self.rates}
        return {rate_id: period.amount for rate_id, period in found.items() if period is not None}

    # --- citing --------------------------------------------------------------------------------

    def cite(self, ref: str, on: dt.date) -> Citation:
        """Resolve `ref` (a provision or provision period, document or document series,
        `standard#section`, ruling or rate id) for a letter dated `on`."""
        base, _, section = ref.partition("#")
        if base in self.provisions:
            provision = self.provisions[base]
            period = next((p for p in provision.periods if p.in_force(on)), None)
            return self._cite_provision(provision, period, ref, on)
        if base in self.periods:
            provision, period = self.periods[base]
            return self._cite_provision(provision, period if period.in_force(on) else None, ref, on, pinned=period)
        if base in self.acts or base in self.consolidations:
            return self._cite_text(base, on)
        if base in self.documents or base in self.series:
            return self._cite_document(ref, on)
        if base in self.standards:
            return self._cite_standard(self.standards[base], ref, section, on)
        if base in self.rulings:
            ruling = self.rulings[base]
            facts = {"number": ruling.number, "title": ruling.title, "date": ruling.date}
            problem = f"ruling {ruling.number} ({ref!r}) is historic and no longer guides practice" if ruling.historic_on(on) else None
            expires = (ruling.historic_from or ruling.date) if ruling.status == "historic" else None
            return Citation(ref, "ruling", facts, problem, expires, _unconfirmed([(f"ruling {ref!r}", ruling)]))
        if base in self.rates:
            return self._cite_rate(self.rates[base], on)
        return Citation(ref, "unknown", {}, f"reference {ref!r} is not in {REGISTRY_FILE}")

    def _cite_provision(self, provision: Provision, period: ProvisionPeriod | None, ref: str, on: dt.date,
                        pinned: ProvisionPeriod | None = None) -> Citation:
        if period is None:
            when = f" (this text is in force {_span(pinned)})" if pinned else ""
            return Citation(ref, "rule", {"title": provision.title}, f"provision {ref!r} is not in force on {on}{when}")
        act = self.acts[period.act]
        consolidation = self.consolidation_on(period.act, on)
        facts: dict[str, Any] = {
            "act": act.name, "section": period.section, "stk": period.stk, "nr": period.nr,
            "paragraph": period.paragraph, "title": period.title or provision.title, "provision": provision.id,
        }
        if consolidation is None:
            return Citation(ref, "rule", facts, f"no text of {act.name} (act {act.id!r}) is in force on {on} in {REGISTRY_FILE}")
        facts.update(form=consolidation.form, number=consolidation.number, date=consolidation.date, text_id=consolidation.id)
        # An amendment that took effect after the consolidation was issued is not in its text yet:
        # the letter cites it too ("som ændret ved lov nr. ...").
        amended = period.amended_by if period.amended_by and consolidation.date < (period.valid_from or dt.date.min) else None
        facts["amended_by"] = amended.model_dump() if amended else None
        ends = [d for d in (period.valid_to, consolidation.valid_to) if d]
        unconfirmed = _unconfirmed([(f"provision {ref!r} ({period.paragraph})", period),
                                    (f"consolidation {consolidation.id!r}", consolidation)])
        return Citation(ref, "rule", facts, None, min(ends) if ends else None, unconfirmed)

    def _cite_text(self, ref: str, on: dt.date) -> Citation:
        """A whole act (the consolidation in force on the date) or one consolidation (pinned)."""
        if ref in self.acts:
            act, consolidation = self.acts[ref], self.consolidation_on(ref, on)
            if consolidation is None:
                return Citation(ref, "rule", {"act": act.name}, f"no text of {act.name} (act {ref!r}) is in force on {on}")
        else:
            consolidation = self.consolidations[ref]
            act = self.acts[consolidation.act]
        facts = {"act": act.name, "section": None, "stk": None, "nr": None, "paragraph": "", "title": act.title,
                 "provision": None, "form": consolidation.form, "number": consolidation.number,
                 "date": consolidation.date, "text_id": consolidation.id, "amended_by": None}
        problem = None
        if not consolidation.in_force(on):
            problem = f"{consolidation.form} nr. {consolidation.number} af {consolidation.date} ({ref!r}) is not in force on {on}"
            problem += _replaced(consolidation.replaced_by)
        return Citation(ref, "rule", facts, problem, consolidation.valid_to,
                        _unconfirmed([(f"consolidation {consolidation.id!r}", consolidation)]))

    def _cite_document(self, ref: str, on: dt.date) -> Citation:
        if ref in self.series:
            document = next((d for d in self.data.documents if d.series == ref and d.in_force(on)), None)
            if document is None:
                return Citation(ref, "document", {}, f"no document of series {ref!r} is in force on {on}")
        else:
            document = self.documents[ref]
        facts = {"title": document.title, "number": document.number, "date": document.date, "doc_kind": document.kind,
                 "document": document.id}
        problem = None if document.in_force(on) else f"reference {ref!r} is not in force on {on}" + _replaced(document.replaced_by)
        return Citation(ref, "document", facts, problem, document.valid_to, _unconfirmed([(f"document {document.id!r}", document)]))

    def _cite_standard(self, standard: QualityStandard, ref: str, section: str, on: dt.date) -> Citation:
        facts: dict[str, Any] = {"title": standard.title, "adopted": standard.adopted}
        match = next((s for s in standard.sections if s.id == section), None)
        if not section or match is None:
            known = ", ".join(f"{standard.id}#{s.id}" for s in standard.sections)
            return Citation(ref, "quality_standard", facts, f"reference {ref!r} must name a section of the quality standard ({known})")
        facts.update(section=match.id, section_title=match.title)
        problem = None if standard.in_force(on) else f"quality standard {ref!r} is not in force on {on}"
        return Citation(ref, "quality_standard", facts, problem, standard.valid_to,
                        _unconfirmed([(f"quality standard {ref!r}", standard)]))

    def _cite_rate(self, rate: Rate, on: dt.date) -> Citation:
        period = self.rate_on(rate.id, on)
        facts: dict[str, Any] = {"title": rate.title, "unit": rate.unit, "rate_kind": rate.kind}
        if period is None:
            return Citation(rate.id, "rate", facts, f"rate {rate.id!r} has no amount in force on {on} (content/{RATES_FILE})")
        facts.update(amount=period.amount, level=period.level, valid_from=period.valid_from)
        return Citation(rate.id, "rate", facts, None, period.valid_to, _unconfirmed([(f"rate {rate.id!r} ({_span(period)})", period)]))

    def changed_since(self, ref: str, reviewed: dt.date, as_of: dt.date) -> str | None:
        """A provision period that started after a phrase's last review (and by `as_of`): the law
        the phrase explains changed since the lawyer approved its wording."""
        provision = self.provisions.get(ref) or (self.periods[ref][0] if ref in self.periods else None)
        if provision is None:
            return None
        for period in provision.periods:
            if period.valid_from and reviewed < period.valid_from <= as_of:
                return (f"provision {ref!r} has a new text from {period.valid_from} ({period.paragraph}), "
                        f"after the phrase was last reviewed on {reviewed}")
        return None

    def written_citation_problem(self, written: str, as_of: dt.date) -> str:
        """Why a consolidation or order written into a phrase text by hand is wrong on `as_of`."""
        number = re.search(r"nr\.\s*(\d+)", written).group(1)
        year = int(re.search(r"(\d{4})$", written).group(1))
        texts = [c for c in (*self.data.consolidations, *self.data.documents)
                 if c.number == number and c.date and c.date.year == year]
        if not texts:
            return "written into the phrase text by hand, and not in the registry"
        if not any(t.in_force(as_of) for t in texts):
            return f"written into the phrase text by hand, and not in force on {as_of}" + _replaced(texts[0].replaced_by)
        return "written into the phrase text by hand: it will not follow the next consolidation"

    # --- what nobody could confirm ------------------------------------------------------------

    def unconfirmed_entries(self) -> list[str]:
        """Every legal fact marked `confirmed: false`, for `brevgen check` and the lawyer."""
        rows = []
        for entry in (*self.data.acts, *self.data.consolidations, *self.data.documents):
            if not entry.confirmed:
                rows.append(f"{entry.id}: {entry.note or 'not confirmed'}")
        for provision in self.data.provisions:
            for period in provision.periods:
                if not period.confirmed:
                    rows.append(f"{period.id or provision.id} ({period.paragraph}, {_span(period)}): {period.note or 'not confirmed'}")
        for rate in self.data.rates:
            for period in rate.periods:
                if not period.confirmed:
                    rows.append(f"{rate.id} ({_span(period)}): {period.note or 'not confirmed'}")
        for entry in (*self.data.quality_standards, *self.data.rulings):
            if not entry.confirmed and not entry.example:
                rows.append(f"{entry.id}: {entry.note or 'not confirmed'}")
        return rows


def _span(period: Dated) -> str:
    return f"{period.valid_from or '...'} to {period.valid_to or 'further notice'}"


def _replaced(replaced_by: str | None) -> str:
    return f" (replaced by {replaced_by!r})" if replaced_by else ""


def _overlaps(items, label) -> list[str]:
    ordered = sorted(items, key=lambda i: i.valid_from or dt.date.min)
    return [f"{label(before)} and {label(after)} overlap"
            for before, after in zip(ordered, ordered[1:])
            if before.valid_to is None or (after.valid_from is None or before.valid_to >= after.valid_from)]


# --- loading -------------------------------------------------------------------------------------


def registry_files(root: Path | None = None) -> list[Path]:
    """content/references/*.yaml (sorted), content/rates.yaml, and a legacy content/references.yaml."""
    content = root or paths.CONTENT
    files = sorted((content / REGISTRY_DIR).glob("*.yaml")) if (content / REGISTRY_DIR).is_dir() else []
    files += [p for p in (content / LEGACY_FILE, content / RATES_FILE) if p.is_file()]
    return files


def load_registry(path: Path | Iterable[Path] | None = None) -> Registry:
    """One registry from one file, a list of files, or (default) every registry file in content/."""
    files = [path] if isinstance(path, Path) else list(path) if path is not None else registry_files()
    if not files:
        raise BrevgenError(f"{paths.CONTENT / REGISTRY_DIR}: no reference registry files (*.yaml)")
    merged: dict[str, list] = {name: [] for name in LISTS}
    origins: dict[str, str] = {}
    example = False
    for file in files:
        part = _load_legacy(file) if file.name == LEGACY_FILE else load_model(RegistryFile, file)
        example = example or part.example
        for name in LISTS:
            for entry in getattr(part, name):
                key = f"{name}:{entry.id}"
                if key in origins:
                    raise BrevgenError(f"{file}: {name}: id {entry.id!r} is also defined in {origins[key]}")
                origins[key] = str(file)
                merged[name].append(entry)
    data = RegistryFile.model_construct(example=example, **{name: tuple(entries) for name, entries in merged.items()})
    registry = Registry(data, {key.split(":", 1)[1]: where for key, where in origins.items()})
    problems = registry.consistency_problems()
    if problems:
        where = files[0] if len(files) == 1 else paths.CONTENT / REGISTRY_DIR
        raise BrevgenError(f"{where}: " + "; ".join(problems))
    return registry


def _load_legacy(path: Path) -> RegistryFile:
    """The single-file registry of older versions (content/references.yaml): its entries had no
    sources (`verify: true` instead), so they load as unconfirmed rather than being refused."""
    from .loading import parse_model, read_yaml

    data, lines = read_yaml(path)

    def upgrade(entry):
        if not isinstance(entry, dict):
            return entry
        entry = {k: v for k, v in entry.items() if k != "verify"}
        if isinstance(entry.get("periods"), list):
            entry["periods"] = [upgrade(p) for p in entry["periods"]]
        if "source" not in entry and "confirmed" not in entry and not entry.get("example"):
            entry.update(confirmed=False, note=entry.get("note") or "from the old single-file registry, without a source")
        return entry

    if isinstance(data, dict):
        data = {k: ([upgrade(e) for e in v] if k in LISTS and isinstance(v, list) else v) for k, v in data.items()}
    return parse_model(RegistryFile, data or {}, str(path), lines)


@lru_cache(maxsize=None)
def default_registry() -> Registry:
    return load_registry()


# --- the lawyer's view ---------------------------------------------------------------------------


def outdated(library, registry: Registry, as_of: dt.date) -> list[tuple[str, str, str]]:
    """(phrase id, reference, why) for each phrase in force on `as_of` that cites a consolidation,
    provision period, document, rate, quality standard or ruling that is not in force that day
    (or no longer exists), or a provision whose text changed after the phrase was last reviewed."""
    rows = []
    for phrase in sorted(library.phrases.values(), key=lambda p: p.id):
        if not phrase.valid_on(as_of):
            continue  # retired (or not yet in force): it cites nothing on that day
        for ref in phrase.cites:
            citation = registry.cite(ref, as_of)
            if citation.problem:
                rows.append((phrase.id, ref, citation.problem))
                continue
            changed = registry.changed_since(ref, phrase.reviewed, as_of)
            if changed:
                rows.append((phrase.id, ref, changed))
        for written in hardcoded_citations(phrase.text or ""):
            rows.append((phrase.id, written, registry.written_citation_problem(written, as_of)))
    return rows


# --- what phrase texts must not do by hand -------------------------------------------------------

_RATE_USE = re.compile(r"satser\.([a-z][a-z0-9_]*)|satser\[['\"]([a-z][a-z0-9_]*)['\"]\]")
_HARDCODED = re.compile(r"\b(?:lovbekendtgørelse|bekendtgørelse|lov|vejledning)\s+nr\.\s*\d+\s+af\s+\d{1,2}\.\s*\w+\s+\d{4}",
                        re.IGNORECASE)


def rates_used(text: str) -> set[str]:
    """The rate ids a phrase text reads as satser.<id>."""
    return {a or b for a, b in _RATE_USE.findall(text)}


def hardcoded_citations(text: str) -> list[str]:
    """Consolidated acts and orders written into a phrase text by number: they go stale the day
    the act is consolidated again, so they belong in the registry, resolved by date."""
    return [m.group(0) for m in _HARDCODED.finditer(text)]


class LawOnDate:
    """What phrase texts see as `lov`: `lov['sel-100-stk2'].paragraph` is "§ 100, stk. 2" on the
    letter's date. A reference that does not resolve that day is missing (StrictUndefined stops
    the letter), never a stale number."""

    def __init__(self, registry: Registry, on: dt.date):
        self._registry, self._on = registry, on

    def __getitem__(self, ref: str) -> dict[str, Any]:
        citation = self._registry.cite(ref, self._on)
        if citation.problem or citation.kind != "rule":
            raise KeyError(ref)
        return citation.facts


_LAW_USE = re.compile(r"lov\[['\"]([^'\"]+)['\"]\]")


def laws_used(text: str) -> set[str]:
    """The provision ids a phrase text reads as lov['<id>']."""
    return set(_LAW_USE.findall(text))

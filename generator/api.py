"""The public Python API: what the CLI, the web app and the HTTP API call (docs/developer.md).

Each function is one step of the one-way flow (load+validate -> resolve phrases -> check ->
render) taking plain data in and giving plain results out, so that no layer on top repeats a
rule. Nothing here prints or knows HTTP; only `run_batch` writes files (its output folder).

    from generator import api
    api.load_root("/srv/brevgen/root")                # the content root (default: docs/operator.md)
    case, problems = api.validate_case(data)          # a dict in the case-file schema
    case = api.read_case("case.yaml")                 # or a case file (YAML/JSON)
    result = api.check_case(case)                     # findings, deadlines, LIX, preview HTML
    files = api.render_case(case, ("pdf", "docx"))    # bytes per recipient, and JSON records
    api.fitting_phrases("sel-85", "partly_granted", date(2026, 5, 11))
    api.compute_deadline(date(2026, 5, 11), "post")   # date of receipt and complaint deadline
    api.run_batch("register.csv", date(2027, 2, 10), "out/")   # the quarterly transition run

Bad input raises `BrevgenError` (a message naming file/field and what was expected), except
`validate_case` and `check_case`, which return the problems as data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jinja2 import meta, nodes
from pydantic import ValidationError

from .case import CaseFile, DecisionType
from .checks import Finding
from .errors import BrevgenError
from .loading import dump_json, format_field
from .phrases import Phrase, PhraseLibrary, default_library

# Names every decision phrase gets from the case (documents/decision_letter.py, `base` and
# `recipient`); any other name in a phrase's text is a parameter the caseworker fills in.
CONTEXT_NAMES = frozenset({"case", "kind", "provision", "decision", "applied", "support_ends", "hjemmel", "profile",
                           "caseworker", "citizen_name", "answer_by", "processing_weeks", "forward_limit", "comment",
                           "recipient", "copy", "rules", "standards", "rulings", "documents"})
# Filters that say what kind of value a parameter holds.
MONEY_FILTERS = frozenset({"kroner"})
DATE_FILTERS = frozenset({"dato", "date", "langdato"})


# --- validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldProblem:
    """One validation problem: the field path as in case files (`recipients[1].postcode`),
    pydantic's error type (`missing`, `string_pattern_mismatch`, ...) and an English message."""

    field: str
    type: str
    message: str
    context: dict[str, Any] = field(default_factory=dict)


def validate_case(data: Any) -> tuple[CaseFile | None, list[FieldProblem]]:
    """A case dict (the case-file schema) -> the model, or the problems naming each field.
    Values are never echoed in messages: they may be personal data."""
    if not isinstance(data, dict):
        return None, [FieldProblem("", "type", "a case file is a mapping of fields")]
    try:
        return CaseFile.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            message = error["msg"].removeprefix("Value error, ")
            field = format_field(loc) if loc else ""
            if error["type"] == "value_error":  # a rule across fields names its field in backticks
                named = _field_named_in(message)
                field = f"{field}.{named}" if field and named else (field or named)
            problems.append(FieldProblem(field, error["type"], message,
                                         {k: str(v) for k, v in (error.get("ctx") or {}).items()}))
        return None, problems


def _field_named_in(message: str) -> str:
    """Whole-case rules (case.py) name their field in backticks: `granted` is required when ..."""
    match = re.search(r"`([a-z_]+)`", message)
    return match.group(1) if match else ""


def case_schema() -> dict[str, Any]:
    """JSON Schema of the case file, for editors' completion (`brevgen schema case`)."""
    schema = CaseFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "brevgen case file")
    schema["description"] = ("A caseworker's structured decision, input to `brevgen letter`. "
                             "See generator/case.py for every field.")
    return schema


# --- phrases the caseworker can choose ------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "text", "int", "number", "money", "date" or "choice" (generator/params.py)
    label: str | None = None  # Danish, for the form
    rate: str | None = None  # money from the rate table: may be left empty
    required: bool = True
    choices: tuple[str, ...] = ()

    @property
    def optional(self) -> bool:
        return not self.required or self.rate is not None


@dataclass(frozen=True)
class PhraseChoice:
    phrase: Phrase
    slot: str
    params: tuple[Param, ...]

    def as_dict(self) -> dict[str, Any]:
        p = self.phrase
        return {
            "id": p.id, "version": p.version, "title": p.title, "slot": self.slot, "text": p.text,
            "parts": list(p.parts), "params": [{"name": x.name, "type": x.type, "label": x.label, "rate": x.rate, "required": not x.optional,
                        "choices": list(x.choices)} for x in self.params],
            "cites": list(p.cites), "provisions": list(p.provisions), "decision_types": list(p.decision_types),
            "valid_from": p.valid_from.isoformat(), "valid_to": p.valid_to.isoformat() if p.valid_to else None,
            "owner": p.owner, "reviewed": p.reviewed.isoformat(),
        }


def kind_key(kind: str = "decision", outcome: str | None = None) -> str:
    """The letter a case file's `kind` asks for (a reconsideration: changed or kept)."""
    if kind == "reconsideration":
        return "reconsideration_changed" if outcome == "changed" else "reconsideration_kept"
    return kind


def chosen_slots(library: PhraseLibrary | None = None, kind: str = "decision") -> list[str]:
    """The slots of a letter the caseworker fills by choosing phrases, in reading order
    (`kind`: a key of documents.decision_letter.KINDS, see kind_key)."""
    from .documents.decision_letter import KINDS

    library = library or default_library()
    spec = KINDS.get(kind, KINDS["decision"])
    compositions = [cid for cid, _ in spec.parts if cid in library.compositions]
    slots = [ref.slot for cid in compositions for ref in library.compositions[cid].slots if ref.chosen]
    return list(dict.fromkeys(slots))


def phrase_params(phrase: Phrase, library: PhraseLibrary | None = None) -> tuple[Param, ...]:
    """The parameters a phrase needs beyond the case context, with their kind, in text order.

    A phrase may declare them (`params`); otherwise they are read from its text: a name passed
    through `kroner` is an amount, through a date filter a date, anything else text."""
    library = library or default_library()
    declared = getattr(phrase, "params", None)
    if declared:  # typed parameters (generator/params.py); rate-tied ones are optional
        return tuple(Param(name, "int" if spec.type == "integer" else spec.type, spec.label, spec.rate, spec.required,
                           tuple(spec.choices)) for name, spec in declared.items())
    if phrase.parts:
        found: dict[str, Param] = {}
        for part in phrase.parts:
            for param in phrase_params(library.get(part), library):
                found.setdefault(param.name, param)
        return tuple(found.values())
    if not phrase.text:
        return ()
    tree = library._env.parse(phrase.text)
    names = [n for n in _names_in_order(tree) if n in meta.find_undeclared_variables(tree) and n not in CONTEXT_NAMES]
    kinds: dict[str, str] = {}
    for node in tree.find_all(nodes.Filter):
        if isinstance(node.node, nodes.Name):
            if node.name in MONEY_FILTERS:
                kinds[node.node.name] = "money"
            elif node.name in DATE_FILTERS:
                kinds[node.node.name] = "date"
    return tuple(Param(name, kinds.get(name, "text")) for name in dict.fromkeys(names))


def _names_in_order(tree: nodes.Node) -> list[str]:
    return [node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"]


def fitting_phrases(provision: str, decision: str | None, dated: dt.date,
                    library: PhraseLibrary | None = None, kind: str = "decision") -> list[PhraseChoice]:
    """The phrases a caseworker may choose for a case: in a chosen slot of the letter, fitting the
    provision and decision, valid on the letter's date (the rule engine's own `fits` and `valid_on`)."""
    library = library or default_library()
    context = {"provision": provision, "decision": decision}
    slots = chosen_slots(library, kind)
    choices = [PhraseChoice(p, p.slot, phrase_params(p, library)) for p in library.phrases.values()
               if p.slot in slots and library.fits(p, context) and p.valid_on(dated)]
    return sorted(choices, key=lambda c: (slots.index(c.slot), c.phrase.id))


def parse_param(value: str, kind: str) -> Any:
    """A parameter typed into a form -> the value a case file holds (numbers as numbers)."""
    value = value.strip()
    if kind in ("money", "number", "int", "integer") or kind == "text" and re.fullmatch(r"-?\d+", value):
        if kind == "money" and not re.fullmatch(r"-?\d+(\.\d{1,2})?", value):
            # Danish (1.234,50) kept as typed: every caseworker amount is a declared `money`
            # parameter, which the phrase's typed parameters (params.py) parse; a case file
            # written by hand holds the same text.
            return value
        number = value.replace(",", ".")  # 1234, 1234.5 (as a case file or the form shows it), 12,5
        try:
            return int(number) if re.fullmatch(r"-?\d+", number) else float(number)
        except ValueError:
            return value  # left as typed; the check names the field
    return value


# --- references the caseworker can cite -----------------------------------------------------------


def citable_references(provision: str, dated: dt.date) -> list[dict[str, Any]]:
    """Quality-standard sections and rulings in force for a provision on a date: the standard
    named for the provision (`ks-<provision>`) and what phrases fitting the provision cite."""
    from .references import default_registry

    registry, library = default_registry(), default_library()
    cited = {ref.partition("#")[0] for p in library.phrases.values()
             if provision in p.provisions for ref in p.cites}
    found = []
    for standard in registry.standards.values():
        if (standard.id == f"ks-{provision}" or standard.id in cited) and standard.in_force(dated):
            for section in standard.sections:
                found.append({"id": f"{standard.id}#{section.id}", "kind": "quality_standard",
                              "title": f"{standard.title}, afsnit {section.id}: {section.title}"})
    for ruling in registry.rulings.values():
        if ruling.id in cited and not ruling.historic_on(dated):
            found.append({"id": ruling.id, "kind": "ruling", "title": f"Principafgørelse {ruling.number}: {ruling.title}"})
    return found


# --- build, check, render -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientResult:
    index: int  # 1, 2, ...
    role: str
    channel: str
    html: str  # the HTML the PDF is made from
    received: dt.date | None
    deadline: dt.date | None
    lix: float
    lix_band: str


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    recipients: tuple[RecipientResult, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]


_PHRASE_FIELD = re.compile(r"(phrases\[\d+\](?:\.\w+)?)")


def build_error_finding(exc: BrevgenError) -> Finding:
    """A problem that stops the build itself (unknown or unfitting phrase, missing parameter,
    provision not in force) as a finding pointing at its field."""
    message = str(exc)
    match = _PHRASE_FIELD.search(message)
    if match:
        where = match.group(1)
        code = "phrase-param-missing" if "parameter missing" in message else "phrase-not-allowed"
    elif ": provision:" in message or message.startswith("provision"):
        where, code = "provision", "provision-not-in-force"
    elif "department" in message:
        where, code = "department", "unknown-department"
    else:
        where, code = "", "build-error"
    return Finding("error", code, message, where)


def check_case(case: CaseFile, *, source: str = "case", preview: bool = True) -> CheckResult:
    """Build the letters of a case and run the legal checks: what `brevgen letter` does before it
    renders. A problem that stops the build comes back as an error finding, not an exception."""
    from .checks import check_decision
    from .documents.decision_letter import build_decision

    try:
        built = build_decision(case, source=source, input_sha256="")
    except BrevgenError as exc:
        return CheckResult((build_error_finding(exc),), ())
    findings = tuple(check_decision(built))
    recipients = []
    for index, rl in enumerate(built.letters, start=1):
        deadline = rl.guidance.deadline if rl.guidance else None
        record_lix = rl.letter.record["lix"]
        html = ""
        if preview:
            from .render.html import render_html_text
            html = render_html_text(rl.letter)
        recipients.append(RecipientResult(index, rl.letter.recipient.role.value, rl.letter.channel.value, html,
                                          deadline.received if deadline else None,
                                          deadline.deadline if deadline else None,
                                          record_lix["score"], record_lix["band"]))
    return CheckResult(findings, tuple(recipients))


@dataclass(frozen=True)
class RenderedFile:
    recipient_index: int
    name: str  # no personal data: case number, kind, recipient number and role
    format: str  # pdf, docx, html or json (the record)
    content: bytes
    sha256: str
    record: dict[str, Any] | None = None  # on the json file: the letter's record


def render_case(case: CaseFile, formats: tuple[str, ...] = ("pdf", "docx"), *, source: str = "case",
                input_sha256: str = "", strict: bool = False, operator: str | None = None) -> list[RenderedFile]:
    """Every recipient's letter in each format plus its JSON record, as `brevgen letter` writes
    them. Raises BrevgenError (nothing rendered) when a check finds an error. The record says
    who made it (`operator`, default: content_root.operator()), with which brevgen and content,
    and when; the letter bytes do not, so the same case gives the same bytes."""
    from .checks import check_decision
    from .content_root import provenance
    from .documents.decision_letter import build_decision, with_warnings
    from .output import letter_stem, sha256
    from .parallel import render_letter

    built = build_decision(case, source=source, input_sha256=input_sha256)
    findings = check_decision(built)
    blocking = [f for f in findings if f.level == "error" or strict]
    if blocking:
        raise BrevgenError(f"{source}: nothing rendered; {len(blocking)} problem(s):\n" + "\n".join(map(str, blocking)))
    files = []
    produced = provenance(operator)  # in the record only: the letter bytes stay reproducible
    for index, letter in enumerate(with_warnings(built, [str(f) for f in findings if f.level == "warning"]), start=1):
        stem = letter_stem(letter.case_number, letter.kind, index, letter.recipient.role)
        record = dict(letter.record, files={}, produced=produced)
        for fmt, data in render_letter(letter, formats).items():
            files.append(RenderedFile(index, f"{stem}.{fmt}", fmt, data, sha256(data)))
            record["files"][fmt] = {"name": f"{stem}.{fmt}", "sha256": sha256(data)}
        text = dump_json(record)
        data = text.encode("utf-8")
        files.append(RenderedFile(index, f"{stem}.json", "json", data, sha256(data), json.loads(text)))
    return files


def case_to_data(case: CaseFile) -> dict[str, Any]:
    """A case model -> the dict a case file holds (dates as ISO strings, unset fields left out)."""
    return case.model_dump(mode="json", exclude_defaults=True)


def decision_types() -> list[str]:
    return [d.value for d in DecisionType]


# --- leaflets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeafletPreview:
    html: str | None  # the leaflet's web page, or None when an error stops it
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    lix: float | None


def preview_leaflet(text: str, path, today: dt.date | None = None) -> LeafletPreview:
    """A leaflet's web page from its Markdown source as being edited (`path`: where it lives)."""
    from pathlib import Path

    from .leaflets.build import build_leaflet
    from .leaflets.source import parse_leaflet
    from .render.leaflet import render_leaflet_html_text

    try:
        source = parse_leaflet(text, Path(path))
    except BrevgenError as exc:
        return LeafletPreview(None, (str(exc),), (), None)
    leaflet, errors = build_leaflet(source, today or dt.date.today())
    if leaflet is None:
        return LeafletPreview(None, tuple(map(str, errors)), (), None)
    return LeafletPreview(render_leaflet_html_text(leaflet), (), tuple(map(str, leaflet.warnings)), leaflet.lix.score)


# --- content root, files, deadlines, batches ----------------------------------------------------


@dataclass(frozen=True)
class ContentRoot:
    path: Path
    version: str  # git:<commit>, or sha256:<digest of its files>
    source: str  # how it was chosen: --root (use_root), BREVGEN_ROOT, checkout, bundled


def load_root(path: str | Path | None = None) -> ContentRoot:
    """Use the content root at `path` for this process (None: BREVGEN_ROOT, else the checkout or
    the bundled example), load its profile, rules, phrases and registry (BrevgenError naming the
    file and field on a problem) and say which version it is. `brevgen check` checks it fully."""
    from . import loading, paths
    from .content_root import root_version
    from .references import default_registry

    if path is not None:
        if not paths.is_root(Path(path)):
            raise BrevgenError(f"{path}: not a content root: expected the folders {', '.join(paths.FOLDERS)}")
        paths.use_root(path)
    loading.profile(), loading.deadline_rules(), loading.complaint_routes(), loading.calendar_config()
    default_library(), default_registry()
    folder = paths.root()
    return ContentRoot(folder, root_version(folder), paths.root_source())


def read_case(path: str | Path) -> CaseFile:
    """Read and validate a case file (YAML or JSON); a problem names the file, line and field."""
    from .loading import load_model

    return load_model(CaseFile, Path(path))


def render_letter(letter, fmt: str = "pdf") -> bytes:
    """One built document (documents.model.Letter: a decision letter, guidance, invitation) -> bytes."""
    from .parallel import render_letter as render
    from .render import FORMATS

    if fmt not in FORMATS:
        raise BrevgenError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return render(letter, (fmt,))[fmt]


def compute_deadline(dated: dt.date, channel: str, weeks: int = 4) -> dict[str, Any]:
    """Date of receipt and complaint deadline for a letter dated `dated` and sent by `channel`
    (digital, post, quickpost), by the rule set in force on that date, with the rule and source."""
    from .deadlines import compute_deadline as compute
    from .models import Channel

    allowed = [c.value for c in Channel]
    if channel not in allowed:
        raise BrevgenError(f"channel: {channel!r} is not a delivery channel; allowed: {', '.join(allowed)}")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise BrevgenError("weeks: expected a whole number of weeks, at least 1")
    return compute(dated, Channel(channel), weeks).as_record()


@dataclass(frozen=True)
class BatchResult:
    out: Path
    letters: int  # letters in the run (written now or already there)
    rejected_rows: tuple[int, ...]  # register rows that could not be used (errors.csv)
    messages: tuple[str, ...]  # the summary `brevgen transition invite` prints


def run_batch(register: str | Path, meeting: dt.date, out: str | Path, *, workers: int = 1,
              schedule: str | Path | None = None, docx: bool = False, broker: str | None = None,
              progress: Callable[[str], None] | None = None) -> BatchResult:
    """The quarterly transition run (batch.py) into `out`: resumable, each letter written once.

    Letters are rendered by the local process pool (`workers`), or, with `broker` or
    BREVGEN_BROKER_URL set, by Celery workers (generator/queue/); the files are the same bytes
    either way."""
    from .batch import plan_run, run_invite
    from .queue import pool_for

    with pool_for(workers, broker) as pool:
        plan = plan_run(Path(register), meeting, Path(schedule) if schedule else None, docx)
        messages = tuple(run_invite(plan, Path(out), pool, progress or (lambda line: None)))
    return BatchResult(Path(out), len(plan.addressees), tuple(sorted({e.row for e in plan.register.errors})), messages)

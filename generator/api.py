"""brevgen's public Python API: the one way in for the CLI, the web app and the HTTP API.

    from generator import api

    api.load_root("/srv/brevgen/content-root")           # or leave the default (docs/operator.md)
    case = api.parse_case({"case_number": ..., ...})      # a dict, or api.read_case(path)
    report = api.check_case(case)                         # findings and deadlines per recipient
    letters = api.render_case(case, formats=("pdf",))     # bytes per recipient and format, + record
    api.compute_deadline("2026-05-11", "post")
    api.phrases_for("sel-85", "rejected")
    api.run_batch("register.csv", "2027-02-10", "out/")  # the quarterly transition run

Everything here is a thin layer over the core modules (case.py, documents/, checks.py,
render/, jobs.py, batch.py): no rule, check or renderer is implemented twice. Functions raise
`BrevgenError` for bad input; `CaseInputError` (a BrevgenError) adds the field-level problems.
Nothing here writes files except `run_batch`, which writes its output folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from . import paths
from .errors import BrevgenError

__all__ = [
    "BrevgenError", "CaseInputError", "ContentRoot", "load_root", "parse_case", "read_case",
    "check_case", "render_case", "render_letter", "compute_deadline", "phrases_for", "run_batch",
    "CaseReport", "RenderedLetter", "BatchResult",
]


class CaseInputError(BrevgenError):
    """A case that does not fit the case format; `problems` names each field.

    Each problem is {"field": "recipients[0].channel", "problem": "...", "line": 12 or None}.
    Values of personal fields are never repeated (see loading.describe_validation_error)."""

    def __init__(self, message: str, problems: list[dict[str, Any]]):
        super().__init__(message)
        self.problems = problems


# --- the content root ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentRoot:
    path: Path
    version: str  # git:<commit> or sha256:<digest of the files>
    source: str  # how it was chosen: --root, BREVGEN_ROOT, checkout, bundled


def load_root(path: str | Path | None = None) -> ContentRoot:
    """Use the content root at `path` for this process (None: the default order, docs/operator.md),
    load and validate its profile, rules, phrases and registry, and say which version it is."""
    from . import loading
    from .content_root import root_version
    from .phrases import default_library
    from .references import default_registry

    if path is not None and not paths.is_root(Path(path)):
        raise BrevgenError(f"{path}: not a content root: expected the folders {', '.join(paths.FOLDERS)}")
    folder = paths.use_root(path) if path is not None or paths.chosen() is not None else paths.root()
    loading.profile(), loading.deadline_rules(), loading.complaint_routes(), loading.calendar_config()
    default_library(), default_registry()
    return ContentRoot(folder, root_version(folder), paths.root_source())


# --- cases --------------------------------------------------------------------------------------


def parse_case(data: dict[str, Any], source: str = "case"):
    """Validate a decision case given as a dict (the case file's fields, case.py). Returns a CaseFile."""
    from .case import CaseFile
    from .loading import format_field

    if not isinstance(data, dict):
        raise CaseInputError(f"{source}: expected an object with the case's fields",
                             [{"field": "(top level)", "problem": "expected an object", "line": None}])
    try:
        return CaseFile.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(p, format_field) for p in exc.errors(include_url=False)]
        message = "\n".join(f"{source}: {p['field']}: {p['problem']}" for p in problems)
        raise CaseInputError(message, problems) from None


def _problem(error: dict, format_field: Callable) -> dict[str, Any]:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    if error["type"] == "missing":
        text = "this field is required"
    elif error["type"] == "extra_forbidden":
        text = "unknown field (check the spelling)"
    else:
        text = error["msg"]  # pydantic's message; the input value is deliberately left out
    return {"field": format_field(loc), "problem": text, "line": None}


def read_case(path: str | Path):
    """Read and validate a case file (YAML or JSON); errors name file, line and field."""
    from .case import CaseFile
    from .loading import load_model

    return load_model(CaseFile, Path(path))


def _sha256_of_case(case) -> str:
    return hashlib.sha256(json.dumps(case.model_dump(mode="json"), sort_keys=True).encode("utf-8")).hexdigest()


@dataclass
class CaseReport:
    """The checks' result for one case, before anything is rendered."""

    ok: bool  # no errors (warnings allowed unless strict)
    errors: list[dict[str, str]]
    warnings: list[dict[str, str]]
    recipients: list[dict[str, Any]]  # per recipient: stem, role, channel, deadlines

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "errors": self.errors, "warnings": self.warnings, "recipients": self.recipients}


def _build(case, source: str, input_sha256: str | None):
    from .checks import check_decision
    from .documents.decision_letter import build_decision

    built = build_decision(case, source=source, input_sha256=input_sha256 or _sha256_of_case(case))
    return built, check_decision(built)


def check_case(case, *, strict: bool = False, source: str = "case", input_sha256: str | None = None) -> CaseReport:
    """Build the letters of a case and run the legal checks (checks.py). Nothing is rendered."""
    from .jobs import add_letters

    built, findings = _build(case, source, input_sha256)
    as_dicts = [{"level": f.level, "code": f.code, "message": f.message} for f in findings]
    errors = [f for f in as_dicts if f["level"] == "error" or strict]
    named: dict[str, Any] = {}
    add_letters(named, {}, [rl.letter for rl in built.letters], Path(source))
    recipients = [
        {"stem": stem, "role": letter.recipient.role.value, "channel": letter.channel.value,
         "dated": str(case.dated), "deadlines": letter.record.get("deadlines")}
        for stem, letter in named.items()
    ]
    return CaseReport(not errors, errors, [f for f in as_dicts if f["level"] == "warning"], recipients)


@dataclass
class RenderedLetter:
    """One recipient's letter: file name stem, bytes per format, and the JSON record."""

    stem: str
    files: dict[str, bytes]
    record: dict[str, Any]
    record_json: bytes = field(repr=False, default=b"")


def render_case(case, formats: Iterable[str] = ("pdf",), *, strict: bool = False, source: str = "case",
                input_sha256: str | None = None, workers: int = 1) -> list[RenderedLetter]:
    """Check a case, then render one letter per recipient in each format (pdf, docx, html).

    Raises BrevgenError when a check finds an error (with strict=True, also a warning): no letter
    of a case that fails its checks is ever rendered. The record carries the provenance (brevgen
    and content-root version, operator, time); the letter bytes do not, so they are reproducible."""
    from .documents.decision_letter import with_warnings
    from .jobs import add_letters, render_letters
    from .parallel import RenderPool
    from .render import FORMATS

    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BrevgenError(f"formats: expected some of {', '.join(FORMATS)}, got {', '.join(formats) or 'none'}")
    built, findings = _build(case, source, input_sha256)
    errors = [f for f in findings if f.level == "error" or strict]
    if errors:
        raise BrevgenError(f"{source}: nothing rendered; {len(errors)} problem(s):\n" + "\n".join(str(f) for f in errors))
    named: dict[str, Any] = {}
    add_letters(named, {}, with_warnings(built, [str(f) for f in findings if f.level == "warning"]), Path(source))
    with RenderPool(workers) as pool:
        files = render_letters(named, formats, Path(), pool)
    result = []
    for stem in named:
        record_bytes = files[Path(f"{stem}.json")]
        result.append(RenderedLetter(stem, {fmt: files[Path(f"{stem}.{fmt}")] for fmt in formats},
                                     json.loads(record_bytes), record_bytes))
    return result


def render_letter(letter, fmt: str = "pdf") -> bytes:
    """Render one built document (documents.model.Letter) to bytes: pdf, docx or html."""
    from .parallel import render_letter as render

    return render(letter, (fmt,))[fmt]


# --- rules --------------------------------------------------------------------------------------


def compute_deadline(dated: str | dt.date, channel: str, weeks: int = 4) -> dict[str, Any]:
    """Date of receipt and complaint deadline for a letter dated `dated` sent by `channel`."""
    from .deadlines import compute_deadline as compute
    from .models import Channel

    day = _date(dated, "dated")
    allowed = [c.value for c in Channel]
    if channel not in allowed:
        raise BrevgenError(f"channel: {channel!r} is not a delivery channel; allowed: {', '.join(allowed)}")
    if not isinstance(weeks, int) or weeks < 1:
        raise BrevgenError("weeks: expected a whole number of weeks, at least 1")
    return compute(day, Channel(channel), weeks).as_record()


def phrases_for(provision: str, decision: str, on: str | dt.date | None = None) -> list[dict[str, Any]]:
    """The phrases a caseworker may choose for a provision and decision type on a date (default
    today): those in force, limited to that provision and decision (or not limited)."""
    from .case import DecisionType
    from .phrases import default_library

    day = _date(on, "on") if on else dt.date.today()
    allowed = [d.value for d in DecisionType]
    if decision not in allowed:
        raise BrevgenError(f"decision: {decision!r}; allowed: {', '.join(allowed)}")
    library = default_library()
    context = {"provision": provision, "decision": decision}
    return [
        {"id": p.id, "version": p.version, "slot": p.slot, "text": p.text, "cites": list(p.cites),
         "provisions": list(p.provisions or ()), "decision_types": list(p.decision_types or ())}
        for p in sorted(library.phrases.values(), key=lambda p: p.id)
        if p.valid_on(day) and library.fits(p, context)
    ]


def _date(value: str | dt.date, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BrevgenError(f"{name}: {value!r} is not a date; expected YYYY-MM-DD") from None


# --- batches ------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    out: Path
    letters: int
    written_now: int
    rejected_rows: list[int]
    messages: list[str]


def run_batch(register: str | Path, meeting: str | dt.date, out: str | Path, *, workers: int = 1,
              schedule: str | Path | None = None, docx: bool = False, broker: str | None = None,
              progress: Callable[[str], None] | None = None) -> BatchResult:
    """The quarterly transition run (batch.py) into `out`; resumable, each letter written once.

    Rendering goes to the local process pool (`workers`), or with `broker` (or BREVGEN_BROKER_URL)
    to the Celery queue (generator/queue/); the letters are the same bytes either way."""
    from .batch import plan_run, run_invite
    from .queue import pool_for

    out = Path(out)
    with pool_for(workers, broker) as pool:
        plan = plan_run(Path(register), _date(meeting, "meeting"), Path(schedule) if schedule else None, docx)
        messages = list(run_invite(plan, out, pool, progress or (lambda line: None)))
    written = next((int(m.split(";")[0].split(":")[1]) for m in messages if m.startswith("written now:")), 0)
    return BatchResult(out, len(plan.addressees), written, sorted({e.row for e in plan.register.errors}), messages)

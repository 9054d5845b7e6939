"""The quarterly transition run: register -> letters on disk, resumable, in parallel if asked.

Stages: read the register and schedule (bad rows become the error report) -> choose who gets
a letter -> build every letter from the texts (a text error stops the run before anything is
written; each letter is kept only as its fingerprint) -> render the information letter once ->
render each invitation (in worker processes with `--workers`, a bounded window of letters in
flight, each letter built again as it is sent) and stage it as soon as it is done; stage each
print-bundle part as soon as its last letter is final -> stage the manifest (streamed), error
report and summary -> move everything in.

Every phase takes time in proportion to the number of letters, and memory that grows with it
only by the bookkeeping of each letter (its register rows, fingerprint, SHA-256s: about 2 KB): no
phase holds more than one part's letters (issue 17; docs/robustness.md, "Batch size"). With
workers, this process only plans, writes and bundles: the workers render, hash and check.

All or nothing: every file is staged and moved into the output folder only when the whole run
succeeded (output.OutputFolder); a failing run leaves the folder as it was.

Resume (resume.py): a letter is reused only when it is exactly what this run would write (its
input fingerprint and SHA-256 match the manifest, or the sidecar of a killed run's staged
letter); otherwise it is rendered again and the summary says how many and why. Letters of people
no longer invited are moved to withdrawn/. The manifest and bundle parts are built from the final
bytes; a part is rebuilt only when its letters' bytes changed (PrintParts).
"""

from __future__ import annotations

import concurrent.futures
import csv
import datetime as dt
import hashlib
import io
import os
import sys
from array import array
from collections import Counter, deque
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pikepdf

from .documents.model import Attachment, Letter
from .documents.transition import information_attachment, invitation_letter
from .logs import get as get_logger
from .output import OutputFolder, sha256, write_atomic
from .parallel import RenderPool, Rendered
from .personal import csv_bytes, csv_cell
from .printing import print_bundle
from .register import Register, read_register
from .resume import DAMAGED, NEW, SIDECARS, decide, fingerprint, read_manifest, sidecar_text
from .transition import Addressee, Meeting, Schedule, addressees, letter_date, default_schedule, load_schedule

LETTERS = "letters"
WITHDRAWN = "withdrawn"  # letters of people the register no longer invites
log = get_logger("batch")  # file stems and counts only, never names or addresses
# Test hook: stop the process hard (no clean-up) after this many letters, to prove resuming.
STOP_AFTER_ENV = "BREVGEN_STOP_AFTER"


@dataclass(frozen=True)
class Plan:
    """Everything decided before rendering; nothing written yet.

    Every letter was built once while planning (so a text error stops the run early) and is
    kept only as its input fingerprint and title: a worker is sent the letter's recipe and builds
    it again, so the run never holds every letter at once (issue 17)."""

    register: Register
    schedule: Schedule
    meeting: Meeting
    dated: dt.date
    addressees: tuple[Addressee, ...]
    fingerprints: tuple[str, ...]  # per addressee, same order: the letter's input fingerprint (resume.py)
    titles: tuple[str, ...]  # per addressee: the letter's title (no personal data)
    information: Attachment
    formats: tuple[str, ...]
    channels: dict = None  # person id -> ResolvedChannel (delivery/channels.py)

    def channel_warnings(self) -> list[str]:
        return [f"warning: {resolved.warning(f'person id {pid}')}"
                for pid, resolved in (self.channels or {}).items() if resolved.contradicts]

    @property
    def information_name(self) -> str:
        return f"{self.meeting.date}_information.pdf"

    def files_of(self, addressee: Addressee) -> dict[str, str]:
        stem = addressee.stem(self.meeting.date)
        return {fmt: f"{LETTERS}/{stem}.{fmt}" for fmt in self.formats}

    def letter(self, index: int) -> Letter:
        """The letter to addressee `index`, built from the texts (the same letter every time)."""
        return self.recipe(index)()

    def recipe(self, index: int) -> Callable[[], Letter]:
        """How to build the letter to addressee `index`: a picklable call, sent to a worker, which
        builds the letter where it renders it (generator/parallel.py)."""
        a = self.addressees[index]
        return partial(invitation_letter, a, self.meeting, self.schedule, self.dated,
                       custody_count=len(self.register.custody.get(a.youth.person_id, [])))


def plan_run(register_path: Path, meeting_day: dt.date, schedule_path: Path | None, docx: bool) -> Plan:
    """Load and check everything, and build every letter, so a text error stops the run early."""
    schedule = load_schedule(schedule_path)
    meeting = schedule.meeting_on(meeting_day, schedule_path or default_schedule())
    register = read_register(register_path)
    dated = letter_date(meeting.date)
    people, channels = resolve_channels(tuple(addressees(register, meeting.date)))
    plan = Plan(
        register=register,
        schedule=schedule,
        meeting=meeting,
        dated=dated,
        addressees=people,
        fingerprints=(),
        titles=(),
        information=information_attachment(schedule, dated),
        formats=("pdf", "docx") if docx else ("pdf",),
        channels=channels,
    )
    fingerprints, titles = [], []
    for index in range(len(people)):
        letter = plan.letter(index)
        fingerprints.append(fingerprint(letter, plan.formats))
        titles.append(sys.intern(letter.title))
    log.info("phase done", extra={"phase": "plan", "letters": len(people)})
    return replace(plan, fingerprints=tuple(fingerprints), titles=tuple(titles))


def resolve_channels(people: tuple[Addressee, ...]) -> tuple[tuple[Addressee, ...], dict]:
    """Each recipient's real channel, before the letters are dated (delivery/channels.py)."""
    from .delivery.channels import resolve

    rows: dict[str, object] = {}
    channels = {}
    for addressee in people:
        for row in (addressee.youth, addressee.person):
            if row.person_id not in rows:
                resolved = resolve(row.recipient, "register")
                channels[row.person_id] = resolved
                # A copy only where the channel changes: the register's row is kept otherwise, so
                # the run holds each row once (issue 17: memory per letter).
                rows[row.person_id] = (row if resolved.channel == row.channel
                                       else row.model_copy(update={"channel": resolved.channel}))
    resolved_people = tuple(Addressee(rows[a.youth.person_id], rows[a.person.person_id]) for a in people)
    return resolved_people, {a.person.person_id: channels[a.person.person_id] for a in people}


def dry_run_lines(plan: Plan) -> Iterator[str]:
    yield f"meeting {plan.meeting.date}; letters dated {plan.dated}; nothing is written (--dry-run)"
    yield from plan.channel_warnings()
    for a in plan.addressees:
        files = ", ".join(plan.files_of(a).values())
        yield f"{a.person.person_id:<12} {a.role.value:<8} {a.person.channel.value:<10} about {a.youth.person_id}: {files} + {plan.information_name}"
    for error in plan.register.errors:
        yield f"skipped: row {error.row}: {error.field}: {error.problem}"
    yield from register_warning_lines(plan.register)
    yield from summary_lines(plan)


# --- rendering and writing -------------------------------------------------------------------


class Reporter:
    """A rich progress bar on a terminal; plain lines (no personal data) otherwise."""

    def __init__(self, total: int, echo: Callable[[str], None], terminal: bool | None = None):
        self.total, self.echo, self.count = total, echo, 0
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self._bar = None

    def __enter__(self) -> Reporter:
        if self.terminal and self.total:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True))
            self._bar.start()
            self._task = self._bar.add_task("Breve", total=self.total)
        return self

    def advance(self, name: str) -> None:
        self.count += 1
        if self._bar is not None:
            self._bar.advance(self._task)
        else:
            self.echo(f"[{self.count}/{self.total}] {name}")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def run_invite(plan: Plan, out: Path, pool: RenderPool, echo: Callable[[str], None]) -> Iterator[str]:
    """Render what is missing or stale into the staging folder, then move the whole run in at once."""
    with OutputFolder(out, keep_staged=True) as folder:
        yield from _invite(plan, out, folder, pool, echo)
        log.info("phase started", extra={"phase": "commit"})
    log.info("phase done", extra={"phase": "commit"})


def _invite(plan: Plan, out: Path, folder: OutputFolder, pool: RenderPool, echo: Callable[[str], None]) -> Iterator[str]:
    log.info("phase started", extra={"phase": "resume-check"})
    recorded = read_manifest(out / "manifest.csv")
    # The information letter is rendered by a worker while this process checks what to render and
    # sends the first letters; it is needed when the first part is built (issue 17: less work done
    # while the workers wait).
    info = Later(pool, render_information, plan.information)
    # Per file only its SHA-256 and whether its final bytes are staged (else in the output folder),
    # in arrays by (letter, format): the bookkeeping that grows with the batch is 33 bytes a file.
    files = Files(len(plan.addressees), plan.formats)

    def final(index: int, fmt: str) -> Path:
        return (folder.staging if files.is_staged(index, fmt) else out) / plan.files_of(plan.addressees[index])[fmt]

    parts = PrintParts(plan, out, folder, info, final, files)
    pending: list[int] = []  # addressees whose letter is rendered now
    reasons: Counter = Counter()
    damaged: list[str] = []
    kept = 0
    for index, addressee in enumerate(plan.addressees):
        fp = plan.fingerprints[index]
        decisions = {name: decide(name, fp, out, folder.staging, recorded) for name in plan.files_of(addressee).values()}
        if all(d.reuse_from is not None for d in decisions.values()):
            kept += 1
            for fmt, (name, decision) in zip(plan.formats, decisions.items()):
                files.set(index, fmt, decision.sha, decision.staged)
                if decision.staged:
                    folder.adopt(name)
            parts.letter_done(index)
            continue
        pending.append(index)
        why = next(d.reason for d in decisions.values() if d.reuse_from is None)
        reasons[why] += 1
        damaged += [name for name, d in decisions.items() if d.reason == DAMAGED]

    stop_after = int(os.environ.get(STOP_AFTER_ENV, "0") or 0)
    written = 0

    def store(index: int, rendered: dict[str, Rendered]) -> None:
        # The worker worked out each file's SHA-256 and, for a paper letter, the remote-print
        # checks: this process only writes (issue 17: it must keep up with every worker).
        nonlocal written
        addressee = plan.addressees[index]
        for fmt, name in plan.files_of(addressee).items():
            file = rendered[fmt]
            folder.put(name, file.data)
            write_atomic(folder.staging / SIDECARS / name, sidecar_text(plan.fingerprints[index], file.sha256))
            files.set(index, fmt, file.sha256, staged=True)
        written += 1
        log.info("letter written", extra={"stem": addressee.stem(plan.meeting.date)})
        reporter.advance(addressee.stem(plan.meeting.date))
        if stop_after and written >= stop_after:
            os._exit(3)  # the test hook: die like a killed process, without clean-up
        pdf = rendered.get("pdf")
        parts.letter_done(index, pdf.print_problems if pdf is not None else None)

    log.info("phase started", extra={"phase": "render", "letters": len(pending)})
    with Reporter(len(pending), echo) as reporter:
        # Letters are sent to the workers as recipes (in plan order) and built there, and each
        # print-bundle part is written as soon as its last letter is: one part at a time between results.
        for index, rendered in pool.render_all(((i, plan.recipe(i)) for i in pending), plan.formats, checked=True):
            store(index, rendered)
            del rendered
            parts.write_ready(limit=1)
    log.info("phase started", extra={"phase": "reports"})
    parts.write_ready()

    # Letters of people no longer invited (left the register, moved, changed format) leave the
    # active set: moved to withdrawn/, never left beside the manifest or put in a bundle.
    active = {name for a in plan.addressees for name in plan.files_of(a).values()}
    withdrawn = sorted(f"{LETTERS}/{p.name}" for p in _files(out / LETTERS) if f"{LETTERS}/{p.name}" not in active)
    del active
    for name in withdrawn:
        folder.retire(name, f"{WITHDRAWN}/{Path(name).name}")

    folder.put(plan.information_name, info.get())
    folder.put("errors.csv", errors_csv(plan.register))
    with folder.stream("manifest.csv") as handle:
        write_csv(handle, manifest_rows(plan, files, parts.part_name, sha256(info.get())))
    bundle_lines = parts.finish()
    folder.put("summary.csv", summary_csv(plan))
    yield f"letters dated {plan.dated} for the meeting on {plan.meeting.date}"
    yield from plan.channel_warnings()
    yield f"written now: {written}; already there (kept unchanged): {kept}"
    rewritten = written - reasons[NEW]
    if rewritten:
        why = "; ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()) if reason != NEW)
        yield f"rewritten because stale: {rewritten} ({why})"
    for name in damaged:
        yield f"rewritten damaged file: {name}"
    if withdrawn:
        yield f"moved to {WITHDRAWN}/ (person no longer invited by the register): {len(withdrawn)} file(s)"
    yield from bundle_lines
    yield from register_warning_lines(plan.register)
    yield from summary_lines(plan)
    yield (f"wrote to {out}: manifest.csv, errors.csv, summary.csv, {PARTS_MANIFEST}, print_bundle_CLASS-NNNN.pdf, "
           f"{REJECTED}, {plan.information_name}, {LETTERS}/")


def render_information(attachment: Attachment) -> bytes:
    """The information letter's PDF. The renderers (WeasyPrint) are imported here, not with this
    module: with workers, this process never loads them (about 1 s and tens of MB saved)."""
    from .render.attachment import render_attachment_pdf

    return render_attachment_pdf(attachment)


class Later:
    """`fn(*args)` run by the pool (a worker, or this process), its result taken when needed."""

    def __init__(self, pool, fn: Callable, *args):
        self.fn, self.args = fn, args
        self.future = pool.submit(fn, *args) if hasattr(pool, "submit") else None
        self.value = None

    def get(self):
        if self.value is None:
            try:
                self.value = self.future.result() if self.future is not None else self.fn(*self.args)
            except concurrent.futures.CancelledError:  # the workers closed before it started
                self.value = self.fn(*self.args)
            self.future = None
        return self.value


class Files:
    """Per (letter, format): the SHA-256 of the file's final bytes and whether they are staged
    (else in the output folder). 33 bytes a file, in two arrays: a batch of any size keeps this
    small (issue 17), where a dict of file names and hex strings took about 400 bytes a file."""

    def __init__(self, letters: int, formats: tuple[str, ...]):
        self.formats = formats
        self._digests = bytearray(32 * letters * len(formats))
        self._staged = bytearray(letters * len(formats))

    def _slot(self, index: int, fmt: str) -> int:
        return index * len(self.formats) + self.formats.index(fmt)

    def set(self, index: int, fmt: str, sha: str, staged: bool) -> None:
        slot = self._slot(index, fmt)
        self._digests[32 * slot:32 * slot + 32] = bytes.fromhex(sha)
        self._staged[slot] = staged

    def sha(self, index: int, fmt: str) -> str:
        slot = self._slot(index, fmt)
        return self._digests[32 * slot:32 * slot + 32].hex()

    def is_staged(self, index: int, fmt: str) -> bool:
        return bool(self._staged[self._slot(index, fmt)])


# --- remote print ------------------------------------------------------------------------------

# Print bundles per postage class (a quick letter is paid and handled apart from ordinary post),
# in parts of at most `bundle_parts.max_letters` letters (content/remote_print.yaml).
CLASSES = ("post", "quickpost")
PART_NAME = "print_bundle_{channel}-{number:04d}.pdf"
PARTS_MANIFEST = "print_parts.csv"
REJECTED = "print_rejected.csv"
# Bundles of earlier versions: one bundle for all classes, then one whole bundle per class.
OLD_BUNDLES = ("print_bundle.pdf", "print_bundle_post.pdf", "print_bundle_quickpost.pdf")
# Part of every part's input fingerprint: raise it when print_bundle writes other bytes for the
# same letters, so every part is rebuilt once.
BUNDLE_FORMAT = "2"  # 2: the attachment on the back of its own letter (printing.py)


@dataclass
class Part:
    name: str
    channel: str
    number: int
    members: array  # addressee indexes, in plan order
    remaining: int = 0  # members whose letter is not final yet
    letters: int = 0  # members that passed the remote-print checks (in the file)
    pages: int = 0
    sha: str = ""
    fingerprint: str = ""
    written: bool = False  # written now (False: kept from an earlier or killed run)
    new: bool = False  # written now, and no part of this name existed before (nothing to print again)
    done: bool = False


class PrintParts:
    """The print bundles of one run, in parts: which letters go in which part (decided before
    anything is rendered, in plan order, so the same letters give the same parts), and each part
    written as soon as its letters are final. A part is rebuilt only when its input fingerprint
    (its letters' files and SHA-256s, the attachment's SHA-256, BUNDLE_FORMAT) differs from the
    one in print_parts.csv, or from the sidecar of a part a killed run staged."""

    def __init__(self, plan: Plan, out: Path, folder: OutputFolder, attachment: Later,
                 final: Callable[[int, str], Path], files: Files):
        from .delivery.remote_print import requirements

        self.plan, self.out, self.folder, self.final = plan, out, folder, final
        self.files = files
        self.rules = requirements().bundle_parts
        self._attachment = attachment  # rendered while the first letters are; checked at the first part
        self.attachment: bytes | None = None
        self.recorded = read_manifest(out / PARTS_MANIFEST)
        self.by_class: dict[str, list[Part]] = {channel: [] for channel in CLASSES}
        self.part_of: list[Part | None] = [None] * len(plan.addressees)
        for index, a in enumerate(plan.addressees):
            if not a.person.channel.is_paper:
                continue
            parts = self.by_class[a.person.channel.value]
            if not parts or len(parts[-1].members) >= self.rules.max_letters:
                number = len(parts) + 1
                parts.append(Part(PART_NAME.format(channel=a.person.channel.value, number=number),
                                  a.person.channel.value, number, array("l")))
            parts[-1].members.append(index)
            parts[-1].remaining += 1
            self.part_of[index] = parts[-1]
        self.ready: deque[Part] = deque()
        self.rejected: list[list[object]] = []  # file, channel, problem
        self.left_out: set[int] = set()  # paper letters failing the checks: in no part
        # The remote-print findings of letters rendered now (from the worker), until their part
        # is written: at most a part's letters (and the window in flight) at a time.
        self.problems: dict[int, tuple[str, ...]] = {}

    def letter_done(self, index: int, problems: tuple[str, ...] | None = None) -> None:
        part = self.part_of[index]
        if part is not None:
            if problems is not None:
                self.problems[index] = problems
            part.remaining -= 1
            if part.remaining == 0:
                self.ready.append(part)

    def part_name(self, index: int, fmt: str) -> str:
        """The part file letter `index`'s file of format `fmt` is printed in ("": none)."""
        part = self.part_of[index]
        return part.name if fmt == "pdf" and part is not None and index not in self.left_out else ""

    def write_ready(self, limit: int | None = None) -> None:
        while self.ready and (limit is None or limit > 0):
            self._write(self.ready.popleft())
            limit = None if limit is None else limit - 1

    def _write(self, part: Part) -> None:
        from .delivery.remote_print import check_pdf

        if self.attachment is None:
            self.attachment = self._attachment.get()
            self.attachment_problems = [f"{self.plan.information_name}: {p}"
                                        for p in check_pdf(self.attachment, window_page=False)]
            self.attachment_sha = sha256(self.attachment)
        digest = hashlib.sha256(f"{BUNDLE_FORMAT}|{self.attachment_sha}\n".encode())
        members: list[int] = []  # the part's letters that pass the checks
        for index in part.members:
            name = self.plan.files_of(self.plan.addressees[index])["pdf"]
            found = self.problems.pop(index, None)  # checked by the worker that rendered it
            if found is None:  # kept from an earlier run: its final bytes are checked now
                found = check_pdf(self.final(index, "pdf").read_bytes())
            problems = [*found, *self.attachment_problems]
            if problems:
                self.rejected.extend([name, part.channel, problem] for problem in problems)
                self.left_out.add(index)
                continue
            digest.update(f"{name} {self.files.sha(index, 'pdf')}\n".encode())
            members.append(index)
        part.done, part.letters = True, len(members)
        if not members:
            return  # every letter of the part failed the checks: no file (an old one is removed)
        part.fingerprint = digest.hexdigest()
        decision = decide(part.name, part.fingerprint, self.out, self.folder.staging, self.recorded)
        if decision.reuse_from is not None:
            if decision.staged:
                self.folder.adopt(part.name)
            with pikepdf.open(decision.reuse_from) as pdf:
                part.pages = len(pdf.pages)
            part.sha = decision.sha
        else:
            # Each letter is read when it is appended, not all of the part's letters at once.
            bundle, part.pages = print_bundle((self.final(i, "pdf").read_bytes() for i in members), self.attachment)
            part.sha, part.written, part.new = sha256(bundle), True, decision.reason == NEW
            self.folder.put(part.name, bundle)
            write_atomic(self.folder.staging / SIDECARS / part.name, sidecar_text(part.fingerprint, part.sha))
        log.info("print part", extra={"part": part.name, "letters": part.letters, "pages": part.pages,
                                      "written": part.written})

    def finish(self) -> list[str]:
        """The parts' manifest and the rejected list are staged; bundles of earlier runs this run
        does not make are removed at commit. Returns the lines for the summary."""
        self.write_ready()
        made = {part.name for parts in self.by_class.values() for part in parts if part.letters}
        for path in sorted(self.out.glob("print_bundle*.pdf")):
            if path.name not in made:
                self.folder.remove(path.name)  # a stale bundle or part must not be printed by mistake
        rows: list[list[object]] = [["file", "channel", "part", "letters", "pages", "sheets", "sha256",
                                     "input_fingerprint", "first_letter", "last_letter"]]
        lines = []
        written = kept = 0
        for channel, parts in self.by_class.items():
            parts = [part for part in parts if part.letters]
            for part in parts:
                names = [self.plan.files_of(self.plan.addressees[i])["pdf"] for i in part.members
                         if i not in self.left_out]
                rows.append([part.name, channel, part.number, part.letters, part.pages, part.pages // 2, part.sha,
                             part.fingerprint, names[0], names[-1]])
                written, kept = written + part.written, kept + (not part.written)
                if part.pages // 2 > self.rules.max_sheets:
                    lines.append(f"warning: {part.name}: {part.pages // 2} sheets, more than {self.rules.max_sheets} "
                                 "(bundle_parts in content/remote_print.yaml: lower max_letters)")
            if parts:
                letters, pages = sum(p.letters for p in parts), sum(p.pages for p in parts)
                span = parts[0].name if len(parts) == 1 else f"{parts[0].name} .. {parts[-1].name}"
                lines.append(f"print bundle {channel}: {letters} letters, {pages} pages in {len(parts)} part(s) of at "
                             f"most {self.rules.max_letters} letters ({span})")
        lines.append(f"print bundle parts written now: {written}; kept unchanged: {kept}")
        if kept:  # an earlier run's parts are there: say which were replaced (to be printed again)
            lines.extend(f"{'new' if part.new else 'rewritten'} print bundle part: {part.name}"
                         for parts in self.by_class.values() for part in parts if part.written)
        self.folder.put(PARTS_MANIFEST, _csv(rows))
        self.folder.put(REJECTED, _csv([["file", "channel", "problem"], *self.rejected]))
        failed = {row[0] for row in self.rejected}
        if failed:
            lines.append(f"left out of the print bundles, failing the remote-print checks: {len(failed)} letter(s), see {REJECTED}")
        return lines


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []


def register_warning_lines(register: Register) -> Iterator[str]:
    for warning in register.warnings:
        yield f"warning: row {warning.row}: {warning.field}: {warning.problem}"


# --- reports ----------------------------------------------------------------------------------


def _csv(rows: list[list[object]]) -> bytes:
    return csv_bytes(rows)  # cells neutralised against formula injection


def errors_csv(register: Register) -> bytes:
    return _csv([["row", "field", "problem"], *[[e.row, e.field, e.problem] for e in register.errors]])


MANIFEST_HEADER = ["person_id", "youth_id", "role", "channel", "file", "sha256", "attachment", "attachment_sha256",
                   "channel_source", "title", "attachment_title", "input_fingerprint", "print_part"]


def manifest_rows(plan: Plan, files: Files, part_name: Callable[[int, str], str], info_sha: str) -> Iterator[list[object]]:
    """One row per file: ids, role, channel, file, SHA-256, input fingerprint, and the print-bundle
    part it is printed in (blank: digital, or left out by the checks); never a name, address or CPR number."""
    yield MANIFEST_HEADER
    for index, a in enumerate(plan.addressees):
        source = plan.channels[a.person.person_id].source if plan.channels else "register"
        for fmt, name in plan.files_of(a).items():
            yield [a.person.person_id, a.youth.person_id, a.role.value, a.person.channel.value, name,
                   files.sha(index, fmt), plan.information_name, info_sha, source, plan.titles[index],
                   plan.information.title, plan.fingerprints[index], part_name(index, fmt)]


def write_csv(handle, rows: Iterable[Iterable[object]]) -> None:
    """Rows streamed into a binary file, cells neutralised as in personal.csv_bytes."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    text.flush()
    text.detach()


def channel_counts(plan: Plan) -> Counter:
    return Counter(a.person.channel.value for a in plan.addressees)


def summary_csv(plan: Plan) -> bytes:
    counts = channel_counts(plan)
    rows = [["channel", "letters"], *[[c, counts.get(c, 0)] for c in ("digital", "post", "quickpost")]]
    return _csv([*rows, ["total", sum(counts.values())]])


def summary_lines(plan: Plan) -> Iterator[str]:
    counts = channel_counts(plan)
    youths = len({a.youth.person_id for a in plan.addressees})
    yield f"register rows: {plan.register.rows}; rows with problems: {len({e.row for e in plan.register.errors})}"
    yield f"young people invited: {youths}; letters: {len(plan.addressees)}"
    for channel in ("digital", "post", "quickpost"):
        yield f"  {channel:<10} {counts.get(channel, 0)}"

"""The quarterly transition run: register -> letters on disk, resumable, in parallel if asked.

Stages: read the register and schedule (bad rows become the error report) -> choose who gets
a letter -> build every letter from the texts (a text error stops the run before anything is
written; each letter is kept only as its fingerprint) -> render the information letter once ->
render each invitation (in worker processes with `--workers`, a bounded window of letters in
flight, each letter built again as it is sent) and stage it as soon as it is done; stage each
print-bundle part as soon as its last letter is final -> stage the manifest (streamed), error
report and summary -> move everything in.

Every phase takes time in proportion to the number of letters, and memory that does not grow
with it (issue 17; docs/robustness.md, "Batch size"): what is kept per row, letter or file (the
register's rows, who each letter goes to, its fingerprint and title, its files' SHA-256s, the
parts, the files the commit moves) is in scratch databases on disk (scratch.py), and no phase
holds more than one part's letters. With workers, this process only plans, writes and bundles:
the workers render, hash and check.

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
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, fields, replace
from functools import partial
from itertools import chain
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
from .models import Channel
from .register import Register, RegisterRow, read_register
from .scratch import Rows, scratch, walk
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
    kept only as its input fingerprint and title, in the plan's scratch database with who it goes
    to (scratch.py): a worker is sent the letter's recipe and builds it again, so the run never
    holds every letter, or anything per letter, in memory (issue 17)."""

    register: Register
    schedule: Schedule
    meeting: Meeting
    dated: dt.date
    information: Attachment
    formats: tuple[str, ...]
    db: sqlite3.Connection  # tables of PLAN_SCHEMA
    letters: int  # how many

    @property
    def addressees(self) -> Addressees:
        """Who each letter goes to, by index (plan order), read from the database when used."""
        return Addressees(self)

    def addressee(self, index: int) -> Addressee:
        youth_id, person_id = self._letter(index, "youth_id, person_id")
        return Addressee(self._row(youth_id), self._row(person_id))

    def _row(self, person_id: str) -> RegisterRow:
        # A person's first row in plan order, with the channel resolved for them.
        line, channel = self.db.execute("SELECT line, channel FROM person WHERE person_id = ?", (person_id,)).fetchone()
        return self.register.row(line, Channel(channel))

    def _letter(self, index: int, columns: str) -> tuple:
        found = self.db.execute(f"SELECT {columns} FROM letter WHERE idx = ?", (index,)).fetchone()
        if found is None:
            raise IndexError(index)
        return found

    def fingerprint(self, index: int) -> str:
        """The letter's input fingerprint (resume.py)."""
        return self._letter(index, "fingerprint")[0]

    def title(self, index: int) -> str:
        return self._letter(index, "title")[0]

    def channel_source(self, person_id: str) -> str:
        """Where the person's channel comes from: "register" (as typed) or the look-up."""
        return self.db.execute("SELECT source FROM person WHERE person_id = ?", (person_id,)).fetchone()[0]

    def channel_warnings(self) -> Iterator[str]:
        for (warning,) in self.db.execute("SELECT warning FROM person WHERE warning IS NOT NULL ORDER BY n"):
            yield f"warning: {warning}"

    def has_stem(self, stem: str) -> bool:
        return self.db.execute("SELECT 1 FROM letter WHERE stem = ?", (stem,)).fetchone() is not None

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
        (custody,) = self._letter(index, "custody")
        return partial(invitation_letter, self.addressee(index), self.meeting, self.schedule, self.dated,
                       custody_count=custody)


class Addressees(Rows):
    """Plan.addressees: a sequence read from the plan's database (in chunks when walked)."""

    def __init__(self, plan: Plan):
        self.plan = plan

    def __len__(self) -> int:
        return self.plan.letters

    def at(self, position: int) -> Addressee:
        return self.plan.addressee(position)

    def __iter__(self) -> Iterator[Addressee]:
        for index, youth_id, person_id in walk(self.plan.db, "SELECT idx, youth_id, person_id FROM letter WHERE {after}", "idx"):
            yield Addressee(self.plan._row(youth_id), self.plan._row(person_id))


# The plan's scratch database: per person their first row in plan order and resolved channel
# (delivery/channels.py), and per letter who it goes to and what it is made from.
PLAN_SCHEMA = """
    CREATE TABLE person (n INTEGER PRIMARY KEY, person_id TEXT UNIQUE, line INTEGER, channel TEXT, source TEXT,
                         warning TEXT);
    CREATE TABLE letter (idx INTEGER PRIMARY KEY, youth_id TEXT, person_id TEXT, stem TEXT UNIQUE, custody INTEGER,
                         fingerprint TEXT, title TEXT);
"""


def plan_run(register_path: Path, meeting_day: dt.date, schedule_path: Path | None, docx: bool) -> Plan:
    """Load and check everything, and build every letter, so a text error stops the run early."""
    schedule = load_schedule(schedule_path)
    meeting = schedule.meeting_on(meeting_day, schedule_path or default_schedule())
    register = read_register(register_path)
    dated = letter_date(meeting.date)
    plan = Plan(register=register, schedule=schedule, meeting=meeting, dated=dated,
                information=information_attachment(schedule, dated),
                formats=("pdf", "docx") if docx else ("pdf",), db=scratch(PLAN_SCHEMA), letters=0)
    index = -1
    with plan.db:
        for index, addressee in enumerate(addressees(register, meeting.date)):
            for row in (addressee.youth, addressee.person):
                resolve_channel(plan.db, row)
            plan.db.execute("INSERT INTO letter (idx, youth_id, person_id, stem, custody) VALUES (?, ?, ?, ?, ?)",
                            (index, addressee.youth.person_id, addressee.person.person_id,
                             addressee.stem(meeting.date), register.custody.count(addressee.youth.person_id)))
            letter = plan.letter(index)  # from the row with its resolved channel, as a worker builds it
            plan.db.execute("UPDATE letter SET fingerprint = ?, title = ? WHERE idx = ?",
                            (fingerprint(letter, plan.formats), letter.title, index))
    log.info("phase done", extra={"phase": "plan", "letters": index + 1})
    return replace(plan, letters=index + 1)


def resolve_channel(db: sqlite3.Connection, row: RegisterRow) -> None:
    """The person's real channel, before the letters are dated (delivery/channels.py), looked up
    once per person: a person's first row in plan order stands for them in every letter."""
    from .delivery.channels import resolve

    if db.execute("SELECT 1 FROM person WHERE person_id = ?", (row.person_id,)).fetchone() is None:
        resolved = resolve(row.recipient, "register")
        warning = resolved.warning(f"person id {row.person_id}") if resolved.contradicts else None
        db.execute("INSERT INTO person (person_id, line, channel, source, warning) VALUES (?, ?, ?, ?, ?)",
                   (row.person_id, row.row, resolved.channel.value, resolved.source, warning))


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
    """Render what is missing or stale into the staging folder, then move the whole run in at once.

    The summary lines are given only after the commit: a reader that stops reading (`| head`, a
    closed terminal) can no longer undo a finished run, and no line reports letters that a
    failing commit did not write."""
    with OutputFolder(out, keep_staged=True) as folder:
        lines = list(_invite(plan, out, folder, pool, echo))
        log.info("phase started", extra={"phase": "commit"})
    log.info("phase done", extra={"phase": "commit"})
    yield from lines


def _invite(plan: Plan, out: Path, folder: OutputFolder, pool: RenderPool, echo: Callable[[str], None]) -> Iterator[str]:
    log.info("phase started", extra={"phase": "resume-check"})
    recorded = read_manifest(out / "manifest.csv")
    # The information letter is rendered by a worker while this process checks what to render and
    # sends the first letters; it is needed when the first part is built (issue 17: less work done
    # while the workers wait).
    info = Later(pool, render_information, plan.information)
    files = Files(plan.formats)

    def final(index: int, fmt: str) -> Path:
        return (folder.staging if files.is_staged(index, fmt) else out) / plan.files_of(plan.addressees[index])[fmt]

    parts = PrintParts(plan, out, folder, info, final, files)
    reasons: Counter = Counter()
    kept = 0
    for index, addressee in enumerate(plan.addressees):
        fp = plan.fingerprint(index)
        decisions = {name: decide(name, fp, out, folder.staging, recorded) for name in plan.files_of(addressee).values()}
        if all(d.reuse_from is not None for d in decisions.values()):
            kept += 1
            for fmt, (name, decision) in zip(plan.formats, decisions.items()):
                files.set(index, fmt, decision.sha, decision.staged)
                if decision.staged:
                    folder.adopt(name)
            parts.letter_done(index)
            continue
        files.render(index)
        why = next(d.reason for d in decisions.values() if d.reuse_from is None)
        reasons[why] += 1
        for name, d in decisions.items():
            if d.reason == DAMAGED:
                files.damaged(name)
    del recorded

    stop_after = int(os.environ.get(STOP_AFTER_ENV, "0") or 0)
    written = 0

    def store(index: int, rendered: dict[str, Rendered]) -> None:
        # The worker worked out each file's SHA-256 and, for a paper letter, the remote-print
        # checks: this process only writes (issue 17: it must keep up with every worker).
        nonlocal written
        addressee = plan.addressees[index]
        fp = plan.fingerprint(index)
        for fmt, name in plan.files_of(addressee).items():
            file = rendered[fmt]
            folder.put(name, file.data)
            write_atomic(folder.staging / SIDECARS / name, sidecar_text(fp, file.sha256))
            files.set(index, fmt, file.sha256, staged=True)
        written += 1
        log.info("letter written", extra={"stem": addressee.stem(plan.meeting.date)})
        reporter.advance(addressee.stem(plan.meeting.date))
        if stop_after and written >= stop_after:
            os._exit(3)  # the test hook: die like a killed process, without clean-up
        pdf = rendered.get("pdf")
        parts.letter_done(index, pdf.print_problems if pdf is not None else None)

    log.info("phase started", extra={"phase": "render", "letters": files.to_render})
    with Reporter(files.to_render, echo) as reporter:
        # Letters are sent to the workers as recipes (in plan order) and built there, and each
        # print-bundle part is written as soon as its last letter is: one part at a time between results.
        for index, rendered in pool.render_all(((i, plan.recipe(i)) for i in files.pending()), plan.formats,
                                               checked=True):
            store(index, rendered)
            del rendered
            parts.write_ready(limit=1)
    log.info("phase started", extra={"phase": "reports"})
    parts.write_ready()

    # Letters of people no longer invited (left the register, moved, changed format) leave the
    # active set: moved to withdrawn/, never left beside the manifest or put in a bundle.
    withdrawn = 0
    for name in _files(out / LETTERS):
        stem, _, fmt = name.rpartition(".")
        if not (fmt in plan.formats and plan.has_stem(stem)):
            folder.retire(f"{LETTERS}/{name}", f"{WITHDRAWN}/{name}")
            withdrawn += 1

    folder.put(plan.information_name, info.get())
    with folder.stream("errors.csv") as handle:
        write_csv(handle, error_rows(plan.register))
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
    for name in files.damaged_files():
        yield f"rewritten damaged file: {name}"
    if withdrawn:
        yield f"moved to {WITHDRAWN}/ (person no longer invited by the register): {withdrawn} file(s)"
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
    """What this run knows of each letter's files, in a scratch database (issue 17: nothing per
    letter in memory): per (letter, format) the SHA-256 of the file's final bytes and whether
    they are staged (else in the output folder); the letters to render; the files found damaged."""

    SCHEMA = """
        CREATE TABLE file (idx INTEGER, fmt TEXT, sha TEXT, staged INTEGER, PRIMARY KEY (idx, fmt)) WITHOUT ROWID;
        CREATE TABLE pending (idx INTEGER PRIMARY KEY);
        CREATE TABLE damaged (n INTEGER PRIMARY KEY, name TEXT);
    """

    def __init__(self, formats: tuple[str, ...]):
        self.formats = formats
        self.db = scratch(self.SCHEMA)
        self.to_render = 0

    def set(self, index: int, fmt: str, sha: str, staged: bool) -> None:
        self.db.execute("INSERT OR REPLACE INTO file VALUES (?, ?, ?, ?)", (index, fmt, sha, staged))

    def _get(self, index: int, fmt: str) -> tuple[str, int]:
        return self.db.execute("SELECT sha, staged FROM file WHERE idx = ? AND fmt = ?", (index, fmt)).fetchone()

    def sha(self, index: int, fmt: str) -> str:
        return self._get(index, fmt)[0]

    def is_staged(self, index: int, fmt: str) -> bool:
        return bool(self._get(index, fmt)[1])

    def render(self, index: int) -> None:
        self.db.execute("INSERT INTO pending VALUES (?)", (index,))
        self.to_render += 1

    def pending(self) -> Iterator[int]:
        """The letters to render, in plan order."""
        return (index for (index,) in walk(self.db, "SELECT idx FROM pending WHERE {after}", "idx"))

    def damaged(self, name: str) -> None:
        self.db.execute("INSERT INTO damaged (name) VALUES (?)", (name,))

    def damaged_files(self) -> Iterator[str]:
        return (name for _, name in walk(self.db, "SELECT n, name FROM damaged WHERE {after}", "n"))


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
    """One part file, as PrintParts keeps it in its database (a row of table `part`)."""

    name: str
    channel: str
    number: int
    remaining: int = 0  # members whose letter is not final yet
    letters: int = 0  # members that passed the remote-print checks (in the file)
    pages: int = 0
    sha: str = ""
    fingerprint: str = ""
    written: bool = False  # written now (False: kept from an earlier or killed run)
    new: bool = False  # written now, and no part of this name existed before (nothing to print again)
    done: bool = False


PART_COLUMNS = tuple(f.name for f in fields(Part))


class PrintParts:
    """The print bundles of one run, in parts: which letters go in which part (decided before
    anything is rendered, in plan order, so the same letters give the same parts), and each part
    written as soon as its letters are final. A part is rebuilt only when its input fingerprint
    (its letters' files and SHA-256s, the attachment's SHA-256, BUNDLE_FORMAT) differs from the
    one in print_parts.csv, or from the sidecar of a part a killed run staged.

    The parts, their letters and the letters left out are kept in a scratch database (issue 17);
    in memory are only the remote-print findings of letters whose part is not written yet."""

    SCHEMA = f"""
        CREATE TABLE part ({', '.join(PART_COLUMNS)}, ready INTEGER DEFAULT 0, n INTEGER PRIMARY KEY);
        CREATE UNIQUE INDEX part_name ON part (name);
        CREATE TABLE member (idx INTEGER PRIMARY KEY, part INTEGER);  -- part: part.n
        CREATE INDEX member_part ON member (part, idx);
        CREATE TABLE left_out (idx INTEGER PRIMARY KEY);  -- paper letters failing the checks: in no part
        CREATE TABLE rejected (n INTEGER PRIMARY KEY, file TEXT, channel TEXT, problem TEXT);
    """

    def __init__(self, plan: Plan, out: Path, folder: OutputFolder, attachment: Later,
                 final: Callable[[int, str], Path], files: Files):
        from .delivery.remote_print import requirements

        self.plan, self.out, self.folder, self.final = plan, out, folder, final
        self.files = files
        self.rules = requirements().bundle_parts
        self._attachment = attachment  # rendered while the first letters are; checked at the first part
        self.attachment: bytes | None = None
        self.recorded = read_manifest(out / PARTS_MANIFEST)
        self.db = scratch(self.SCHEMA)
        filling: dict[str, tuple[int, int]] = {}  # channel -> (part.n, letters) of its last part
        for index, a in enumerate(plan.addressees):
            channel = a.person.channel
            if not channel.is_paper:
                continue
            n, members = filling.get(channel.value, (None, 0))
            if n is None or members >= self.rules.max_letters:
                number = self.db.execute("SELECT COUNT(*) FROM part WHERE channel = ?", (channel.value,)).fetchone()[0] + 1
                part = Part(PART_NAME.format(channel=channel.value, number=number), channel.value, number)
                n = self.db.execute(f"INSERT INTO part ({', '.join(PART_COLUMNS)}) VALUES ({', '.join('?' * len(PART_COLUMNS))})",
                                    [getattr(part, c) for c in PART_COLUMNS]).lastrowid
                members = 0
            self.db.execute("INSERT INTO member VALUES (?, ?)", (index, n))
            self.db.execute("UPDATE part SET remaining = remaining + 1 WHERE n = ?", (n,))
            filling[channel.value] = (n, members + 1)
        # The remote-print findings of letters rendered now (from the worker), until their part
        # is written: at most a part's letters (and the window in flight) at a time.
        self.problems: dict[int, tuple[str, ...]] = {}

    def _part_of(self, index: int) -> int | None:
        found = self.db.execute("SELECT part FROM member WHERE idx = ?", (index,)).fetchone()
        return found[0] if found else None

    def _load(self, n: int) -> Part:
        values = self.db.execute(f"SELECT {', '.join(PART_COLUMNS)} FROM part WHERE n = ?", (n,)).fetchone()
        return Part(**dict(zip(PART_COLUMNS, values)))

    def _save(self, n: int, part: Part) -> None:
        self.db.execute(f"UPDATE part SET {', '.join(f'{c} = ?' for c in PART_COLUMNS)} WHERE n = ?",
                        (*(getattr(part, c) for c in PART_COLUMNS), n))

    def _members(self, n: int, passed_only: bool = False) -> Iterator[int]:
        """The part's letters in plan order (`passed_only`: those that passed the checks)."""
        query = "SELECT idx FROM member WHERE part = :part AND {after}"
        if passed_only:
            query += " AND idx NOT IN (SELECT idx FROM left_out)"
        return (index for (index,) in walk(self.db, query, "idx", part=n))

    def letter_done(self, index: int, problems: tuple[str, ...] | None = None) -> None:
        n = self._part_of(index)
        if n is not None:
            if problems is not None:
                self.problems[index] = problems
            self.db.execute("UPDATE part SET remaining = remaining - 1, ready = (remaining = 1) WHERE n = ?", (n,))

    def part_name(self, index: int, fmt: str) -> str:
        """The part file letter `index`'s file of format `fmt` is printed in ("": none)."""
        if fmt != "pdf":
            return ""
        found = self.db.execute("SELECT part.name FROM member JOIN part ON part.n = member.part WHERE member.idx = ? "
                                "AND member.idx NOT IN (SELECT idx FROM left_out)", (index,)).fetchone()
        return found[0] if found else ""

    def write_ready(self, limit: int | None = None) -> None:
        while limit is None or limit > 0:
            found = self.db.execute("SELECT n FROM part WHERE ready AND NOT done ORDER BY n LIMIT 1").fetchone()
            if found is None:
                return
            self._write(found[0])
            limit = None if limit is None else limit - 1

    def _write(self, n: int) -> None:
        from .delivery.remote_print import check_pdf

        if self.attachment is None:
            self.attachment = self._attachment.get()
            self.attachment_problems = [f"{self.plan.information_name}: {p}"
                                        for p in check_pdf(self.attachment, window_page=False)]
            self.attachment_sha = sha256(self.attachment)
        part = self._load(n)
        digest = hashlib.sha256(f"{BUNDLE_FORMAT}|{self.attachment_sha}\n".encode())
        for index in self._members(n):
            name = self.plan.files_of(self.plan.addressees[index])["pdf"]
            found = self.problems.pop(index, None)  # checked by the worker that rendered it
            if found is None:  # kept from an earlier run: its final bytes are checked now
                found = check_pdf(self.final(index, "pdf").read_bytes())
            problems = [*found, *self.attachment_problems]
            if problems:
                self.db.executemany("INSERT INTO rejected (file, channel, problem) VALUES (?, ?, ?)",
                                    [(name, part.channel, problem) for problem in problems])
                self.db.execute("INSERT INTO left_out VALUES (?)", (index,))
                continue
            digest.update(f"{name} {self.files.sha(index, 'pdf')}\n".encode())
            part.letters += 1
        part.done = True
        if part.letters:  # else every letter of the part failed the checks: no file (an old one is removed)
            self._bundle(n, part, digest.hexdigest())
        self._save(n, part)

    def _bundle(self, n: int, part: Part, fingerprint: str) -> None:
        part.fingerprint = fingerprint
        decision = decide(part.name, part.fingerprint, self.out, self.folder.staging, self.recorded)
        if decision.reuse_from is not None:
            if decision.staged:
                self.folder.adopt(part.name)
            with pikepdf.open(decision.reuse_from) as pdf:
                part.pages = len(pdf.pages)
            part.sha = decision.sha
        else:
            # Each letter is read when it is appended, not all of the part's letters at once.
            letters = (self.final(i, "pdf").read_bytes() for i in self._members(n, passed_only=True))
            bundle, part.pages = print_bundle(letters, self.attachment)
            part.sha, part.written, part.new = sha256(bundle), True, decision.reason == NEW
            self.folder.put(part.name, bundle)
            write_atomic(self.folder.staging / SIDECARS / part.name, sidecar_text(part.fingerprint, part.sha))
        log.info("print part", extra={"part": part.name, "letters": part.letters, "pages": part.pages,
                                      "written": part.written})

    def _parts(self, channel: str) -> Iterator[tuple[int, Part]]:
        """The channel's parts that hold letters, in order."""
        for (n,) in walk(self.db, "SELECT n FROM part WHERE channel = :channel AND letters > 0 AND {after}", "n",
                         channel=channel):
            yield n, self._load(n)

    def finish(self) -> list[str]:
        """The parts' manifest and the rejected list are staged; bundles of earlier runs this run
        does not make are removed at commit. Returns the lines for the summary."""
        self.write_ready()
        for path in sorted(self.out.glob("print_bundle*.pdf")):
            if self.db.execute("SELECT 1 FROM part WHERE name = ? AND letters > 0", (path.name,)).fetchone() is None:
                self.folder.remove(path.name)  # a stale bundle or part must not be printed by mistake
        with self.folder.stream(PARTS_MANIFEST) as handle:
            write_csv(handle, self._manifest_rows())
        lines = []
        for channel in CLASSES:
            lines.extend(f"warning: {part.name}: {part.pages // 2} sheets, more than {self.rules.max_sheets} "
                         "(bundle_parts in content/remote_print.yaml: lower max_letters)"
                         for _, part in self._parts(channel) if part.pages // 2 > self.rules.max_sheets)
            letters, pages, count = self.db.execute(
                "SELECT SUM(letters), SUM(pages), COUNT(*) FROM part WHERE channel = ? AND letters > 0", (channel,)).fetchone()
            if count:
                first, last = (self.db.execute(f"SELECT name FROM part WHERE channel = ? AND letters > 0 ORDER BY n {order} "
                                               "LIMIT 1", (channel,)).fetchone()[0] for order in ("ASC", "DESC"))
                span = first if count == 1 else f"{first} .. {last}"
                lines.append(f"print bundle {channel}: {letters} letters, {pages} pages in {count} part(s) of at "
                             f"most {self.rules.max_letters} letters ({span})")
        written, kept = self.db.execute("SELECT COALESCE(SUM(written), 0), COALESCE(SUM(NOT written), 0) FROM part "
                                        "WHERE letters > 0").fetchone()
        lines.append(f"print bundle parts written now: {written}; kept unchanged: {kept}")
        if kept:  # an earlier run's parts are there: say which were replaced (to be printed again)
            lines.extend(f"{'new' if part.new else 'rewritten'} print bundle part: {part.name}"
                         for channel in CLASSES for _, part in self._parts(channel) if part.written)
        with self.folder.stream(REJECTED) as handle:
            write_csv(handle, chain([["file", "channel", "problem"]],
                                    self.db.execute("SELECT file, channel, problem FROM rejected ORDER BY n")))
        failed = self.db.execute("SELECT COUNT(DISTINCT file) FROM rejected").fetchone()[0]
        if failed:
            lines.append(f"left out of the print bundles, failing the remote-print checks: {failed} letter(s), see {REJECTED}")
        return lines

    def _manifest_rows(self) -> Iterator[list[object]]:
        yield ["file", "channel", "part", "letters", "pages", "sheets", "sha256", "input_fingerprint",
               "first_letter", "last_letter"]
        for channel in CLASSES:
            for n, part in self._parts(channel):
                first, last = self.db.execute("SELECT MIN(idx), MAX(idx) FROM member WHERE part = ? AND idx NOT IN "
                                              "(SELECT idx FROM left_out)", (n,)).fetchone()
                names = [self.plan.files_of(self.plan.addressees[i])["pdf"] for i in (first, last)]
                yield [part.name, channel, part.number, part.letters, part.pages, part.pages // 2, part.sha,
                       part.fingerprint, *names]


def _files(folder: Path) -> Iterator[str]:
    """The names of the files in `folder` (none if it is missing), in no particular order."""
    if folder.is_dir():
        with os.scandir(folder) as entries:
            yield from (e.name for e in entries if e.is_file() and not e.name.startswith("."))


def register_warning_lines(register: Register) -> Iterator[str]:
    for warning in register.warnings:
        yield f"warning: row {warning.row}: {warning.field}: {warning.problem}"


# --- reports ----------------------------------------------------------------------------------


def _csv(rows: list[list[object]]) -> bytes:
    return csv_bytes(rows)  # cells neutralised against formula injection


def error_rows(register: Register) -> Iterator[list[object]]:
    yield ["row", "field", "problem"]
    yield from ([e.row, e.field, e.problem] for e in register.errors)


MANIFEST_HEADER = ["person_id", "youth_id", "role", "channel", "file", "sha256", "attachment", "attachment_sha256",
                   "channel_source", "title", "attachment_title", "input_fingerprint", "print_part"]


def manifest_rows(plan: Plan, files: Files, part_name: Callable[[int, str], str], info_sha: str) -> Iterator[list[object]]:
    """One row per file: ids, role, channel, file, SHA-256, input fingerprint, and the print-bundle
    part it is printed in (blank: digital, or left out by the checks); never a name, address or CPR number."""
    yield MANIFEST_HEADER
    for index, a in enumerate(plan.addressees):
        source = plan.channel_source(a.person.person_id)
        fp, title = plan.fingerprint(index), plan.title(index)
        for fmt, name in plan.files_of(a).items():
            yield [a.person.person_id, a.youth.person_id, a.role.value, a.person.channel.value, name,
                   files.sha(index, fmt), plan.information_name, info_sha, source, title,
                   plan.information.title, fp, part_name(index, fmt)]


def write_csv(handle, rows: Iterable[Iterable[object]]) -> None:
    """Rows streamed into a binary file, cells neutralised as in personal.csv_bytes."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    text.flush()
    text.detach()


def channel_counts(plan: Plan) -> Counter:
    return Counter(dict(plan.db.execute("SELECT person.channel, COUNT(*) FROM letter JOIN person USING (person_id) "
                                        "GROUP BY person.channel")))


def summary_csv(plan: Plan) -> bytes:
    counts = channel_counts(plan)
    rows = [["channel", "letters"], *[[c, counts.get(c, 0)] for c in ("digital", "post", "quickpost")]]
    return _csv([*rows, ["total", sum(counts.values())]])


def summary_lines(plan: Plan) -> Iterator[str]:
    counts = channel_counts(plan)
    youths = plan.db.execute("SELECT COUNT(DISTINCT youth_id) FROM letter").fetchone()[0]
    yield f"register rows: {plan.register.rows}; rows with problems: {plan.register.rows_with_errors()}"
    yield f"young people invited: {youths}; letters: {plan.letters}"
    for channel in ("digital", "post", "quickpost"):
        yield f"  {channel:<10} {counts.get(channel, 0)}"

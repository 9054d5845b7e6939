"""The quarterly transition run: register -> letters on disk, resumable, in parallel if asked.

Stages: read the register and schedule (bad rows become the error report) -> choose who gets
a letter -> build every letter from the texts (a text error stops the run before anything is
written) -> render the information letter once -> render each invitation (in worker
processes with `--workers`) and write it atomically as soon as it is done -> write the
manifest, print bundle, error report and summary, all derived from the files on disk.

Resume: a letter file is written once, atomically, and never rewritten. A re-run (also after
the process was killed) skips every file that exists and renders only the missing ones, so no
letter is duplicated or changed; the manifest and bundle are then rebuilt from all files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .documents.model import Attachment, Letter
from .documents.transition import information_attachment, invitation_letter
from .output import sha256, write_atomic
from .parallel import RenderPool
from .printing import print_bundle
from .register import Register, read_register
from .render.attachment import render_attachment_pdf
from .transition import DEFAULT_SCHEDULE, Addressee, Meeting, Schedule, addressees, letter_date, load_schedule

LETTERS = "letters"
# Test hook: stop the process hard (no clean-up) after this many letters, to prove resuming.
STOP_AFTER_ENV = "BREVGEN_STOP_AFTER"


@dataclass(frozen=True)
class Plan:
    """Everything decided and built before rendering (letters included); nothing written yet."""

    register: Register
    schedule: Schedule
    meeting: Meeting
    dated: dt.date
    addressees: tuple[Addressee, ...]
    letters: tuple[Letter, ...]  # one per addressee, same order
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


def plan_run(register_path: Path, meeting_day: dt.date, schedule_path: Path | None, docx: bool) -> Plan:
    """Load and check everything, and build every letter, so a text error stops the run early."""
    schedule = load_schedule(schedule_path)
    meeting = schedule.meeting_on(meeting_day, schedule_path or DEFAULT_SCHEDULE)
    register = read_register(register_path)
    dated = letter_date(meeting.date)
    people, channels = resolve_channels(tuple(addressees(register, meeting.date)))
    return Plan(
        register=register,
        schedule=schedule,
        meeting=meeting,
        dated=dated,
        addressees=people,
        letters=tuple(invitation_letter(a, meeting, schedule, dated, custody_count=len(register.custody.get(a.youth.person_id, [])))
                      for a in people),
        information=information_attachment(schedule, dated),
        formats=("pdf", "docx") if docx else ("pdf",),
        channels=channels,
    )


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
                rows[row.person_id] = row.model_copy(update={"channel": resolved.channel})
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
    yield from summary_lines(plan)


# --- rendering and writing -------------------------------------------------------------------


class Reporter:
    """A rich progress bar on a terminal; plain lines (no personal data) otherwise."""

    def __init__(self, total: int, echo: Callable[[str], None], terminal: bool | None = None):
        self.total, self.echo, self.count = total, echo, 0
        self.terminal = sys.stdout.isatty() if terminal is None else terminal
        self._bar = None

    def __enter__(self) -> Reporter:
        if self.terminal and self.total:
            from rich.progress import Progress

            self._bar = Progress()
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
    out.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out)
    write_atomic(out / "errors.csv", errors_csv(plan.register))
    info_path = out / plan.information_name
    if not info_path.exists():  # rendered once per run, and kept on a re-run
        write_atomic(info_path, render_attachment_pdf(plan.information))

    pending = [(a, letter) for a, letter in zip(plan.addressees, plan.letters)
               if not all((out / f).exists() for f in plan.files_of(a).values())]
    kept = len(plan.addressees) - len(pending)
    stop_after = int(os.environ.get(STOP_AFTER_ENV, "0") or 0)
    written = 0

    def store(addressee: Addressee, rendered: dict[str, bytes]) -> None:
        nonlocal written
        for fmt, name in plan.files_of(addressee).items():
            if not (out / name).exists():  # never rewrite a letter already written
                write_atomic(out / name, rendered[fmt])
        written += 1
        reporter.advance(addressee.stem(plan.meeting.date))
        if stop_after and written >= stop_after:
            os._exit(3)  # the test hook: die like a killed process, without clean-up

    with Reporter(len(pending), echo) as reporter:
        for addressee, rendered in pool.render_all(pending, plan.formats):
            store(addressee, rendered)

    write_atomic(out / "manifest.csv", manifest_csv(plan, out))
    bundle_lines = write_print_bundles(plan, out, info_path.read_bytes())
    write_atomic(out / "summary.csv", summary_csv(plan))
    yield f"letters dated {plan.dated} for the meeting on {plan.meeting.date}"
    yield from plan.channel_warnings()
    yield f"written now: {written}; already there (kept unchanged): {kept}"
    yield from bundle_lines
    yield from summary_lines(plan)
    yield f"wrote to {out}: manifest.csv, errors.csv, summary.csv, {', '.join(BUNDLES.values())}, {REJECTED}, {plan.information_name}, {LETTERS}/"


# --- remote print ------------------------------------------------------------------------------

# One bundle per postage class: a quick letter is paid and handled apart from ordinary post.
BUNDLES = {"post": "print_bundle_post.pdf", "quickpost": "print_bundle_quickpost.pdf"}
REJECTED = "print_rejected.csv"
OLD_BUNDLE = "print_bundle.pdf"  # one bundle for all classes, before postage classes were kept apart


def write_print_bundles(plan: Plan, out: Path, attachment: bytes) -> list[str]:
    """Check every paper letter against the remote-print requirements, bundle those that pass per
    postage class, and report those that fail (left out, never printed unseen)."""
    from .delivery.remote_print import check_pdf

    attachment_problems = check_pdf(attachment, window_page=False)
    by_class: dict[str, list[bytes]] = {channel: [] for channel in BUNDLES}
    rejected: list[list[object]] = [["file", "channel", "problem"]]
    for a in plan.addressees:
        if not a.person.channel.is_paper:
            continue
        name = plan.files_of(a)["pdf"]
        data = (out / name).read_bytes()
        problems = check_pdf(data) + [f"{plan.information_name}: {p}" for p in attachment_problems]
        if problems:
            rejected.extend([name, a.person.channel.value, problem] for problem in problems)
        else:
            by_class[a.person.channel.value].append(data)
    lines = []
    for channel, name in BUNDLES.items():
        if not by_class[channel]:
            (out / name).unlink(missing_ok=True)
            continue
        bundle, pages = print_bundle(by_class[channel], attachment)
        write_atomic(out / name, bundle)
        lines.append(f"print bundle {channel}: {len(by_class[channel])} letters, {pages} pages ({name})")
    (out / OLD_BUNDLE).unlink(missing_ok=True)  # a stale mixed bundle must not be printed by mistake
    write_atomic(out / REJECTED, _csv(rejected))
    failed = {row[0] for row in rejected[1:]}
    if failed:
        lines.append(f"left out of the print bundles, failing the remote-print checks: {len(failed)} letter(s), see {REJECTED}")
    return lines


def remove_partial_files(out: Path) -> None:
    """A process killed inside write_atomic leaves its temporary `.{name}.*.part`; never a letter."""
    for folder in (out, out / LETTERS):
        for leftover in folder.glob(".*.part"):
            leftover.unlink()


# --- reports ----------------------------------------------------------------------------------


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def errors_csv(register: Register) -> bytes:
    return _csv([["row", "field", "problem"], *[[e.row, e.field, e.problem] for e in register.errors]])


def manifest_csv(plan: Plan, out: Path) -> bytes:
    """One row per file: ids, role, channel, file, SHA-256; never a name, address or CPR number."""
    info_sha = sha256((out / plan.information_name).read_bytes())
    rows: list[list[object]] = [["person_id", "youth_id", "role", "channel", "file", "sha256", "attachment", "attachment_sha256",
                                 "channel_source", "title", "attachment_title"]]
    for a, letter in zip(plan.addressees, plan.letters):
        source = plan.channels[a.person.person_id].source if plan.channels else "register"
        for name in plan.files_of(a).values():
            rows.append([a.person.person_id, a.youth.person_id, a.role.value, a.person.channel.value, name,
                         sha256((out / name).read_bytes()), plan.information_name, info_sha,
                         source, letter.title, plan.information.title])
    return _csv(rows)


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

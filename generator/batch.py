"""The quarterly transition run: register -> letters on disk, resumable, in parallel if asked.

Stages: read the register and schedule (bad rows become the error report) -> choose who gets
a letter -> build every letter from the texts (a text error stops the run before anything is
written) -> render the information letter once -> render each invitation (in worker
processes with `--workers`) and stage it as soon as it is done -> stage the manifest, print
bundle, error report and summary -> move everything in.

All or nothing: every file is staged and moved into the output folder only when the whole run
succeeded (output.OutputFolder); a failing run leaves the folder as it was.

Resume (resume.py): a letter is reused only when it is exactly what this run would write (its
input fingerprint and SHA-256 match the manifest, or the sidecar of a killed run's staged
letter); otherwise it is rendered again and the summary says how many and why. Letters of people
no longer invited are moved to withdrawn/. The manifest and bundle are built from the final bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .documents.model import Attachment, Letter
from .documents.transition import information_attachment, invitation_letter
from .logs import get as get_logger
from .output import OutputFolder, sha256, write_atomic
from .parallel import RenderPool
from .personal import csv_bytes
from .printing import print_bundle
from .register import Register, read_register
from .resume import DAMAGED, NEW, SIDECARS, decide, fingerprint, read_manifest, sidecar_text
from .render.attachment import render_attachment_pdf
from .transition import Addressee, Meeting, Schedule, addressees, letter_date, default_schedule, load_schedule

LETTERS = "letters"
WITHDRAWN = "withdrawn"  # letters of people the register no longer invites
log = get_logger("batch")  # file stems and counts only, never names or addresses
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
    meeting = schedule.meeting_on(meeting_day, schedule_path or default_schedule())
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


def _invite(plan: Plan, out: Path, folder: OutputFolder, pool: RenderPool, echo: Callable[[str], None]) -> Iterator[str]:
    recorded = read_manifest(out / "manifest.csv")
    planned: dict[str, str] = {}  # file -> input fingerprint
    final: dict[str, Path] = {}  # file -> where its bytes are now (output or staging folder)
    pending: list[tuple[Addressee, Letter]] = []
    reasons: Counter = Counter()
    damaged: list[str] = []
    kept = 0
    for addressee, letter in zip(plan.addressees, plan.letters):
        fp = fingerprint(letter, plan.formats)
        decisions = {}
        for name in plan.files_of(addressee).values():
            planned[name] = fp
            decisions[name] = decide(name, fp, out, folder.staging, recorded)
        if all(d.reuse_from is not None for d in decisions.values()):
            kept += 1
            for name, decision in decisions.items():
                final[name] = decision.reuse_from
                if decision.staged:
                    folder.adopt(name)
            continue
        pending.append((addressee, letter))
        why = next(d.reason for d in decisions.values() if d.reuse_from is None)
        reasons[why] += 1
        damaged += [name for name, d in decisions.items() if d.reason == DAMAGED]

    stop_after = int(os.environ.get(STOP_AFTER_ENV, "0") or 0)
    written = 0

    def store(addressee: Addressee, rendered: dict[str, bytes]) -> None:
        nonlocal written
        for fmt, name in plan.files_of(addressee).items():
            folder.put(name, rendered[fmt])
            write_atomic(folder.staging / SIDECARS / name, sidecar_text(planned[name], rendered[fmt]))
            final[name] = folder.staged(name)
        written += 1
        log.info("letter written", extra={"stem": addressee.stem(plan.meeting.date)})
        reporter.advance(addressee.stem(plan.meeting.date))
        if stop_after and written >= stop_after:
            os._exit(3)  # the test hook: die like a killed process, without clean-up

    with Reporter(len(pending), echo) as reporter:
        for addressee, rendered in pool.render_all(pending, plan.formats):
            store(addressee, rendered)

    # Letters of people no longer invited (left the register, moved, changed format) leave the
    # active set: moved to withdrawn/, never left beside the manifest or put in a bundle.
    withdrawn = sorted(f"{LETTERS}/{p.name}" for p in _files(out / LETTERS) if f"{LETTERS}/{p.name}" not in planned)
    for name in withdrawn:
        folder.retire(name, f"{WITHDRAWN}/{Path(name).name}")

    info = render_attachment_pdf(plan.information)
    folder.put(plan.information_name, info)
    folder.put("errors.csv", errors_csv(plan.register))
    contents = {name: path.read_bytes() for name, path in final.items()}  # the final bytes, checked fresh
    folder.put("manifest.csv", manifest_csv(plan, contents, planned, sha256(info)))
    bundle_lines = write_print_bundles(plan, folder, contents, info)
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
    yield f"wrote to {out}: manifest.csv, errors.csv, summary.csv, {', '.join(BUNDLES.values())}, {REJECTED}, {plan.information_name}, {LETTERS}/"


# --- remote print ------------------------------------------------------------------------------

# One bundle per postage class: a quick letter is paid and handled apart from ordinary post.
BUNDLES = {"post": "print_bundle_post.pdf", "quickpost": "print_bundle_quickpost.pdf"}
REJECTED = "print_rejected.csv"
OLD_BUNDLE = "print_bundle.pdf"  # one bundle for all classes, before postage classes were kept apart


def write_print_bundles(plan: Plan, folder: OutputFolder, contents: dict[str, bytes], attachment: bytes) -> list[str]:
    """Check every paper letter against the remote-print requirements, bundle those that pass per
    postage class, and report those that fail (left out, never printed unseen). Staged, like
    everything else of the run; bundles this run does not make are removed at commit."""
    from .delivery.remote_print import check_pdf

    attachment_problems = check_pdf(attachment, window_page=False)
    by_class: dict[str, list[bytes]] = {channel: [] for channel in BUNDLES}
    rejected: list[list[object]] = [["file", "channel", "problem"]]
    for a in plan.addressees:
        if not a.person.channel.is_paper:
            continue
        name = plan.files_of(a)["pdf"]
        data = contents[name]
        problems = check_pdf(data) + [f"{plan.information_name}: {p}" for p in attachment_problems]
        if problems:
            rejected.extend([name, a.person.channel.value, problem] for problem in problems)
        else:
            by_class[a.person.channel.value].append(data)
    lines = []
    for channel, name in BUNDLES.items():
        if not by_class[channel]:
            folder.remove(name)
            continue
        bundle, pages = print_bundle(by_class[channel], attachment)
        folder.put(name, bundle)
        lines.append(f"print bundle {channel}: {len(by_class[channel])} letters, {pages} pages ({name})")
    folder.remove(OLD_BUNDLE)  # a stale mixed bundle must not be printed by mistake
    folder.put(REJECTED, _csv(rejected))
    failed = {row[0] for row in rejected[1:]}
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


def manifest_csv(plan: Plan, contents: dict[str, bytes], planned: dict[str, str], info_sha: str) -> bytes:
    """One row per file: ids, role, channel, file, SHA-256, input fingerprint; never a name, address or CPR number."""
    rows: list[list[object]] = [["person_id", "youth_id", "role", "channel", "file", "sha256", "attachment", "attachment_sha256",
                                 "channel_source", "title", "attachment_title", "input_fingerprint"]]
    for a, letter in zip(plan.addressees, plan.letters):
        source = plan.channels[a.person.person_id].source if plan.channels else "register"
        for name in plan.files_of(a).values():
            rows.append([a.person.person_id, a.youth.person_id, a.role.value, a.person.channel.value, name,
                         sha256(contents[name]), plan.information_name, info_sha,
                         source, letter.title, plan.information.title, planned[name]])
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

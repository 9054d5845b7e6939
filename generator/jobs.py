"""Jobs: load -> build -> render -> write, one function per command that writes documents.

Everything is rendered in memory before the first file is written, so an error anywhere
leaves the output folder as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from .documents.complaint_guidance import guidance_letters
from .documents.model import Letter
from .errors import BrevgenError
from .loading import dump_json, input_files, load_model, read_text
from .personal import hidden_character_lines
from .models import GuidanceRequest
from .output import OutputFolder, file_entry, letter_stem, sha256
from .logs import get as get_logger
from .parallel import RenderPool

log = get_logger("jobs")  # counts and file stems only, never personal data


# Case files and guidance requests: YAML, or JSON (which is YAML).
CASE_SUFFIXES = (".yaml", ".yml", ".json")


def hidden_character_warnings(path: Path) -> list[str]:
    """Names and addresses lose bidi overrides and control characters (models.Recipient); say where."""
    lines = hidden_character_lines(read_text(path))
    return [f"warning: {path.name}:{line}: invisible or control characters removed (bidi overrides, zero-width, "
            "control characters)" for line in lines]


def add_letters(named: dict[str, Letter], origins: dict[str, Path], letters: list[Letter], path: Path) -> None:
    """Name the letters of one input file by their file stem (recipients numbered from 1).

    Two input files for the same case would write the same files, and one letter would be lost:
    that is an error, not a silent overwrite."""
    for index, letter in enumerate(letters, start=1):
        stem = letter_stem(letter.case_number, letter.kind, index, letter.recipient.role)
        if stem in origins:
            raise BrevgenError(
                f"{path}: case_number: the same case as {origins[stem]} (both would be written as {stem}.*); "
                "nothing written"
            )
        named[stem], origins[stem] = letter, path


def render_letters(named: dict[str, Letter], formats: tuple[str, ...], pool: RenderPool) -> dict[str, bytes]:
    """Render each letter in each format, plus its JSON record, keyed by file name."""
    from .content_root import provenance

    rendered = dict(pool.render_all(named.items(), formats))
    produced = provenance()  # which brevgen, which content, who, when: in the record, never in the letter
    files: dict[str, bytes] = {}
    for stem, letter in named.items():
        record = dict(letter.record, files={}, title=letter.title, produced=produced)
        for fmt in formats:
            data = rendered[stem][fmt]
            files[f"{stem}.{fmt}"] = data
            record["files"][fmt] = file_entry(f"{stem}.{fmt}", fmt, data)
        files[f"{stem}.json"] = dump_json(record).encode("utf-8")
    return files


def write_letters(build: Callable[[], tuple[dict[str, Letter], list[str]]], formats: tuple[str, ...], out: Path,
                  workers: int, new_version: bool = False) -> Iterator[str]:
    """Build (and check) every letter, render them all, then write every file at once.

    Letters already written are never overwritten (generator/versions.py): the same content is
    left as it is, different content is refused unless `new_version`."""
    from . import loading
    from .versions import plan_versions, refusal

    from .queue import pool_for

    # Local worker processes (they start while the letters are built and checked), or the Celery
    # queue when BREVGEN_BROKER_URL is set: bulk renders go where batches go.
    with pool_for(workers) as pool:
        named, report = build()
        # The output folder is locked from the comparison with what is there to the last file
        # moved in; everything is staged first, so a failure leaves the folder as it was.
        with OutputFolder(out) as folder:
            planned = plan_versions(named, out, new_version, loading.profile().cvr)
            if planned.refused:
                raise refusal(planned.refused, out)
            files = render_letters(planned.to_write, formats, pool)
            for name, data in files.items():
                folder.put(name, data)
    log.info("files written", extra={"files": len(files), "letters": len(named)})
    yield from report
    if planned.already:
        yield f"already written (same input, left as they are): {len(planned.already)} letter(s)"
    newer = [stem for stem in planned.to_write if ".v" in stem]
    if newer:
        yield f"new versions written beside the old ones: {', '.join(newer)}"
    yield f"wrote {len(files)} files to {out}" if files else f"nothing new written to {out}: the letters are already written"


def guidance_job(sources: list[Path], out: Path, formats: tuple[str, ...], workers: int = 1,
                 new_version: bool = False) -> Iterator[str]:
    return write_letters(lambda: build_guidance(sources), formats, out, workers, new_version)


def build_guidance(sources: list[Path]) -> tuple[dict[str, Letter], list[str]]:
    named: dict[str, Letter] = {}
    origins: dict[str, Path] = {}
    report: list[str] = []
    for path in input_files(sources, CASE_SUFFIXES):
        request = load_model(GuidanceRequest, path)
        report.extend(hidden_character_warnings(path))
        letters = guidance_letters(request, input_sha256=sha256(path.read_bytes()))
        add_letters(named, origins, letters, path)
        for index, letter in enumerate(letters, start=1):
            lix = letter.record["lix"]
            report.extend(f"warning: {path.name}: {w}" for w in letter.record["warnings"])
            report.append(
                f"{path.name}: recipient {index} ({letter.recipient.role.value}, {letter.channel.value}): "
                f"deadline {letter.record['complaint']['deadline']['deadline'] if letter.record['complaint']['deadline'] else 'none'}, "
                f"LIX {lix['score']} ({lix['band']})"
            )
    return named, report


def letter_job(
    sources: list[Path], out: Path, formats: tuple[str, ...], strict: bool = False, workers: int = 1,
    new_version: bool = False,
) -> Iterator[str]:
    """Decision letters: build and check every case first; render only if no case has an error."""
    return write_letters(lambda: build_decisions(sources, strict), formats, out, workers, new_version)


def build_decisions(sources: list[Path], strict: bool) -> tuple[dict[str, Letter], list[str]]:
    from .case import CaseFile
    from .checks import check_decision, unconfirmed_findings
    from .documents.decision_letter import build_decision, with_warnings

    named: dict[str, Letter] = {}
    origins: dict[str, Path] = {}
    report: list[str] = []
    errors: list[str] = []
    for path in input_files(sources, CASE_SUFFIXES):
        case = load_model(CaseFile, path)
        report.extend(hidden_character_warnings(path))
        built = build_decision(case, source=str(path), input_sha256=sha256(path.read_bytes()))
        findings = check_decision(built) + unconfirmed_findings(built)  # notes; errors with --strict
        warnings = [str(f) for f in findings if f.level == "warning"]
        errors.extend(f"{path}: {f}" for f in findings if f.level == "error" or strict)
        if errors:
            continue  # keep checking the other cases, so every problem is reported at once
        letters = with_warnings(built, warnings)
        add_letters(named, origins, letters, path)
        report.extend(f"warning: {path.name}: {w}" for w in warnings)
        report.extend(f"note: {path.name}: {f}" for f in findings if f.level == "note")  # unconfirmed law
        for index, letter in enumerate(letters, start=1):
            deadline = (letter.record["deadlines"]["complaint"] or {}).get("deadline", "none")
            report.append(
                f"{path.name}: letter {index} ({letter.recipient.role.value}, {letter.channel.value}): "
                f"{letter.record['decision']}, complaint deadline {deadline}, LIX {letter.record['lix']['score']}"
            )
    if errors:
        hint = " (--strict: warnings and unconfirmed references count as errors)" if strict else ""
        raise BrevgenError(f"nothing written; {len(errors)} problem(s){hint}:\n" + "\n".join(errors))
    return named, report

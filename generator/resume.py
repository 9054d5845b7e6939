"""Resuming a batch: a letter on disk is reused only if it is exactly what this run would write.

Each letter's *input fingerprint* is the SHA-256 of everything it is made from: the built
letter (register row: name, address, channel; the texts; the dates), the formats, and the
templates and fonts that lay it out. The manifest records it per file, with the file's SHA-256.
A re-run reuses a file only when both still match: a corrected address, an edited text, a new
layout or a damaged file (empty, truncated) makes it rewrite the letter, and says why.

A killed run leaves its finished letters in the staging folder, each with a sidecar holding
its fingerprint and SHA-256; the next run takes them over on the same terms.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import paths
from .documents.model import Letter
from .output import sha256

SIDECARS = ".fingerprints"  # inside the staging folder: never moved into the output folder

# Why a letter is (re)written; the summary counts them.
NEW = "new"
CHANGED = "input changed (register row, texts or layout)"
DAMAGED = "file damaged (empty or truncated)"
UNRECORDED = "no record of what it was made from"


@lru_cache(maxsize=None)
def layout_fingerprint() -> str:
    """The templates, stylesheets and fonts: a new layout makes every letter stale."""
    digest = hashlib.sha256()
    for path in sorted(p for p in paths.TEMPLATES.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(paths.TEMPLATES)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fingerprint(letter: Letter, formats: tuple[str, ...]) -> str:
    # repr of frozen dataclasses and pydantic models: every field, in a fixed order.
    return hashlib.sha256(f"{letter!r}|{formats}|{layout_fingerprint()}".encode()).hexdigest()


def read_manifest(path: Path) -> dict[str, tuple[str, str]]:
    """file -> (input fingerprint, sha256) from an earlier run's manifest; {} if none or unreadable."""
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    return {row["file"]: (row.get("input_fingerprint") or "", row.get("sha256") or "")
            for row in rows if row.get("file")}


@dataclass
class Decision:
    reuse_from: Path | None  # the file to reuse (in the output or staging folder), or None: render
    staged: bool = False  # the reusable file is in the staging folder
    reason: str = ""  # why it is rendered
    sha: str = ""  # SHA-256 of the reusable file (checked now)


def decide(relative: str, fp: str, out: Path, staging: Path, recorded: dict[str, tuple[str, str]]) -> Decision:
    staged, sidecar = staging / relative, staging / SIDECARS / relative
    if staged.is_file() and sidecar.is_file():
        want_fp, _, want_sha = sidecar.read_text(encoding="utf-8").partition(" ")
        if want_fp == fp and sha256(staged.read_bytes()) == want_sha.strip():
            return Decision(staged, staged=True, sha=want_sha.strip())
    current = out / relative
    if not current.is_file():
        return Decision(None, reason=NEW)
    if relative not in recorded:
        return Decision(None, reason=UNRECORDED)
    recorded_fp, recorded_sha = recorded[relative]
    if recorded_fp != fp:
        return Decision(None, reason=CHANGED)
    if sha256(current.read_bytes()) != recorded_sha:
        return Decision(None, reason=DAMAGED)
    return Decision(current, sha=recorded_sha)


def sidecar_text(fp: str, sha: str) -> bytes:
    """A staged file's sidecar: its input fingerprint and the SHA-256 of its bytes (read by `decide`)."""
    return f"{fp} {sha}\n".encode()

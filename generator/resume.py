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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from . import paths
from .documents.model import Letter
from .output import sha256
from .scratch import scratch

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


class Recorded(Mapping):
    """file -> (input fingerprint, sha256) as an earlier run's manifest records them, kept in a
    scratch database (scratch.py: a manifest of any length, read within the same memory)."""

    def __init__(self) -> None:
        self.db = scratch("CREATE TABLE recorded (file TEXT PRIMARY KEY, fingerprint TEXT, sha TEXT) WITHOUT ROWID;")

    def __getitem__(self, file: str) -> tuple[str, str]:
        found = self.db.execute("SELECT fingerprint, sha FROM recorded WHERE file = ?", (file,)).fetchone()
        if found is None:
            raise KeyError(file)
        return found

    def __iter__(self) -> Iterator[str]:
        return (file for (file,) in self.db.execute("SELECT file FROM recorded ORDER BY file"))

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM recorded").fetchone()[0]


def read_manifest(path: Path) -> Recorded:
    """What an earlier run's manifest records per file; empty if there is none or it is unreadable."""
    recorded = Recorded()
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("file"):  # the last row of a file counts, as it did when the manifest was a dict
                    recorded.db.execute("INSERT OR REPLACE INTO recorded VALUES (?, ?, ?)",
                                        (row["file"], row.get("input_fingerprint") or "", row.get("sha256") or ""))
    except (OSError, UnicodeDecodeError, csv.Error):
        recorded.db.execute("DELETE FROM recorded")  # unreadable: nothing is reused on its word
    return recorded


@dataclass
class Decision:
    reuse_from: Path | None  # the file to reuse (in the output or staging folder), or None: render
    staged: bool = False  # the reusable file is in the staging folder
    reason: str = ""  # why it is rendered
    sha: str = ""  # SHA-256 of the reusable file (checked now)


def decide(relative: str, fp: str, out: Path, staging: Path, recorded: Mapping[str, tuple[str, str]]) -> Decision:
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

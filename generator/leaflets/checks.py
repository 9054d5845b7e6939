"""Problems in a leaflet's Markdown, each with the file and line it is on.

Errors stop the build (nothing is written): an embedded process that does not exist, an image
without alt text or without its file, an internal link to a heading or file that does not
exist, a second top-level heading. Warnings are reported but do not stop it: LIX above the
target for citizen leaflets, a review date that has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .source import LeafletSource

# `[[proces: voksen-sel-85]]` on a line of its own embeds a process from content/processes/.
EMBED = re.compile(r"^\s*\[\[\s*proces\s*:\s*(?P<id>[^\]]*?)\s*\]\]\s*$", re.IGNORECASE)
_TARGET = r"\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)"
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]" + _TARGET)
LINK = re.compile(r"(?<![!\]])\[(?P<text>[^\]]*)\]" + _TARGET)
FENCE = re.compile(r"^\s*(```|~~~)")
H1 = re.compile(r"^#\s")
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
LIX_TARGET = {"citizen": 35}  # citizen text should be easy (LIX under 35: docs/kommunikation.md)
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)  # http:, mailto:, tel:, ...


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def body_lines(source: LeafletSource) -> Iterator[tuple[int, str]]:
    """(file line, text) for each body line outside fenced code blocks."""
    fenced = False
    for index, line in enumerate(source.body.split("\n")):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield source.file_line(index), line


def embedded_process_ids(source: LeafletSource) -> list[tuple[int, str]]:
    return [(n, m.group("id")) for n, line in body_lines(source) if (m := EMBED.match(line))]


def find_errors(source: LeafletSource, known_processes: set[str], anchors: set[str]) -> list[Problem]:
    """Everything that must be fixed before the leaflet is built."""
    problems: list[Problem] = []
    folder = source.path.parent

    def problem(line: int, message: str) -> None:
        problems.append(Problem(source.path, line, message))

    for line_no, line in body_lines(source):
        if H1.match(line):
            problem(line_no, "a '#' heading: the title comes from the front matter; start sections with '##'")
        if "[[" in line and not EMBED.match(line):
            problem(line_no, "a process is embedded on a line of its own, like [[proces: voksen-sel-85]]")
        if (embed := EMBED.match(line)) and embed.group("id") not in known_processes:
            known = ", ".join(sorted(known_processes)) or "none"
            problem(line_no, f"process {embed.group('id')!r} not found in content/processes/ (known: {known})")
        for image in IMAGE.finditer(line):
            target = image.group("target")
            if not image.group("alt").strip():
                problem(line_no, f"image {target!r} has no alt text: write ![what the image shows]({target})")
            if _EXTERNAL.match(target):
                problem(line_no, f"image {target!r}: images must be files next to the leaflet, not web addresses")
            elif Path(target).suffix.lower() not in IMAGE_TYPES:
                problem(line_no, f"image {target!r}: expected a {', '.join(IMAGE_TYPES)} file")
            elif not (folder / target).resolve().is_relative_to(folder.resolve()):
                problem(line_no, f"image {target!r}: images must be in the leaflet's folder or below it")
            elif not (folder / target).is_file():
                problem(line_no, f"image {target!r} not found (looked in {folder})")
        for link in LINK.finditer(line):
            target = link.group("target")
            if not target or _EXTERNAL.match(target):
                continue
            file_part, _, anchor = target.partition("#")
            if file_part and not (folder / file_part).exists():
                problem(line_no, f"link to {target!r}: file {file_part!r} not found next to the leaflet")
            elif not file_part and anchor not in anchors:
                problem(line_no, f"link to {target!r}: no heading with that anchor in this leaflet")
    return problems


def find_warnings(source: LeafletSource, lix_score: float, today: dt.date) -> list[Problem]:
    warnings = []
    target = LIX_TARGET.get(source.front.audience)
    if target is not None and lix_score > target:
        warnings.append(Problem(source.path, None, f"LIX {lix_score} is above the target of {target} for "
                                                   f"{source.front.audience} leaflets: use shorter sentences and words"))
    if source.front.next_review < today:
        warnings.append(Problem(source.path, None, f"next_review {source.front.next_review} has passed: "
                                                   "review the leaflet and set a new date"))
    return warnings

"""`brevgen leaflet`: read -> check -> build -> render everything in memory -> write.

If any leaflet has an error, all errors are reported (file and line) and nothing is written.
Each leaflet gives NAME.pdf, NAME.html and NAME.json (the report: LIX, warnings, processes and
the times table they used, SHA-256 of each file).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import BrevgenError
from ..loading import dump_json, input_files
from ..output import file_entry, write_all
from ..processes import processing_times
from .build import Leaflet, build_leaflet
from .source import read_leaflet


def build_all(sources: Iterable[Path], today: dt.date) -> list[Leaflet]:
    """Every leaflet, or a BrevgenError listing every problem in all of them."""
    leaflets, problems = [], []
    for path in input_files(sources, (".md",)):
        try:
            leaflet, errors = build_leaflet(read_leaflet(path), today)
        except BrevgenError as exc:
            problems.append(str(exc))
            continue
        problems.extend(str(error) for error in errors)
        if leaflet:
            leaflets.append(leaflet)
    stems = [leaflet.stem for leaflet in leaflets]
    if len(set(stems)) != len(stems):
        problems.append("two leaflets have the same file name; their outputs would overwrite each other")
    if problems:
        raise BrevgenError("\n".join(problems))
    return leaflets


def report(leaflet: Leaflet, files: dict[str, bytes]) -> dict:
    front = leaflet.front
    return {
        "leaflet": leaflet.source.path.name,
        "title": front.title,
        "version": front.version,
        "audience": front.audience,
        "paper": front.paper,
        "approved": front.approved,
        "next_review": front.next_review,
        "lix": {"score": leaflet.lix.score, "band": leaflet.lix.band, "words": leaflet.lix.words,
                "sentences": leaflet.lix.sentences},
        "warnings": [str(w) for w in leaflet.warnings],
        "processes": [
            {"id": p.id, "provision": p.process.provision, "phases": [ph.kind.value for ph in p.phases],
             "weeks": p.weeks, "times_source": p.times_source, "times_published": p.times_published}
            for p in leaflet.processes
        ],
        "files": {fmt: file_entry(f"{leaflet.stem}.{fmt}", fmt, data) for fmt, data in files.items()},
    }


def report_lines(leaflet: Leaflet) -> list[str]:
    lines = [f"{leaflet.source.path.name}: {leaflet.front.audience}, {leaflet.front.paper}, "
             f"LIX {leaflet.lix.score} ({leaflet.lix.band}), processes: "
             f"{', '.join(p.id for p in leaflet.processes) or 'none'}"]
    return lines + [f"warning: {w}" for w in leaflet.warnings]


def render_leaflets(leaflets: list[Leaflet], out: Path, formats: tuple[str, ...] = ("pdf", "html"),
                    with_report: bool = True) -> dict[str, bytes]:
    from ..render.leaflet import render_leaflet_html, render_leaflet_pdf

    renderers = {"pdf": render_leaflet_pdf, "html": render_leaflet_html}
    files: dict[Path, bytes] = {}
    for leaflet in leaflets:
        rendered = {fmt: renderers[fmt](leaflet) for fmt in formats}
        files.update({f"{leaflet.stem}.{fmt}": data for fmt, data in rendered.items()})
        if with_report:
            files[f"{leaflet.stem}.json"] = dump_json(report(leaflet, rendered)).encode("utf-8")
    return files


def leaflet_job(sources: list[Path], out: Path, today: dt.date | None = None) -> Iterator[str]:
    leaflets = build_all(sources, today or dt.date.today())
    files = render_leaflets(leaflets, out)
    write_all(out, files, private=False)  # leaflets are public documents
    for leaflet in leaflets:
        yield from report_lines(leaflet)
    yield f"wrote {len(files)} files to {out}"


def rebuild_html(sources: list[Path], out: Path, today: dt.date | None = None) -> list[str]:
    """The web pages only (for --watch): quick, and errors are returned, not raised."""
    processing_times.cache_clear()  # the table may have been edited since the last build
    try:
        leaflets = build_all(sources, today or dt.date.today())
        files = render_leaflets(leaflets, out, formats=("html",), with_report=False)
        write_all(out, files, private=False)  # leaflets are public documents
    except BrevgenError as exc:  # the writer is about to fix it: keep watching
        return [f"error: {line}" for line in str(exc).splitlines()]
    lines = [line for leaflet in leaflets for line in report_lines(leaflet)]
    return lines + [f"rebuilt {len(files)} web page(s) in {out}"]

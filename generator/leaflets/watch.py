"""`brevgen leaflet --watch`: rebuild the web pages whenever a source file is saved.

Polls modification times (no extra dependency, works on every file system). Watched: every
file under the leaflet folders (Markdown and images), the process data, the processing-times
table and the leaflet templates. Ctrl-C stops it (the CLI catches KeyboardInterrupt).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable

from .. import paths
from ..processes import PROCESSES, TIMES_FILE
from .job import rebuild_html

Snapshot = dict[Path, int]


def watched_files(sources: Iterable[Path], out: Path) -> list[Path]:
    """Source files; never the output folder (writing there must not trigger another rebuild)."""
    files: list[Path] = []
    skip = out.resolve()
    for source in sources:
        folder = source if source.is_dir() else source.parent
        files += [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and not p.resolve().is_relative_to(skip)]
    files += sorted((paths.CONTENT / PROCESSES).glob("*.yaml"))
    files += [paths.CONTENT / TIMES_FILE, paths.TEMPLATES / "leaflet.html.j2", paths.TEMPLATES / "leaflet.css"]
    return sorted(set(files))


def snapshot(sources: Iterable[Path], out: Path) -> Snapshot:
    state: Snapshot = {}
    for path in watched_files(sources, out):
        try:
            state[path] = path.stat().st_mtime_ns
        except FileNotFoundError:  # removed between listing and stat
            pass
    return state


def poll(sources: list[Path], out: Path, before: Snapshot) -> tuple[Snapshot, list[str]]:
    """One step: if anything was saved, added or removed since `before`, rebuild. Returns the new state."""
    now = snapshot(sources, out)
    if now == before:
        return now, []
    return now, rebuild_html(sources, out)


def watch(sources: list[Path], out: Path, echo: Callable[[str], None], interval: float = 0.5) -> None:
    """Poll until interrupted (Ctrl-C raises KeyboardInterrupt out of the sleep)."""
    state = snapshot(sources, out)
    echo(f"watching {len(state)} files; press Ctrl-C to stop")
    while True:
        time.sleep(interval)
        state, lines = poll(sources, out, state)
        for line in lines:
            echo(line)

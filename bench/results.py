"""Write the latest figures into bench/RESULTS.md, between its markers, with machine and date."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path

from .benchmarks import SOFFICE, Row
from .subject import BENCH, CASE, KIND

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- latest:start -->", "<!-- latest:end -->"


def machine(load_at_start: float | None = None) -> str:
    import weasyprint

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))) // 1024**2
    office = subprocess.run([SOFFICE, "--version"], capture_output=True, text=True).stdout.strip() if SOFFICE else "not installed"
    # The 1-minute load average at the start says whether other work ran; at the end it includes
    # the benchmarks' own (two busy cores during the batch benchmarks).
    start = "?" if load_at_start is None else f"{load_at_start:.1f}"
    return (f"{os.cpu_count()} cores ({cpu}), {memory} GiB, load average {start} at the start and "
            f"{os.getloadavg()[0]:.1f} at the end; Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}; {office}")


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def table(rows: list[Row]) -> list[str]:
    lines = ["| # | compared (ours / theirs) | ours | theirs | ratio | goal | met | note |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ours, theirs = (f"{r.ours:.0f} MB", f"{r.theirs:.0f} MB") if r.number == "4b" and r.ours is not None else (seconds(r.ours), seconds(r.theirs))
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        lines.append(f"| {r.number} | {r.what} | {ours} | {theirs} | {ratio} | {r.goal} | {r.met} | {r.note} |")
    return lines


def record(rows: list[Row], options: dict, started: dt.datetime | None = None, load_at_start: float | None = None) -> Path:
    when = started or dt.datetime.now(dt.timezone.utc)
    block = [
        START,
        f"Measured {when:%Y-%m-%d %H:%M} UTC with `python -m bench` ({', '.join(f'{k}={v}' for k, v in options.items() if k != 'record')}); "
        "rows marked (earlier run) were not run this time and are kept from the previous record.",
        f"Machine: {machine(load_at_start)}.",
        f"The measured letter: {KIND}, `{CASE.relative_to(BENCH.parent)}`.",
        "",
        *table(rows),
        END,
    ]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"# Benchmark results\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    previous, tail = rest.split(END, 1)
    lines = table(rows)
    body = sorted(lines[2:] + kept_rows(previous, {r.number for r in rows}), key=lambda line: line.split("|")[1].strip())
    block = [*block[:block.index(lines[0])], *lines[:2], *body, END]
    RESULTS.write_text(head + "\n".join(block) + tail, encoding="utf-8")
    return RESULTS


def kept_rows(previous: str, measured: set[str]) -> list[str]:
    """Table rows of benchmarks not run this time, kept from the previous record and marked so."""
    kept = []
    for line in previous.splitlines():
        number = line.split("|")[1].strip() if line.startswith("| ") else ""
        if number and number != "#" and number not in measured:
            kept.append(line if "(earlier run)" in line else line.rstrip(" |") + " (earlier run) |")
    return kept

"""Benchmark 4: the transition batch (`brevgen transition invite`, issue 4), run cold.

A register of invented people is generated with as many letters as asked for: young people
turning 16 in the first quarter of 2011 + 16 years, each with one custody holder, alternating
channels. Peak memory is sampled from /proc for the whole process tree (the command and its
worker processes), every 50 ms, to the end of the run: the print bundle, built after the workers
have exited, is inside it, and its own peak (the command alone, workers gone) is reported too.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import time
from pathlib import Path

from . import subject

MEETING = "2027-02-10"  # the first-quarter 2027 meeting: young people born January-March 2011
CHANNELS = ("digital", "post", "quickpost")


def available() -> bool:
    result = subprocess.run(subject.brevgen("transition", "invite", "--help"), capture_output=True)
    return result.returncode == 0


def write_register(path: Path, letters: int) -> None:
    """letters/2 young people and one custody holder each (an odd count adds one young person)."""
    rows = []
    youths = (letters + 1) // 2
    for n in range(youths):
        born = dt.date(2011, 1, 1) + dt.timedelta(days=n % 89)
        youth = f"U{n + 1:05d}"
        rows.append([youth, "youth", "", f"Fiktiv Ung {n + 1}", born.isoformat(), f"Eksempelvej {n % 90 + 1}", "9999", "Eksempelby", CHANNELS[n % 3]])
        if len(rows) < letters:
            rows.append([f"F{n + 1:05d}", "custody", youth, f"Fiktiv Forælder {n + 1}", "", f"Eksempelvej {n % 90 + 1}", "9999", "Eksempelby", CHANNELS[(n + 1) % 3]])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "role", "youth_id", "name", "birth_date", "address", "postcode", "city", "channel"])
        writer.writerows(rows)


def tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def measure(letters: int, workers: int, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    register = work / "register.csv"
    write_register(register, letters)
    command = subject.brevgen("transition", "invite", "--register", register, "--meeting", MEETING, "--out", work / "out", "--workers", str(workers))
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = tail_peak = most = 0
    while process.poll() is None:
        rss, count = tree_rss_kb(process.pid), tree_size(process.pid)
        peak, most = max(peak, rss), max(most, count)
        if count < most:  # the render workers are gone: the print bundle, manifest and summary
            tail_peak = max(tail_peak, rss)
        # Every 50 ms: one sample (walking /proc for the tree) costs about 0.8 ms of CPU, which the
        # measured run, on two busy cores with two workers, would otherwise lose to this process.
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"brevgen transition invite exited {process.returncode}: {process.stderr.read().decode()[-2000:]}")
    bundles = sorted((work / "out").glob("print_bundle*.pdf"))  # every part of every postage class
    with (work / "out" / "manifest.csv").open(encoding="utf-8") as handle:
        paper = sum(1 for row in csv.DictReader(handle) if row["channel"] != "digital" and row["file"].endswith(".pdf"))
    return {"seconds": seconds, "peak_mb": peak / 1024, "bundle_phase_mb": tail_peak / 1024,
            "bundle_kb_per_letter": sum(b.stat().st_size for b in bundles) / 1024 / max(paper, 1) if bundles else None}


def tree_size(pid: int) -> int:
    """Processes in the tree (the command, its render workers, multiprocessing's resource tracker)."""
    count, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
            count += 1
        except (FileNotFoundError, ProcessLookupError):
            continue
    return count

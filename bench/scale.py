"""Benchmark 8 (issue 17): the transition batch at 100, 1,000 and 5,000 young people.

Per run: wall time per letter, and per phase (plan, resume check, render with the print-bundle
parts written as their letters finish, reports, commit) the time and the peak memory of the main
process and of each worker, sampled from /proc every 50 ms and attributed to the phase the run's
own log says it is in (`--log-format json --log-level INFO`: "phase started"/"phase done").
The machine's load average is recorded with each run. Registers are invented
(bench/scale_register.py). Results are appended to bench/scale_results.jsonl; `--table` prints
them as ratios against the 100-youth run, for bench/RESULTS.md.

    .venv/bin/python -m bench.scale 100 1000 5000 [--workers 2] [--rerun]
    .venv/bin/python -m bench.scale --table
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .scale_register import write_register

BREVGEN = Path(sys.executable).parent / "brevgen"
RESULTS = Path(__file__).resolve().parent / "scale_results.jsonl"
MEETING = "2027-02-10"
PHASES = ("plan", "resume-check", "render", "reports", "commit")


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                kids = [int(c) for c in (task / "children").read_text().split()]
                found.extend(kids)
                stack.extend(kids)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def run(register: Path, out: Path, workers: int) -> dict:
    command = [str(BREVGEN), "--log-format", "json", "--log-level", "INFO", "transition", "invite", "--register",
               str(register), "--meeting", MEETING, "--out", str(out), "--workers", str(workers)]
    load_start = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = {"phase": "plan", "marks": {"plan": 0.0}, "parts_written": 0}
    stdout: list[str] = []

    def read_stderr() -> None:
        for line in process.stderr:
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("message") == "phase started" and entry.get("phase") in PHASES:
                state["phase"] = entry["phase"]
                state["marks"][entry["phase"]] = time.perf_counter() - started
            elif entry.get("message") == "phase done" and entry.get("phase") == "plan":
                state["phase"] = "resume-check"
                state["marks"]["resume-check"] = time.perf_counter() - started
            elif entry.get("message") == "print part" and entry.get("written"):
                state["parts_written"] += 1

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    out_reader = threading.Thread(target=lambda: stdout.extend(process.stdout), daemon=True)
    out_reader.start()
    main_peak = {p: 0 for p in PHASES}
    worker_peak = {p: 0 for p in PHASES}
    tree_peak = {p: 0 for p in PHASES}
    seen: set[int] = set()  # child processes: workers (replaced every 500 letters each) and the resource tracker
    while process.poll() is None:
        phase = state["phase"]
        main = rss_kb(process.pid)
        pids = children(process.pid)
        seen.update(pids)
        kids = [rss_kb(k) for k in pids]
        main_peak[phase] = max(main_peak[phase], main)
        worker_peak[phase] = max([worker_peak[phase], *kids])
        tree_peak[phase] = max(tree_peak[phase], main + sum(kids))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    reader.join(5)
    out_reader.join(5)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"brevgen exited {process.returncode}")
    marks = state["marks"]
    order = [p for p in PHASES if p in marks]
    phase_seconds = {p: (marks[order[i + 1]] if i + 1 < len(order) else seconds) - marks[p] for i, p in enumerate(order)}
    return {"seconds": seconds, "phase_seconds": phase_seconds,
            "main_peak_mb": {p: v / 1024 for p, v in main_peak.items()},
            "worker_peak_mb": {p: v / 1024 for p, v in worker_peak.items()},
            "tree_peak_mb": {p: v / 1024 for p, v in tree_peak.items()},
            "parts_written": state["parts_written"], "child_processes_seen": len(seen),
            "summary": [line.rstrip() for line in stdout if "print bundle" in line or "written now" in line],
            "load_start": load_start, "load_end": os.getloadavg()}


def measure(youths: int, workers: int, rerun: bool, keep: Path | None) -> dict:
    with tempfile.TemporaryDirectory(dir=keep) as tmp:
        register = Path(tmp) / "register.csv"
        letters = write_register(register, youths)
        result = {"when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "youths": youths,
                  "letters": letters, "workers": workers, "cores": os.cpu_count(), **run(register, Path(tmp) / "out", workers)}
        result["rusage_children_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if rerun:
            again = run(register, Path(tmp) / "out", workers)
            result["rerun"] = {"seconds": again["seconds"], "parts_written": again["parts_written"],
                               "summary": again["summary"], "main_peak_mb": max(again["main_peak_mb"].values())}
    return result


def ratio_table(rows: list[dict]) -> str:
    base = {}
    for r in rows:
        if r["youths"] == 100 and r["workers"] == 2:
            base = r
    lines = ["| youths | letters | workers | load (start/end) | s per letter | ratio | main peak MB (phase) | worker peak MB | tree peak MB | ratio | bundle+reports s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        per = r["seconds"] / r["letters"]
        main = max(r["main_peak_mb"].values())
        phase = max(r["main_peak_mb"], key=r["main_peak_mb"].get)
        tree = max(r["tree_peak_mb"].values())
        worker = max(r["worker_peak_mb"].values())
        per_ratio = per / (base["seconds"] / base["letters"]) if base else float("nan")
        mem_ratio = tree / max(base["tree_peak_mb"].values()) if base else float("nan")
        tail = r["phase_seconds"].get("reports", 0) + r["phase_seconds"].get("commit", 0)
        lines.append(f"| {r['youths']:,} | {r['letters']:,} | {r['workers']} | {r['load_start'][0]:.1f}/{r['load_end'][0]:.1f} | "
                     f"{per:.3f} | {per_ratio:.2f} | {main:.0f} ({phase}) | {worker:.0f} | {tree:.0f} | {mem_ratio:.2f} | {tail:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("youths", nargs="*", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rerun", action="store_true", help="run again on the finished output (nothing changed)")
    parser.add_argument("--table", action="store_true", help="print the recorded runs as ratios")
    parser.add_argument("--tmp", type=Path, help="where the temporary output goes (default: the system's)")
    args = parser.parse_args()
    for youths in args.youths:
        result = measure(youths, args.workers, args.rerun, args.tmp)
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
        print(json.dumps(result, indent=1), flush=True)
    if args.table:
        rows = [json.loads(line) for line in RESULTS.read_text(encoding="utf-8").splitlines() if line.strip()]
        print(ratio_table(rows))


if __name__ == "__main__":
    main()

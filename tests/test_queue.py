"""The Celery queue with Redis (issue 15): two workers as separate processes, one killed mid-run
(SIGKILL), and the transition batch still completes with every letter exactly once, byte for byte
the letters the local process pool writes; and a worker's rendering process is replaced after
`--max-letters` letters (issue 17)."""

from __future__ import annotations

import collections
import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
MEETING = "2027-02-10"
CHANNELS = ("digital", "post", "quickpost")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def invented_register(path: Path, youths: int) -> None:
    """Every person fictitious: young people turning 16 in the meeting's quarter, two custody holders each."""
    rows = ["person_id,role,youth_id,name,birth_date,address,postcode,city,channel"]
    for n in range(youths):
        rows.append(f"Q{n},youth,,Ung{n} Fiktivsen,2011-{1 + n % 3:02d}-{1 + n % 28:02d},Købvej {n},9999,Eksempelby,digital")
        for k in (1, 2):
            rows.append(f"Q{n}P{k},custody,Q{n},Forælder{k} Fiktivsen,,Købvej {n},9999,Eksempelby,{CHANNELS[(n + k) % 3]}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                                "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def start_worker(url: str, name: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "brevgen"), "worker", "--broker", url, "--name", f"{name}@test"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def child_pids(pid: int) -> list[int]:
    return [int(n) for n in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie has exited


def letters(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "letters").iterdir())}


def test_batch_through_two_workers_survives_a_killed_worker(redis_url, tmp_path):
    register = tmp_path / "register.csv"
    invented_register(register, 20)  # 60 letters
    # A message a dead worker held goes back on the queue after this many seconds.
    env = {**os.environ, "BREVGEN_QUEUE_VISIBILITY": "4"}
    env.pop("BREVGEN_BROKER_URL", None)
    workers = [start_worker(redis_url, name, env) for name in ("one", "two")]
    try:
        out = tmp_path / "queue"
        run = subprocess.Popen([str(BIN / "brevgen"), "transition", "invite", "--register", str(register),
                                "--meeting", MEETING, "--out", str(out), "--broker", redis_url],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Kill worker one (SIGKILL: no clean-up, its current letter unacknowledged) once letters flow.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = len(list((out / "letters").glob("*.pdf"))) if (out / "letters").exists() else 0
            if done >= 8:
                break
            time.sleep(0.05)
        assert run.poll() is None, "the batch finished before a worker could be killed"
        children = child_pids(workers[0].pid)
        assert children  # the process that renders its letters (prefork pool)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        # Its rendering process dies with it (PR_SET_PDEATHSIG), not left behind rendering on its own.
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in children)
        stdout, stderr = run.communicate(timeout=240)
        assert run.returncode == 0, stderr
        assert "written now: 60; already there (kept unchanged): 0" in stdout
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

    # Every letter exactly once: 60 files, 60 manifest rows, no duplicates, no leftovers.
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 60 and len({r["file"] for r in rows}) == 60
    assert len(letters(out)) == 60 and not list(out.rglob("*.part"))

    # The same batch through the local process pool: the same bytes.
    local = tmp_path / "local"
    result = subprocess.run([str(BIN / "brevgen"), "transition", "invite", "--register", str(register),
                             "--meeting", MEETING, "--out", str(local)], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert letters(out) == letters(local)
    bundles = sorted(p.name for p in local.glob("print_bundle*.pdf"))
    assert bundles
    for name in ("manifest.csv", "summary.csv", "print_parts.csv", *bundles):
        assert (out / name).read_bytes() == (local / name).read_bytes(), name


def test_a_worker_replaces_its_rendering_process_after_max_letters(redis_url, tmp_path):
    """`brevgen worker --max-letters 4` (issue 17): the letters are rendered by a child process that
    a fresh one replaces after 4 letters, and each letter still comes back once, with the bytes
    the local pool renders. Which process rendered a letter is in the worker's log (`worker_pid`)."""
    register = tmp_path / "register.csv"
    invented_register(register, 3)  # 9 letters
    url = redis_url.rsplit("/", 1)[0] + "/1"  # a database of its own: nothing left from another test
    env = {k: v for k, v in os.environ.items() if k != "BREVGEN_BROKER_URL"}
    log = tmp_path / "worker.log"
    with log.open("w") as stderr:
        worker = subprocess.Popen([str(BIN / "brevgen"), "--log-level", "INFO", "--log-format", "json", "worker",
                                   "--broker", url, "--name", "recycled@test", "--max-letters", "4"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        out = tmp_path / "queue"
        run = subprocess.run([str(BIN / "brevgen"), "transition", "invite", "--register", str(register),
                              "--meeting", MEETING, "--out", str(out), "--broker", url],
                             env=env, capture_output=True, text=True, timeout=240)
        assert run.returncode == 0, run.stderr
        assert "written now: 9; already there (kept unchanged): 0" in run.stdout
        assert worker.poll() is None  # the worker itself lives on; only its rendering process is replaced
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)

    rendered = [entry for entry in (json.loads(line) for line in log.read_text().splitlines() if line.startswith("{"))
                if entry["logger"] == "brevgen.queue" and entry["message"] == "rendered"]
    # Each letter rendered once, 4 by each process, by three processes, none of them the worker's
    # own (which never loads WeasyPrint: its children are forked from it).
    assert sorted(entry["stem"] for entry in rendered) == sorted(f"letter {n}" for n in range(1, 10))
    per_process = collections.Counter(entry["worker_pid"] for entry in rendered)
    assert sorted(per_process.values(), reverse=True) == [4, 4, 1]
    assert worker.pid not in per_process

    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 9 and len({r["file"] for r in rows}) == 9
    local = tmp_path / "local"
    result = subprocess.run([str(BIN / "brevgen"), "transition", "invite", "--register", str(register),
                             "--meeting", MEETING, "--out", str(local)], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(letters(out)) == 9 and letters(out) == letters(local)


def test_a_rendering_process_forked_with_weasyprint_loaded_refuses_to_render(monkeypatch):
    """The guard behind the prefork pool: a child forked from a process that had loaded WeasyPrint
    (not fork-safe) renders nothing. (`brevgen worker`'s parent never loads it: the test above
    would fail if it did.)"""
    import weasyprint  # noqa: F401 - what a careless parent would hand down to its child

    from generator.queue import tasks

    monkeypatch.setattr(tasks, "forked_clean", True)
    tasks._note_fork()  # as Celery's worker_process_init signal calls it in a fresh child
    assert tasks.forked_clean is False
    with pytest.raises(RuntimeError, match="not fork-safe"):
        tasks.render_letter_task(None, "letter 1", None, ("pdf",), "any version")

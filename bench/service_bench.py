"""Benchmarks of brevgen as a service (issue 15): HTTP API latency and the queue-backed batch.

    .venv/bin/python bench/service_bench.py [--requests N] [--youths N] [--record]

1. **API render latency**: `POST /api/v1/cases/render` (PDF) of the decision letter of
   bench/subject.py, against a warm `brevgen serve` (uvicorn, one process, SQLite) on this
   machine, with 1, 4 and 16 concurrent clients; p50 and p95 of each request's time.
2. **Queue batch throughput**: `brevgen transition invite` on an invented register, letters per
   second through the Celery queue (Redis on 127.0.0.1) with 1 and 2 workers, against the local
   process pool with 1 and 2 processes, same register, same machine, same run.

Each result line carries the machine's load average at the time, since absolute numbers on a
shared two-core machine move with it. `--record` writes the table into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
BIN = Path(sys.executable).parent
RESULTS = BENCH / "RESULTS.md"
MARK_START, MARK_END = "<!-- service-bench -->", "<!-- /service-bench -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# --- 1. API latency -------------------------------------------------------------------------


def api_latency(work: Path, requests_per_level: int) -> list[dict]:
    import httpx

    from bench import subject

    case = json.loads(json.dumps(yaml.safe_load(subject.CASE.read_text(encoding="utf-8")), default=str))
    env = {**os.environ, "BREVGEN_DATA": str(work / "data")}
    made = subprocess.run([BIN / "brevgen", "token", "create", "--name", "bench", "--scope", "render", "--json"],
                          env=env, capture_output=True, text=True, check=True)
    token = json.loads(made.stdout)["token"]
    port = free_port()
    server = subprocess.Popen([BIN / "brevgen", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}/api/v1/cases/render"
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=300) as client:
            for _ in range(3):  # warm: renderers imported, fonts and templates loaded
                first = client.post(url, json=case, headers=headers)
                first.raise_for_status()
        import base64
        import io

        import pypdf

        pdf = base64.b64decode(first.json()["letters"][0]["files"][0]["content_base64"])
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        for clients in (1, 4, 16):
            times: list[float] = []
            lock = threading.Lock()
            per_client = max(1, requests_per_level // clients)

            def client_loop() -> None:
                with httpx.Client(timeout=300) as c:
                    for _ in range(per_client):
                        start = time.perf_counter()
                        response = c.post(url, json=case, headers=headers)
                        elapsed = time.perf_counter() - start
                        response.raise_for_status()
                        with lock:
                            times.append(elapsed)

            before = load()
            threads = [threading.Thread(target=client_loop) for _ in range(clients)]
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
            rows.append({"clients": clients, "requests": len(times), "p50_ms": percentile(times, 50) * 1000,
                         "p95_ms": percentile(times, 95) * 1000, "per_s": len(times) / wall, "pages": pages,
                         "load": f"{before} -> {load()}"})
            print(f"API render, {clients:>2} clients: p50 {rows[-1]['p50_ms']:.0f} ms, p95 {rows[-1]['p95_ms']:.0f} ms, "
                  f"{rows[-1]['per_s']:.1f} letters/s ({pages}-page letter; load {rows[-1]['load']})", flush=True)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return rows


# --- 2. queue throughput ----------------------------------------------------------------------


def invented_register(path: Path, youths: int) -> None:
    sys.path.insert(0, str(BENCH))
    from transition_bench import register

    register(path, youths)


def run_batch(register: Path, out: Path, extra: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([BIN / "brevgen", "transition", "invite", "--register", register, "--meeting", "2027-02-10",
                    "--out", out, *extra], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def queue_throughput(work: Path, youths: int) -> list[dict]:
    register = work / "register.csv"
    invented_register(register, youths)
    letters = youths * 3
    env = {**os.environ}
    env.pop("BREVGEN_BROKER_URL", None)
    rows = []
    for workers in (1, 2):
        before = load()
        seconds = run_batch(register, work / f"local-{workers}", ["--workers", str(workers)], env)
        rows.append({"how": f"local pool, {workers} process{'es' if workers > 1 else ''}", "letters": letters,
                     "seconds": seconds, "per_s": letters / seconds, "load": f"{before} -> {load()}"})
        print(f"{rows[-1]['how']}: {rows[-1]['per_s']:.1f} letters/s (load {rows[-1]['load']})", flush=True)
    port = free_port()
    redis = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind",
                              "127.0.0.1", "--dir", str(work), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for_port(port)
        for count in (1, 2):
            workers = [subprocess.Popen([BIN / "brevgen", "worker", "--broker", url, "--name", f"bench{i}@host"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(count)]
            try:
                time.sleep(4)  # the workers are started and warm, as in a running service
                before = load()
                seconds = run_batch(register, work / f"queue-{count}", ["--broker", url], env)
            finally:
                for w in workers:
                    w.terminate()
                for w in workers:
                    try:
                        w.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        w.kill()
            same = all((work / f"queue-{count}" / "letters" / p.name).read_bytes() == p.read_bytes()
                       for p in (work / "local-1" / "letters").iterdir())
            rows.append({"how": f"Celery queue, {count} worker{'s' if count > 1 else ''}", "letters": letters,
                         "seconds": seconds, "per_s": letters / seconds, "load": f"{before} -> {load()}",
                         "same_bytes": same})
            print(f"{rows[-1]['how']}: {rows[-1]['per_s']:.1f} letters/s, same bytes as local: {same} "
                  f"(load {rows[-1]['load']})", flush=True)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    return rows


# --- report ------------------------------------------------------------------------------------


def table(api_rows: list[dict], queue_rows: list[dict]) -> str:
    local1 = next(r for r in queue_rows if r["how"].startswith("local pool, 1"))
    lines = [
        MARK_START,
        "## Service (issue 15): HTTP API latency and the queue-backed batch",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}); `.venv/bin/python bench/service_bench.py --record`.",
        "Load average (1/5 min) before -> after each row; the other helpers' test runs share the machine.",
        "",
        f"**API render latency**: `POST /api/v1/cases/render` (PDF, {api_rows[0]['pages']}-page decision letter of "
        "bench/subject.py), warm `brevgen serve` (one uvicorn process, SQLite), clients on the same machine.",
        "",
        "| concurrent clients | requests | p50 | p95 | letters/s | load |",
        "|---|---|---|---|---|---|",
        *[f"| {r['clients']} | {r['requests']} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['per_s']:.1f} | {r['load']} |"
          for r in api_rows],
        "",
        "Renders in one server process take turns (WeasyPrint is not documented as thread-safe), so",
        "latency under concurrency grows with the queue of requests while throughput stays that of one",
        "core; more throughput comes from more server processes or instances (docs/operator.md).",
        "",
        f"**Batch throughput**: `brevgen transition invite`, invented register, {local1['letters']} letters, PDF only; "
        "queue workers started and warm before the run.",
        "",
        "| rendered by | seconds | letters/s | vs local pool, 1 process | load |",
        "|---|---|---|---|---|",
        *[f"| {r['how']} | {r['seconds']:.1f} | {r['per_s']:.1f} | {r['per_s'] / local1['per_s']:.2f}x | {r['load']} |"
          for r in queue_rows],
        "",
        "The queue's letters are byte for byte those of the local pool"
        + (" (checked in this run)." if all(r.get("same_bytes", True) for r in queue_rows) else ": NOT in this run."),
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def record(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if MARK_START in current:
        current = re.sub(re.escape(MARK_START) + r".*?" + re.escape(MARK_END) + r"\n?", lambda _m: text, current, flags=re.S)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=48, help="requests per concurrency level")
    parser.add_argument("--youths", type=int, default=30, help="young people in the invented register (3 letters each)")
    parser.add_argument("--record", action="store_true", help="write the results into bench/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        api_rows = api_latency(work, args.requests)
        queue_rows = queue_throughput(work, args.youths)
    text = table(api_rows, queue_rows)
    print(text)
    if args.record:
        record(text)


if __name__ == "__main__":
    main()

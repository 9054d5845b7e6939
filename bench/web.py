"""Benchmark 7: the web app against the cold CLI for the same letter.

7a: the live preview (a form post to a warm `brevgen serve`: validate, build, check, HTML of
every recipient) / a cold `brevgen letter --format html` of the same case.
7b: "Dan brev" (the same post to issue: PDF, DOCX and record per recipient, stored in the
database) / a cold `brevgen letter --format pdf,docx` of the same case.
The server runs in its own process with a fresh data folder; the client is httpx on loopback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from . import subject
from .timing import run, side_by_side

BIN = Path(sys.executable).parent
PASSWORD = "benchmark-kode-1"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_web(rounds: int, work: Path):
    from generator.web.forms import data_to_form
    from generator.web.pages_cases import yaml_safe

    from .benchmarks import Row, row

    data_dir = Path(tempfile.mkdtemp(prefix="brevgen-bench-web-", dir=work))
    env = dict(os.environ, BREVGEN_DATA=str(data_dir))
    env.pop("BREVGEN_DATABASE_URL", None)
    subprocess.run([str(BIN / "brevgen"), "user", "add", "--role", "caseworker", "--department",
                    yaml.safe_load(subject.CASE.read_text())["department"], "--password-stdin", "bench"],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([str(BIN / "brevgen"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=base, timeout=60)
        for _ in range(300):
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sager/ny").text).group(1)
        location = client.post("/sager/importer", files={"case_file": ("sag.yaml", subject.CASE.read_bytes())},
                               data={"csrf_token": csrf}).headers["location"]
        form: dict[str, list[str]] = {}
        for key, value in [*data_to_form(yaml_safe(yaml.safe_load(subject.CASE.read_text()))), ("csrf_token", csrf)]:
            form.setdefault(key, []).append(value)  # httpx: a repeated name as a list

        def preview():
            response = client.post(f"{location}/gem", data=form, headers={"HX-Request": "true"})
            assert response.status_code == 200 and "iframe" in response.text, response.status_code

        def issue():
            response = client.post(f"{location}/udsted", data=form)
            assert response.status_code == 303, response.status_code

        cli_html = run(subject.brevgen("letter", subject.CASE, "--out", work / "cli-html", "--format", "html"))
        cli_issue = run(subject.brevgen("letter", subject.CASE, "--out", work / "cli-issue", "--format", "pdf,docx"))
        return [
            row("7a", "web preview (warm server: form post -> checks + HTML per recipient) / cold `brevgen letter --format html`",
                side_by_side(preview, cli_html, rounds), "<= 0.25"),
            row("7b", "web \"Dan brev\" (PDF, DOCX, record stored) / cold `brevgen letter --format pdf,docx`",
                side_by_side(issue, cli_issue, rounds), "<= 1.0"),
        ]
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

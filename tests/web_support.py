"""Shared pieces for the web tests: a throwaway server process, accounts, a PostgreSQL server.

The server is `brevgen serve` in a subprocess on a free port with its own data folder, so the
tests drive exactly what an operator starts. PostgreSQL is started from Debian's packages
(installed by `make setup`) with initdb into a temporary folder, as the `postgres` user
(PostgreSQL refuses to run as root), on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
PASSWORD = "rigtig-kode-123"
ACCOUNTS = (("anna", "caseworker", "voksen"), ("bo", "caseworker", "boern"), ("jura", "lawyer", "voksen"),
            ("admin", "admin", "voksen"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_accounts(env: dict[str, str]) -> None:
    for username, role, department in ACCOUNTS:
        subprocess.run([str(BIN / "brevgen"), "user", "add", "--role", role, "--department", department,
                        "--password-stdin", username], input=PASSWORD + "\n", text=True, env=env, check=True,
                       capture_output=True)


def start_server(data: Path, url: str | None = None) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, BREVGEN_DATA=str(data))
    if url:
        env["BREVGEN_DATABASE_URL"] = url
    add_accounts(env)
    port = free_port()
    process = subprocess.Popen([str(BIN / "brevgen"), "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.1)
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
    process.kill()
    raise RuntimeError("the server did not start")


# --- a throwaway PostgreSQL --------------------------------------------------------------------


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: run `make setup` (it installs the postgresql package)")
    return versions[-1].parent


class PostgresServer:
    """`folder=None`: a fresh folder in /tmp (pytest's own is closed to the postgres user)."""

    def __init__(self, folder: Path | None = None):
        import tempfile

        self.folder = folder or Path(tempfile.mkdtemp(prefix="brevgen-pg-"))
        self.port = free_port()
        self.data = self.folder / "pgdata"

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{' '.join(command)}: {result.stderr or result.stdout}")

    def start(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            os.chmod(self.folder, 0o700)
        self._run(pg_bin() / "initdb", "-D", self.data, "-U", "brevgen", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run(pg_bin() / "pg_ctl", "-D", self.data, "-w", "-l", self.folder / "log",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F", "start")
        self._run(pg_bin() / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "brevgen", "brevgen")
        return f"postgresql+psycopg://brevgen@127.0.0.1:{self.port}/brevgen"

    def stop(self) -> None:
        self._run(pg_bin() / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

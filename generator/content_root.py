"""A content root: what it is (version), where a new one comes from (`brevgen init`), and the
provenance every record carries (which brevgen, which content, who, when).

The version of a content root names exactly the texts and rules a letter was made from:
`git:<commit>` when the root is a git checkout whose content folders have no uncommitted
changes, otherwise `sha256:<digest>` of every file (path and bytes) in the three folders.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import shutil
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import paths
from .errors import BrevgenError

OPERATOR_ENV = "BREVGEN_OPERATOR"

ROOT_README = """\
# Content root for brevgen

Created by `brevgen init` from brevgen's bundled example ("Eksempel Kommune", invented data).
Replace the example with the municipality's own, then validate it:

    brevgen check --root {root}

- `content/profile.yaml`, `content/logo.svg`: the municipality (name, departments, contact)
- `content/references.yaml`, `content/deadline_rules.yaml`, `content/complaint_routes.yaml`,
  `content/calendar.yaml`: the law as data (registry, deadline rules, complaint routes, closing days)
- `phrases/*.yaml`: the approved phrase library
- `templates/`: letter and leaflet layout (HTML/CSS, the Word template, fonts)
- `content/leaflets/`, `content/processes/`: process leaflets
- `content/transition/`: the 16-year meeting schedule and letter texts
- `content/examples/`: invented example input; `brevgen check` builds it, keep it or replace it

Use this root with `--root {root}` or `BREVGEN_ROOT={root}`.
"""


def brevgen_version() -> str:
    try:
        return metadata.version("brevgen")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def _git_version(root: Path) -> str | None:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if not top or Path(top).resolve() != root.resolve():
        return None  # a root inside someone else's repository is versioned by its files
    if git("status", "--porcelain", "--", *paths.FOLDERS) != "":
        return None  # uncommitted changes: the commit does not name these texts
    commit = git("rev-parse", "HEAD")
    return f"git:{commit}" if commit else None


def _files_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for name in paths.FOLDERS:
        for path in sorted((root / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"sha256:{digest.hexdigest()}"


@lru_cache(maxsize=None)
def root_version(root: Path | None = None) -> str:
    """`git:<commit>` or `sha256:<digest>` of the content root (default: the one in use)."""
    root = root or paths.root()
    return _git_version(root) or _files_digest(root)


_operator: str | None = None


def set_operator(name: str | None) -> None:
    """The operator for this process (`--operator`); None: BREVGEN_OPERATOR or the login name."""
    global _operator
    _operator = name


def operator() -> str:
    """Who runs brevgen: --operator, else BREVGEN_OPERATOR, else the login name."""
    name = _operator or os.environ.get(OPERATOR_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some containers)
        return "unknown"


def provenance(operator_name: str | None = None, now: dt.datetime | None = None) -> dict:
    """The `produced` block of a record. Kept in the JSON record only, never in the letter's
    bytes, so the same input still gives the same PDF."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return {
        "brevgen_version": brevgen_version(),
        "content_root_version": root_version(paths.root()),
        "operator": operator_name or operator(),
        "time": now.replace(microsecond=0).isoformat(),
    }


def init_root(target: Path, source: Path | None = None) -> list[str]:
    """Write a new content root to `target` from `source` (default: the root in use, normally the
    bundled example). Refuses to write over an existing content root."""
    source = source or paths.root()
    if not paths.is_root(source):
        raise BrevgenError(f"{source}: not a content root (needs {', '.join(paths.FOLDERS)})")
    existing = [name for name in (*paths.FOLDERS, "README.md") if (target / name).exists()]
    if existing:
        raise BrevgenError(f"{target}: already holds {', '.join(existing)}; nothing written (choose an empty folder)")
    if target.exists() and not target.is_dir():
        raise BrevgenError(f"{target}: is a file, expected a folder")
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", ".*")
    for name in paths.FOLDERS:
        shutil.copytree(source / name, target / name, ignore=ignore)
    (target / "README.md").write_text(ROOT_README.format(root=target), encoding="utf-8")
    return [f"wrote a content root to {target}: {', '.join(paths.FOLDERS)}, README.md",
            f"next: edit content/profile.yaml, then `brevgen check --root {target}`"]

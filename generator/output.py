"""Writing files: atomically, and named without personal data.

A job renders everything in memory first and writes only when all of it succeeded, so bad
input never leaves half a job behind; each file is written to a temporary name and renamed,
so a killed process never leaves half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .models import Role

ROLE_SLUGS = {
    Role.citizen: "borger",
    Role.guardian: "vaerge",
    Role.representative: "repraesentant",
    Role.custody: "foraelder",
    Role.youth: "ung",
}


def letter_stem(case_number: str, kind: str, index: int, role: Role) -> str:
    """e.g. 2026-0142_klagevejledning_2-vaerge: case number, kind, recipient number, role."""
    safe_case = "".join(c if c.isalnum() or c in "-." else "-" for c in case_number)
    return f"{safe_case}_{kind}_{index}-{ROLE_SLUGS[role]}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; letters are ordinary files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write a job's files (already fully rendered), each atomically."""
    for path, data in files.items():
        write_atomic(path, data)
    return list(files)

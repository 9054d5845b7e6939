"""The recipient-identity adapter: the case system's person id -> CPR number.

Case files and registers hold person ids, never CPR numbers; a CPR number is needed only inside
the message sent (MeMo recipientID) and for the platform's registration look-up. It is never
written to a record, a log line, a file name or an error message: errors name the person id.

`MappingFile` reads a CSV `person_id,cpr` (lines starting with # are comments). The bundled one
is invented example data; a municipality plugs in its case system here (docs/delivery.md).
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from ..errors import BrevgenError
from ..loading import read_text

CPR = re.compile(r"^\d{10}$")


class Identities(Protocol):
    def cpr(self, person_id: str) -> str | None:
        """The CPR number (10 digits) of a person id, or None if the person is unknown."""


class MappingFile:
    def __init__(self, path: Path):
        self.path = path
        self._cpr: dict[str, str] = {}
        text = "".join(line for line in io.StringIO(read_text(path)) if not line.lstrip().startswith("#"))
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"person_id", "cpr"} <= set(reader.fieldnames):
            raise BrevgenError(f"{path}: expected the columns person_id,cpr")
        for number, row in enumerate(reader, start=1):
            person_id, cpr = (row.get("person_id") or "").strip(), (row.get("cpr") or "").replace("-", "").strip()
            if not person_id or not CPR.match(cpr):
                # the value is a CPR number or a mistyped one: say where, never what
                raise BrevgenError(f"{path}: data row {number}: cpr: expected 10 digits (ddmmyyxxxx) and a person_id")
            self._cpr[person_id] = cpr

    def cpr(self, person_id: str) -> str | None:
        return self._cpr.get(person_id)

    def __contains__(self, person_id: str) -> bool:
        return person_id in self._cpr


@lru_cache(maxsize=8)
def mapping_file(path: Path) -> MappingFile:
    return MappingFile(path)


def identities(settings) -> Identities | None:
    """The configured adapter, or None when the profile names none (nothing can be sent then)."""
    if not settings.identities:
        return None
    from .settings import content_file

    return mapping_file(content_file(settings.identities, "identities"))

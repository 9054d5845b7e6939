"""The register extract for batch runs: a CSV file -> validated rows, and a report of bad rows.

One row per recipient (columns in README.md, "Transition invitations"). A bad row never stops
the run: it becomes a `RowError` (row number, field, problem) and the other rows go on. Problems
never repeat the value found, except for fields that hold no personal data (role, channel).
Row numbers are line numbers in the file; the header is line 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from .errors import BrevgenError
from .models import CPR_LIKE as _CPR_LIKE, PERSON_ID, Channel, Model, Recipient, Role

COLUMNS = ("person_id", "role", "youth_id", "name", "birth_date", "address", "postcode", "city", "channel")
ECHOABLE = frozenset({"role", "channel"})
PATTERN_PROBLEMS = {
    "postcode": "expected a Danish postcode of four digits, e.g. 9999",
    "person_id": "expected the case system's id: letters, digits, - or _ (at most 40)",
    "youth_id": "expected the young person's person_id: letters, digits, - or _ (at most 40)",
}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    problem: str


class RegisterRow(Model):
    row: int
    person_id: str = Field(pattern=PERSON_ID)
    role: Literal["youth", "custody"]
    youth_id: str | None = Field(default=None, pattern=PERSON_ID)
    name: str = Field(min_length=1)
    birth_date: dt.date | None = None
    address: str = Field(min_length=1)
    postcode: str = Field(pattern=r"^\d{4}$")
    city: str = Field(min_length=1)
    channel: Channel

    @field_validator("person_id", "youth_id")
    @classmethod
    def _not_a_cpr_number(cls, value: str | None) -> str | None:
        if value is not None and _CPR_LIKE.match(value):
            raise ValueError("looks like a CPR number; use the case system's person id")
        return value

    @property
    def recipient(self) -> Recipient:
        return Recipient(
            role=Role(self.role), name=self.name, address=(self.address,), postcode=self.postcode,
            city=self.city, channel=self.channel, person_id=self.person_id,
        )


@dataclass
class Register:
    youths: dict[str, RegisterRow] = field(default_factory=dict)  # person_id -> row
    custody: dict[str, list[RegisterRow]] = field(default_factory=dict)  # youth_id -> rows
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def read_register(path: Path) -> Register:
    """Read and check the register; raises BrevgenError only if the file as a whole is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # utf-8-sig: Excel writes a byte-order mark
    except FileNotFoundError:
        raise BrevgenError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise BrevgenError(f"{path}: not UTF-8 text (save the export as CSV UTF-8)") from None
    first_line = text.split("\n", 1)[0]
    # Danish spreadsheets export with semicolons; accept both.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise BrevgenError(f"{path}:1: header: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    reader.fieldnames = header
    register = Register()
    parsed: list[RegisterRow] = []
    bad_ids: dict[str, int] = {}
    for raw in reader:
        register.rows += 1
        row = _parse_row(raw, reader.line_num, register.errors)
        if row is None:
            person_id = (raw.get("person_id") or "").strip()
            if person_id:
                bad_ids.setdefault(person_id, reader.line_num)
            continue
        parsed.append(row)
    _link_rows(parsed, bad_ids, register)
    register.errors.sort(key=lambda e: (e.row, e.field))
    return register


def _parse_row(raw: dict, line: int, errors: list[RowError]) -> RegisterRow | None:
    values = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    data = {key: value for key, value in values.items() if value != ""}
    problems: list[RowError] = []
    if values["role"] == "youth" and not values["birth_date"]:
        problems.append(RowError(line, "birth_date", "required on a youth row (ISO date, e.g. 2011-02-14)"))
    if values["role"] == "custody" and not values["youth_id"]:
        problems.append(RowError(line, "youth_id", "required on a custody row (the person_id of the young person)"))
    try:
        row = RegisterRow(row=line, **data)
    except ValidationError as exc:
        row = None
        for problem in exc.errors(include_url=False):
            name = str(problem["loc"][0]) if problem["loc"] else "(row)"
            message = "this field is required" if problem["type"] == "missing" else problem["msg"]
            if problem["type"] == "string_pattern_mismatch":
                message = PATTERN_PROBLEMS.get(name, message)
            if name == "birth_date" and problem["type"] != "missing":
                message = "expected an ISO date that exists, e.g. 2011-02-14"
            if name in ECHOABLE and problem["type"] != "missing":
                message += f" (got {problem.get('input')!r})"
            problems.append(RowError(line, name, message.removeprefix("Value error, ")))
    if problems:
        errors.extend(problems)
        return None
    return row


def _link_rows(rows: list[RegisterRow], bad_ids: dict[str, int], register: Register) -> None:
    """Youth rows by id; custody rows under their young person. Links that fail are row errors."""
    for row in rows:
        if row.role != "youth":
            continue
        if row.person_id in register.youths:
            first = register.youths[row.person_id].row
            register.errors.append(RowError(row.row, "person_id", f"the same young person is on row {first}"))
            continue
        register.youths[row.person_id] = row
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.role != "custody":
            continue
        assert row.youth_id is not None
        if row.youth_id not in register.youths:
            if row.youth_id in bad_ids:
                problem = f"the young person's row {bad_ids[row.youth_id]} could not be used"
            else:
                problem = "no youth row has this person_id"
            register.errors.append(RowError(row.row, "youth_id", problem))
            continue
        key = (row.person_id, row.youth_id)
        if key in seen:
            register.errors.append(RowError(row.row, "person_id", f"the same custody holder is on row {seen[key]}"))
            continue
        seen[key] = row.row
        register.custody.setdefault(row.youth_id, []).append(row)

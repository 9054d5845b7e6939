"""The register extract for batch runs: a CSV file -> validated rows, and a report of bad rows.

One row per recipient (columns in README.md, "Transition invitations"). A bad row never stops
the run: it becomes a `RowError` (row number, field, problem) and the other rows go on. Problems
never repeat the value found, not even for role or channel (a name may have been typed there).
Row numbers are line numbers in the file; the header is line 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from .errors import BrevgenError
from .loading import MAX_TEXT_BYTES, read_text
from .personal import clean_text
from .scratch import Rows, scratch, walk
from .formatting import fits_window
from .models import PERSON_ID, WINDOW_PROBLEM, Channel, Model, Recipient, Role, not_a_cpr_number

COLUMNS = ("person_id", "role", "youth_id", "name", "birth_date", "address", "postcode", "city", "channel")
MAX_FIELD = 1000  # characters in one field; csv's own limit (128 KB) raised an exception
CLEANED = ("name", "address", "city")  # printed on the envelope: invisible characters removed
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
        return not_a_cpr_number(value)

    @model_validator(mode="after")
    def _fits_the_window(self) -> RegisterRow:
        if not fits_window((self.name, self.address, f"{self.postcode} {self.city}")):
            raise ValueError(WINDOW_PROBLEM)
        return self

    @property
    def recipient(self) -> Recipient:
        return Recipient(
            role=Role(self.role), name=self.name, address=(self.address,), postcode=self.postcode,
            city=self.city, channel=self.channel, person_id=self.person_id,
        )


class Register:
    """The register's rows, kept in a scratch database (scratch.py), not in memory: a register of
    any length is read, linked and walked within the same memory (issue 17).

    `youths` (person_id -> the young person's row, in register order), `custody` (youth_id ->
    its custody holders' rows, in register order), `errors` (sorted by row and field) and
    `warnings` read the database each time they are used."""

    SCHEMA = """
        CREATE TABLE row (line INTEGER PRIMARY KEY, person_id TEXT, role TEXT, youth_id TEXT, name TEXT,
                          birth_date TEXT, address TEXT, postcode TEXT, city TEXT, channel TEXT);
        CREATE INDEX row_person ON row (role, person_id);
        CREATE TABLE youth (person_id TEXT PRIMARY KEY, line INTEGER UNIQUE);  -- first row per young person
        CREATE TABLE custody (line INTEGER PRIMARY KEY, youth_id TEXT, person_id TEXT, UNIQUE (youth_id, person_id));
        CREATE TABLE bad_id (person_id TEXT PRIMARY KEY, line INTEGER);  -- first unusable row per id
        CREATE TABLE problem (n INTEGER PRIMARY KEY, kind TEXT, line INTEGER, field TEXT, text TEXT);
        CREATE INDEX problem_order ON problem (kind, line, field, n);
    """

    def __init__(self) -> None:
        self.db = scratch(self.SCHEMA)
        self.rows = 0  # data rows read (the header not counted)
        self.youths = _Youths(self.db)
        self.custody = _Custody(self.db)
        self.errors = _Problems(self.db, "error", "line, field, n")
        self.warnings = _Problems(self.db, "warning", "n")  # rows used, but changed (cleaned)

    def add(self, kind: str, problem: RowError) -> None:
        self.db.execute("INSERT INTO problem (kind, line, field, text) VALUES (?, ?, ?, ?)",
                        (kind, problem.row, problem.field, problem.problem))

    def rows_with_errors(self) -> int:
        return self.db.execute("SELECT COUNT(DISTINCT line) FROM problem WHERE kind = 'error'").fetchone()[0]

    def youths_by_id(self) -> Iterator[RegisterRow]:
        """Every young person's row, in order of person_id."""
        for _, line in walk(self.db, "SELECT person_id, line FROM youth WHERE {after}", "person_id"):
            yield _row(self.db, line)

    def row(self, line: int, channel: Channel | None = None) -> RegisterRow:
        """The row read from line `line`; with `channel`, as if that channel had been typed."""
        return _row(self.db, line, channel)


ROW_COLUMNS = ("line", *COLUMNS)


def _row(db, line: int, channel: Channel | None = None) -> RegisterRow:
    values = dict(zip(COLUMNS, db.execute(f"SELECT {', '.join(COLUMNS)} FROM row WHERE line = ?", (line,)).fetchone()))
    values["birth_date"] = dt.date.fromisoformat(values["birth_date"]) if values["birth_date"] else None
    values["channel"] = channel or Channel(values["channel"])
    return RegisterRow.model_construct(row=line, **values)  # checked when it was read: not validated again


class _Youths(Mapping):
    def __init__(self, db) -> None:
        self.db = db

    def __getitem__(self, person_id: str) -> RegisterRow:
        found = self.db.execute("SELECT line FROM youth WHERE person_id = ?", (person_id,)).fetchone()
        if found is None:
            raise KeyError(person_id)
        return _row(self.db, found[0])

    def __iter__(self) -> Iterator[str]:
        for _, person_id in walk(self.db, "SELECT line, person_id FROM youth WHERE {after}", "line"):
            yield person_id

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM youth").fetchone()[0]


class _Custody(Mapping):
    def __init__(self, db) -> None:
        self.db = db

    def __getitem__(self, youth_id: str) -> list[RegisterRow]:
        lines = [line for (line,) in self.db.execute("SELECT line FROM custody WHERE youth_id = ? ORDER BY line",
                                                      (youth_id,))]
        if not lines:
            raise KeyError(youth_id)
        return [_row(self.db, line) for line in lines]

    def count(self, youth_id: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM custody WHERE youth_id = ?", (youth_id,)).fetchone()[0]

    def __iter__(self) -> Iterator[str]:
        return (youth_id for (youth_id,) in self.db.execute(
            "SELECT youth_id FROM custody GROUP BY youth_id ORDER BY MIN(line)").fetchall())

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(DISTINCT youth_id) FROM custody").fetchone()[0]


class _Problems(Rows):
    def __init__(self, db, kind: str, order: str) -> None:
        self.db, self.kind, self.order = db, kind, order

    def __iter__(self) -> Iterator[RowError]:
        query = f"SELECT line, field, text FROM problem WHERE kind = ? ORDER BY {self.order}"
        return (RowError(*values) for values in self.db.execute(query, (self.kind,)))

    def at(self, position: int) -> RowError:
        query = f"SELECT line, field, text FROM problem WHERE kind = ? ORDER BY {self.order} LIMIT 1 OFFSET ?"
        return RowError(*self.db.execute(query, (self.kind, position)).fetchone())

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM problem WHERE kind = ?", (self.kind,)).fetchone()[0]


def read_register(path: Path) -> Register:
    """Read and check the register; raises BrevgenError only if the file as a whole is unusable."""
    text = read_text(path, limit=MAX_TEXT_BYTES, encoding="utf-8-sig")  # utf-8-sig: Excel writes a byte-order mark
    first_line = text.split("\n", 1)[0]
    # Danish spreadsheets export with semicolons; accept both.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    del text  # the StringIO holds its own copy
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise BrevgenError(f"{path}:1: header: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    reader.fieldnames = header
    register = Register()
    with register.db:  # one transaction
        for raw in _rows(reader, path):
            register.rows += 1
            row = _parse_row(raw, reader.line_num, register)
            if row is None:
                person_id = (raw.get("person_id") or "").strip()
                if person_id:
                    register.db.execute("INSERT OR IGNORE INTO bad_id VALUES (?, ?)", (person_id, reader.line_num))
                continue
            register.db.execute(f"INSERT INTO row VALUES ({', '.join('?' * len(ROW_COLUMNS))})",
                                (row.row, *(_stored(getattr(row, column)) for column in COLUMNS)))
        _link_rows(register)
    return register


def _stored(value):
    return value.value if isinstance(value, Channel) else value.isoformat() if isinstance(value, dt.date) else value


def _rows(reader: csv.DictReader, path: Path) -> Iterator[dict]:
    """The rows, with csv's own errors (an unclosed quote, a field over csv's limit) as ours."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise BrevgenError(f"{path}:{reader.line_num}: not readable as CSV (an unclosed quote, or a field "
                               f"over {MAX_FIELD} characters); fix the row or export the register again") from None


def _parse_row(raw: dict, line: int, register: Register) -> RegisterRow | None:
    problems: list[RowError] = []
    if raw.get(None):  # more values than columns: shifted columns, never guessed at
        problems.append(RowError(line, "(row)", f"more values than the {len(COLUMNS)} columns of the header "
                                                "(a comma or semicolon inside a value? quote it)"))
    values = {}
    for column in COLUMNS:
        value = (raw.get(column) or "").strip()
        if len(value) > MAX_FIELD:
            problems.append(RowError(line, column, f"longer than {MAX_FIELD} characters"))
            value = ""
        if column in CLEANED:
            value, changed = clean_text(value)
            if changed:
                register.add("warning", RowError(line, column, "invisible or control characters removed "
                                                               "(bidi overrides, zero-width, line breaks)"))
        values[column] = value
    data = {key: value for key, value in values.items() if value != ""}
    if values["role"] == "youth" and not values["birth_date"]:
        problems.append(RowError(line, "birth_date", "required on a youth row (ISO date, e.g. 2011-02-14)"))
    if values["role"] == "custody" and not values["youth_id"]:
        problems.append(RowError(line, "youth_id", "required on a custody row (the person_id of the young person)"))
    try:
        row = RegisterRow(row=line, **data)
    except ValidationError as exc:
        row = None
        for problem in exc.errors(include_url=False):
            name = str(problem["loc"][0]) if problem["loc"] else ("address" if WINDOW_PROBLEM in problem["msg"] else "(row)")
            message = "this field is required" if problem["type"] == "missing" else problem["msg"]
            if problem["type"] == "string_pattern_mismatch":
                message = PATTERN_PROBLEMS.get(name, message)
            if name == "birth_date" and problem["type"] != "missing":
                message = "expected an ISO date that exists, e.g. 2011-02-14"
            problems.append(RowError(line, name, message.removeprefix("Value error, ")))
    if problems:
        for problem in problems:
            register.add("error", problem)
        return None
    return row


def _link_rows(register: Register) -> None:
    """Youth rows by id; custody rows under their young person. Links that fail are row errors:
    the first row of a young person (or of a custody holder of one young person) is used, a later
    one is an error naming the first."""
    db = register.db
    db.execute("INSERT INTO youth SELECT person_id, MIN(line) FROM row WHERE role = 'youth' GROUP BY person_id")
    db.execute("""INSERT INTO problem (kind, line, field, text)
                  SELECT 'error', row.line, 'person_id', 'the same young person is on row ' || youth.line
                  FROM row JOIN youth USING (person_id) WHERE row.role = 'youth' AND row.line != youth.line""")
    db.execute("""INSERT INTO problem (kind, line, field, text)
                  SELECT 'error', row.line, 'youth_id', CASE WHEN bad_id.line IS NULL THEN 'no youth row has this person_id'
                         ELSE 'the young person''s row ' || bad_id.line || ' could not be used' END
                  FROM row LEFT JOIN bad_id ON bad_id.person_id = row.youth_id
                  WHERE row.role = 'custody' AND row.youth_id NOT IN (SELECT person_id FROM youth)""")
    db.execute("""INSERT INTO custody SELECT MIN(line), youth_id, person_id FROM row
                  WHERE role = 'custody' AND youth_id IN (SELECT person_id FROM youth) GROUP BY youth_id, person_id""")
    db.execute("""INSERT INTO problem (kind, line, field, text)
                  SELECT 'error', row.line, 'person_id', 'the same custody holder is on row ' || custody.line
                  FROM row JOIN custody ON custody.youth_id = row.youth_id AND custody.person_id = row.person_id
                  WHERE row.role = 'custody' AND row.line != custody.line""")

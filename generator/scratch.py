"""Scratch storage for whatever grows with a batch: an anonymous SQLite database on disk.

Issue 17: the main process of a batch keeps within a bound that does not depend on the number
of letters. So what it must remember per register row, per letter or per file (the rows, each
letter's fingerprint and title, each file's SHA-256, which part a letter is printed in, which
files the commit moves) is kept in a scratch database rather than in Python objects, and read
back when it is needed. Only SQLite's page cache is held in memory, at most CACHE_KIB.

The database has no name: SQLite creates it in the system's temporary folder, unlinks it as soon
as it is opened (so no other process can open it, and a killed process leaves nothing behind; it
holds names and addresses) and frees it when it is closed.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Sequence
from typing import Iterator

from .errors import BrevgenError

CACHE_KIB = 1024  # SQLite's page cache per database; beyond it, pages live in the (unlinked) file
CHUNK = 1000  # rows read at a time when a table is walked


# SQLite's own answers when its file cannot be made or written: a full or read-only temporary
# folder is the machine's problem, said as such, not an internal error.
DISK_PROBLEMS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")


def folder() -> str:
    """The folder SQLite puts its scratch files in (its Unix rule: the first of these that is a
    folder this process may write in)."""
    for candidate in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return "."


def said(exc: sqlite3.OperationalError) -> Exception:
    """What to raise for `exc`: a disk problem as a message for the user; anything else (a bug in
    our SQL) as it is."""
    if not (getattr(exc, "sqlite_errorname", "") or "").startswith(DISK_PROBLEMS):
        return exc
    return BrevgenError(
        f"{folder()}: the temporary folder is full or cannot be written ({exc.sqlite_errorname}); "
        "brevgen keeps a run's bookkeeping there while it runs (about 1 KB per letter). Free some "
        "space, or set SQLITE_TMPDIR to a folder with room; nothing was written")


def _reported(method):
    """`method` (of sqlite3's own classes), with a disk problem said as such (`said`). A plain
    try costs nothing when nothing is raised: these run for every row a batch reads."""
    @functools.wraps(method)
    def reported(self, *args):
        try:
            return method(self, *args)
        except sqlite3.OperationalError as exc:
            raise said(exc) from None
    return reported


class _Cursor(sqlite3.Cursor):
    execute = _reported(sqlite3.Cursor.execute)
    executemany = _reported(sqlite3.Cursor.executemany)
    executescript = _reported(sqlite3.Cursor.executescript)
    fetchone = _reported(sqlite3.Cursor.fetchone)
    fetchmany = _reported(sqlite3.Cursor.fetchmany)
    fetchall = _reported(sqlite3.Cursor.fetchall)
    __next__ = _reported(sqlite3.Cursor.__next__)


class _Connection(sqlite3.Connection):
    """Every statement runs on a _Cursor, so a disk problem is reported wherever it surfaces."""

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, *args):
        return self.cursor().execute(*args)

    def executemany(self, *args):
        return self.cursor().executemany(*args)

    def executescript(self, *args):
        return self.cursor().executescript(*args)

    commit = _reported(sqlite3.Connection.commit)
    __exit__ = _reported(sqlite3.Connection.__exit__)


class Rows(Sequence):
    """A sequence kept in a scratch database: subclasses give its length and its item at a
    position (0 <= position < len); indexing takes negative positions and slices, as a list does."""

    def at(self, position: int):
        raise NotImplementedError

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.at(i) for i in range(*index.indices(len(self)))]
        length = len(self)
        position = index + length if index < 0 else index
        if not 0 <= position < length:
            raise IndexError(index)
        return self.at(position)


def scratch(schema: str) -> sqlite3.Connection:
    """A new scratch database with the tables of `schema` (SQL statements)."""
    db = sqlite3.connect("", check_same_thread=False, factory=_Connection)  # writes in a transaction, committed by `with db:`
    # Nothing here must survive a crash (a killed run starts again from its staged files):
    # no rollback journal, no fsync.
    db.executescript(f"PRAGMA cache_size=-{CACHE_KIB}; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                     "PRAGMA temp_store=FILE;" + schema)
    return db


def walk(db: sqlite3.Connection, query: str, key: str, **params) -> Iterator[tuple]:
    """The rows of `query` (a SELECT whose first column is `key`, unique, with `{after}` where
    the condition `key > :after` goes; other parameters by name) in order of `key`, read CHUNK
    rows at a time.

    Each chunk is a query of its own, so the caller may write to the same database between rows
    (SQLite leaves undefined what an open SELECT sees of writes to the table it reads)."""
    first = query.format(after="1") + f" ORDER BY {key} LIMIT {CHUNK}"
    rest = query.format(after=f"{key} > :after") + f" ORDER BY {key} LIMIT {CHUNK}"
    rows = db.execute(first, params).fetchall()
    while True:
        yield from rows
        if len(rows) < CHUNK:
            return
        rows = db.execute(rest, {**params, "after": rows[-1][0]}).fetchall()

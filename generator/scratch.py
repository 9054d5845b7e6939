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

import sqlite3
from typing import Iterator

CACHE_KIB = 1024  # SQLite's page cache per database; beyond it, pages live in the (unlinked) file
CHUNK = 1000  # rows read at a time when a table is walked


def scratch(schema: str) -> sqlite3.Connection:
    """A new scratch database with the tables of `schema` (SQL statements)."""
    db = sqlite3.connect("", check_same_thread=False)  # writes in a transaction, committed by `with db:`
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

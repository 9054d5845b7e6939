"""Issue 17, point 3: what grows with a batch is kept in scratch databases on disk (scratch.py),
not in the main process's memory, and those databases are never visible in the file system."""

from __future__ import annotations

import datetime as dt
import gc
import os
import tracemalloc
from pathlib import Path

from generator.batch import plan_run
from generator.resume import read_manifest
from generator.scratch import scratch, walk

HEADER = "person_id,role,youth_id,name,birth_date,address,postcode,city,channel\n"
CHANNELS = ("digital", "post", "quickpost")


def register(path: Path, youths: int) -> Path:
    """Invented young people turning 16 in the first quarter of 2027, two in three with a custody holder."""
    lines = [HEADER]
    for n in range(youths):
        born = dt.date(2011, 1, 1) + dt.timedelta(days=n % 89)
        lines.append(f"U{n},youth,,Fiktiv Ung {n},{born},Eksempelvej {n % 90 + 1},9999,Eksempelby,{CHANNELS[n % 3]}\n")
        if n % 3:
            lines.append(f"F{n},custody,U{n},Fiktiv Forælder {n},,Eksempelvej {n % 90 + 1},9999,Eksempelby,post\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def held_after_planning(path: Path) -> tuple[int, int]:
    """Python memory held while the plan is alive (bytes), and its number of letters."""
    gc.collect()
    before = tracemalloc.take_snapshot()
    plan = plan_run(path, dt.date(2027, 2, 10), None, False)
    gc.collect()
    held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    return held, len(plan.addressees)


def test_planning_holds_the_same_memory_for_ten_times_the_letters(tmp_path):
    small, large = register(tmp_path / "small.csv", 20), register(tmp_path / "large.csv", 200)
    plan_run(small, dt.date(2027, 2, 10), None, False)  # load texts, locale data and caches first
    tracemalloc.start()
    try:
        held_small, letters_small = held_after_planning(small)
        held_large, letters_large = held_after_planning(large)
    finally:
        tracemalloc.stop()
    assert (letters_small, letters_large) == (33, 333)
    # Before the scratch databases, the plan held about 2 KB of Python objects per letter
    # (600 KB more here); now only what does not depend on the number of letters.
    assert held_large - held_small < 100_000, (held_small, held_large)


def test_an_earlier_manifest_is_read_into_scratch_not_memory(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,input_fingerprint,sha256\n"
                        + "".join(f"letters/x{n}.pdf,fp{n},sha{n}\n" for n in range(5000))
                        + "letters/x7.pdf,again,later\n", encoding="utf-8")
    tracemalloc.start()
    try:
        recorded = read_manifest(manifest)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 100_000  # a dict of 5,000 rows took about 1 MB
    assert len(recorded) == 5000 and recorded["letters/x4999.pdf"] == ("fp4999", "sha4999")
    assert recorded["letters/x7.pdf"] == ("again", "later")  # the last row of a file counts
    assert "letters/x5000.pdf" not in recorded
    manifest.write_bytes(b"file,sha256\n\xff\xfe broken")
    assert len(read_manifest(manifest)) == 0  # unreadable: nothing reused on its word


def open_files() -> dict[str, str]:
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return found


def test_a_scratch_database_spills_to_disk_without_a_name():
    # It holds names and addresses: no other process may open it, and a killed run leaves nothing.
    before = open_files()
    db = scratch("CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT);")
    db.executemany("INSERT INTO t (text) VALUES (?)", (("Fiktiv Navnesen " * 20,) for _ in range(20_000)))
    spilled = [name for fd, name in open_files().items() if fd not in before]
    assert len(spilled) == 1 and spilled[0].endswith(" (deleted)")  # on disk (6 MB), but unlinked
    assert not Path(spilled[0].removesuffix(" (deleted)")).exists()
    # Walked in chunks, in order, while the caller writes to the database between rows.
    seen = []
    for n, _ in walk(db, "SELECT n, text FROM t WHERE {after}", "n"):
        seen.append(n)
        if n % 5000 == 0:
            db.execute("INSERT INTO t (text) VALUES ('one more')")
    assert seen == list(range(1, 20_005))
    db.close()


def test_the_sequences_kept_in_scratch_behave_like_lists(tmp_path):
    plan = plan_run(register(tmp_path / "r.csv", 6), dt.date(2027, 2, 10), None, False)
    people = list(plan.addressees)
    assert len(people) == 10
    assert plan.addressees[-1] == people[-1] and plan.addressees[1:4] == people[1:4]
    assert plan.addressees[::-3] == people[::-3]
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "".join(f"U{n},youth,,Fiktiv {n},2011-13-01,Vej 1,9999,By,post\n" for n in range(3)),
                   encoding="utf-8")
    errors = plan_run(bad, dt.date(2027, 2, 10), None, False).register.errors
    assert [e.row for e in errors] == [2, 3, 4] and errors[-1].row == 4 and [e.row for e in errors[-2:]] == [3, 4]
    for sequence in (plan.addressees, errors):
        for outside in (len(sequence), -len(sequence) - 1):
            try:
                sequence[outside]
            except IndexError:
                continue
            raise AssertionError(f"{outside} is outside {len(sequence)}")

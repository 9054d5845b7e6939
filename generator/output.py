"""Writing files: all or nothing per run, under a lock, named without personal data.

A run writes through one `OutputFolder`:

- a lock on the output folder (flock on the folder itself): a second run into the same folder
  is refused with a message while the first is writing;
- every file goes to a staging folder inside the output folder (same file system, so moving in
  is a rename), each written to a temporary name, fsynced and renamed (a killed process never
  leaves half a file);
- only when the whole run succeeded are the staged files moved into place; a file that cannot
  be replaced undoes the moves already made, so a failing run (disk full, a read-only target,
  a bad case found late) leaves the output folder as it was;
- files are created with the process umask respected; letters, bundles, records and overviews
  are owner-only (0600 before the umask) unless the caller says they are public (leaflets).

The staging folder survives only a killed process; the transition batch resumes from it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import BrevgenError
from .models import Role
from .scratch import scratch, walk

ROLE_SLUGS = {
    Role.citizen: "borger",
    Role.guardian: "vaerge",
    Role.representative: "repraesentant",
    Role.custody: "foraelder",
    Role.youth: "ung",
}

STAGING = ".brevgen-staging"
MAX_NAME = 200  # bytes in a file name (file systems allow 255; a case number is checked first)


def letter_stem(case_number: str, kind: str, index: int, role: Role) -> str:
    """e.g. 2026-0142_klagevejledning_2-vaerge: case number, kind, recipient number, role."""
    safe_case = "".join(c if c.isalnum() or c in "-." else "-" for c in case_number)
    return f"{safe_case}_{kind}_{index}-{ROLE_SLUGS[role]}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_entry(name: str, fmt: str, data: bytes) -> dict:
    """A rendered file as a letter's JSON record lists it: name and SHA-256, and for a PDF its
    number of pages (issue 14: a sheet more is a cost; remote print bills per sheet)."""
    entry: dict = {"name": name, "sha256": sha256(data)}
    if fmt == "pdf":
        import pikepdf  # only when a PDF is listed: a DOCX-only run does not load it

        with pikepdf.open(io.BytesIO(data)) as pdf:
            entry["pages"] = len(pdf.pages)
    return entry


def file_mode(private: bool) -> int:
    """0600 (private) or 0666 (public), less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o600 if private else 0o666) & ~umask


def _os_problem(path: Path, exc: OSError) -> BrevgenError:
    """A write error as one line naming the place and what to do; nothing of the run was kept."""
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        why = "the disk is full; free some space and run again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = "cannot write here (read-only or no permission); choose another --out"
    elif exc.errno == errno.ENOTDIR:
        why = "a file is in the way where a folder is needed; choose another --out"
    elif exc.errno == errno.EISDIR:
        why = "a folder is in the way where a file is written; move it away"
    elif exc.errno == errno.ENAMETOOLONG:
        why = "a file name is too long"
    else:
        why = f"cannot write ({exc.strerror or type(exc).__name__})"
    return BrevgenError(f"{path}: {why}; the output folder is as it was before this run")


def write_atomic(path: Path, data: bytes, private: bool = True) -> None:
    """One file, via a temporary name in the same folder: complete or absent, never half."""
    with open_atomic(path, private) as handle:
        handle.write(data)


@contextlib.contextmanager
def open_atomic(path: Path, private: bool = True) -> Iterator[BinaryIO]:
    """A file written piece by piece (a manifest of any length), complete or absent, never half."""
    # A unique temporary name (two writers of one file never share it); mkstemp makes it 0600,
    # then it gets the mode the file should have. The folder is made only when it is missing:
    # a batch writes thousands of files into a few folders.
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temporary = Path(name)
    try:
        os.fchmod(fd, file_mode(private))
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class OutputFolder:
    """`with OutputFolder(out) as folder: folder.put("a.pdf", data) ...`: moved in at a clean exit.

    `keep_staged`: files staged by an earlier, killed run stay for this run to reuse (the
    transition batch checks their fingerprints); otherwise they are cleared at the start."""

    JOURNAL = """
        CREATE TABLE put (n INTEGER PRIMARY KEY, relative TEXT UNIQUE);  -- staged: moved in at commit
        CREATE TABLE retire (n INTEGER PRIMARY KEY, relative TEXT UNIQUE, target TEXT);  -- in out: moved elsewhere in it
        CREATE TABLE remove (relative TEXT PRIMARY KEY);  -- in out: deleted at commit
        CREATE TABLE done (n INTEGER PRIMARY KEY, target TEXT, backup TEXT, source TEXT);  -- moves made: undone on failure
    """

    def __init__(self, out: Path, keep_staged: bool = False):
        self.out = out
        self.staging = out / STAGING
        self.keep_staged = keep_staged
        self._created: list[Path] = []  # folders this run created (removed again on failure)
        self._lock_fd: int | None = None
        # What the commit does, kept on disk (scratch.py): a batch stages any number of files.
        self._journal = scratch(self.JOURNAL)

    # --- opening: check, create, lock ------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        if self.out.exists() and not self.out.is_dir():
            raise BrevgenError(f"{self.out}: --out is a file; expected a folder (or a name that does not exist yet)")
        try:
            missing = [p for p in (self.out, *self.out.parents) if not p.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                self._created.append(folder)
            self._lock()
            if self.staging.exists() and not self.keep_staged:
                shutil.rmtree(self.staging)
            self.staging.mkdir(exist_ok=True)
        except OSError as exc:
            self._release()
            raise _os_problem(self.out, exc) from None
        except BaseException:
            self._release()
            raise
        return self

    def _lock(self) -> None:
        self._lock_fd = os.open(self.out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise BrevgenError(f"{self.out}: another brevgen run is writing into this folder; "
                               "wait until it has finished, or choose another --out") from None

    # --- writing ---------------------------------------------------------------------------------

    def staged(self, relative: str) -> Path:
        return self.staging / relative

    def put(self, relative: str, data: bytes, private: bool = True) -> None:
        """Stage one file (written now, moved in at commit)."""
        path = self.staging / relative
        if len(path.name.encode()) > MAX_NAME:
            raise BrevgenError(f"{relative}: the file name would be longer than {MAX_NAME} bytes; "
                               "shorten the case number")
        try:
            write_atomic(path, data, private)
        except OSError as exc:
            raise _os_problem(self.out / relative, exc) from None
        self.adopt(relative)

    @contextlib.contextmanager
    def stream(self, relative: str, private: bool = True) -> Iterator[BinaryIO]:
        """Stage one file written piece by piece (moved in at commit), e.g. a streamed manifest."""
        try:
            with open_atomic(self.staging / relative, private) as handle:
                yield handle
        except OSError as exc:
            raise _os_problem(self.out / relative, exc) from None
        self.adopt(relative)

    def adopt(self, relative: str) -> None:
        """A file already staged (by a killed run, with its mode) is moved in at commit as well."""
        self._journal.execute("INSERT OR IGNORE INTO put (relative) VALUES (?)", (relative,))

    def retire(self, relative: str, to: str) -> None:
        """Move a file already in the output folder elsewhere in it at commit (e.g. withdrawn/)."""
        self._journal.execute("INSERT INTO retire (relative, target) VALUES (?, ?) "
                              "ON CONFLICT (relative) DO UPDATE SET target = excluded.target", (relative, to))

    def remove(self, relative: str) -> None:
        """Delete a file of an earlier run at commit (e.g. a bundle this run no longer makes);
        undone like every other change if the commit fails."""
        self._journal.execute("INSERT OR IGNORE INTO remove VALUES (?)", (relative,))

    # --- committing or undoing --------------------------------------------------------------------

    def __exit__(self, kind, exc, traceback) -> None:
        try:
            if kind is None:
                self.commit()
            else:
                self._discard()
        finally:
            self._release()

    def commit(self) -> None:
        """Move every staged file into place; on any failure undo the moves already made."""
        journal = self._journal
        backups = self.staging / ".replaced"

        def moves() -> Iterator[tuple[Path, Path]]:  # read from the journal as they are needed: a batch has many
            yield from ((self.out / old, self.out / new) for _, old, new in
                        walk(journal, "SELECT n, relative, target FROM retire WHERE {after}", "n"))
            yield from ((self.out / rel, self.staging / ".removed" / rel) for (rel,) in
                        walk(journal, "SELECT relative FROM remove WHERE relative NOT IN (SELECT relative FROM put) "
                                      "AND {after}", "relative")
                        if (self.out / rel).is_file())
            yield from ((self.staging / rel, self.out / rel) for _, rel in
                        walk(journal, "SELECT n, relative FROM put WHERE {after}", "n"))

        try:
            for source, target in moves():
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
            made: set[Path] = set()  # folders made (or found) in this commit: a batch moves thousands of files

            def folder_for(path: Path) -> None:
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent)

            for n, (source, target) in enumerate(moves()):
                folder_for(target)
                backup = backups / str(n) if target.exists() else None
                if backup is not None:
                    folder_for(backup)
                # Recorded before anything moves: a journal that cannot be written (a full disk)
                # stops the commit with every earlier move on record, so it is undone.
                journal.execute("INSERT INTO done VALUES (?, ?, ?, ?)", (n, str(target), backup and str(backup), str(source)))
                if backup is not None:
                    os.replace(target, backup)
                os.replace(source, target)
            _fsync_folders(made)  # every folder a file was moved into
        except OSError as exc:
            self._undo()
            self._discard()
            raise _os_problem(exc.filename and Path(exc.filename) or self.out, exc) from None
        except BaseException:
            self._undo()
            self._discard()
            raise
        shutil.rmtree(self.staging, ignore_errors=True)

    def _undo(self) -> None:
        """Every move made, undone, the last first."""
        for target, backup, source in self._journal.execute("SELECT target, backup, source FROM done ORDER BY n DESC"):
            target, source = Path(target), Path(source)
            if target.exists() and not source.exists():
                os.replace(target, source)
            if backup is not None and os.path.exists(backup):  # (a move on record may not have begun)
                os.replace(backup, target)

    def _discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        for folder in reversed(self._created):  # innermost first
            try:
                folder.rmdir()
            except OSError:
                break

    def _release(self) -> None:
        self._journal.close()  # frees the scratch database
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None


def _fsync_folders(folders: set[Path]) -> None:
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_all(out: Path, files: dict[str, bytes], private: bool = True) -> list[str]:
    """Write a job's files (already fully rendered, named relative to `out`): all or nothing."""
    with OutputFolder(out) as folder:
        for relative, data in files.items():
            folder.put(relative, data, private)
    return list(files)

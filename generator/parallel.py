"""Render letters, in this process or in worker processes: the one pool every batch command uses.

Workers are spawned, not forked: WeasyPrint (Pango, fontconfig) is not fork-safe. A spawned
worker needs about half a second to import the renderers, so the pool starts its workers as
soon as it is opened: they get ready while the caller still loads, checks and builds the
letters. Letters travel to a worker pickled, and the rendered bytes come back (for a batch, with
their SHA-256 and the remote-print check's findings, computed in the worker: `checked`). Nothing
is written here: the caller decides when a file is written (all at once, or each when it is done).

Workers are replaced after `recycle_after` letters each (issue 17): a worker's memory grows slowly
with the letters it renders (WeasyPrint's and fontconfig's caches), so a batch of any size keeps
each worker within what a fresh worker reaches in its first few hundred letters.
ProcessPoolExecutor's own `max_tasks_per_child` is not used: in Python 3.11 it can hang once a
worker is replaced while tasks are queued (CPython gh-115634, unfixed in 3.11).
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from typing import Callable, Iterable, Iterator, NamedTuple, TypeVar

from .documents.model import Letter

Key = TypeVar("Key")
PR_SET_PDEATHSIG = 1  # linux/prctl.h


# What a worker is sent: a built letter, or a recipe for one, a picklable call that builds it
# (functools.partial of a module-level function). A batch sends recipes: its letters were built
# once while planning (so a text error stopped the run early), and building one again where it is
# rendered keeps that work off the process that writes the files (issue 17, `--workers 2`).
LetterOrRecipe = Letter | Callable[[], Letter]


def built(letter: LetterOrRecipe) -> Letter:
    return letter() if callable(letter) else letter


def render_letter(letter: LetterOrRecipe, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One letter in each format: format -> bytes."""
    from .render import RENDERERS  # imported here: in a worker, the engines are built there

    letter = built(letter)
    return {fmt: RENDERERS[fmt](letter) for fmt in formats}


class Rendered(NamedTuple):
    """One rendered file, with what the batch needs to know of it, worked out where it was rendered."""

    data: bytes
    sha256: str  # hex, as the manifest and the sidecars write it
    print_problems: tuple[str, ...] | None  # remote-print check of a paper letter's PDF; None: not checked


def render_checked(letter: LetterOrRecipe, formats: tuple[str, ...]) -> dict[str, Rendered]:
    """render_letter, plus each file's SHA-256 and, for a paper letter's PDF, the remote-print
    checks (delivery/remote_print.py): work done in the worker, not in the process that writes
    the files, so that process keeps up with every worker (issue 17, `--workers 2`)."""
    from .delivery import remote_print
    from .output import sha256

    letter = built(letter)
    out = {}
    for fmt, data in render_letter(letter, formats).items():
        problems = tuple(remote_print.check_pdf(data)) if fmt == "pdf" and letter.channel.is_paper else None
        out[fmt] = Rendered(data, sha256(data), problems)
    return out


def cores() -> int:
    """The cores this process may use (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def capped_workers(requested: int, force: bool = False) -> tuple[int, str | None]:
    """`--workers` capped at the number of cores (more only compete for them and cost memory)."""
    if force or requested <= cores():
        return requested, None
    return cores(), f"--workers {requested} capped at {cores()} (the cores available); --force-workers overrides"


def _die_with_parent(parent: int) -> None:
    """Worker initializer: exit when the parent dies, however it dies (SIGKILL included).

    The kernel signals the worker when its parent exits (PR_SET_PDEATHSIG, Linux); a thread
    watching the parent's pid covers other systems and the moment before prctl took effect.
    Without this, a killed batch left its workers behind, holding memory and pipes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _get_ready() -> None:
    """A worker's first task: import the renderers (WeasyPrint, the font, the templates)."""
    from .render import pdf  # noqa: F401


class RenderPool:
    """`with RenderPool(workers) as pool: pool.render_all(...)`; workers <= 1 renders in this process."""

    # Letters per worker before the workers are replaced by fresh ones. A worker grew about 4 MB
    # from its 125th to its 1,250th letter and 20 MB by its 6,250th (bench/RESULTS.md, issue 17);
    # a replacement costs about a second of start-up (spawn, import the renderers), once per
    # 500 letters a worker renders: well under 1 % of the run.
    RECYCLE_AFTER = 500

    def __init__(self, workers: int = 1, recycle_after: int | None = None):
        self.workers = workers
        self.recycle_after = recycle_after or self.RECYCLE_AFTER
        self.generations = 0  # sets of workers started (1 + replacements)
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderPool:
        if self.workers > 1:
            self._start()
        return self

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),))
        for _ in range(self.workers):  # one task each: every worker starts now, not at the first letter
            self._executor.submit(_get_ready)
        self.generations += 1

    def submit(self, fn, *args) -> concurrent.futures.Future:
        """`fn(*args)` on a worker (picklable), or here and now without workers."""
        if self._executor is not None:
            return self._executor.submit(fn, *args)
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_result(fn(*args))
        return future

    def worker_pids(self) -> set[int]:
        """The current workers' process ids (for tests and diagnostics)."""
        return set(self._executor._processes) if self._executor is not None else set()

    def __exit__(self, *exc) -> None:
        self._close()

    def _close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def render_all(
        self, jobs: Iterable[tuple[Key, LetterOrRecipe]], formats: tuple[str, ...], checked: bool = False
    ) -> Iterator[tuple[Key, dict]]:
        """(key, rendered) for each (key, letter), in the order they finish: format -> bytes, or
        with `checked` format -> Rendered (bytes, SHA-256, remote-print findings).

        A pool renders one batch: its workers exit when the batch is done, so that their memory
        is free again for what follows (the print bundle)."""
        task = render_checked if checked else render_letter
        if self._executor is None:
            for key, letter in jobs:
                yield key, task(letter, formats)
            return
        # At most `window` letters in flight: the letters (or their recipes) are made as they are
        # sent (the caller passes a generator) and their bytes are taken as they come, so memory does not grow
        # with the batch (issue 17). The window keeps every worker busy while this process
        # writes files and builds a print-bundle part (up to about a second) between results.
        window = max(32, 16 * self.workers)
        quota = self.recycle_after * self.workers  # letters for one set of workers
        pending = iter(jobs)
        futures: dict[concurrent.futures.Future, Key] = {}
        sent = 0  # letters sent to the current workers

        def fill() -> None:
            nonlocal sent
            while len(futures) < window and sent < quota:
                try:
                    key, letter = next(pending)
                except StopIteration:
                    return
                futures[self._executor.submit(task, letter, formats)] = key
                sent += 1

        try:
            while True:
                fill()
                if not futures:
                    try:
                        following = next(pending)
                    except StopIteration:
                        break
                    # The current workers rendered their share and are idle: replace them by fresh
                    # ones, so no worker's memory grows with the batch.
                    self._close()
                    self._start()
                    futures[self._executor.submit(task, following[1], formats)] = following[0]
                    sent = 1
                    continue
                done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    key = futures.pop(future)  # drop the finished future, and the letter's bytes with it
                    result = future.result()
                    fill()
                    yield key, result
        finally:
            self._close()

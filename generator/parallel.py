"""Render letters, in this process or in worker processes: the one pool every batch command uses.

Workers are spawned, not forked: WeasyPrint (Pango, fontconfig) is not fork-safe. A spawned
worker needs about half a second to import the renderers, so the pool starts its workers as
soon as it is opened: they get ready while the caller still loads, checks and builds the
letters. Letters travel to a worker pickled, and the rendered bytes come back. Nothing is
written here: the caller decides when a file is written (all at once, or each when it is done).
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from typing import Iterable, Iterator, TypeVar

from .documents.model import Letter

Key = TypeVar("Key")
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def render_letter(letter: Letter, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One letter in each format: format -> bytes."""
    from .render import RENDERERS  # imported here: in a worker, the engines are built there

    return {fmt: RENDERERS[fmt](letter) for fmt in formats}


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

    def __init__(self, workers: int = 1):
        self.workers = workers
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderPool:
        if self.workers > 1:
            context = multiprocessing.get_context("spawn")
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),))
            for _ in range(self.workers):  # one task each: every worker starts now, not at the first letter
                self._executor.submit(_get_ready)
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def _close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def render_all(
        self, jobs: Iterable[tuple[Key, Letter]], formats: tuple[str, ...]
    ) -> Iterator[tuple[Key, dict[str, bytes]]]:
        """(key, rendered) for each (key, letter), in the order they finish.

        A pool renders one batch: its workers exit when the batch is done, so that their memory
        is free again for what follows (the print bundle)."""
        if self._executor is None:
            for key, letter in jobs:
                yield key, render_letter(letter, formats)
            return
        # At most `window` letters in flight: the letters are built as they are sent (the caller
        # passes a generator) and their bytes are taken as they come, so memory does not grow
        # with the batch (issue 17). The window keeps every worker busy while this process
        # writes files and builds print-bundle parts between results.
        window = max(16, 8 * self.workers)
        pending = iter(jobs)
        futures: dict[concurrent.futures.Future, Key] = {}

        def fill() -> None:
            while len(futures) < window:
                try:
                    key, letter = next(pending)
                except StopIteration:
                    return
                futures[self._executor.submit(render_letter, letter, formats)] = key

        try:
            fill()
            while futures:
                done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    key = futures.pop(future)  # drop the finished future, and the letter's bytes with it
                    result = future.result()
                    fill()
                    yield key, result
        finally:
            self._close()

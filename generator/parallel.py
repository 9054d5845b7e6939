"""Render letters, in this process or in worker processes: the one pool every batch command uses.

Workers are spawned, not forked: WeasyPrint (Pango, fontconfig) is not fork-safe. Each worker
imports the renderers and builds its engines once, then renders letter after letter; letters
travel to it pickled, and the rendered bytes come back. Nothing is written here: the caller
decides when a file is written (all at once, or each as soon as it is done).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from typing import Iterable, Iterator, TypeVar

from .documents.model import Letter

Key = TypeVar("Key")


def render_letter(letter: Letter, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One letter in each format: format -> bytes."""
    from .render import RENDERERS  # imported here: in a worker, the engines are built there

    return {fmt: RENDERERS[fmt](letter) for fmt in formats}


def render_all(
    jobs: Iterable[tuple[Key, Letter]], formats: tuple[str, ...], workers: int = 1
) -> Iterator[tuple[Key, dict[str, bytes]]]:
    """(key, rendered) for each (key, letter), in the order they finish."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for key, letter in jobs:
            yield key, render_letter(letter, formats)
        return
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(render_letter, letter, formats): key for key, letter in jobs}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], future.result()

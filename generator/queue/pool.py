"""CeleryPool: the RenderPool interface over the Celery queue (see tasks.py for why Celery)."""

from __future__ import annotations

import time
from typing import Iterable, Iterator, TypeVar

from ..parallel import LetterOrRecipe
from ..errors import BrevgenError

Key = TypeVar("Key")
POLL_SECONDS = 0.05
WINDOW = 256  # letters on the queue at a time, per run


class CeleryPool:
    def __init__(self, broker: str, timeout: float = 3600.0):
        from .tasks import make_app

        self.app = make_app(broker)
        self.timeout = timeout

    def __enter__(self) -> CeleryPool:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def render_all(self, jobs: Iterable[tuple[Key, LetterOrRecipe]], formats: tuple[str, ...],
                   checked: bool = False) -> Iterator[tuple[Key, dict]]:
        """(key, rendered) per job, in the order they finish (as RenderPool.render_all; `checked`:
        the workers add each file's SHA-256 and remote-print findings). Each letter is one task; a
        task whose worker died is delivered again by the broker, and its result is taken once."""
        from ..content_root import root_version

        version = root_version()
        task = self.app.tasks["brevgen.render_letter"]
        pending = {}
        queued = enumerate(jobs, start=1)

        def fill() -> None:
            # At most WINDOW letters on the queue at a time: letters (or their recipes) are made
            # as they are sent and the run's memory does not grow with the batch (issue 17).
            while len(pending) < WINDOW:
                try:
                    number, (key, letter) = next(queued)
                except StopIteration:
                    return
                name = key if isinstance(key, str) else f"letter {number}"  # for logs; never personal data
                result = task.apply_async(args=(name, letter, tuple(formats), version, checked))
                pending[result.id] = (key, result)

        fill()
        deadline = time.monotonic() + self.timeout
        while pending:
            done = [task_id for task_id, (_, result) in pending.items() if result.ready()]
            for task_id in done:
                key, result = pending.pop(task_id)
                try:
                    rendered = result.get(propagate=True, disable_sync_subtasks=False)
                except Exception as exc:
                    raise BrevgenError(f"queue: a letter failed on a worker: {exc}") from None
                result.forget()
                fill()
                yield key, rendered
            if done:
                deadline = time.monotonic() + self.timeout
            else:
                if time.monotonic() > deadline:
                    raise BrevgenError(f"queue: {len(pending)} letter(s) not rendered within {self.timeout:.0f} s; "
                                       "are workers running (`brevgen worker`)?")
                time.sleep(POLL_SECONDS)

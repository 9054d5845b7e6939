"""Where letters are rendered: the local process pool (embedded default) or the Celery queue.

`pool_for(workers, broker)` returns an object with the RenderPool interface (a context manager
with `render_all(jobs, formats)`): with no broker (argument or BREVGEN_BROKER_URL) the local pool
of generator/parallel.py; with one, `CeleryPool`, which sends each letter to the queue and
collects the bytes. The caller (batch.run_invite) writes each letter once, atomically, so the
same batch gives the same files either way (docs/operator.md, "Scaling").
"""

from __future__ import annotations

import os

BROKER_ENV = "BREVGEN_BROKER_URL"


def broker_url(broker: str | None = None) -> str | None:
    return broker or os.environ.get(BROKER_ENV) or None


def pool_for(workers: int = 1, broker: str | None = None):
    url = broker_url(broker)
    if url:
        from .pool import CeleryPool

        return CeleryPool(url)
    from ..parallel import RenderPool

    return RenderPool(workers)

"""The Celery application and its one task: render one letter.

Why Celery with Redis: Celery is the conventional Python task queue, workers are ordinary
processes on any machine that can reach the broker, and it has the two properties a batch needs:
`acks_late` (a message is acknowledged only after the letter is rendered) and redelivery of the
messages of a worker that died. Redis is one Debian package (`redis-server`), is also the result
store for the rendered bytes, and needs no cluster set-up; RabbitMQ would add an Erlang runtime
for features (routing, federation) a letter batch does not use.

The task is idempotent: it renders from the message alone, so running it twice (a worker killed
after rendering, before acknowledging) gives the same bytes, and the caller writes each file
only once, keyed by the letter's file stem.

Messages carry the letter pickled: built (its text already resolved), or for a transition batch
its recipe (parallel.LetterOrRecipe), which the worker builds from the texts of its own content
root, the same root the sender uses (checked by `root_version`). Signed with HMAC-SHA256 under BREVGEN_QUEUE_SECRET: a worker unpickles nothing
that was not signed with the secret, so write access to Redis alone cannot run code on a worker.
Set the same secret on the server and every worker; run Redis on a private network with a
password as well (docs/operator.md).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import sys

from celery import Celery
from celery.signals import worker_process_init
from kombu.serialization import register

from . import BROKER_ENV

SECRET_ENV = "BREVGEN_QUEUE_SECRET"
SERIALIZER = "brevgen-signed"

QUEUE = "brevgen"
RESULT_ENV = "BREVGEN_RESULT_URL"
VISIBILITY_ENV = "BREVGEN_QUEUE_VISIBILITY"


def _secret(broker: str) -> bytes:
    # Without BREVGEN_QUEUE_SECRET the broker URL (with its password, if any) is the key: enough
    # for one machine and for tests, not for a network; docs/operator.md says to set the secret.
    return (os.environ.get(SECRET_ENV) or f"brevgen-queue:{broker}").encode("utf-8")


def register_serializer(broker: str) -> None:
    key = _secret(broker)

    def dumps(value) -> bytes:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.new(key, data, hashlib.sha256).digest() + data

    def loads(message: bytes):
        message = bytes(message)
        signature, data = message[:32], message[32:]
        if not hmac.compare_digest(signature, hmac.new(key, data, hashlib.sha256).digest()):
            raise ValueError("queue message not signed with BREVGEN_QUEUE_SECRET; refused")
        return pickle.loads(data)

    register(SERIALIZER, dumps, loads, content_type="application/x-brevgen-signed", content_encoding="binary")


def make_app(broker: str | None = None) -> Celery:
    broker = broker or os.environ.get(BROKER_ENV, "redis://127.0.0.1:6379/0")
    register_serializer(broker)
    app = Celery("brevgen", broker=broker, backend=os.environ.get(RESULT_ENV) or broker)
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer=SERIALIZER,
        result_serializer=SERIALIZER,
        accept_content=[SERIALIZER],
        result_accept_content=[SERIALIZER],
        task_acks_late=True,  # acknowledge after rendering: a killed worker's letter is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds one letter at a time, so a death loses little
        result_expires=24 * 3600,
        # A message not acknowledged within this many seconds goes back on the queue (the Redis
        # transport's way of noticing a dead worker). Longer than a letter takes; a slow letter
        # delivered twice is harmless (idempotent task, each file written once).
        # Workers look for such messages every 2 s (kombu's default is every 10th tick of 10 s).
        broker_transport_options={"visibility_timeout": int(os.environ.get(VISIBILITY_ENV, "60")),
                                  "unacked_restore_interval": 2, "unacked_restore_throttle": 1},
        result_backend_transport_options={"visibility_timeout": int(os.environ.get(VISIBILITY_ENV, "60"))},
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    app.task(name="brevgen.render_letter", bind=True)(render_letter_task)
    return app


# False in a pool child forked from a process that had loaded WeasyPrint (cli.py `worker`: the
# parent never should); such a child refuses to render, since Pango and fontconfig are not fork-safe.
forked_clean = True


@worker_process_init.connect
def _note_fork(**_kwargs) -> None:
    global forked_clean
    forked_clean = "weasyprint" not in sys.modules


def render_letter_task(self, stem: str, letter, formats: tuple[str, ...], root_version: str,
                       checked: bool = False) -> dict:
    """Render one letter (keyed by its file stem) in each format; refuse a different content root.
    Returns format -> bytes, or with `checked` format -> parallel.Rendered (bytes, SHA-256 and the
    remote-print findings, worked out here rather than by the process that writes the files)."""
    from ..content_root import root_version as our_version
    from ..logs import get
    from ..parallel import render_checked, render_letter

    if not forked_clean:
        raise RuntimeError("this worker's rendering process was forked from one that had loaded WeasyPrint "
                           "(not fork-safe); refusing to render")
    mine = our_version()
    if mine != root_version:
        # Different templates would give different bytes: never render with them.
        raise RuntimeError(f"content root {mine} on this worker, {root_version} expected (set BREVGEN_ROOT)")
    rendered = (render_checked if checked else render_letter)(letter, tuple(formats))
    get("queue").info("rendered", extra={"stem": stem, "worker_pid": os.getpid()})
    return rendered


app = make_app()

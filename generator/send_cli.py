"""`brevgen send`: deliver written letters as Digital Post (MeMo) through the profile's transport,
and `brevgen send status`: the send ledger."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli import PATHS, fail, user_errors


def ledger_engine():
    from .store import make_engine, upgrade

    upgrade()  # the ledger's table exists on first use; later runs find nothing to do
    return make_engine()


def send_folders(sources: list[Path], outbox: Path | None = None, delivery_config: Path | None = None,
                 retry_failed: bool = False, echo=click.echo) -> None:
    """Send the letters in `sources`; shared by `brevgen send` and the `--send` options."""
    from . import loading
    from .delivery.identity import identities
    from .delivery.memo import Sender
    from .delivery.outgoing import find_letters
    from .delivery.sending import SendOptions, send
    from .delivery.settings import delivery_settings, sender_cvr
    from .delivery.transports import make_transport

    settings = delivery_settings(delivery_config)
    letters = find_letters(sources)
    if not letters:
        echo("no letters to send")
        return
    sf = settings.sf1601
    options = SendOptions(cvr=sender_cvr(), sender=Sender(sender_cvr(), loading.profile().name),
                          attempts=sf.attempts if sf and settings.transport == "sf1601" else 1,
                          retry_wait_seconds=sf.retry_wait_seconds if sf else 0.0, retry_failed=retry_failed)
    from collections import Counter

    transport = make_transport(settings, outbox)
    counts: Counter = Counter()
    for line in send(ledger_engine(), letters, transport, identities(settings), options, progress=echo, counts=counts):
        echo(line)
    if transport.name == "outbox":
        echo(f"outbox: {transport.folder}")
    if counts["failed"]:
        raise click.exceptions.Exit(1)  # recorded in the ledger with their reasons; the run itself went through


@click.command(name="send")
@click.argument("sources", nargs=-1, type=PATHS)
@click.option("--outbox", type=PATHS, help="Outbox folder (transport outbox); default: the profile's delivery.outbox.")
@click.option("--delivery-config", type=PATHS, help="A YAML file replacing the profile's delivery settings.")
@click.option("--retry-failed", is_flag=True, help="Try messages recorded as failed again.")
@click.option("--status", "status_filter", help="With `status`: only messages with this status (queued, sent, failed).")
@click.option("--json", "as_json", is_flag=True, help="With `status`: one JSON object per message.")
@user_errors
def send_command(sources: tuple[Path, ...], outbox: Path | None, delivery_config: Path | None, retry_failed: bool,
                 status_filter: str | None, as_json: bool) -> None:
    """Send written letters as Digital Post, each letter version at most once. Exit status 1 if a
    message failed in this run (the reasons are in `brevgen send status`).

    SOURCES: folders written by `brevgen letter`, `guidance` or `transition invite` (or their
    .json records / manifest.csv). `brevgen send status` lists the send ledger instead."""
    if sources and str(sources[0]) == "status":
        if len(sources) > 1:
            fail("`brevgen send status` takes no folders (see --status and --json)")
        return show_status(status_filter, as_json)
    if not sources:
        fail("name the folders of letters to send, or `status` to see the send ledger")
    send_folders(list(sources), outbox, delivery_config, retry_failed)


def show_status(status_filter: str | None, as_json: bool) -> None:
    from collections import Counter

    from .store.sends import STATUSES

    if status_filter and status_filter not in STATUSES:
        fail(f"--status {status_filter!r}: expected one of {', '.join(STATUSES)}")
    from .delivery.sending import status_rows

    rows = status_rows(ledger_engine(), status_filter)
    for row in rows:
        fields = {"message_uuid": row.message_uuid, "letter": row.letter_key, "version": row.version,
                  "kind": row.kind, "channel": row.channel, "transport": row.transport, "status": row.status,
                  "attempts": row.attempts, "reason": row.reason, "receipt": row.receipt,
                  "queued_at": row.queued_at.isoformat(), "sent_at": row.sent_at.isoformat() if row.sent_at else None}
        if as_json:
            click.echo(json.dumps(fields, ensure_ascii=False, sort_keys=True))
        else:
            detail = row.receipt if row.status == "sent" else (row.reason or ("call in doubt: resumes on the next send" if row.attempts else ""))
            click.echo(f"{row.status:<7} {row.letter_key} v{row.version}  {row.channel:<9} {row.transport:<7} {row.message_uuid}  {detail or ''}")
    if not as_json:
        counts = Counter(row.status for row in rows)
        click.echo(f"{len(rows)} message(s): " + ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES))

"""Sending through the ledger: each letter version is sent at most once, and a killed send
resumes without a duplicate and without a gap.

Per message, every step is committed before the next begins:

1. **queue**: one row per letter version (status `queued`, the message UUID, the PDF's SHA-256,
   the time queued) for every letter of the run, in one transaction. A letter version already in
   the ledger is not queued again: `sent` is reported as already sent (a resend is refused; a
   new version of the letter is a new row), `failed` waits for `--retry-failed`.
2. **claim**: `attempts` + 1 is committed *before* the transport is called, so a call that may
   have happened is never forgotten.
3. **transport**, keyed by the message UUID, rebuilt byte for byte from the letter and the row
   (the MeMo's creation time is the time queued).
4. **sent** (with the receipt) or, after the bounded attempts, **failed** with the reason.

A kill anywhere leaves each message either `sent`, or `queued` with or without a call in doubt.
Resuming delivers every `queued` message again with the same UUID: the outbox finds its own file
(same name, same bytes) and writes nothing, and the platform recognises a UUID it has (SF1601
deduplicates on MessageUUID). So nothing is lost (every queued row is delivered) and nothing is
doubled (a repeat is the same message). A crash before step 1 commits queues nothing: the next
run queues everything.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..store.sends import Send, utcnow
from .identity import Identities
from .memo import Sender, build_message, message_uuid, to_xml
from .outgoing import Outgoing
from .transports import TransportError


@dataclass(frozen=True)
class SendOptions:
    cvr: str
    sender: Sender
    attempts: int = 3
    retry_wait_seconds: float = 0.0
    retry_failed: bool = False


def sha256_file(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def newest_versions(letters: list[Outgoing]) -> tuple[list[Outgoing], list[Outgoing]]:
    """Only the newest version of a letter is sent; older ones in the same folder are superseded."""
    newest: dict[str, Outgoing] = {}
    for letter in letters:
        if letter.key not in newest or letter.version > newest[letter.key].version:
            newest[letter.key] = letter
    kept = [letter for letter in letters if newest[letter.key] is letter]
    return kept, [letter for letter in letters if newest[letter.key] is not letter]


def queue(engine: Engine, letters: list[Outgoing], options: SendOptions, transport: str) -> tuple[list[int], Counter]:
    """Step 1: the ledger rows of this run (ids to deliver) and what was not queued, and why."""
    skipped: Counter = Counter()
    uuids = [message_uuid(options.cvr, letter.key, letter.version) for letter in letters]
    with Session(engine) as session, session.begin():
        known: dict[str, Send] = {}
        for start in range(0, len(uuids), 500):  # bounded IN lists
            chunk = uuids[start:start + 500]
            known.update((row.message_uuid, row) for row in session.scalars(select(Send).where(Send.message_uuid.in_(chunk))))
        rows: list[Send] = []
        for letter, uuid_ in zip(letters, uuids):
            row = known.get(uuid_)
            if row is None:
                row = Send(message_uuid=uuid_, letter_key=letter.key, version=letter.version, kind=letter.kind,
                           case_number=letter.case_number or "", person_id=letter.person_id, channel=letter.channel,
                           document=str(letter.main.path), pdf_sha256=sha256_file(letter.main.path),
                           transport=transport, status="queued", attempts=0)
                session.add(row)
            elif row.status == "sent":
                skipped["already sent"] += 1
                continue
            elif row.status == "failed":
                if not options.retry_failed:
                    skipped["failed before (use --retry-failed)"] += 1
                    continue
                row.status, row.reason, row.updated_at = "queued", None, utcnow()
            elif row.attempts:
                skipped["resumed"] += 1  # killed with a call in doubt: delivered again, same UUID
            rows.append(row)
        session.flush()
        to_deliver = [row.id for row in rows]
    return to_deliver, skipped


def deliver_all(engine: Engine, ids: list[int], letters: dict[str, Outgoing], transport, people: Identities | None,
                options: SendOptions, progress: Callable[[str], None] | None = None) -> Counter:
    """Steps 2-4 for each queued row; returns the count per final status."""
    counts: Counter = Counter()
    for row_id in ids:
        with Session(engine, expire_on_commit=False) as session:  # the row is ours: no reload after each commit
            row = session.get(Send, row_id)
            if row is None or row.status != "queued":
                continue
            letter = letters[row.message_uuid]
            status = _deliver_one(session, row, letter, transport, people, options)
            counts[status] += 1
            if progress:
                progress(f"{status:<6} {row.letter_key} v{row.version} ({row.channel})")
    return counts


def _deliver_one(session: Session, row: Send, letter: Outgoing, transport, people: Identities | None,
                 options: SendOptions) -> str:
    def finish(status: str, reason: str | None = None, receipt: str | None = None) -> str:
        row.status, row.reason, row.receipt, row.updated_at = status, reason, receipt, utcnow()
        if status == "sent":
            row.sent_at = row.updated_at
        session.commit()
        return status

    if not letter.main.path.is_file() or sha256_file(letter.main.path) != row.pdf_sha256:
        return finish("failed", "the letter's PDF is missing or changed since it was queued")
    cpr = people.cpr(row.person_id) if people is not None and row.person_id else None
    if cpr is None:
        why = "no person id in the letter's record" if not row.person_id else f"person id {row.person_id} is not in the identity mapping"
        return finish("failed", f"no CPR number: {why}")
    message = build_message(uuid_=row.message_uuid, letter_key=row.letter_key, decision=letter.decision, label=letter.label,
                            case_number=letter.case_number, cpr=cpr, sender=options.sender, main=letter.main,
                            additional=letter.additional, created=row.queued_at)
    xml = to_xml(message)
    for attempt in range(1, options.attempts + 1):
        if not _claim(session, row):
            return "taken"  # another sender (the web app, a second run) claimed it first
        try:
            receipt = transport.deliver(row.message_uuid, message, xml)
        except TransportError as exc:
            if exc.retryable and attempt < options.attempts:
                time.sleep(options.retry_wait_seconds)
                continue
            tries = f" after {attempt} attempt{'s' if attempt > 1 else ''}" if exc.retryable else ""
            return finish("failed", f"{exc.reason}{tries}")
        return finish("sent", receipt=receipt)
    raise AssertionError("unreachable")  # pragma: no cover


def _claim(session: Session, row: Send) -> bool:
    """Step 2: attempts + 1, committed before the call, only if no one else claimed the row since
    we read it (optimistic: the attempts we saw must still be there)."""
    now = utcnow()
    result = session.execute(
        update(Send).where(Send.id == row.id, Send.status == "queued", Send.attempts == row.attempts)
        .values(attempts=row.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)  # the row object is updated below, once
    )
    session.commit()
    if result.rowcount != 1:
        return False
    set_committed_value(row, "attempts", row.attempts + 1)
    set_committed_value(row, "updated_at", now)
    return True


def send(engine: Engine, letters: list[Outgoing], transport, people: Identities | None, options: SendOptions,
         progress: Callable[[str], None] | None = None, counts: Counter | None = None) -> Iterator[str]:
    """Queue and deliver; the lines to print. `counts` (if given) receives the count per status."""
    letters, superseded = newest_versions(letters)
    if hasattr(transport, "recover"):
        transport.recover()
    ids, skipped = queue(engine, letters, options, transport.name)
    by_uuid = {message_uuid(options.cvr, o.key, o.version): o for o in letters}
    delivered = deliver_all(engine, ids, by_uuid, transport, people, options, progress)
    if counts is not None:
        counts.update(delivered)
    counts = delivered
    yield f"messages: {len(letters)}; sent now: {counts['sent']}; failed now: {counts['failed']}"
    if counts["taken"]:
        yield f"left to another sender that claimed them first: {counts['taken']}"
    if skipped.pop("resumed", 0):
        yield "resumed an interrupted send: messages in doubt went again with the same message UUID"
    for why, n in sorted(skipped.items()):
        yield f"not sent again: {n} {why}"
    if superseded:
        yield f"older versions not sent (a newer version is there): {len(superseded)}"
    if counts["failed"]:
        yield "see `brevgen send status` for the reasons"


def status_rows(engine: Engine, status: str | None = None) -> list[Send]:
    with Session(engine) as session:
        query = select(Send).order_by(Send.id)
        if status:
            query = query.where(Send.status == status)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows

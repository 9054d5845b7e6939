"""The send ledger: one row per message, i.e. per letter version (generator/delivery/sending.py).

A letter version is sent at most once: (letter_key, version) and the message UUID are unique.
No CPR number, name or address is stored; the person id is the case system's.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base

STATUSES = ("queued", "sent", "failed")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class Send(Base):
    __tablename__ = "sends"
    __table_args__ = (UniqueConstraint("letter_key", "version", name="uq_sends_letter_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_uuid: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    letter_key: Mapped[str] = mapped_column(String(200), nullable=False)  # the letter's file stem, no version
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    case_number: Mapped[str] = mapped_column(String(80), nullable=False)
    person_id: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(12), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)  # the PDF's path when queued
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    transport: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    # Transport calls started; a call started but not recorded as answered is "in doubt" and is
    # repeated with the same message UUID on resume (the receiver deduplicates by it).
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reason: Mapped[str | None] = mapped_column(Text)  # why it failed (never personal data)
    receipt: Mapped[str | None] = mapped_column(String(200))  # the platform's transaction id, or the outbox file
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

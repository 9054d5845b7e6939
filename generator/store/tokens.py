"""API tokens for case systems, and the HTTP API's batch jobs.

A token is created by an administrator (`brevgen token create --name NAME --scope ...`) and shown
once; the database keeps only its SHA-256 (a token is 256 random bits, so a plain hash is enough:
there is nothing to guess), a name, the scopes it grants, and when it was revoked. A revoked
token is refused from the next call, on every server sharing the database.

A batch job row is the state of one batch started over the API, so any server behind the proxy
can answer the poll: status, letters done of total, and the summary when it has finished.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base
from .users import utcnow

# What a token may do; each endpoint of the HTTP API needs one of these (docs/operator.md).
SCOPES = ("check", "render", "phrases", "deadlines", "batch")
PREFIX = "bgt_"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # the system, e.g. "nexus-prod"
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated, from SCOPES
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class BatchJob(Base):
    __tablename__ = "api_batch_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))  # transition-invite
    status: Mapped[str] = mapped_column(String(20))  # queued, running, done, failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")  # JSON: messages, rejected rows (no personal data)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Session, name: str, scopes: list[str], created_by: str) -> tuple[ApiToken, str]:
    """A new token: the row, and the secret (shown once, never stored)."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"scopes: expected some of {', '.join(SCOPES)}, got {', '.join(scopes) or 'none'}")
    if db.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise ValueError(f"name: a token named {name!r} exists already (revoke it, or choose another name)")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_sha256=digest(secret), scopes=" ".join(sorted(set(scopes))), created_by=created_by)
    db.add(row)
    db.flush()
    return row, secret


def find_token(db: Session, secret: str) -> ApiToken | None:
    """The active token with this secret, or None (unknown or revoked)."""
    row = db.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def revoke_token(db: Session, name: str) -> ApiToken | None:
    row = db.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    return row

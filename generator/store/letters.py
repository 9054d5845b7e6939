"""Issued letters: immutable once written. Issuing a draft again makes a new version.

One `Issue` per time a caseworker pressed "Dan brev": the case as it was issued, and its files
(PDF, DOCX and the JSON record per recipient), each with its bytes and SHA-256. Rows are only
ever inserted; nothing in the code updates or deletes them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base
from .users import utcnow


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (UniqueConstraint("draft_id", "version", name="uq_issues_draft_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(80), index=True)
    case_data: Mapped[dict] = mapped_column(JSON)  # the case file as issued
    issued_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IssuedFile(Base):
    __tablename__ = "issued_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    recipient_index: Mapped[int] = mapped_column(Integer)  # 1, 2, ... as in the file name
    name: Mapped[str] = mapped_column(String(200))  # e.g. 2026-0142_afgoerelse_1-borger.pdf (no personal data)
    format: Mapped[str] = mapped_column(String(10))  # pdf, docx, json
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    record: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the letter's record, on the json row

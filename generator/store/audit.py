"""The audit log: who created, changed, issued or downloaded which letter, and when.

An event names the user, the action and the object (a draft id, an issue version, a file
name without personal data). Never a case's content: no names, addresses or CPR numbers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base
from .users import utcnow

ACTIONS = ("login", "login-failed", "logout", "created", "changed", "imported", "exported", "issued", "downloaded")


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40), default="")  # draft, issue, file, session
    object_id: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(400), default="")  # ids and versions only


def audit(session: Session, username: str, action: str, object_type: str = "", object_id: object = "",
          detail: str = "") -> None:
    """Add one event to the session (committed with the change it records)."""
    session.add(AuditEvent(username=username, action=action, object_type=object_type,
                           object_id=str(object_id), detail=detail))

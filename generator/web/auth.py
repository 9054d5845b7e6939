"""Accounts, login sessions, CSRF and the login rate limit.

- Passwords: argon2id hashes (argon2-cffi's defaults), never stored or logged in clear.
- Sessions: a random token in an HttpOnly, SameSite=Strict cookie; the database keeps its
  SHA-256 (store/users.py), so sessions survive a server restart and work across servers.
- CSRF: each session has a token; every POST must carry it (form field `csrf_token` or header
  `X-CSRF-Token`, which htmx sends). The login form, before a session exists, uses a
  double-submit cookie.
- Rate limit: after LOGIN_LIMIT failed logins for a user name or from one client within
  LOGIN_WINDOW, logins are refused (HTTP 429) until the window has passed.

Routers use the dependencies `current_user` (any logged-in user), `require_roles(...)` and
`csrf_user` (a logged-in user whose POST carries the right CSRF token).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..errors import BrevgenError
from ..store.users import ROLES, LoginFailure, User, WebSession, utcnow
from .deps import get_db

SESSION_COOKIE = "brevgen_session"
LOGIN_CSRF_COOKIE = "brevgen_login_csrf"
SESSION_HOURS = 10  # a working day; then log in again
LOGIN_LIMIT = 5
LOGIN_WINDOW = dt.timedelta(minutes=15)

_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so the
# response time does not tell whether a user name exists.
_DUMMY_HASH = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- accounts (also used by `brevgen user add`) -------------------------------------------------


def create_user(db: Session, username: str, password: str, role: str, department: str) -> User:
    """Add an account. Raises BrevgenError for a bad role, a known name or a short password."""
    from .. import loading

    if role not in ROLES:
        raise BrevgenError(f"--role {role!r}: allowed roles are {', '.join(ROLES)}")
    if not username or len(username) > 80 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise BrevgenError("USERNAME: use letters, digits, '.', '-' or '_' (at most 80)")
    if len(password) < 10:
        raise BrevgenError("password: at least 10 characters")
    loading.profile().department_name(department, "--department: ")
    if db.scalar(select(User).where(User.username == username)) is not None:
        raise BrevgenError(f"USERNAME: a user named {username!r} exists already")
    user = User(username=username, password_hash=hash_password(password), role=role, department=department, active=True)
    db.add(user)
    db.flush()
    return user


# --- login and sessions ---------------------------------------------------------------------------


class TooManyAttempts(Exception):
    pass


def login(db: Session, username: str, password: str, client: str) -> tuple[User, str, str] | None:
    """Check a password. Returns (user, session token, csrf token), or None for a wrong name or
    password; raises TooManyAttempts when the rate limit is reached (checked before the password)."""
    since = utcnow() - LOGIN_WINDOW
    db.execute(delete(LoginFailure).where(LoginFailure.at < since))
    failures = db.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.at >= since, (LoginFailure.username == username) | (LoginFailure.client == client)))
    if failures >= LOGIN_LIMIT:
        raise TooManyAttempts()
    user = db.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not verify_password(user.password_hash, password):
        if user is None:
            verify_password(_DUMMY_HASH, password)
        db.add(LoginFailure(username=username[:80], client=client[:64]))
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    db.add(WebSession(token_sha256=token_digest(token), user_id=user.id, csrf_token=csrf,
                      expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS)))
    return user, token, csrf


def logout(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(WebSession.token_sha256 == token_digest(token)))


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    department: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_see_department(self, department: str) -> bool:
        """A caseworker sees their own department's cases; an administrator every department's."""
        return self.is_admin or (self.role == "caseworker" and self.department == department)


class LoginRequired(Exception):
    """Raised by `current_user`; the app answers with a redirect to the login page."""


def current_user(request: Request, db: Session = Depends(get_db)) -> CurrentUser:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    row = db.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_sha256 == token_digest(token), WebSession.expires_at > utcnow(), User.active.is_(True))
    ).first()
    if row is None:
        raise LoginRequired()
    session, user = row
    current = CurrentUser(user.id, user.username, user.role, user.department, session.csrf_token)
    request.state.user = current
    return current


def require_roles(*roles: str):
    def dependency(user: CurrentUser = Depends(current_user)) -> CurrentUser:
        if user.role not in roles:
            raise HTTPException(status_code=403)
        return user

    return dependency


async def csrf_user(request: Request, user: CurrentUser = Depends(current_user)) -> CurrentUser:
    """A logged-in user whose POST carries the session's CSRF token; anything else is refused."""
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, user.csrf_token):
        raise HTTPException(status_code=403, detail="csrf")
    return user


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"

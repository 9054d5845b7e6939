"""Health check (the only page without login), login and logout."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..store.audit import audit
from . import auth
from .app import render
from .deps import get_db

router = APIRouter()


@router.get("/health")
def health(db: Session = Depends(get_db)) -> dict:
    db.execute(text("select 1"))
    return {"status": "ok"}


def _safe_next(value: str | None) -> str:
    """Only a path on this server (no `//host`), so the login page cannot send anyone elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_page(request: Request, status_code: int = 200, error: str = "", next_: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, login_csrf=token, error=error, next=next_)
    response.set_cookie(auth.LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next_=_safe_next(next))


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/"), db: Session = Depends(get_db)) -> Response:
    cookie = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        raise HTTPException(status_code=403)
    try:
        result = auth.login(db, username.strip(), password, auth.client_address(request))
    except auth.TooManyAttempts:
        db.commit()
        return _login_page(request, 429, "For mange forkerte forsøg. Vent et kvarter, og prøv igen.", _safe_next(next))
    if result is None:
        audit(db, username.strip()[:80], "login-failed", "session")
        db.commit()
        return _login_page(request, 401, "Forkert brugernavn eller adgangskode.", _safe_next(next))
    user, token, _csrf = result
    audit(db, user.username, "login", "session")
    db.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, max_age=auth.SESSION_HOURS * 3600, path="/")
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, user: auth.CurrentUser = Depends(auth.csrf_user), db: Session = Depends(get_db)) -> Response:
    auth.logout(db, request.cookies.get(auth.SESSION_COOKIE, ""))
    audit(db, user.username, "logout", "session")
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response

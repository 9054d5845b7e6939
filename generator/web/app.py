"""The app factory: `create_app()` wires the database, templates, static files and routers.

To add a router: write `generator/web/pages_<topic>.py` with `router = APIRouter()`, protect
each route with `Depends(current_user)` / `require_roles(...)` (and `csrf_user` on POST), render
with `render(request, "page.html", ...)`, then include it in `create_app` below.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import database_url, make_engine, upgrade
from . import messages
from .auth import LoginRequired

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

# The pages load nothing from outside this server; letter previews are srcdoc frames whose
# inline styles and embedded logo need 'unsafe-inline' styles and data: images.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")


def templates() -> Jinja2Templates:
    """The web pages' own Jinja environment (autoescaped HTML), apart from the letter renderer's."""
    pages = Jinja2Templates(directory=str(HERE / "templates"))
    pages.env.globals.update(label=messages.label, field_id=messages.field_id, DECISIONS=messages.DECISIONS,
                             ROLES=messages.ROLES, CHANNELS=messages.CHANNELS, USER_ROLES=messages.USER_ROLES,
                             PARAM_TYPES=messages.PARAM_TYPES, date_text=messages.date_text)
    return pages


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    return request.app.state.templates.TemplateResponse(
        request, template, {"user": user, "csrf_token": user.csrf_token if user else "", **context}, status_code=status_code)


def _version() -> str:
    from ..content_root import brevgen_version

    return brevgen_version()


def create_app(url: str | None = None, *, migrate: bool = True, secure_cookies: bool | None = None) -> FastAPI:
    """The web app on the database at `url` (default: BREVGEN_DATABASE_URL or SQLite in the data
    folder), brought to the newest migration first unless `migrate` is False.

    `secure_cookies` (default: BREVGEN_SECURE_COOKIES=1) marks cookies Secure: set it when a
    proxy serves the app over HTTPS."""
    url = url or database_url()
    if migrate:
        upgrade(url)
    from .http_api import PREFIX

    # Only the HTTP API is in the published schema (/api/v1/openapi.json); the pages are not an API.
    app = FastAPI(title="brevgen HTTP API", version=_version(), docs_url=None, redoc_url=None,
                  openapi_url=f"{PREFIX}/openapi.json",
                  description="Check and render decision letters, phrases, deadlines and batches for case systems. "
                              "Authenticate with `Authorization: Bearer <token>` (brevgen token create).")
    app.state.engine = make_engine(url)
    app.state.sessions = sessionmaker(app.state.engine, expire_on_commit=False)
    app.state.templates = templates()
    app.state.secure_cookies = (os.environ.get("BREVGEN_SECURE_COOKIES") == "1") if secure_cookies is None else secure_cookies
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    from . import pages_auth, pages_cases, pages_library

    app.include_router(pages_auth.router, include_in_schema=False)
    app.include_router(pages_cases.router, include_in_schema=False)
    app.include_router(pages_library.router, include_in_schema=False)
    from . import http_api

    http_api.install(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path != "/health" and not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        if request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if http_api.is_api(request):
            return http_api.http_error_response(exc)
        texts = {403: "Du har ikke adgang til denne side, eller formularen var for gammel. Gå tilbage og prøv igen.",
                 404: "Siden findes ikke, eller du har ikke adgang til den.",
                 405: "Den handling findes ikke her.",
                 429: "For mange forsøg. Vent et kvarter, og prøv igen."}
        text = texts.get(exc.status_code, "Der skete en fejl.")
        return render(request, "error.html", status_code=exc.status_code, text=text, status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _exc: RequestValidationError) -> Response:
        if http_api.is_api(request):
            return http_api.validation_response(_exc)
        return render(request, "error.html", status_code=400, status=400,
                      text="Formularen mangler oplysninger. Gå tilbage og prøv igen.")

    return app


__all__ = ["create_app", "render", "HTTPException"]

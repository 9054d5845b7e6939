"""The HTTP JSON API for case systems (Nexus, Momentum, SBSYS...): /api/v1, on the web app's server.

Every endpoint is a thin layer over generator/api.py. The OpenAPI schema is published at
/api/v1/openapi.json (docs/operator.md lists the endpoints; docs/developer.md how they map to
the Python API).

- Authentication: `Authorization: Bearer bgt_...`, a token an administrator created with
  `brevgen token create --name SYSTEM --scope check --scope render ...`. The database keeps its
  SHA-256 only; a revoked token is refused from the next call. Each endpoint needs one scope.
- Every call is audited (token name, method, path, status; never the case's content), also the
  refused ones (401, 403, 413, 422).
- Request bodies above BREVGEN_API_MAX_BODY bytes (default 2 MB) are refused with 413 before
  they are read in full.
- Validation errors: 422 with {"error": "...", "problems": [{"field": "recipients[0].channel",
  "type": ..., "message": ...}]}: the field as in a case file, never the value sent.
- Rendered files come back base64-encoded inside the JSON (one request, one response, the record
  next to the files; a 3-page letter is about 40 KB, so the third more is cheap).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from .. import api
from ..case import CaseFile
from ..errors import BrevgenError
from ..loading import format_field
from ..logs import get as get_logger
from ..store import tokens as token_store
from ..store.audit import audit
from ..store.users import utcnow
from .deps import get_db

PREFIX = "/api/v1"
MAX_BODY_ENV = "BREVGEN_API_MAX_BODY"
DEFAULT_MAX_BODY = 2 * 1024 * 1024
log = get_logger("http_api")
# WeasyPrint is not documented as thread-safe; request handlers run in a thread pool, so renders
# in one server process take turns. Scale with more server processes or instances (docs/operator.md).
RENDER_LOCK = threading.Lock()

router = APIRouter(prefix=PREFIX, tags=["api"])


# --- authentication and scopes ----------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, error: str, problems: list[dict[str, Any]] | None = None):
        self.status, self.error, self.problems = status, error, problems


def require_scope(scope: str):
    """A dependency: the caller's token must be valid, unrevoked and grant `scope`."""

    def dependency(request: Request, db: Session = Depends(get_db)) -> token_store.ApiToken:
        header = request.headers.get("authorization", "")
        kind, _, secret = header.partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "missing API token: send `Authorization: Bearer <token>`")
        token = token_store.find_token(db, secret.strip())
        if token is None:
            raise ApiError(401, "unknown or revoked API token")
        request.state.api_token = token.name
        if scope not in token.scope_set:
            raise ApiError(403, f"this token lacks the scope {scope!r} (it has: {', '.join(sorted(token.scope_set))})")
        token.last_used_at = utcnow()
        db.commit()  # now: a write held open for the whole request would block the audit (SQLite)
        return token

    return dependency


# --- the endpoints ------------------------------------------------------------------------------


class Finding(BaseModel):
    level: Literal["error", "warning"]
    code: str
    message: str
    field: str = ""


class RecipientCheck(BaseModel):
    recipient: int
    role: str
    channel: str
    received: dt.date | None = Field(description="date of receipt by the delivery rule for the channel")
    deadline: dt.date | None = Field(description="complaint deadline; null when the decision cannot be appealed or fully grants")
    lix: float


class CheckResponse(BaseModel):
    ok: bool = Field(description="true when no check found an error (warnings allowed)")
    findings: list[Finding]
    recipients: list[RecipientCheck]


def _finding(f) -> Finding:
    return Finding(level=f.level, code=f.code, message=f.message, field=getattr(f, "field", "") or "")


@router.post("/cases/check", response_model=CheckResponse, summary="Check a case: findings and deadlines per recipient")
def check_case(case: CaseFile, _token=Depends(require_scope("check"))) -> CheckResponse:
    result = api.check_case(case, source="request", preview=False)
    return CheckResponse(
        ok=not result.errors, findings=[_finding(f) for f in result.findings],
        recipients=[RecipientCheck(recipient=r.index, role=r.role, channel=r.channel, received=r.received,
                                   deadline=r.deadline, lix=r.lix) for r in result.recipients])


class RenderedFileOut(BaseModel):
    name: str = Field(description="file name without personal data: case number, kind, recipient number, role")
    format: Literal["pdf", "docx", "html"]
    sha256: str
    content_base64: str


class RenderedLetterOut(BaseModel):
    recipient: int
    role: str
    channel: str
    files: list[RenderedFileOut]
    record: dict[str, Any] = Field(description="the letter's JSON record (as `brevgen letter` writes it), with `produced`")


class RenderResponse(BaseModel):
    letters: list[RenderedLetterOut]
    warnings: list[Finding]


@router.post("/cases/render", response_model=RenderResponse,
             summary="Render a case: every recipient's letter (PDF/DOCX/HTML, base64) and record")
def render_case(case: CaseFile, request: Request,
                formats: str = Query("pdf", description="comma-separated: pdf, docx, html", pattern=r"^[a-z,]+$"),
                strict: bool = Query(False, description="treat warnings as errors"),
                token=Depends(require_scope("render"))) -> RenderResponse:
    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in wanted if f not in ("pdf", "docx", "html")]
    if unknown or not wanted:
        raise ApiError(422, "invalid query", [{"field": "formats", "type": "enum",
                                               "message": "expected some of pdf, docx, html, comma-separated"}])
    checked = api.check_case(case, source="request", preview=False)
    blocking = [f for f in checked.findings if f.level == "error" or strict]
    if blocking:
        raise ApiError(422, "the case does not pass the checks; nothing rendered",
                       [{"field": getattr(f, "field", "") or "", "type": f.code, "message": f.message} for f in blocking])
    with RENDER_LOCK:
        files = api.render_case(case, wanted, source="request", strict=strict, operator=f"api:{token.name}")
    roles = {r.index: (r.role, r.channel) for r in checked.recipients}
    letters: dict[int, RenderedLetterOut] = {}
    for f in files:
        role, channel = roles.get(f.recipient_index, ("", ""))
        out = letters.setdefault(f.recipient_index, RenderedLetterOut(recipient=f.recipient_index, role=role,
                                                                      channel=channel, files=[], record={}))
        if f.format == "json":
            out.record = f.record or json.loads(f.content)
        else:
            out.files.append(RenderedFileOut(name=f.name, format=f.format, sha256=f.sha256,
                                             content_base64=base64.b64encode(f.content).decode("ascii")))
    log.info("rendered", extra={"token": token.name, "letters": len(letters)})
    return RenderResponse(letters=list(letters.values()), warnings=[_finding(f) for f in checked.warnings])


class ParamOut(BaseModel):
    name: str
    type: str = Field(description="text, int, number, money, date or choice")
    label: str | None = Field(None, description="Danish label for a form")
    rate: str | None = Field(None, description="the rate-table entry that fills it when left empty")
    required: bool = True
    choices: list[str] = []


class PhraseOut(BaseModel):
    id: str
    version: int | str
    title: str | None = None
    slot: str
    text: str | None = None
    params: list[ParamOut]
    cites: list[str]


@router.get("/phrases", response_model=list[PhraseOut], summary="Phrases that fit a provision and decision")
def phrases(provision: str = Query(..., description="a provision id in the registry, e.g. sel-85"),
            decision: Literal["granted", "partly_granted", "rejected", "stopped", "changed"] = Query(...),
            dated: dt.date | None = Query(None, description="the letter's date (default today)"),
            _token=Depends(require_scope("phrases"))) -> list[PhraseOut]:
    from ..references import default_registry

    if provision not in default_registry().provisions:
        raise ApiError(422, "invalid query", [{"field": "provision", "type": "unknown",
                                               "message": "not a provision in the reference registry"}])
    choices = api.fitting_phrases(provision, decision, dated or dt.date.today())
    return [PhraseOut(**{k: v for k, v in c.as_dict().items() if k in PhraseOut.model_fields}) for c in choices]


class DeadlineOut(BaseModel):
    dated: dt.date
    channel: str
    received: dt.date
    deadline: dt.date
    weeks: int
    method: str
    rule: str
    source: str
    moved_because: str | None = None


@router.get("/deadline", response_model=DeadlineOut, summary="Date of receipt and complaint deadline for a letter")
def deadline(dated: dt.date = Query(..., description="the letter's date, YYYY-MM-DD"),
             channel: Literal["digital", "post", "quickpost"] = Query(...),
             weeks: int = Query(4, ge=1, le=52),
             _token=Depends(require_scope("deadlines"))) -> DeadlineOut:
    record = api.compute_deadline(dated, channel, weeks)
    return DeadlineOut(**{k: v for k, v in record.items() if k in DeadlineOut.model_fields})


class TransitionBatchIn(BaseModel):
    register_csv: str = Field(min_length=1, description="the register extract as CSV text (columns as in README.md)")
    meeting: dt.date = Field(description="the café meeting's date; must be in the schedule")
    docx: bool = False


class BatchStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int
    summary: dict[str, Any]


def _status(job: token_store.BatchJob) -> BatchStatus:
    return BatchStatus(id=job.id, status=job.status, total=job.total, done=job.done,
                       summary=json.loads(job.summary or "{}"))


def batches_dir() -> Path:
    from ..store import data_dir

    return data_dir() / "api-batches"


@router.post("/batches/transition", response_model=BatchStatus, status_code=202,
             summary="Start the quarterly transition batch; poll GET /batches/{id}")
def start_batch(body: TransitionBatchIn, request: Request, db: Session = Depends(get_db),
                token=Depends(require_scope("batch"))) -> BatchStatus:
    job_id = uuid.uuid4().hex
    folder = batches_dir() / job_id
    folder.mkdir(parents=True)
    (folder / "register.csv").write_text(body.register_csv, encoding="utf-8")
    job = token_store.BatchJob(id=job_id, token_name=token.name, kind="transition-invite", status="queued",
                               total=0, done=0, summary="{}")
    db.add(job)
    db.commit()
    sessions = request.app.state.sessions
    threading.Thread(target=_run_batch, args=(sessions, job_id, folder, body.meeting, body.docx, token.name),
                     daemon=True, name=f"batch-{job_id[:8]}").start()
    return _status(job)


def _run_batch(sessions, job_id: str, folder: Path, meeting: dt.date, docx: bool, token_name: str) -> None:
    """The batch, in a thread of this server; its rendering goes to the queue when a broker is
    configured (BREVGEN_BROKER_URL), else to a local pool of BREVGEN_API_BATCH_WORKERS processes."""

    def update(**fields) -> None:
        with sessions() as db:
            job = db.get(token_store.BatchJob, job_id)
            for key, value in fields.items():
                setattr(job, key, value)
            db.commit()

    def progress(line: str) -> None:  # "[k/N] stem": the batch's own progress lines
        if line.startswith("[") and "/" in line:
            done, _, total = line[1:line.index("]")].partition("/")
            update(status="running", done=int(done), total=int(total))

    update(status="running")
    try:
        result = api.run_batch(folder / "register.csv", meeting, folder / "out", docx=docx,
                               workers=int(os.environ.get("BREVGEN_API_BATCH_WORKERS", "1")), progress=progress)
    except Exception as exc:  # the poll says what went wrong; a BrevgenError names no personal data
        message = str(exc) if isinstance(exc, BrevgenError) else f"internal error ({type(exc).__name__})"
        update(status="failed", summary=json.dumps({"error": message}), finished_at=utcnow())
        log.warning("batch failed", extra={"job": job_id, "token": token_name})
        return
    update(status="done", total=result.letters, done=result.letters, finished_at=utcnow(),
           summary=json.dumps({"letters": result.letters, "rejected_rows": list(result.rejected_rows),
                               "messages": list(result.messages),
                               "files": sorted(p.relative_to(folder / "out").as_posix()
                                               for p in (folder / "out").rglob("*") if p.is_file())}))
    log.info("batch done", extra={"job": job_id, "token": token_name, "letters": result.letters})


def _job(db: Session, job_id: str, token) -> token_store.BatchJob:
    job = db.get(token_store.BatchJob, job_id)
    if job is None or job.token_name != token.name:  # a system sees only its own batches
        raise ApiError(404, "no such batch")
    return job


@router.get("/batches/{job_id}", response_model=BatchStatus, summary="A batch's progress and, when done, its summary")
def batch_status(job_id: str, db: Session = Depends(get_db), token=Depends(require_scope("batch"))) -> BatchStatus:
    return _status(_job(db, job_id, token))


@router.get("/batches/{job_id}/files/{name:path}", summary="One file of a finished batch (letter, manifest, print bundle)",
            response_class=FileResponse)
def batch_file(job_id: str, name: str, db: Session = Depends(get_db), token=Depends(require_scope("batch"))):
    _job(db, job_id, token)
    out = (batches_dir() / job_id / "out").resolve()
    path = (out / name).resolve()
    if not path.is_relative_to(out) or not path.is_file():
        raise ApiError(404, "no such file in this batch")
    return FileResponse(path)


# --- wiring: errors as JSON, body limit, audit ------------------------------------------------


def problems_from(errors: list[dict]) -> list[dict[str, Any]]:
    """FastAPI's validation errors -> fields named as in a case file; the sent value is left out."""
    from ..api import _field_named_in

    found = []
    for error in errors:
        loc = [p for p in error.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))]
        where = loc[0] if loc else ""
        rest = tuple(loc[1:]) if where in ("body", "query", "path", "header") else tuple(loc)
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        name = format_field(rest) if rest else _field_named_in(message)
        if error.get("type") == "missing":
            message = "this field is required"
        elif error.get("type") == "extra_forbidden":
            message = "unknown field (check the spelling)"
        found.append({"field": name, "in": where, "type": error.get("type", ""), "message": message})
    return found


class BodyLimit:
    """ASGI middleware: refuse a request body larger than the limit (413) before reading it all."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, send)
        chunks, size = [], 0
        while True:  # no or a false length: read up to the limit, then pass the body on
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.limit:
                    return await self._refuse(scope, send)
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            else:
                break
        body, sent = b"".join(chunks), False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    async def _refuse(self, scope, send):
        response = JSONResponse({"error": f"request body larger than {self.limit} bytes"}, status_code=413)
        scope.setdefault("state", {})["api_status"] = 413
        _audit_call(scope.get("app"), scope, "", 413)
        await response(scope, None, send)


def _audit_call(app, scope, token_name: str, status: int) -> None:
    if app is None:
        return
    with app.state.sessions() as db:
        audit(db, f"api:{token_name}" if token_name else "api:anonymous", "api-call", "endpoint",
              f"{scope.get('method', '')} {scope.get('path', '')}"[:200], f"status={status}")
        db.commit()


def install(app: FastAPI) -> None:
    """Add the API to the web app: router, JSON errors under /api, body limit, audit of every call."""
    app.include_router(router)
    limit = int(os.environ.get(MAX_BODY_ENV, DEFAULT_MAX_BODY))

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        body: dict[str, Any] = {"error": exc.error}
        if exc.problems is not None:
            body["problems"] = exc.problems
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.middleware("http")
    async def audit_api_calls(request: Request, call_next):
        response = await call_next(request)
        if request.url.path.startswith(PREFIX) and request.url.path != f"{PREFIX}/openapi.json":
            import anyio

            await anyio.to_thread.run_sync(_audit_call, request.app, request.scope,
                                           getattr(request.state, "api_token", ""), response.status_code)
        return response

    app.add_middleware(BodyLimit, limit=limit)


def validation_response(exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"error": "invalid request", "problems": problems_from(exc.errors())}, status_code=422)


def is_api(request: Request) -> bool:
    return request.url.path.startswith(PREFIX)


def http_error_response(exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

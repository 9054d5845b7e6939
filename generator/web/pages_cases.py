"""Cases: the list, a new letter, the form with phrase picker and live preview, issue, download,
export and import. Every handler parses the form and calls generator.api; no rule lives here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import api, loading
from ..errors import BrevgenError
from ..references import default_registry
from ..store.audit import audit
from ..store.drafts import Draft
from ..store.letters import Issue, IssuedFile
from ..store.users import utcnow
from . import forms, messages
from .app import render
from .auth import CurrentUser, csrf_user, current_user
from .deps import get_db

router = APIRouter()
KINDS = {  # the `kind` of a case file (generator/case.py LetterKind), in Danish
    "decision": "Afgørelse med klagevejledning",
    "acknowledgement": "Kvittering for ansøgning",
    "hearing": "Partshøring",
    "advance_notice": "Varsel før ophør eller nedsættelse",
    "reconsideration": "Genvurdering efter klage",
    "follow_up": "Opfølgning",
    "caseworker_change": "Ny sagsbehandler",
}
MAX_IMPORT_BYTES = 1_000_000


def case_user(user: CurrentUser = Depends(current_user)) -> CurrentUser:
    if user.role not in ("caseworker", "admin"):
        raise HTTPException(status_code=403)
    return user


def case_csrf_user(user: CurrentUser = Depends(csrf_user)) -> CurrentUser:
    return case_user(user)


def visible_draft(db: Session, user: CurrentUser, draft_id: int) -> Draft:
    """The draft, if this user may see its department; otherwise 404 (its existence is not told)."""
    draft = db.get(Draft, draft_id)
    if draft is None or not user.may_see_department(draft.department):
        raise HTTPException(status_code=404)
    return draft


def provisions() -> list[tuple[str, str]]:
    return [(p.id, p.title) for p in default_registry().provisions.values()]


def departments() -> list[tuple[str, str]]:
    return [(d.id, d.name) for d in loading.profile().departments]


# --- the list and a new case -----------------------------------------------------------------------


@router.get("/")
def case_list(request: Request, user: CurrentUser = Depends(current_user), db: Session = Depends(get_db)):
    if user.role == "lawyer":
        return RedirectResponse("/bibliotek", status_code=303)
    query = select(Draft).order_by(Draft.updated_at.desc())
    if not user.is_admin:
        query = query.where(Draft.department == user.department)
    drafts = db.scalars(query).all()
    versions = dict(db.execute(select(Issue.draft_id, func.max(Issue.version)).group_by(Issue.draft_id)).all())
    return render(request, "cases.html", drafts=drafts, versions=versions)


@router.get("/sager/ny")
def new_case_form(request: Request, user: CurrentUser = Depends(case_user)):
    return render(request, "new_case.html", kinds=KINDS, provisions=provisions(), today=dt.date.today().isoformat(),
                  departments=departments())


@router.post("/sager/ny")
def new_case(request: Request, kind: str = Form(...), provision: str = Form(...), decision: str = Form(""),
             case_number: str = Form(""), department: str = Form(""),
             user: CurrentUser = Depends(case_csrf_user), db: Session = Depends(get_db)):
    if kind not in KINDS or provision not in dict(provisions()) or (decision and decision not in messages.DECISIONS):
        raise HTTPException(status_code=400)
    department = department if user.is_admin and department in dict(departments()) else user.department
    data = {"kind": kind if kind != "decision" else "", "case_number": case_number.strip(), "provision": provision,
            "decision": decision, "department": department, "dated": dt.date.today().isoformat(),
            "caseworker": user.username}
    draft = Draft(department=department, kind=kind, data={k: v for k, v in data.items() if v},
                  created_by=user.id, updated_by=user.id)
    db.add(draft)
    db.flush()
    audit(db, user.username, "created", "draft", draft.id)
    db.commit()
    return RedirectResponse(f"/sager/{draft.id}", status_code=303)


@router.post("/sager/importer")
async def import_case(request: Request, case_file: UploadFile = File(...), user: CurrentUser = Depends(case_csrf_user),
                      db: Session = Depends(get_db)):
    raw = await case_file.read(MAX_IMPORT_BYTES + 1)
    error = ""
    data: Any = None
    if len(raw) > MAX_IMPORT_BYTES:
        error = "Filen er for stor til at være en sagsfil."
    else:
        try:
            data, _lines = loading.read_yaml_text(raw.decode("utf-8"), "sagsfil")
        except (UnicodeDecodeError, BrevgenError):
            error = "Filen kan ikke læses. Den skal være en sagsfil i YAML eller JSON (UTF-8)."
    if not error and not isinstance(data, dict):
        error = "Filen er ikke en sagsfil: den skal indeholde felter som sagsnummer, bestemmelse og afgørelse."
    if not error:
        data = yaml_safe(data)
        department = data.get("department") or user.department
        if not user.may_see_department(str(department)):
            error = "Sagen hører til en anden afdeling end din."
    if error:
        return render(request, "new_case.html", status_code=400, kinds=KINDS, provisions=provisions(),
                      today=dt.date.today().isoformat(), departments=departments(), import_error=error)
    data.setdefault("department", user.department)
    draft = Draft(department=str(data["department"]), kind=str(data.get("kind") or "decision"), data=data,
                  created_by=user.id, updated_by=user.id)
    db.add(draft)
    db.flush()
    audit(db, user.username, "imported", "draft", draft.id)
    db.commit()
    return RedirectResponse(f"/sager/{draft.id}", status_code=303)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_case_file(value: Any) -> Any:
    """A draft -> what a hand-written case file holds: ISO dates as YAML dates (unquoted)."""
    if isinstance(value, dict):
        return {k: as_case_file(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_case_file(v) for v in value]
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def yaml_safe(value: Any) -> Any:
    """YAML dates -> ISO strings, so a draft is JSON; everything else as it was."""
    if isinstance(value, dict):
        return {str(k): yaml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [yaml_safe(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and getattr(value, "source_text", None):
        return value.source_text  # an amount written 2.400 means 2400 kr. (generator/params.py), not 2.4
    return value


# --- the form, and the preview beside it -------------------------------------------------------------


def parse_day(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return dt.date.today()


def letter_key(data: dict[str, Any]) -> str:
    outcome = (data.get("reconsideration") or {}).get("outcome") if isinstance(data.get("reconsideration"), dict) else None
    return api.kind_key(str(data.get("kind") or "decision"), outcome)


def choices_for(data: dict[str, Any]) -> list[api.PhraseChoice]:
    return api.fitting_phrases(str(data.get("provision", "")), data.get("decision") or None, parse_day(data.get("dated")),
                               kind=letter_key(data))


def sections_for(data: dict[str, Any]) -> set[str]:
    """The parts of the form this letter needs (case.py: each kind's block), plus any part that
    already holds data, so that nothing imported is hidden or lost."""
    key = letter_key(data)
    decision = data.get("decision")
    shown: set[str] = set()
    if key in ("decision", "reconsideration_changed"):
        shown |= {"application", "overall_assessment", "facts", "considerations", "references", "documents",
                  "party_hearing", "phone_call"}
        if decision == "granted":
            shown.discard("overall_assessment")
    if key in ("decision", "reconsideration_changed", "advance_notice"):
        if decision in ("granted", "partly_granted", "changed"):
            shown.add("granted")
        if decision in ("stopped", "changed"):
            shown |= {"stops_on", "own_initiative", "advance_notice"} if key != "advance_notice" else {"stops_on"}
        shown |= {"application", "facts"}
    shown |= {"acknowledgement": {"application"}, "hearing": {"facts", "documents"},
              "reconsideration_kept": {"facts", "considerations", "documents"},
              "follow_up": {"follow_up"}, "caseworker_change": {"new_caseworker"}}.get(key, set())
    if key.startswith("reconsideration"):
        shown.add("reconsideration")
    shown |= {k for k, v in data.items() if v not in (None, "", [], {})}
    if api.chosen_slots(kind=key):
        shown.add("phrases")
    return shown


def params_of(data: dict[str, Any], choices: list[api.PhraseChoice]) -> dict[str, tuple[api.Param, ...]]:
    known = {c.phrase.id: c.params for c in choices}
    library = api.default_library()
    for choice in data.get("phrases", []):  # chosen earlier, or imported, though it does not fit now
        pid = choice.get("id") if isinstance(choice, dict) else None
        if pid and pid not in known and pid in library.phrases:
            known[pid] = api.phrase_params(library.phrases[pid], library)
    return known


@dataclass
class Evaluation:
    """What the preview column shows: problems at fields, the checks, each recipient's letter."""

    fields: list[tuple[str, str]] = field(default_factory=list)  # (control id, Danish text)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (control id or "", Danish text)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    recipients: list[api.RecipientResult] = field(default_factory=list)
    case: Any = None

    @property
    def can_issue(self) -> bool:
        return self.case is not None and not self.errors and not self.fields


def evaluate(data: dict[str, Any], params: dict[str, tuple[api.Param, ...]], preview: bool = True) -> Evaluation:
    result = Evaluation()
    missing = forms.missing_params(data, params)
    for phrase_id, name in missing:
        control = messages.field_id(f"param.{phrase_id}.{name}")
        result.fields.append((control, f"Udfyld \"{name}\" for den valgte tekstblok."))
    case, problems = api.validate_case(data)
    for problem in problems:
        result.fields.append((control_for(problem.field, data), f"{messages.label(problem.field)}: {messages.problem_text(problem)}"))
    result.errors.extend(result.fields)
    if case is None:
        return result
    result.case = case
    checked = api.check_case(case, preview=preview)
    for finding in checked.findings:
        if finding.code == "phrase-param-missing" and missing:
            continue  # already marked at the parameter's field
        target = result.errors if finding.level == "error" else result.warnings
        target.append((control_for(finding.field, data), messages.finding_text(finding)))
    result.recipients = list(checked.recipients)
    return result


def control_for(path: str, data: dict[str, Any]) -> str:
    """The form control a case-file field path points at."""
    if path.startswith("phrases["):
        try:
            index = int(path[len("phrases["):].split("]")[0])
            return messages.field_id(f"phrase.{data['phrases'][index]['id']}")
        except (ValueError, IndexError, KeyError, TypeError):
            return messages.field_id("phrases")
    if path.startswith("recipients[") and path.count(".") == 0:
        return messages.field_id(f"{path}.name")
    if path.startswith("documents[") and path.count(".") == 0:
        return messages.field_id(f"{path}.title")
    if path in ("application", "granted"):
        return messages.field_id({"application": "application.applied_for", "granted": "granted.scope"}[path])
    return messages.field_id(path) if path else ""


def editor_context(draft: Draft, data: dict[str, Any]) -> dict[str, Any]:
    choices = choices_for(data)
    params = params_of(data, choices)
    chosen_ids = [c.get("id") for c in data.get("phrases", []) if isinstance(c, dict)]
    chosen_params = {c.get("id"): c.get("params") or {} for c in data.get("phrases", []) if isinstance(c, dict)}
    library = api.default_library()
    offered = [(pid, library.phrases.get(pid), params.get(pid, ())) for pid in chosen_ids]
    offered += [(c.phrase.id, c.phrase, c.params) for c in choices if c.phrase.id not in chosen_ids]
    fitting = {c.phrase.id for c in choices}
    slots = api.chosen_slots(library, letter_key(data)) or api.chosen_slots(library)
    by_slot: dict[str, list] = {slot: [] for slot in slots}
    for pid, phrase, phrase_params in offered:
        slot = phrase.slot if phrase is not None and phrase.slot in by_slot else slots[-1]
        by_slot[slot].append({"id": pid, "phrase": phrase, "params": phrase_params, "chosen": pid in chosen_ids,
                              "values": chosen_params.get(pid, {}), "fits": pid in fitting})
    references = api.citable_references(str(data.get("provision", "")), parse_day(data.get("dated")))
    known = {r["id"] for r in references}
    references += [{"id": r, "kind": "other", "title": r} for r in data.get("references", []) if r not in known]
    return {"draft": draft, "data": data, "by_slot": by_slot, "references": references,
            "provisions": provisions(), "departments": departments(), "evaluation": evaluate(data, params),
            "slot_label": messages.slot_label, "kinds": KINDS, "sections": sections_for(data)}


@router.get("/sager/{draft_id}")
def editor(request: Request, draft_id: int, user: CurrentUser = Depends(case_user), db: Session = Depends(get_db)):
    draft = visible_draft(db, user, draft_id)
    issues = db.scalars(select(Issue).where(Issue.draft_id == draft.id).order_by(Issue.version)).all()
    return render(request, "editor.html", issues=issues, **editor_context(draft, draft.data))


async def save_form(request: Request, draft: Draft, user: CurrentUser, db: Session) -> dict[str, Any]:
    form = await request.form()
    choices = choices_for({"provision": form.get("provision", ""), "decision": form.get("decision", ""),
                           "dated": form.get("dated", ""), "kind": form.get("kind", ""),
                           "reconsideration": {"outcome": form.get("reconsideration.outcome", "")}})
    data = forms.form_to_data(form, params_of({"phrases": [{"id": p} for p in form.getlist("phrase")]}, choices))
    if not user.is_admin:
        data["department"] = user.department  # a caseworker cannot move a case to another department
    elif data.get("department") not in dict(departments()):
        data["department"] = draft.department
    if data != draft.data:
        draft.data = data
        draft.department = data["department"]
        draft.updated_by, draft.updated_at = user.id, utcnow()
        audit(db, user.username, "changed", "draft", draft.id)
    db.commit()
    return data


@router.post("/sager/{draft_id}/gem")
async def save(request: Request, draft_id: int, user: CurrentUser = Depends(case_csrf_user), db: Session = Depends(get_db)):
    draft = visible_draft(db, user, draft_id)
    data = await save_form(request, draft, user, db)
    if not request.headers.get("hx-request"):  # a plain post (no script, or provision/decision/date changed)
        return RedirectResponse(f"/sager/{draft.id}", status_code=303)
    evaluation = evaluate(data, params_of(data, choices_for(data)))
    return render(request, "_preview.html", evaluation=evaluation, draft=draft)


@router.post("/sager/{draft_id}/udsted")
async def issue(request: Request, draft_id: int, user: CurrentUser = Depends(case_csrf_user), db: Session = Depends(get_db)):
    """"Dan brev": save the form, check, render PDF, DOCX and the record per recipient, and keep
    them as a new version. Issued versions are never changed."""
    draft = visible_draft(db, user, draft_id)
    data = await save_form(request, draft, user, db)
    evaluation = evaluate(data, params_of(data, choices_for(data)), preview=False)
    if not evaluation.can_issue:
        issues = db.scalars(select(Issue).where(Issue.draft_id == draft.id).order_by(Issue.version)).all()
        return render(request, "editor.html", status_code=422, issues=issues, issue_refused=True,
                      **editor_context(draft, data))
    from ..output import sha256

    source = f"sag-{draft.id}"
    files = api.render_case(evaluation.case, ("pdf", "docx"), source=source,
                            input_sha256=sha256(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")))
    version = (db.scalar(select(func.max(Issue.version)).where(Issue.draft_id == draft.id)) or 0) + 1
    issued = Issue(draft_id=draft.id, version=version, department=draft.department, case_data=data, issued_by=user.id)
    db.add(issued)
    db.flush()
    for rendered in files:
        db.add(IssuedFile(issue_id=issued.id, recipient_index=rendered.recipient_index, name=rendered.name,
                          format=rendered.format, sha256=rendered.sha256, content=rendered.content, record=rendered.record))
    audit(db, user.username, "issued", "issue", issued.id, f"draft {draft.id} version {version}")
    db.commit()
    return RedirectResponse(f"/sager/{draft.id}/udgaver/{version}", status_code=303)


@router.get("/sager/{draft_id}/udgaver/{version}")
def issued(request: Request, draft_id: int, version: int, user: CurrentUser = Depends(case_user),
           db: Session = Depends(get_db)):
    draft = visible_draft(db, user, draft_id)
    issue_row = db.scalar(select(Issue).where(Issue.draft_id == draft.id, Issue.version == version))
    if issue_row is None:
        raise HTTPException(status_code=404)
    files = db.execute(select(IssuedFile.id, IssuedFile.name, IssuedFile.format, IssuedFile.sha256,
                              IssuedFile.recipient_index, IssuedFile.record)
                       .where(IssuedFile.issue_id == issue_row.id).order_by(IssuedFile.recipient_index, IssuedFile.id)).all()
    return render(request, "issued.html", draft=draft, issue=issue_row, files=files)


@router.get("/filer/{file_id}")
def download(file_id: int, user: CurrentUser = Depends(case_user), db: Session = Depends(get_db)):
    row = db.execute(select(IssuedFile, Issue).join(Issue, Issue.id == IssuedFile.issue_id).where(IssuedFile.id == file_id)).first()
    if row is None or not user.may_see_department(row[1].department):
        raise HTTPException(status_code=404)
    stored, _issue = row
    audit(db, user.username, "downloaded", "file", stored.id, stored.name)
    db.commit()
    media = {"pdf": "application/pdf", "json": "application/json",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[stored.format]
    return Response(stored.content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{stored.name}"'})


@router.get("/sager/{draft_id}/eksport")
def export(draft_id: int, user: CurrentUser = Depends(case_user), db: Session = Depends(get_db)):
    """The draft as a case file of the CLI's schema (`brevgen letter` reads it as it is)."""
    draft = visible_draft(db, user, draft_id)
    audit(db, user.username, "exported", "draft", draft.id)
    db.commit()
    text = yaml.safe_dump(as_case_file(draft.data), allow_unicode=True, sort_keys=False)
    name = "".join(c if c.isalnum() or c in "-." else "-" for c in str(draft.data.get("case_number") or f"sag-{draft.id}"))
    return Response(text, media_type="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'})

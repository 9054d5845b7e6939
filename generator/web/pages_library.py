"""Read-only pages for the lawyer and communications staff: the phrase library, the reference
registry with what is outdated on a date, and a leaflet preview that follows the Markdown source."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from .. import api, paths
from ..phrases import default_library
from ..references import default_registry, outdated
from .app import render
from .auth import CurrentUser, csrf_user, current_user

router = APIRouter()


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError:
        return dt.date.today()


@router.get("/bibliotek")
def library(request: Request, provision: str = "", decision: str = "", dato: str = "",
            user: CurrentUser = Depends(current_user)):
    day = _day(dato)
    lib = default_library()
    registry = default_registry()
    if provision or decision:
        choices = api.fitting_phrases(provision, decision, day) if provision and decision else [
            api.PhraseChoice(p, p.slot or "", api.phrase_params(p, lib)) for p in lib.phrases.values()
            if lib.fits(p, {k: v for k, v in (("provision", provision), ("decision", decision)) if v}) and p.valid_on(day)]
    else:
        choices = [api.PhraseChoice(p, p.slot or "", api.phrase_params(p, lib)) for p in lib.phrases.values()]
    choices = sorted(choices, key=lambda c: c.phrase.id)
    cited = {c.phrase.id: [registry.cite(ref, day) for ref in c.phrase.cites] for c in choices}
    return render(request, "library.html", choices=choices, cited=cited, provision=provision, decision=decision,
                  day=day, provisions=[(p.id, p.title) for p in registry.provisions.values()])


@router.get("/referencer")
def references(request: Request, dato: str = "", user: CurrentUser = Depends(current_user)):
    day = _day(dato)
    registry = default_registry()
    rows = []
    for ref in sorted(registry.ids):
        citation = registry.cite(ref, day)
        rows.append({"id": ref, "kind": citation.kind, "facts": citation.facts, "problem": citation.problem})
    for standard in registry.standards.values():
        for section in standard.sections:
            ref = f"{standard.id}#{section.id}"
            citation = registry.cite(ref, day)
            rows.append({"id": ref, "kind": citation.kind, "facts": citation.facts, "problem": citation.problem})
    rows = [r for r in sorted(rows, key=lambda r: r["id"]) if not (r["kind"] == "quality_standard" and "#" not in r["id"])]
    return render(request, "references.html", rows=rows, day=day, outdated=outdated(default_library(), registry, day))


def leaflet_files() -> dict[str, object]:
    return {path.stem: path for path in sorted((paths.CONTENT / "leaflets").glob("*.md"))}


@router.get("/pjecer")
def leaflets(request: Request, user: CurrentUser = Depends(current_user)):
    return render(request, "leaflets.html", names=list(leaflet_files()))


@router.get("/pjecer/{name}")
def leaflet(request: Request, name: str, user: CurrentUser = Depends(current_user)):
    files = leaflet_files()
    if name not in files:
        raise HTTPException(status_code=404)
    text = files[name].read_text(encoding="utf-8")
    return render(request, "leaflet.html", name=name, text=text, preview=api.preview_leaflet(text, files[name]))


@router.post("/pjecer/{name}/vis")
def leaflet_preview(request: Request, name: str, source: str = Form(""), user: CurrentUser = Depends(csrf_user)):
    """Re-render the leaflet from the text in the editor; nothing is saved (read-only for now)."""
    files = leaflet_files()
    if name not in files:
        raise HTTPException(status_code=404)
    preview = api.preview_leaflet(source, files[name])
    if request.headers.get("hx-request"):
        return render(request, "_leaflet_preview.html", preview=preview)
    return render(request, "leaflet.html", name=name, text=source, preview=preview)

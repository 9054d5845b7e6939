"""The HTTP JSON API (/api/v1): every endpoint, token scopes, refusals, audit (issue 15)."""

from __future__ import annotations

import base64
import io
import json
import time

import pdfplumber
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import EXAMPLES, one_line
from generator.store import make_engine
from generator.store.audit import AuditEvent
from generator.store.tokens import create_token, revoke_token
from generator.web.app import create_app

CASE = json.loads(json.dumps(yaml.safe_load((EXAMPLES / "cases" / "sel-85-delvis-bevilling.yaml").read_text(encoding="utf-8")), default=str))  # as a case system sends it
REGISTER = (EXAMPLES / "transition" / "register.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{folder / 'brevgen.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("BREVGEN_DATA", str(folder))
    mp.setenv("BREVGEN_API_MAX_BODY", "200000")
    app = create_app(url)
    tokens = {}
    with Session(make_engine(url)) as db:
        for name, scopes in {"all": ["check", "render", "phrases", "deadlines", "batch"], "checker": ["check"],
                             "old": ["check"]}.items():
            tokens[name] = create_token(db, name, scopes, "test-admin")[1]
        revoke_token(db, "old")
        db.commit()
    with TestClient(app) as client:
        yield client, tokens, url
    mp.undo()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_schema_is_published_with_every_endpoint(server):
    client, _, _ = server
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/cases/check", "/api/v1/cases/render", "/api/v1/phrases", "/api/v1/deadline",
            "/api/v1/batches/transition", "/api/v1/batches/{job_id}"} <= set(schema["paths"])
    assert not any(p.startswith("/login") for p in schema["paths"])  # the web pages are not the API
    assert "CaseFile" in json.dumps(schema["components"])


def test_check_gives_findings_and_deadlines_per_recipient(server):
    client, tokens, _ = server
    response = client.post("/api/v1/cases/check", json=CASE, headers=auth(tokens["checker"]))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["ok"] is True
    assert [r["role"] for r in data["recipients"]] == [r["role"] for r in CASE["recipients"]]
    assert all(r["deadline"] for r in data["recipients"])  # a partial grant can be appealed
    # The deadline is the one `brevgen deadline` computes for the same date and channel.
    first = data["recipients"][0]
    same = client.get("/api/v1/deadline", params={"dated": str(CASE["dated"]), "channel": first["channel"]},
                      headers=auth(tokens["all"])).json()
    assert same["deadline"] == first["deadline"]


def test_render_gives_each_recipients_files_and_record(server):
    client, tokens, _ = server
    response = client.post("/api/v1/cases/render", params={"formats": "pdf,docx,html"}, json=CASE, headers=auth(tokens["all"]))
    assert response.status_code == 200, response.text
    letters = response.json()["letters"]
    assert len(letters) == len(CASE["recipients"])
    for letter in letters:
        assert [f["format"] for f in letter["files"]] == ["pdf", "docx", "html"]
        pdf = base64.b64decode(letter["files"][0]["content_base64"])
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            text = one_line(" ".join(page.extract_text() or "" for page in document.pages))
        assert "Sådan klager du" in text and CASE["case_number"] in text
        assert letter["record"]["produced"]["operator"] == "api:all"
        assert letter["record"]["files"]["pdf"]["sha256"] == letter["files"][0]["sha256"]
    # Same case, same bytes (the record's time is outside the letter).
    again = client.post("/api/v1/cases/render", json=CASE, headers=auth(tokens["all"])).json()["letters"]
    assert again[0]["files"][0]["content_base64"] == letters[0]["files"][0]["content_base64"]


def test_phrases_that_fit_a_provision_and_decision(server):
    client, tokens, _ = server
    response = client.get("/api/v1/phrases", params={"provision": "sel-85", "decision": "rejected", "dated": "2026-11-23"},
                          headers=auth(tokens["all"]))
    assert response.status_code == 200, response.text
    phrases = response.json()
    assert phrases and all(p["slot"] for p in phrases)
    granted = client.get("/api/v1/phrases", params={"provision": "sel-85", "decision": "partly_granted", "dated": "2026-11-23"},
                         headers=auth(tokens["all"])).json()
    timer = next(p for p in granted if p["id"] == "begrundelse.valgt.timer")  # typed parameters, as the form shows them
    assert [(x["name"], x["type"], x["required"]) for x in timer["params"]] == [("timer", "int", True), ("niveau", "int", True)]
    unknown = client.get("/api/v1/phrases", params={"provision": "sel-999", "decision": "rejected"}, headers=auth(tokens["all"]))
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["field"] == "provision"


def test_deadline_endpoint(server):
    client, tokens, _ = server
    response = client.get("/api/v1/deadline", params={"dated": "2026-05-11", "channel": "post"}, headers=auth(tokens["all"]))
    assert response.status_code == 200
    assert response.json()["received"] == "2026-05-20" and response.json()["deadline"] == "2026-06-17"
    bad = client.get("/api/v1/deadline", params={"dated": "2026-02-30", "channel": "fax"}, headers=auth(tokens["all"]))
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["problems"]} == {"dated", "channel"}


def test_batch_starts_and_is_polled_to_the_end(server):
    client, tokens, _ = server
    started = client.post("/api/v1/batches/transition", json={"register_csv": REGISTER, "meeting": "2027-02-10"},
                          headers=auth(tokens["all"]))
    assert started.status_code == 202, started.text
    job = started.json()["id"]
    for _ in range(600):
        status = client.get(f"/api/v1/batches/{job}", headers=auth(tokens["all"])).json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status["status"] == "done", status
    assert status["done"] == status["total"] == 8
    assert status["summary"]["rejected_rows"]  # the example register's deliberately bad rows
    manifest = client.get(f"/api/v1/batches/{job}/files/manifest.csv", headers=auth(tokens["all"]))
    assert manifest.status_code == 200 and manifest.text.count("\n") == 9
    assert client.get(f"/api/v1/batches/{job}/files/../register.csv", headers=auth(tokens["all"])).status_code == 404
    assert client.get(f"/api/v1/batches/{job}", headers=auth(tokens["checker"])).status_code == 403


def test_unauthenticated_revoked_and_out_of_scope_calls_are_refused(server):
    client, tokens, _ = server
    assert client.post("/api/v1/cases/check", json=CASE).status_code == 401
    assert client.post("/api/v1/cases/check", json=CASE, headers=auth("bgt_not-a-token")).status_code == 401
    assert client.post("/api/v1/cases/check", json=CASE, headers=auth(tokens["old"])).status_code == 401
    refused = client.post("/api/v1/cases/render", json=CASE, headers=auth(tokens["checker"]))
    assert refused.status_code == 403 and "render" in refused.json()["error"]


def test_oversized_body_is_refused(server):
    client, tokens, _ = server
    big = dict(CASE, facts=["x" * 300_000])
    response = client.post("/api/v1/cases/check", json=big, headers=auth(tokens["all"]))
    assert response.status_code == 413


def test_malformed_case_gets_field_level_errors_without_values(server):
    client, tokens, _ = server
    bad = json.loads(json.dumps(CASE, default=str))
    bad["recipients"][0]["channel"] = "brevdue"
    bad["recipients"][0]["name"] = 17
    del bad["provision"]
    bad["decison"] = "granted"
    response = client.post("/api/v1/cases/check", json=bad, headers=auth(tokens["all"]))
    assert response.status_code == 422
    problems = response.json()["problems"]
    fields = {p["field"] for p in problems}
    assert {"recipients[0].channel", "recipients[0].name", "provision", "decison"} <= fields
    assert "brevdue" not in response.text  # values are never echoed (they may be personal data)
    assert client.post("/api/v1/cases/check", content=b"{not json", headers={**auth(tokens["all"]),
                       "Content-Type": "application/json"}).status_code == 422


def test_every_call_is_audited_without_personal_data(server):
    client, tokens, url = server
    client.get("/api/v1/deadline", params={"dated": "2026-05-11", "channel": "post"}, headers=auth(tokens["all"]))
    client.post("/api/v1/cases/check", json=CASE)
    with Session(make_engine(url)) as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "api-call")).all()
    seen = {(e.username, e.object_id, e.detail) for e in events}
    assert ("api:all", "GET /api/v1/deadline", "status=200") in seen
    assert ("api:anonymous", "POST /api/v1/cases/check", "status=401") in seen
    assert any(e.detail == "status=413" for e in events)
    names = [r["name"] for r in CASE["recipients"]]
    assert not any(name in f"{e.object_id} {e.detail}" for e in events for name in names)

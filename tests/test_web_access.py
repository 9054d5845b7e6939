"""Who may do what: no page without login, no other department's case, no post without the
CSRF token, a wrong password refused and rate-limited; import/export with no loss."""

from __future__ import annotations

import json

import re

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from generator.case import CaseFile
from generator.store.audit import AuditEvent
from generator.web.app import create_app
from generator.web.auth import create_user
from generator.web.forms import data_to_form

from conftest import EXAMPLES

PASSWORD = "rigtig-kode-123"
CASE = EXAMPLES / "cases" / "sel-85-delvis-bevilling.yaml"


@pytest.fixture
def app(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'brevgen.db'}")
    with Session(app.state.engine) as db:
        for name, role, department in (("anna", "caseworker", "voksen"), ("bo", "caseworker", "boern"),
                                       ("jura", "lawyer", "voksen")):
            create_user(db, name, PASSWORD, role, department)
        db.commit()
    return app


def logged_in(app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/bibliotek").text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def import_example(client: TestClient, csrf: str) -> str:
    response = client.post("/sager/importer", files={"case_file": ("sag.yaml", CASE.read_bytes())},
                           data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_health_is_the_only_page_without_login(app):
    client = TestClient(app)
    assert client.get("/health").json() == {"status": "ok"}
    for path in ("/", "/sager/ny", "/sager/1", "/sager/1/eksport", "/filer/1", "/bibliotek", "/referencer", "/pjecer",
                 "/pjecer/sagsforloeb-voksen", "/sager/1/udgaver/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    for path in ("/sager/ny", "/sager/1/gem", "/sager/1/udsted", "/logout", "/pjecer/x/vis"):
        assert client.post(path, data={"csrf_token": "x"}, follow_redirects=False).status_code == 303, path


def test_post_without_csrf_token_is_refused(app):
    client, csrf = logged_in(app, "anna")
    form = {"kind": "decision", "provision": "sel-85", "decision": "rejected"}
    assert client.post("/sager/ny", data=form, follow_redirects=False).status_code == 403
    assert client.post("/sager/ny", data={**form, "csrf_token": "forkert"}, follow_redirects=False).status_code == 403
    assert client.post("/sager/ny", data={**form, "csrf_token": csrf}, follow_redirects=False).status_code == 303
    # the login form needs its own token too
    fresh = TestClient(app)
    assert fresh.post("/login", data={"username": "anna", "password": PASSWORD}).status_code in (403, 400)


def test_caseworker_sees_only_own_department(app):
    anna, anna_csrf = logged_in(app, "anna")
    location = import_example(anna, anna_csrf)  # department voksen
    issued = anna.post(f"{location}/udsted", data={**form_of(anna, location), "csrf_token": anna_csrf},
                       follow_redirects=False)
    assert issued.status_code == 303, issued.text
    file_link = re.search(r'href="(/filer/\d+)"', anna.get(issued.headers["location"]).text).group(1)
    bo, bo_csrf = logged_in(app, "bo")  # department boern
    for path in (location, f"{location}/eksport", issued.headers["location"], file_link):
        assert bo.get(path).status_code == 404, path
    assert bo.post(f"{location}/gem", data={"csrf_token": bo_csrf}).status_code == 404
    assert "2026-0142" not in bo.get("/").text
    assert "2026-0142" in anna.get("/").text
    jura, _ = logged_in(app, "jura")  # a lawyer reads the library, not cases
    assert jura.get(location).status_code == 403


def form_of(client: TestClient, location: str) -> dict:
    """The case as the editor's form would post it (from the exported case file)."""
    form: dict[str, list[str]] = {}
    for key, value in data_to_form(yaml.safe_load(client.get(f"{location}/eksport").text)):
        form.setdefault(key, []).append(value)
    return form


def test_wrong_password_refused_then_rate_limited(app):
    client = TestClient(app)

    def attempt(password: str):
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        return client.post("/login", data={"username": "anna", "password": password, "csrf_token": token},
                           follow_redirects=False)

    for _ in range(5):
        response = attempt("forkert-kode")
        assert response.status_code == 401 and "Forkert brugernavn eller adgangskode" in response.text
    blocked = attempt(PASSWORD)  # even the right password, until the window has passed
    assert blocked.status_code == 429 and "For mange" in blocked.text
    assert "brevgen_session" not in blocked.headers.get("set-cookie", "")
    with Session(app.state.engine) as db:
        actions = db.scalars(select(AuditEvent.action)).all()
    assert actions.count("login-failed") == 5


def test_export_import_no_loss_and_audit(app):
    client, csrf = logged_in(app, "anna")
    location = import_example(client, csrf)
    exported = client.get(f"{location}/eksport").text
    assert CaseFile.model_validate(yaml.safe_load(exported)) == CaseFile.model_validate(yaml.safe_load(CASE.read_text()))
    # the form posted back unchanged keeps the case as it was
    client.post(f"{location}/gem", data={**form_of(client, location), "csrf_token": csrf})
    again = client.get(f"{location}/eksport").text
    assert CaseFile.model_validate(yaml.safe_load(again)) == CaseFile.model_validate(yaml.safe_load(CASE.read_text()))
    # issuing twice makes two versions; both stay
    for version in (1, 2):
        response = client.post(f"{location}/udsted", data={**form_of(client, location), "csrf_token": csrf},
                               follow_redirects=False)
        assert response.headers["location"].endswith(f"/udgaver/{version}")
    assert client.get(f"{location}/udgaver/1").status_code == 200
    page = client.get(f"{location}/udgaver/2").text
    link = re.search(r'href="(/filer/\d+)"', page).group(1)
    assert client.get(link).content.startswith(b"%PDF")
    with Session(app.state.engine) as db:
        events = db.scalars(select(AuditEvent)).all()
    assert {"login", "imported", "exported", "issued", "downloaded"} <= {e.action for e in events}
    assert not any("Fiktiv" in (e.detail + e.object_id) for e in events)  # no personal data in the log


def test_import_refuses_what_is_not_a_case_file(app):
    client, csrf = logged_in(app, "anna")
    response = client.post("/sager/importer", files={"case_file": ("x.yaml", b"- just\n- a list\n")},
                           data={"csrf_token": csrf})
    assert response.status_code == 400 and "ikke en sagsfil" in response.text
    other = CASE.read_text().replace("department: voksen", "department: boern")
    response = client.post("/sager/importer", files={"case_file": ("x.yaml", other.encode())}, data={"csrf_token": csrf})
    assert response.status_code == 400 and "anden afdeling" in response.text


def test_danish_messages_point_at_fields(app):
    client, csrf = logged_in(app, "anna")
    location = import_example(client, csrf)
    form = form_of(client, location)
    form["recipients[1].postcode"] = ["12"]
    del form["phone_call"]
    for key in [k for k in form if k.startswith("facts[")]:
        del form[key]
    page = client.post(f"{location}/gem", data={**form, "csrf_token": csrf}, headers={"HX-Request": "true"}).text
    assert "Postnummeret skal være fire cifre" in page and "f-recipients-1-postcode" in page
    form["recipients[1].postcode"] = ["9998"]
    page = client.post(f"{location}/gem", data={**form, "csrf_token": csrf}, headers={"HX-Request": "true"}).text
    assert 'href="#f-facts"' in page and "faktiske oplysninger" in page
    assert 'href="#f-phone-call"' in page and "Ring til borgeren" in page
    refused = client.post(f"{location}/udsted", data={**form, "csrf_token": csrf})
    assert refused.status_code == 422 and "Brevet er ikke dannet" in refused.text


@pytest.mark.parametrize("example", sorted(p.name for p in (EXAMPLES / "cases").glob("*.yaml")))
def test_every_example_case_round_trips_through_the_form(app, example):
    """Each letter kind: import, show the form, post it back as the browser would, export: the
    same case; and the live check finds no error in the bundled examples."""
    client, csrf = logged_in(app, "anna")
    path = EXAMPLES / "cases" / example
    original = yaml.safe_load(path.read_text())
    if original["department"] != "voksen":
        client, csrf = logged_in(app, "bo")
    response = client.post("/sager/importer", files={"case_file": (example, path.read_bytes())},
                           data={"csrf_token": csrf}, follow_redirects=False)
    location = response.headers["location"]
    assert client.get(location).status_code == 200
    preview = client.post(f"{location}/gem", data={**form_of(client, location), "csrf_token": csrf},
                          headers={"HX-Request": "true"})
    assert preview.status_code == 200 and 'id="ingen-fejl"' in preview.text, preview.text[:3000]
    exported = yaml.safe_load(client.get(f"{location}/eksport").text)
    # A draft is JSON: a date among a phrase's free parameters comes back as its ISO text.
    as_json = json.loads(json.dumps(original, default=str))
    assert CaseFile.model_validate(json.loads(json.dumps(exported, default=str))) == CaseFile.model_validate(as_json)


def test_drafts_and_sessions_survive_a_server_restart(app, tmp_path):
    client, csrf = logged_in(app, "anna")
    location = import_example(client, csrf)
    restarted = create_app(str(app.state.engine.url))  # a new process on the same database
    again = TestClient(restarted, cookies=client.cookies)
    assert again.get(location).status_code == 200
    assert "2026-0142" in again.get("/").text


def test_import_keeps_an_amount_written_the_danish_way(app):
    """`beloeb: 2.400` unquoted is 2.4 to YAML; a caseworker means 2400 kr. The draft keeps it as written."""
    client, csrf = logged_in(app, "anna")
    text = (EXAMPLES / "cases" / "sel-100-afslag.yaml").read_text().replace('beloeb: "2.400"', "beloeb: 2.400")
    response = client.post("/sager/importer", files={"case_file": ("sag.yaml", text.encode())}, data={"csrf_token": csrf},
                           follow_redirects=False)
    exported = client.get(f"{response.headers['location']}/eksport").text
    assert "beloeb: 2.400" in exported or "beloeb: '2.400'" in exported

"""The store on both databases it supports: SQLite (the embedded default) and PostgreSQL (a
throwaway server from Debian's packages on 127.0.0.1). Same migrations, same behaviour."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from generator.store import make_engine, upgrade
from generator.store.audit import AuditEvent, audit
from generator.store.drafts import Draft
from generator.store.letters import Issue, IssuedFile
from generator.web import auth

from web_support import PostgresServer


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'brevgen.db'}"
    base = request.getfixturevalue("postgres")
    engine = make_engine(base)
    with engine.begin() as connection:  # a clean schema per test
        connection.execute(text("drop schema public cascade"))
        connection.execute(text("create schema public"))
    engine.dispose()
    return base


def test_migrations_create_the_web_tables_once(url):
    upgrade(url)
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"users", "web_sessions", "login_failures", "drafts", "issues", "issued_files", "audit_events"} <= tables
    with engine.connect() as connection:
        assert len(connection.execute(text("select version_num from alembic_version")).all()) == 1


def test_users_sessions_drafts_issues_and_audit(url):
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        user = auth.create_user(db, "anna", "rigtig-kode-123", "caseworker", "voksen")
        assert user.password_hash.startswith("$argon2id$") and "rigtig" not in user.password_hash
        assert auth.login(db, "anna", "forkert", "127.0.0.1") is None
        _user, token, _csrf = auth.login(db, "anna", "rigtig-kode-123", "127.0.0.1")
        draft = Draft(department="voksen", data={"case_number": "1", "facts": ["æøå"]}, created_by=user.id, updated_by=user.id)
        db.add(draft)
        db.flush()
        issue = Issue(draft_id=draft.id, version=1, department="voksen", case_data=draft.data, issued_by=user.id)
        db.add(issue)
        db.flush()
        db.add(IssuedFile(issue_id=issue.id, recipient_index=1, name="1_afgoerelse_1-borger.pdf", format="pdf",
                          sha256="0" * 64, content=b"%PDF-\x00\xff", record=None))
        audit(db, "anna", "issued", "issue", issue.id)
        db.commit()
        token_hash = auth.token_digest(token)
    with Session(engine) as db:  # a new connection reads back what was written
        assert db.scalar(select(Draft.data)) == {"case_number": "1", "facts": ["æøå"]}
        assert db.scalar(select(IssuedFile.content)) == b"%PDF-\x00\xff"
        assert db.scalar(select(AuditEvent.action)) == "issued"
        from generator.store.users import WebSession
        assert db.get(WebSession, token_hash) is not None
        # an issued version is unique per draft: issuing again must make version 2
        db.add(Issue(draft_id=db.scalar(select(Draft.id)), version=1, department="voksen", case_data={}, issued_by=1))
        with pytest.raises(IntegrityError):
            db.commit()

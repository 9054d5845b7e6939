"""The store's migrations run from nothing to the newest revision, and again without change."""

from sqlalchemy import inspect, text

from generator.store import database_url, make_engine, upgrade


def test_upgrade_reaches_head_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'db' / 'brevgen.db'}"
    upgrade(url)
    upgrade(url)  # a second run finds nothing to do
    engine = make_engine(url)
    assert "alembic_version" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        versions = connection.execute(text("select version_num from alembic_version")).scalars().all()
    assert len(versions) == 1  # one head: migrations form a single chain


def test_database_url_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BREVGEN_DATA", str(tmp_path))
    monkeypatch.delenv("BREVGEN_DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{tmp_path / 'brevgen.db'}"
    monkeypatch.setenv("BREVGEN_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/b")
    assert database_url() == "postgresql+psycopg://u@127.0.0.1/b"

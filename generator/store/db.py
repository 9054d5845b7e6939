"""Engine, declarative base and migrations for the store.

Every table module in this package subclasses `Base`, so one `Base.metadata` describes the whole
schema (Alembic compares against it). Nothing here knows what a letter is.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so a migration written on SQLite also runs on PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def data_dir() -> Path:
    """The folder for the embedded database and issued files: BREVGEN_DATA, else ./brevgen-data."""
    return Path(os.environ.get("BREVGEN_DATA", "brevgen-data")).resolve()


def database_url() -> str:
    """BREVGEN_DATABASE_URL (e.g. postgresql+psycopg://user@host/brevgen), else SQLite in data_dir()."""
    url = os.environ.get("BREVGEN_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'brevgen.db'}"


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # pragma: no cover - runs per connection
            # WAL lets a reader (the web app) and a writer (a send or batch) work at once;
            # foreign keys are off by default in SQLite.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Bring the database at `url` (default: database_url()) to the newest migration."""
    from alembic import command

    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")

"""The database: drafts, issued letters, the audit log, API tokens and the send ledger.

The store knows tables, not law. SQLite in the data folder is the embedded default; a
PostgreSQL URL (BREVGEN_DATABASE_URL) points several servers at one database. The schema is
created and changed only by the Alembic migrations in `migrations/versions/`, one file per change;
`upgrade()` brings a database to the newest one.
"""

from .db import Base, database_url, data_dir, make_engine, upgrade
from . import audit, drafts, letters, tokens, users  # noqa: F401,E402  (the web app's tables join Base.metadata)

__all__ = ["Base", "database_url", "data_dir", "make_engine", "upgrade"]

"""The web app's tables: users, login sessions, failed logins, drafts, issued letters, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("department", sa.String(80), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_web_sessions")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_web_sessions_user_id_users")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    for column in ("username", "client", "at"):
        op.create_index(op.f(f"ix_login_failures_{column}"), "login_failures", [column])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("department", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_drafts_created_by_users")),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_drafts_updated_by_users")),
    )
    op.create_index(op.f("ix_drafts_department"), "drafts", ["department"])
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("draft_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("department", sa.String(80), nullable=False),
        sa.Column("case_data", sa.JSON, nullable=False),
        sa.Column("issued_by", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issues")),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_issues_draft_id_drafts")),
        sa.ForeignKeyConstraint(["issued_by"], ["users.id"], name=op.f("fk_issues_issued_by_users")),
        sa.UniqueConstraint("draft_id", "version", name="uq_issues_draft_version"),
    )
    op.create_index(op.f("ix_issues_draft_id"), "issues", ["draft_id"])
    op.create_index(op.f("ix_issues_department"), "issues", ["department"])
    op.create_table(
        "issued_files",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("recipient_index", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("record", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_files")),
        sa.ForeignKeyConstraint(["issue_id"], ["issues.id"], name=op.f("fk_issued_files_issue_id_issues")),
    )
    op.create_index(op.f("ix_issued_files_issue_id"), "issued_files", ["issue_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("detail", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])


def downgrade() -> None:
    for table in ("audit_events", "issued_files", "issues", "drafts", "login_failures", "web_sessions", "users"):
        op.drop_table(table)

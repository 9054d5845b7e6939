"""The send ledger: one row per Digital Post message (generator/store/sends.py).

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"  # chained after the web app's 0002 at merge (one head)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sends",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_uuid", sa.String(36), nullable=False),
        sa.Column("letter_key", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("case_number", sa.String(80), nullable=False),
        sa.Column("person_id", sa.String(40)),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("transport", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("receipt", sa.String(200)),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_sends"),
        sa.UniqueConstraint("message_uuid", name="uq_sends_message_uuid"),
        sa.UniqueConstraint("letter_key", "version", name="uq_sends_letter_version"),
    )
    op.create_index("ix_sends_status", "sends", ["status"])


def downgrade() -> None:
    op.drop_index("ix_sends_status", table_name="sends")
    op.drop_table("sends")

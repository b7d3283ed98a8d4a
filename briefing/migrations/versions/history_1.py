"""Runs and deliveries keyed by day, as the first briefing wrote them.

SQLite files from before Alembic: `PRAGMA user_version` 1, or 0 with these tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "history_1"
down_revision = None
branch_labels = ("history",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started", sa.Text, nullable=False),
        sa.Column("ended", sa.Text),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("files", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("delivery", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("message", sa.Text, nullable=False, server_default=sa.text("''")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "deliveries",
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("sent_at", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
    )

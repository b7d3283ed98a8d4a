"""Several briefs: runs and deliveries belong to a brief (old rows to brief '').

SQLite files from before Alembic carried this schema as `PRAGMA user_version = 3`.
"""

import sqlalchemy as sa
from alembic import op

revision = "history_3"
down_revision = "history_2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("brief", sa.Text, nullable=False,
                                    server_default=sa.text("''")))
    op.rename_table("deliveries", "deliveries_v2")
    op.create_table(
        "deliveries",
        sa.Column("brief", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("brief", "day", "audience", name="deliveries_pkey"),
    )
    op.execute("INSERT INTO deliveries (brief, day, audience, status, sent_at, recipients, "
               "message_id) SELECT '', day, audience, status, sent_at, recipients, message_id "
               "FROM deliveries_v2")
    op.drop_table("deliveries_v2")

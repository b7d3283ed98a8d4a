"""A lease per run; deliveries per day and recipient list, recorded before sending.

SQLite files from before Alembic carried this schema as `PRAGMA user_version = 2`.
"""

import sqlalchemy as sa
from alembic import op

revision = "history_2"
down_revision = "history_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("lease", sa.Text))
    op.rename_table("deliveries", "deliveries_v1")
    op.create_table(
        "deliveries",
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("day", "audience", name="deliveries_day_audience"),
    )
    op.execute("INSERT INTO deliveries (day, audience, status, sent_at, recipients, message_id) "
               "SELECT day, '', 'sent', sent_at, recipients, message_id FROM deliveries_v1")
    op.drop_table("deliveries_v1")

"""Scheduled runs name the scheduled time they make the brief for (`slot`), unique
per brief, so two schedulers that fire at once make it once between them.
"""

import sqlalchemy as sa
from alembic import op

revision = "history_4"
down_revision = "history_3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("slot", sa.Text))
    op.create_index("runs_slot", "runs", ["brief", "slot"], unique=True)

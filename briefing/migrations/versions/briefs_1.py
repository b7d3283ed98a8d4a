"""The brief store in the database: each brief's files of each day, one row per kind.

Only a PostgreSQL database holds it; with SQLite the briefs are the output folder's files.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "briefs_1"
down_revision = None
branch_labels = ("briefs",)
depends_on = None

STAMP = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "brief_files",
        sa.Column("brief", sa.Text, nullable=False),
        sa.Column("day", STAMP, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.Column("written", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("brief", "day", "kind", name="brief_files_pkey"),
    )

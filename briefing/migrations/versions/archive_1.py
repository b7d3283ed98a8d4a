"""The article archive: articles, one row per normalized URL, and each feed's last check.

SQLite files from before Alembic carried this schema as `PRAGMA user_version = 1`.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "archive_1"
down_revision = None
branch_labels = ("archive",)
depends_on = None

STAMP = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("outlet", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", STAMP),
        sa.Column("fetched", STAMP, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("articles_published", "articles", ["published"])
    op.create_index("articles_fetched", "articles", ["fetched"])
    op.create_table(
        "feeds",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("checked", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("error", sa.Text, nullable=False, server_default=sa.text("''")),
    )

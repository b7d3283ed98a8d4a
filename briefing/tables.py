"""The state database's tables, as the code reads and writes them (SQLAlchemy Core).

One description for SQLite and PostgreSQL. The migrations in briefing/migrations
build these tables step by step; tests/test_database.py checks that the two agree.
Times are ISO 8601 text, as they always were: compared as strings, so on
PostgreSQL the columns that are compared use the "C" collation (byte order),
whatever the database's locale.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeEngine

metadata = MetaData()


def stamp() -> TypeEngine[str]:
    """Text ordered byte by byte: ISO times and days compare as they read."""
    # The generic type with a collation: the same DDL as postgresql.TEXT's, without loading
    # the PostgreSQL dialect on every start (SQLite, the default, never needs it).
    return Text().with_variant(Text(collation="C"), "postgresql")


# --- the article archive ------------------------------------------------------------------

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),  # normalized: one row per article
    Column("article_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("outlet", Text),
    Column("title", Text),
    Column("published", stamp()),
    Column("fetched", stamp(), nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Index("articles_published", "published"),
    Index("articles_fetched", "fetched"),
    sqlite_autoincrement=True,
)

feeds = Table(
    "feeds", metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked", Text),
    Column("status", Text, nullable=False, server_default=text("''")),
    Column("error", Text, nullable=False, server_default=text("''")),
)

# --- the run history and the sent-once records ----------------------------------------------

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started", Text, nullable=False),
    Column("ended", Text),
    Column("day", Text, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("articles", Integer, nullable=False, server_default=text("0")),
    Column("files", Text, nullable=False, server_default=text("'[]'")),
    Column("delivery", Text, nullable=False, server_default=text("''")),
    Column("message", Text, nullable=False, server_default=text("''")),
    Column("lease", Text),  # the name of the lock its process holds while it runs
    Column("brief", Text, nullable=False, server_default=text("''")),
    # The scheduled time a scheduled run makes the brief for: one run per brief and time,
    # however many schedulers fire (NULLs never collide).
    Column("slot", Text),
    Index("runs_slot", "brief", "slot", unique=True),
    sqlite_autoincrement=True,
)

deliveries = Table(
    "deliveries", metadata,
    Column("brief", Text, nullable=False, server_default=text("''")),
    Column("day", Text, nullable=False),
    Column("audience", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("sent_at", Text, nullable=False),
    Column("recipients", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    PrimaryKeyConstraint("brief", "day", "audience", name="deliveries_pkey"),
)


# --- the brief store (with PostgreSQL; with SQLite the briefs are the output folder's files) --

brief_files = Table(
    "brief_files", metadata,
    Column("brief", Text, nullable=False),  # "" for a file's only brief
    Column("day", stamp(), nullable=False),
    Column("kind", Text, nullable=False),  # html, pdf, json, eml
    # Raised by every write of the day's set, so a reader's cache sees each new version.
    Column("generation", BigInteger, nullable=False),
    Column("written", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    PrimaryKeyConstraint("brief", "day", "kind", name="brief_files_pkey"),
)

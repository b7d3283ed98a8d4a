"""The SQLite schemas briefing wrote before Alembic (`PRAGMA user_version` 1 to 3), as
those versions wrote them, to check that today's briefing adopts such files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

ARCHIVE_V1 = """
    CREATE TABLE articles (id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL, source TEXT NOT NULL,
        outlet TEXT, title TEXT, published TEXT, fetched TEXT NOT NULL,
        text TEXT NOT NULL, content_hash TEXT NOT NULL);
    CREATE INDEX articles_published ON articles (published);
    CREATE INDEX articles_fetched ON articles (fetched);
    CREATE TABLE feeds (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,
        checked TEXT, status TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '');
    PRAGMA user_version = 1;
"""

_RUNS_V2 = """
    CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,
        ended TEXT, day TEXT NOT NULL, trigger TEXT NOT NULL, status TEXT NOT NULL,
        articles INTEGER NOT NULL DEFAULT 0, files TEXT NOT NULL DEFAULT '[]',
        delivery TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
        lease TEXT
"""

HISTORY_V2 = _RUNS_V2 + """);
    CREATE TABLE deliveries (day TEXT NOT NULL, audience TEXT NOT NULL,
        status TEXT NOT NULL, sent_at TEXT NOT NULL, recipients TEXT NOT NULL,
        message_id TEXT NOT NULL, PRIMARY KEY (day, audience));
    PRAGMA user_version = 2;
"""

HISTORY_V3 = _RUNS_V2 + """, brief TEXT NOT NULL DEFAULT '');
    CREATE TABLE deliveries (brief TEXT NOT NULL DEFAULT '', day TEXT NOT NULL,
        audience TEXT NOT NULL, status TEXT NOT NULL, sent_at TEXT NOT NULL,
        recipients TEXT NOT NULL, message_id TEXT NOT NULL,
        PRIMARY KEY (brief, day, audience));
    PRAGMA user_version = 3;
"""


def write(path: Path, schema: str, rows: str = "") -> None:
    """An SQLite file with an old schema and the rows given (SQL statements)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(schema + rows)
    finally:
        db.close()

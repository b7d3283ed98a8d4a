"""The article archive: every fetched or imported article, once, in SQLite.

WAL mode lets the brief read while a fetch writes. Each article is one INSERT
in its own transaction, so a process killed mid-fetch leaves whole rows or
none. The normalized URL is UNIQUE, so two fetches at once cannot store an
article twice. The schema carries its version (`PRAGMA user_version`) and is
migrated forward on open.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefing.state import database, migrate

MIGRATIONS: list[str] = [
    # 1: articles and feed state
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL UNIQUE,
        article_id TEXT NOT NULL,
        source TEXT NOT NULL,
        outlet TEXT,
        title TEXT,
        published TEXT,
        fetched TEXT NOT NULL,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles (published);
    CREATE INDEX articles_fetched ON articles (fetched);
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        checked TEXT,
        status TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT ''
    );
    """,
]

TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src")


def normalize_url(url: str) -> str:
    """One spelling per article: no tracking parameters, fragment, default port or end slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith(TRACKING))
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredArticle:
    url: str
    article_id: str  # what the brief calls it: a file name, or the URL
    source: str  # the [[sources]] entry it came from
    outlet: str | None
    title: str | None
    published: date | None  # the day it was published, when known
    fetched: datetime
    text: str
    published_at: datetime | None = None  # the instant, when the feed or page gives a time


@dataclass(frozen=True)
class FeedState:
    etag: str | None
    last_modified: str | None


class Archive:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return database(self.path, "article archive", self._open)

    def _open(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        migrate(db, MIGRATIONS, "article archive")

    def schema_version(self) -> int:
        with self._db() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def has(self, url: str) -> bool:
        with self._db() as db:
            return db.execute("SELECT 1 FROM articles WHERE url = ?",
                              (normalize_url(url),)).fetchone() is not None

    def add(self, article: StoredArticle) -> bool:
        """Store an article; False if its URL is already there (another fetch got it first)."""
        with self._db() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO articles (url, article_id, source, outlet, title, "
                "published, fetched, text, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (normalize_url(article.url), article.article_id, article.source, article.outlet,
                 article.title, _published(article),
                 article.fetched.isoformat(timespec="seconds"), article.text,
                 content_hash(article.text)))
            return cursor.rowcount == 1

    def window(self, since: datetime | None, until: datetime) -> tuple[list[StoredArticle], int]:
        """The articles published (or, undated, fetched) from `since` to `until`, and how
        many older ones were left out. `since=None` means from the beginning.

        Articles with a publication time are compared as instants; those with only a
        day count when that day, in `until`'s zone, falls inside the window.
        """
        # SQL narrows by day with a day's margin either side (stored times carry
        # their own zones); the exact comparison is made on parsed instants.
        low = (since - timedelta(days=1)).date().isoformat() if since else "0000"
        high = (until + timedelta(days=1)).date().isoformat() + "\uffff"
        with self._db() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM articles WHERE COALESCE(published, fetched) >= ? "
                "AND COALESCE(published, fetched) <= ? ORDER BY id", (low, high)).fetchall()
            older = int(db.execute("SELECT COUNT(*) FROM articles WHERE "
                                   "COALESCE(published, fetched) < ?", (low,)).fetchone()[0])
        inside = []
        for row in rows:
            article = _row(row)
            place = placement(article.published_at, article.published, article.fetched,
                              since, until)
            if place == 0:
                inside.append(article)
            older += place < 0
        return inside, older

    def by_ids(self, ids: Iterable[str]) -> list[StoredArticle]:
        """The stored articles with these ids (a report over several days' briefs)."""
        wanted = sorted(set(ids))
        found: list[StoredArticle] = []
        with self._db() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                found += [_row(r) for r in db.execute(
                    f"SELECT {COLUMNS} FROM articles WHERE article_id IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY id", chunk).fetchall()]
        return sorted(found, key=lambda a: a.url)

    def count(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def check_integrity(self) -> str:
        with self._db() as db:
            return str(db.execute("PRAGMA integrity_check").fetchone()[0])

    def feed_state(self, url: str) -> FeedState:
        with self._db() as db:
            row = db.execute("SELECT etag, last_modified FROM feeds WHERE url = ?",
                             (url,)).fetchone()
        return FeedState(*row) if row else FeedState(None, None)

    def record_feed(self, url: str, checked: datetime, status: str, error: str = "",
                    etag: str | None = None, last_modified: str | None = None) -> None:
        """Remember a feed's last check; validators only change when the feed was read whole."""
        with self._db() as db:
            db.execute("INSERT INTO feeds (url, checked, status, error) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(url) DO UPDATE SET checked = excluded.checked, "
                       "status = excluded.status, error = excluded.error",
                       (url, checked.isoformat(timespec="seconds"), status, error))
            if etag is not None or last_modified is not None:
                db.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE url = ?",
                           (etag, last_modified, url))


COLUMNS = "url, article_id, source, outlet, title, published, fetched, text"


def _published(article: StoredArticle) -> str | None:
    """Stored as the full instant when known, else the day."""
    if article.published_at is not None:
        return article.published_at.isoformat(timespec="seconds")
    return article.published.isoformat() if article.published else None


def placement(published_at: datetime | None, published: date | None, fetched: datetime | None,
              since: datetime | None, until: datetime) -> int:
    """-1 before the window, 0 inside it, 1 after it."""
    if published_at is not None:
        moment = published_at if published_at.tzinfo else published_at.replace(tzinfo=UTC)
        return -1 if since and moment < since else 1 if moment > until else 0
    if published is not None:
        zone = until.tzinfo
        first = since.astimezone(zone).date() if since else None
        return -1 if first and published < first else 1 if published > until.date() else 0
    if fetched is not None:
        return -1 if since and fetched < since else 1 if fetched > until else 0
    return 0


def _row(r: tuple[str, ...]) -> StoredArticle:
    stamp = r[5]
    published_at = datetime.fromisoformat(stamp) if stamp and len(stamp) > 10 else None
    published = published_at.date() if published_at else (
        date.fromisoformat(stamp) if stamp else None)
    fetched = datetime.fromisoformat(r[6])
    return StoredArticle(url=r[0], article_id=r[1], source=r[2], outlet=r[3], title=r[4],
                         published=published, published_at=published_at,
                         fetched=fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC),
                         text=r[7])

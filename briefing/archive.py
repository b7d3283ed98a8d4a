"""The article archive: every fetched or imported article, once.

An SQLite file in the state folder by default (WAL mode lets the brief read
while a fetch writes), or the PostgreSQL database the configuration names, where
fetchers and web servers on any number of hosts share it (briefing/state.py).
Each article is one INSERT in its own transaction, so a process killed
mid-fetch leaves whole rows or none. The normalized URL is UNIQUE and inserts
skip a URL already there, so two fetches at once neither store an article
twice nor fail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import func, select, text

from briefing.days import placement
from briefing.state import Store, upsert
from briefing.tables import articles, feeds

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
    """The archive in the SQLite file `path`, or in the database at `url` when given."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        self.path = path
        self.store = Store(url or path, "archive", "article archive")

    @property
    def shown(self) -> str:
        """Where it is, for messages: the file, or the database URL without its password."""
        return self.store.shown

    def schema_version(self) -> str | None:
        """The Alembic revision of its schema."""
        return self.store.revision()

    def has(self, url: str) -> bool:
        with self.store.transaction() as db:
            return db.execute(select(articles.c.id).where(
                articles.c.url == normalize_url(url))).first() is not None

    def add(self, article: StoredArticle) -> bool:
        """Store an article; False if its URL is already there (another fetch got it first)."""
        row = _no_nul({"url": normalize_url(article.url), "article_id": article.article_id,
                       "source": article.source, "outlet": article.outlet,
                       "title": article.title, "published": _published(article),
                       "fetched": article.fetched.isoformat(timespec="seconds"),
                       "text": article.text})
        row["content_hash"] = content_hash(row["text"])
        with self.store.transaction(write=True) as db:
            statement = upsert(db, articles).values(row)
            return db.execute(statement.on_conflict_do_nothing(index_elements=["url"])
                              .returning(articles.c.id)).first() is not None

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
        when = func.coalesce(articles.c.published, articles.c.fetched)
        with self.store.transaction() as db:
            rows = db.execute(select(*COLUMNS).where(when >= low, when <= high)
                              .order_by(articles.c.id)).all()
            older = int(db.execute(select(func.count()).select_from(articles)
                                   .where(when < low)).scalar_one())
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
        with self.store.transaction() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                found += [_row(r) for r in db.execute(
                    select(*COLUMNS).where(articles.c.article_id.in_(chunk))
                    .order_by(articles.c.id))]
        return sorted(found, key=lambda a: a.url)

    def count(self) -> int:
        with self.store.transaction() as db:
            return int(db.execute(select(func.count()).select_from(articles)).scalar_one())

    def check_integrity(self) -> str:
        """SQLite's integrity check ("ok"); PostgreSQL keeps its own, so "ok" there."""
        with self.store.transaction() as db:
            if db.dialect.name != "sqlite":
                return "ok"
            return str(db.execute(text("PRAGMA integrity_check")).scalar())

    def feed_state(self, url: str) -> FeedState:
        with self.store.transaction() as db:
            row = db.execute(select(feeds.c.etag, feeds.c.last_modified)
                             .where(feeds.c.url == url)).first()
        return FeedState(row[0], row[1]) if row else FeedState(None, None)

    def record_feed(self, url: str, checked: datetime, status: str, error: str = "",
                    etag: str | None = None, last_modified: str | None = None) -> None:
        """Remember a feed's last check; validators only change when the feed was read whole."""
        row: dict[str, Any] = {"url": url, "checked": checked.isoformat(timespec="seconds"),
                               "status": status, "error": error}
        if etag is not None or last_modified is not None:
            row |= {"etag": etag, "last_modified": last_modified}
        with self.store.transaction(write=True) as db:
            statement = upsert(db, feeds).values(_no_nul(row))
            db.execute(statement.on_conflict_do_update(
                index_elements=["url"],
                set_={k: statement.excluded[k] for k in row if k != "url"}))


COLUMNS: Sequence[Any] = (articles.c.url, articles.c.article_id, articles.c.source,
                          articles.c.outlet, articles.c.title, articles.c.published,
                          articles.c.fetched, articles.c.text)


def _no_nul(row: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL text cannot hold NUL characters; no article needs them."""
    return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()}


def _published(article: StoredArticle) -> str | None:
    """Stored as the full instant when known, else the day."""
    if article.published_at is not None:
        return article.published_at.isoformat(timespec="seconds")
    return article.published.isoformat() if article.published else None


def _row(r: Sequence[Any]) -> StoredArticle:
    stamp = r[5]
    published_at = datetime.fromisoformat(stamp) if stamp and len(stamp) > 10 else None
    published = published_at.date() if published_at else (
        date.fromisoformat(stamp) if stamp else None)
    fetched = datetime.fromisoformat(r[6])
    return StoredArticle(url=r[0], article_id=r[1], source=r[2], outlet=r[3], title=r[4],
                         published=published, published_at=published_at,
                         fetched=fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC),
                         text=r[7])

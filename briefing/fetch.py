"""`briefing fetch`: feeds and folders into the article archive, politely.

Feeds are asked with their last ETag and Last-Modified (a 304 costs nothing),
pages are fetched once per URL, one host at a time at a polite pace, under a
timeout and a size cap, with a user agent that names briefing. A feed or page
that fails is reported and left for the next fetch; it never stops the others,
or the brief.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from briefing import ingest
from briefing.archive import Archive, StoredArticle, normalize_url
from briefing.config import Settings, Source
from briefing.errors import FetchError
from briefing.files import shown
from briefing.models import Skipped

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class FetchReport:
    stored: int = 0
    already: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, why)

    def summary(self) -> str:
        text = f"{self.stored} new articles stored, {self.already} already in the archive"
        if self.skipped:
            text += f", {len(self.skipped)} items skipped"
        if self.failed:
            text += f", {len(self.failed)} sources failed"
        return text


class Pacer:
    """At most one request per host every `seconds`."""

    def __init__(self, seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.seconds = seconds
        self.sleep = sleep
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        if host in self.last:
            due = self.last[host] + self.seconds - time.monotonic()
            if due > 0:
                self.sleep(due)
        self.last[host] = time.monotonic()


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    body: bytes
    headers: httpx.Headers
    charset: str | None  # from the Content-Type header, if it names one


def get(client: httpx.Client, url: str, pacer: Pacer, max_bytes: int,
        headers: dict[str, str] | None = None) -> Page:
    """GET with pacing and a size cap; network trouble becomes a FetchError."""
    pacer.wait(url)
    try:
        with client.stream("GET", url, headers=headers) as response:
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise FetchError(f"larger than {max_bytes / 1e6:g} MB ({declared / 1e6:.1f} MB)")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"larger than {max_bytes / 1e6:g} MB")
                chunks.append(chunk)
            return Page(str(response.url), response.status_code, b"".join(chunks),
                        response.headers, response.charset_encoding)
    except httpx.TimeoutException:
        raise FetchError("timed out") from None
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from None


def client_for(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=settings.fetch.timeout_seconds, follow_redirects=True,
                        max_redirects=5, headers={"User-Agent": settings.fetch.user_agent})


def fetch_sources(settings: Settings, archive: Archive, client: httpx.Client | None = None,
                  sleep: Callable[[float], None] = time.sleep) -> FetchReport:
    """Every source in turn; a failing one is reported and the rest go on."""
    report = FetchReport()
    pacer = Pacer(settings.fetch.per_host_seconds, sleep)
    own = client is None
    client = client or client_for(settings)
    try:
        for source in settings.sources:
            try:
                if source.folder is not None:
                    import_folder(source, source.folder, settings, archive, report)
                elif source.feed is not None:
                    fetch_feed(source, source.feed, settings, archive, client, pacer, report)
            except Exception as exc:  # one source must never stop the others
                why = str(exc) if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}"
                log.warning("source %s failed: %s", source.name, why)
                report.failed.append((source.name, why))
    finally:
        if own:
            client.close()
    log.debug("fetch: %s", report.summary())  # the caller says it, once
    return report


def import_folder(source: Source, folder: Path, settings: Settings, archive: Archive,
                  report: FetchReport) -> None:
    for path in ingest.article_files(folder):
        url = path.resolve().as_uri()
        if archive.has(url):
            report.already += 1
            continue
        result = ingest.read_file(path, int(settings.max_file_mb * 1_000_000))
        if isinstance(result, Skipped):
            report.skipped.append((url, result.reason))
            continue
        for document in result if isinstance(result, list) else [result]:
            doc_url = url if document.id == path.name else f"{url}#{document.id}"
            stored = archive.add(StoredArticle(
                url=doc_url, article_id=document.id, source=source.name,
                outlet=source.outlet or document.meta_outlet, title=document.meta_title,
                published=None, fetched=datetime.now(UTC), text=document.text))
            report.stored += stored
            report.already += not stored


def fetch_feed(source: Source, feed_url: str, settings: Settings, archive: Archive,
               client: httpx.Client, pacer: Pacer, report: FetchReport) -> None:
    import feedparser

    state = archive.feed_state(feed_url)
    conditional = {k: v for k, v in (("If-None-Match", state.etag),
                                      ("If-Modified-Since", state.last_modified)) if v}
    checked = datetime.now(UTC)
    try:
        page = get(client, feed_url, pacer, int(settings.fetch.max_page_mb * 1e6), conditional)
        if page.status == 304:
            archive.record_feed(feed_url, checked, "not modified")
            return
        if page.status >= 400:
            raise FetchError(f"HTTP {page.status}")
        parsed = feedparser.parse(page.body)
        usable = [e for e in parsed.entries if e.get("link")]
        if parsed.bozo or not parsed.get("version"):
            problem = getattr(parsed, "bozo_exception", None) or "not a feed"
            if not usable:  # feedparser is lenient; a broken feed is one with nothing usable
                raise FetchError(f"not a readable RSS or Atom feed ({problem})")
            log.warning("feed %s is malformed (%s); reading its %d items anyway", shown(feed_url),
                        problem, len(usable))
    except FetchError as exc:
        archive.record_feed(feed_url, checked, "failed", str(exc))
        raise
    feed_title = parsed.feed.get("title") or None
    items = parsed.entries[: settings.fetch.max_items_per_feed]
    complete = True
    for entry in items:
        link = entry.get("link")
        if not link:
            report.skipped.append((feed_url, "an item without a link"))
            continue
        if archive.has(link):
            report.already += 1
            continue
        try:
            article = fetch_article(link, entry, source, feed_title, settings, client, pacer)
        except FetchError as exc:
            complete = False  # try this item again next time
            log.warning("skipped %s: %s", shown(link), exc)
            report.skipped.append((link, str(exc)))
            continue
        stored = archive.add(article)
        report.stored += stored
        report.already += not stored
    # Validators are kept only when every item was handled; otherwise a 304
    # next time would hide the items that failed.
    archive.record_feed(feed_url, checked, "ok" if complete else "partly fetched",
                        etag=page.headers.get("etag") if complete else None,
                        last_modified=page.headers.get("last-modified") if complete else None)


def fetch_article(link: str, entry: dict[str, object], source: Source, feed_title: str | None,
                  settings: Settings, client: httpx.Client, pacer: Pacer) -> StoredArticle:
    """Fetch one item's page and extract its article (trafilatura; date via htmldate).

    The outlet is the configured one, else the page's own (its site name or
    publisher), else the feed's title: a feed that aggregates many outlets
    credits each article to the outlet that published it.
    """
    page = get(client, link, pacer, int(settings.fetch.max_page_mb * 1e6))
    if page.status >= 400:
        raise FetchError(f"HTTP {page.status}")
    kind = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise FetchError(f"not an HTML page ({kind or 'no content type'})")
    decoded = _decode(page)
    result = ingest.read_html(link, Path(urlsplit(link).path or "/"), decoded)
    if isinstance(result, str):
        raise FetchError(result)
    published_at = entry_time(entry)
    published = published_at.date() if published_at else (
        _iso_date(result.meta_date) if result.meta_date else None)
    title = str(entry.get("title") or "") or result.meta_title
    return StoredArticle(url=link, article_id=normalize_url(link), source=source.name,
                         outlet=source.outlet or result.meta_outlet or feed_title, title=title,
                         published=published, published_at=published_at,
                         fetched=datetime.now(UTC), text=result.text)


def _decode(page: Page) -> ingest.Decoded:
    """The charset the server declared, else the same guesses as for files."""
    if page.charset:
        try:
            return ingest.Decoded(page.body.decode(page.charset), page.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return ingest.decode(page.body)


def entry_time(entry: dict[str, object]) -> datetime | None:
    """A feed item's publication instant, in the zone the feed wrote it in (else UTC)."""
    for key in ("published", "updated"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            moment = _parse_time(raw.strip())
            if moment is not None:
                return moment
    for key in ("published_parsed", "updated_parsed"):  # feedparser's UTC reading
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC)  # type: ignore[index, misc]
            except (TypeError, ValueError):
                continue
    return None


def _parse_time(raw: str) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom); only a time with a zone is an instant."""
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None

"""Feeds and pages over real HTTP on loopback, into the archive."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from briefing.archive import Archive, StoredArticle, normalize_url
from briefing.config import Settings, Source
from briefing.daily import daily_run
from briefing.fetch import fetch_sources
from briefing.state import StateError
from tests.conftest import ROOT, SEEDS, Reply, loopback_site


def article_html(title: str, seed: str) -> bytes:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if len(p.split()) > 20][:4]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title}</title>"
            f'<meta property="og:site_name" content="Frontier Post">'
            f'<meta name="date" content="2025-10-27"></head>'
            f"<body><nav>Home | World</nav><article><h1>{title}</h1>{body}</article>"
            "<footer>Share this article</footer></body></html>").encode()


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{base}{link}</link>"
                      "<pubDate>Mon, 27 Oct 2025 09:00:00 GMT</pubDate></item>"
                      for t, link in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Frontier Wire</title>'
            f"<link>{base}/</link><description>x</description>{entries}</channel></rss>"
            ).encode()


class Site:
    """What the test server serves, and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.block = threading.Event()  # /hang waits on this
        self.base = ""

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/feed.xml":
            return 200, {"Content-Type": "application/rss+xml"}, rss(self.base, [
                ("Clashes on the border", "/a1?utm_source=feed&utm_medium=rss"),
                ("Talks resume", "/moved"),
                ("Gone", "/missing"),
                ("Slow", "/slow"),
                ("A PDF", "/report.pdf"),
                ("Huge", "/huge"),
            ])
        if path == "/atom.xml":
            body = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/'
                    f'Atom"><title>Atom Desk</title><id>x</id><updated>2025-10-27T00:00:00Z'
                    f'</updated><entry><title>Recognition</title><id>y</id><link href="'
                    f'{self.base}/a3"/><updated>2025-10-26T08:00:00Z</updated></entry></feed>'
                    ).encode()
            return 200, {"Content-Type": "application/atom+xml", "ETag": '"atom-v1"'}, body
        if path == "/bad-feed.xml":
            return 200, {"Content-Type": "application/rss+xml"}, b"<rss><channel><item>oops"
        if path == "/hang-feed.xml":
            return 200, {"Content-Type": "application/rss+xml"}, rss(self.base, [
                ("First", "/a1"), ("Second", "/hang"), ("Third", "/a3")])
        if path == "/a1":
            return 200, html, article_html("Clashes on the border", "001_d6679de3fa4b726c.txt")
        if path == "/moved":
            return 301, {"Location": f"{self.base}/a2/"}, b""
        if path == "/a2/":
            return 200, html, article_html("Talks resume", "002_80c53c837bdb71b6.txt")
        if path == "/urdu-press":
            body = ("<html><head><title>Arabic script</title></head><body><article>"
                    + "<p>کابل اور اسلام آباد کے درمیان تجارت طورخم کی سرحد پر رکی رہی، "
                      "تاجروں نے بتایا کہ ٹرکوں کی لمبی قطاریں لگی ہوئی ہیں۔</p>" * 4
                    + "</article></body></html>").encode("cp1256", errors="ignore")
            return 200, {"Content-Type": "text/html; charset=windows-1256"}, body
        if path == "/a3":
            return 200, html, article_html("Recognition", "003_15483e7a24de36bb.txt")
        if path == "/slow":
            time.sleep(3)
            return 200, html, article_html("Slow", "004_d96c562060a1272f.txt")
        if path == "/hang":
            self.block.wait(60)
            return 200, html, article_html("Hang", "004_d96c562060a1272f.txt")
        if path == "/report.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 " + b"x" * 100
        if path == "/huge":
            return 200, html, b"<html><body>" + b"<p>filler text here</p>" * 200_000
        return 404, html, b"<html><body>not found</body></html>"


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    def answer(request: BaseHTTPRequestHandler) -> Reply:
        path = request.path
        state.requests.append((path, dict(request.headers)))
        status, headers, body = state.route(path.split("?")[0])
        if path == "/atom.xml" and request.headers.get("If-None-Match") == '"atom-v1"':
            status, body = 304, b""
        return Reply(status, headers, body, sized=path.split("?")[0] != "/huge")

    with loopback_site(answer) as base:
        state.base = base
        try:
            yield state
        finally:
            state.block.set()


def stored_since(archive: Archive, year: int) -> list[StoredArticle]:
    return archive.window(datetime(year, 1, 1, tzinfo=UTC), datetime.now(UTC))[0]


def configured(settings: Settings, tmp_path: Path, *feeds: str) -> Settings:
    return replace(
        settings,
        sources=tuple(Source(name=f"s{n}", feed=f) for n, f in enumerate(feeds)),
        fetch=replace(settings.fetch, timeout_seconds=1.0, max_page_mb=1.0,
                      per_host_seconds=0.0),
        schedule=replace(settings.schedule, state_dir=tmp_path / "state"),
        output_dir=tmp_path / "output",
    )


def test_urls_are_normalized() -> None:
    assert normalize_url("HTTPS://Example.org:443/News/Story/?utm_source=x&b=2&a=1#top") == \
        "https://example.org/News/Story?a=1&b=2"
    assert normalize_url("http://example.org") == "http://example.org/"
    assert normalize_url("http://example.org:8080/x?fbclid=1") == "http://example.org:8080/x"


def test_a_feed_is_fetched_and_its_bad_items_skipped_with_reasons(
        settings: Settings, tmp_path: Path, site: Site) -> None:
    s = configured(settings, tmp_path, f"{site.base}/feed.xml")
    archive = Archive(s.schedule.state_dir / "articles.sqlite")
    report = fetch_sources(s, archive)
    assert report.stored == 2 and report.failed == []
    reasons = dict(report.skipped)
    assert reasons[f"{site.base}/missing"] == "HTTP 404"
    assert reasons[f"{site.base}/slow"] == "timed out"
    assert reasons[f"{site.base}/report.pdf"] == "not an HTML page (application/pdf)"
    assert reasons[f"{site.base}/huge"].startswith("larger than 1 MB")
    stored = {a.url: a for a in stored_since(archive, 2025)}
    first = stored[f"{site.base}/a1"]  # tracking parameters gone
    assert first.outlet == "Frontier Post"  # the page names its outlet; the feed does not win
    assert first.title == "Clashes on the border"
    assert first.published_at == datetime(2025, 10, 27, 9, 0, tzinfo=UTC)
    assert first.published == date(2025, 10, 27)
    assert "Durand Line" in first.text and "Share this article" not in first.text
    assert f"{site.base}/moved" in stored  # stored under the feed's link, redirect followed
    agents = {h.get("User-Agent", "") for _, h in site.requests}
    assert all("briefing" in a for a in agents)


def test_articles_already_stored_are_not_fetched_again(settings: Settings, tmp_path: Path,
                                                       site: Site) -> None:
    s = configured(settings, tmp_path, f"{site.base}/feed.xml")
    archive = Archive(s.schedule.state_dir / "articles.sqlite")
    fetch_sources(s, archive)
    pages_before = [p for p, _ in site.requests if p.startswith(("/a1", "/a2"))]
    again = fetch_sources(s, archive)
    pages_after = [p for p, _ in site.requests if p.startswith(("/a1", "/a2"))]
    assert pages_after == pages_before
    assert again.stored == 0 and again.already == 2
    assert archive.count() == 2


def test_a_feed_that_has_not_changed_costs_one_conditional_request(
        settings: Settings, tmp_path: Path, site: Site) -> None:
    s = configured(settings, tmp_path, f"{site.base}/atom.xml")
    archive = Archive(s.schedule.state_dir / "articles.sqlite")
    assert fetch_sources(s, archive).stored == 1
    site.requests.clear()
    assert fetch_sources(s, archive).stored == 0
    [(path, headers)] = site.requests
    assert path == "/atom.xml" and headers.get("If-None-Match") == '"atom-v1"'
    [stored] = stored_since(archive, 2025)
    assert stored.published == date(2025, 10, 26) and stored.outlet == "Frontier Post"


def test_a_failing_feed_never_stops_the_others(settings: Settings, tmp_path: Path,
                                               site: Site) -> None:
    s = configured(settings, tmp_path, f"{site.base}/bad-feed.xml", f"{site.base}/nowhere.xml",
                   "http://127.0.0.1:9/closed.xml", f"{site.base}/atom.xml")
    report = fetch_sources(s, Archive(s.schedule.state_dir / "articles.sqlite"))
    failed = dict(report.failed)
    assert failed["s0"].startswith("not a readable RSS or Atom feed")
    assert failed["s1"] == "HTTP 404"
    assert "ConnectError" in failed["s2"]
    assert report.stored == 1


def test_pacing_waits_between_requests_to_one_host(settings: Settings, tmp_path: Path,
                                                   site: Site) -> None:
    s = configured(settings, tmp_path, f"{site.base}/atom.xml")
    s = replace(s, fetch=replace(s.fetch, per_host_seconds=5.0))
    waits: list[float] = []
    fetch_sources(s, Archive(s.schedule.state_dir / "articles.sqlite"), sleep=waits.append)
    assert len(waits) == 1 and 4.0 < waits[0] <= 5.0  # feed, then its one page


def test_a_folder_source_is_imported_once(settings: Settings, tmp_path: Path) -> None:
    s = replace(settings, sources=(Source(name="seeds", folder=SEEDS, outlet="Desk"),),
                schedule=replace(settings.schedule, state_dir=tmp_path / "state"))
    archive = Archive(s.schedule.state_dir / "articles.sqlite")
    assert fetch_sources(s, archive).stored == 5
    assert fetch_sources(s, archive).already == 5
    ids = sorted(a.article_id for a in stored_since(archive, 2000))
    assert ids == sorted(p.name for p in SEEDS.iterdir())


def test_the_schema_is_versioned(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.sqlite")
    assert archive.schema_version() == "archive_1"
    with sqlite3.connect(tmp_path / "a.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = 'archive_99'")
    from briefing import state

    state.forget(f"sqlite:///{tmp_path / 'a.sqlite'}")  # as a new process would open it
    with pytest.raises(StateError, match="newer briefing"):
        archive.count()


def test_a_file_from_before_alembic_numbered_beyond_it_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "a.sqlite") as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StateError, match="newer briefing"):
        Archive(tmp_path / "a.sqlite").count()


def test_scheduled_run_fetches_then_briefs_from_the_archive(settings: Settings, tmp_path: Path,
                                                            site: Site) -> None:
    s = configured(settings, tmp_path, f"{site.base}/feed.xml", f"{site.base}/atom.xml")
    s = replace(s, formats=("json",), schedule=replace(s.schedule, window_hours=0))
    outcome = daily_run(s, datetime(2025, 10, 28, 7, tzinfo=UTC))
    assert outcome.status == "ok" and outcome.articles == 3
    import json

    brief = json.loads(outcome.files[0].read_text())
    assert {a["id"] for a in brief["articles"]} == {
        f"{site.base}/a1", f"{site.base}/moved", f"{site.base}/a3"}


FETCH_ONCE = """
import sys
from dataclasses import replace
from pathlib import Path
from briefing.archive import Archive
from briefing.config import Source, load_settings
from briefing.fetch import fetch_sources
settings = load_settings(Path(sys.argv[1]))
settings = replace(settings, sources=(Source(name="s", feed=sys.argv[2]),),
                   fetch=replace(settings.fetch, per_host_seconds=0.0,
                                 timeout_seconds=float(sys.argv[4]), max_page_mb=1.0))
fetch_sources(settings, Archive(Path(sys.argv[3])))
"""


def _fetcher(feed: str, db: Path, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", FETCH_ONCE, str(ROOT / "briefing.toml"), feed,
                             str(db), str(timeout)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_the_archive_survives_a_crash_mid_fetch(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "articles.sqlite"
    process = _fetcher(f"{site.base}/hang-feed.xml", db)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(p == "/hang" for p, _ in site.requests):
            time.sleep(0.05)
        assert any(p == "/hang" for p, _ in site.requests), "the fetch never reached /hang"
        process.send_signal(signal.SIGKILL)  # mid-fetch, with one article already stored
        process.wait(timeout=10)
    finally:
        process.kill()
    archive = Archive(db)
    assert archive.check_integrity() == "ok"
    rows = sqlite3.connect(db).execute("SELECT url, text, content_hash FROM articles").fetchall()
    assert [r[0] for r in rows] == [f"{site.base}/a1"]
    for _, text_, digest in rows:
        assert text_ and hashlib.sha256(" ".join(text_.split()).encode()).hexdigest() == digest
    site.block.set()
    assert fetch_sources_again(db, site) == 2  # the next fetch picks up where it stopped


def fetch_sources_again(db: Path, site: Site) -> int:
    process = _fetcher(f"{site.base}/hang-feed.xml", db)
    assert process.wait(timeout=60) == 0
    return Archive(db).count() - 1


def test_two_fetches_at_once_store_each_article_once(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "articles.sqlite"
    first = _fetcher(f"{site.base}/feed.xml", db, timeout=1.0)
    second = _fetcher(f"{site.base}/feed.xml", db, timeout=1.0)
    assert first.wait(timeout=90) == 0 and second.wait(timeout=90) == 0
    urls = [r[0] for r in sqlite3.connect(db).execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls)), "an article was stored twice"
    assert {f"{site.base}/a1", f"{site.base}/moved"} <= set(urls)
    pages = [p for p, _ in site.requests if not p.endswith(".xml")]
    assert len(pages) >= len(urls)  # both processes may ask; only one row each
    assert Archive(db).check_integrity() == "ok"


def test_stored_articles_are_whole_rows(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.sqlite")
    article = StoredArticle(url="https://x.org/a?utm_campaign=1", article_id="https://x.org/a",
                            source="s", outlet="X", title="T", published=None,
                            fetched=datetime(2025, 10, 27, 8, tzinfo=UTC), text="Body text.")
    assert archive.add(article) is True
    assert archive.add(replace(article, url="https://x.org/a/#frag")) is False
    assert archive.has("https://X.org/a") and archive.count() == 1


def test_a_pages_charset_header_is_honoured(settings: Settings, tmp_path: Path,
                                            site: Site) -> None:
    """A page that declares its encoding only in the HTTP header is decoded with it."""
    from briefing.fetch import Pacer, client_for, fetch_article

    s = configured(settings, tmp_path, f"{site.base}/feed.xml")
    with client_for(s) as client:
        article = fetch_article(f"{site.base}/urdu-press", {}, Source(name="s"), None, s, client,
                                Pacer(0.0))
    assert "طورخم" in article.text and "تجارت" in article.text


def test_a_folder_source_skips_fifos_and_links_out_without_hanging(settings: Settings,
                                                                   tmp_path: Path) -> None:
    import concurrent.futures
    import shutil

    secret = tmp_path / "secret.txt"
    secret.write_text("THE-SECRET-WORDS of the service, never to be archived.\n" * 5)
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(SEEDS / "001_d6679de3fa4b726c.txt", folder)
    os.mkfifo(folder / "drop.txt")
    (folder / "leak.txt").symlink_to(secret)
    s = replace(settings, sources=(Source(name="desk", folder=folder),),
                schedule=replace(settings.schedule, state_dir=tmp_path / "state"))
    archive = Archive(s.schedule.state_dir / "articles.sqlite")

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        report = pool.submit(fetch_sources, s, archive).result(timeout=30)

    assert report.stored == 1 and report.failed == []
    reasons = sorted(why for _, why in report.skipped)
    assert reasons == ["a link that leads out of its folder; only files inside it are read",
                       "not a regular file: a named pipe (FIFO)"]
    assert all("THE-SECRET-WORDS" not in a.text for a in stored_since(archive, 2000))

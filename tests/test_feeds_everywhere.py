"""A user who only configures feeds: every command and page reads the archive.

Two days of a feed are served over real HTTP on loopback. The feed is an
aggregator ("Regional Desk") whose items link to pages of several outlets; each
page names its own outlet. Then `fetch`, `run`, `send --dry-run` and the web
report (a day, a report over both days, Regenerate) all show the fetched
articles with their own outlets, and nothing ever reads the input folder.
"""

from __future__ import annotations

import email
import json
import shutil
import time
from collections.abc import Iterator
from datetime import date
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from briefing.briefs import BriefStore
from briefing.cli import cli
from briefing.config import load_settings
from briefing.history import History
from tests.conftest import SEEDS, Reply, local_config, loopback_site

DAY1, DAY2 = date(2025, 10, 27), date(2025, 10, 28)
# (path, outlet, seed, published): day 1 at 09:00 and 10:00 PKT, day 2 at 08:00 and 09:30.
STORIES = {
    DAY1: [("/dawn/closure", "Dawn", "001_d6679de3fa4b726c.txt", "Mon, 27 Oct 2025 09:00:00 +0500"),
           ("/khaama/talks", "Khaama Press", "002_80c53c837bdb71b6.txt",
            "Mon, 27 Oct 2025 10:00:00 +0500")],
    DAY2: [("/tolo/recognition", "TOLOnews", "003_15483e7a24de36bb.txt",
            "Tue, 28 Oct 2025 08:00:00 +0500"),
           ("/geo/trade", "Geo News", "004_d96c562060a1272f.txt",
            "Tue, 28 Oct 2025 09:30:00 +0500")],
}
OUTLETS = {outlet: day for day, stories in STORIES.items() for _, outlet, _, _ in stories}


def page(title: str, outlet: str, seed: str) -> bytes:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if len(p.split()) > 20][:5]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{title}</title>"
            f'<meta property="og:site_name" content="{outlet}"></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


class Feed:
    """An aggregator feed that grows by one day's items at a time."""

    def __init__(self) -> None:
        self.days: list[date] = []
        self.base = ""

    def rss(self) -> bytes:
        items = "".join(
            f"<item><title>{outlet} story</title><link>{self.base}{path}?utm_source=rss</link>"
            f"<pubDate>{published}</pubDate></item>"
            for day in self.days for path, outlet, _, published in STORIES[day])
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Regional Desk'
                f"</title><link>{self.base}/</link><description>x</description>{items}"
                "</channel></rss>").encode()

    def route(self, path: str) -> tuple[int, str, bytes]:
        if path == "/feed.xml":
            return 200, "application/rss+xml", self.rss()
        for day in self.days:
            for story, outlet, seed, _ in STORIES[day]:
                if path == story:
                    return 200, "text/html; charset=utf-8", page(f"{outlet} story", outlet, seed)
        return 404, "text/html", b"<html><body>not found</body></html>"


@pytest.fixture
def feed() -> Iterator[Feed]:
    state = Feed()

    def answer(request: BaseHTTPRequestHandler) -> Reply:
        status, kind, body = state.route(request.path.split("?")[0])
        return Reply(status, {"Content-Type": kind}, body)

    with loopback_site(answer) as base:
        state.base = base
        yield state


@pytest.fixture
def feeds_only(workdir: Path, feed: Feed) -> Path:
    """briefing.toml with one feed and an input folder that holds the seeds (never read)."""
    shutil.copytree(SEEDS, workdir / "seeds-not-read")
    text = local_config(workdir).replace(f'input = "{SEEDS}"',
                                         f'input = "{workdir / "seeds-not-read"}"')
    text = text.replace("per_host_seconds = 1 ", "per_host_seconds = 0 ")
    text += f'\n[[sources]]\nname = "desk"\nfeed = "{feed.base}/feed.xml"\n'
    (workdir / "briefing.toml").write_text(text, encoding="utf-8")
    return workdir


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def articles_of(workdir: Path, day: date) -> dict[str, dict[str, object]]:
    data = json.loads((workdir / "output" / day.isoformat() / "brief.json").read_text())
    return {a["id"]: a for a in data["articles"]}


def test_a_feeds_only_user_can_use_every_command_and_page(feeds_only: Path, feed: Feed) -> None:
    workdir = feeds_only
    # day 1: fetch, then the day's brief from the archive, without fetching again
    feed.days = [DAY1]
    fetched = invoke("fetch")
    assert fetched.exit_code == 0, fetched.stderr
    assert fetched.stdout.startswith("2 new articles stored")
    day1 = invoke("run", "--no-fetch", "--date", "2025-10-27", "--now", "2025-10-27T12:00+05:00")
    assert day1.exit_code == 0, day1.stderr
    assert "read the archive" in day1.stderr and ": 2 articles published or added from " \
        "2025-10-26 12:00 to 2025-10-27 12:00" in day1.stderr
    first = articles_of(workdir, DAY1)
    assert {a["outlet"] for a in first.values()} == {"Dawn", "Khaama Press"}
    assert all(a["published_at"] for a in first.values())

    # day 2: `run` fetches first for today's brief; the window holds only day 2's articles
    feed.days = [DAY1, DAY2]
    day2 = invoke("run", "--date", "2025-10-28", "--now", "2025-10-28T09:45+05:00")
    assert day2.exit_code == 0, day2.stderr
    assert "fetched: 2 new articles stored, 2 already in the archive" in day2.stderr
    assert ": 3 articles published or added from 2025-10-27 09:45 to 2025-10-28 09:45" \
        in day2.stderr and "(1 older left out)" in day2.stderr  # Dawn's, 24 h 45 min old
    second = articles_of(workdir, DAY2)
    assert {a["outlet"] for a in second.values()} == {"Khaama Press", "TOLOnews", "Geo News"}
    assert not any(str(i).endswith(".txt") for i in [*first, *second])  # no seed was read
    assert "Regional Desk" not in (workdir / "output" / "2025-10-28" / "brief.html").read_text()

    # the mail of day 2 carries the whole brief with outlets named
    sent = invoke("send", "--dry-run", "--date", "2025-10-28")
    assert sent.exit_code == 0, sent.stderr
    message = email.message_from_bytes(
        (workdir / "output" / "2025-10-28" / "brief.eml").read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    body = plain.get_content()
    assert "KEY POINTS" in body and "TOLOnews" in body and "Regional Desk" not in body
    brief2 = BriefStore(workdir / "output").read(DAY2)
    for section in brief2.sections:
        assert section.label.upper() in body
        for item in section.items:
            assert " ".join(item.text.split()) in " ".join(body.split())

    # a day with no articles is refused, with one clear line and exit 1
    empty = invoke("send", "--dry-run", "--date", "2025-10-20")
    assert empty.exit_code == 1
    assert empty.stderr.strip().splitlines() == [empty.stderr.strip()]
    assert "no articles for 2025-10-20: read the archive" in empty.stderr
    assert not (workdir / "output" / "2025-10-20").exists()

    # the web report: a day, a report over both days, and Regenerate from the archive
    settings = load_settings(workdir / "briefing.toml")
    from briefing.web import create_app

    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        day_page = client.get("/brief/2025-10-28").text
        assert "TOLOnews" in day_page and "Geo News" in day_page
        report = client.get("/report?from=2025-10-27&to=2025-10-28")
        assert report.status_code == 200
        for outlet in OUTLETS:
            assert outlet in report.text
        assert "no longer" not in report.text and "could no longer" not in report.text
        assert "Report · " in report.text and "Daily brief · " not in report.text

        before = BriefStore(workdir / "output").read(DAY1)
        form = client.get("/brief/2025-10-27").text
        token = form.split('name="csrf" value="')[1].split('"')[0]
        job = client.post("/brief/2025-10-27/regenerate", data={"csrf": token},
                          follow_redirects=False)
        assert job.status_code == 303
        deadline = time.monotonic() + 90
        while "Regenerating the brief" in (progress := client.get(job.headers["location"]).text):
            assert time.monotonic() < deadline
            time.sleep(0.3)
        assert "Done:" in progress and "read the archive" in progress
        after = BriefStore(workdir / "output").read(DAY1)
        assert after.origin == before.origin  # the same source and the same window
        assert {a.id for a in after.articles} == {a.id for a in before.articles}

    # everything was recorded, and nothing ever fell back to the input folder
    runs = History(settings.schedule.state_dir).runs()
    assert [r.trigger for r in runs[:3]] == ["web", "manual", "manual"]


def test_run_says_which_folder_it_read_and_input_wins(feeds_only: Path) -> None:
    result = invoke("run", "--input", str(SEEDS), "--date", "2025-10-28", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert f"read folder {SEEDS}: 5 articles (the whole folder)" in result.stderr
    with_fetch = invoke("run", "--input", str(SEEDS), "--fetch", "--format", "json")
    assert with_fetch.exit_code == 2
    assert "--input names a folder" in with_fetch.stderr


def test_an_empty_archive_window_is_a_clear_failure(feeds_only: Path, feed: Feed) -> None:
    feed.days = []
    result = invoke("run", "--date", "2025-10-28", "--now", "2025-10-28T09:45+05:00")
    assert result.exit_code == 1
    assert "no articles for 2025-10-28: read the archive" in result.stderr
    assert "Traceback" not in result.stderr


def test_verbose_output_says_each_thing_once_without_library_noise(feeds_only: Path,
                                                                   feed: Feed) -> None:
    feed.days = [DAY1, DAY2]
    result = invoke("--verbose", "run", "--date", "2025-10-28", "--now",
                    "2025-10-28T09:45+05:00", "--format", "json")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert not [line for line in lines if "HTTP Request" in line or "httpx" in line]
    assert sum("read the archive" in line for line in lines) == 1
    assert sum("4 new articles stored" in line for line in lines) == 1

"""Shared fixtures: the repository's settings, tiny documents, no pretrained Punkt."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from briefing import state, text
from briefing.clean import clean
from briefing.config import Settings, load_settings
from briefing.models import Article, Brief, RawDocument, Sentence
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DAY = date(2025, 10, 28)
NOW = datetime(2025, 10, 28, 7, 0, tzinfo=timezone(timedelta(hours=5)))


@pytest.fixture(autouse=True)
def no_pretrained_punkt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests see what a fresh machine sees: no NLTK data, Punkt trained on the input,
    and no cache of trained parameters (a test that wants one makes its own)."""
    monkeypatch.setattr(text, "pretrained_parameters", lambda: None)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", "")
    monkeypatch.delenv("BRIEFING_DATABASE_URL", raising=False)  # SQLite, unless a test asks
    yield


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    """A PostgreSQL server for the session; skipped loudly when it cannot start, and a
    failure on CI (where CI is set), where these tests must run."""
    try:
        cluster = pg.start()
    except RuntimeError as exc:
        reason = f"PostgreSQL tests cannot run: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[str | None]:
    """Where a test keeps its state: None for SQLite files in the state folder, or the URL
    of a fresh PostgreSQL database, also set in BRIEFING_DATABASE_URL (the default
    `[database] url_env`) for the test and the processes it starts."""
    if request.param == "sqlite":
        yield None
        return
    cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
    url = cluster.database()
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    yield url
    state.forget(url)
    cluster.drop(url)


@pytest.fixture(autouse=True)
def workdir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in a folder of its own whose briefing.toml keeps state and output there.

    Commands that find ./briefing.toml then never write into the repository.
    """
    folder = tmp_path_factory.mktemp("work")
    (folder / "briefing.toml").write_text(local_config(folder), encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def wait_until(check: Callable[[], object], seconds: float = 30.0) -> bool:
    """Whether `check()` comes true within `seconds` (polled every 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def local_config(folder: Path, extra: str = "") -> str:
    """The repository's configuration with input = seeds/ and output, state under `folder`."""
    text_ = (ROOT / "briefing.toml").read_text(encoding="utf-8")
    text_ = text_.replace('input = "seeds"', f'input = "{SEEDS}"')
    text_ = text_.replace('output = "output"', f'output = "{folder / "output"}"')
    text_ = text_.replace('state = "state"', f'state = "{folder / "state"}"')
    return text_ + extra


@pytest.fixture
def settings() -> Settings:
    return load_settings(ROOT / "briefing.toml")


def article(id: str, body: str, title: str | None = None) -> Article:
    """An already clean article (paragraphs separated by blank lines)."""
    return Article(id=id, path=id, title=title, outlet=None, author=None, published=None,
                   date_note="no publication date stated", body=body)


def write_brief(brief: Brief, settings: Settings, formats: list[str], output: Path
                ) -> list[Path]:
    """Render a brief into the brief store under `output`."""
    from briefing import daily
    from briefing.briefs import BriefStore

    return daily.write_brief(brief, settings, formats, BriefStore(output))


def build_sentences(*bodies: str) -> list[Sentence]:
    """Sentences of tiny articles a.txt, b.txt, … (sumy's build_document, for briefs)."""
    articles = [article(f"{chr(97 + n)}.txt", body) for n, body in enumerate(bodies)]
    tokenizer = text.sentence_tokenizer([a.body for a in articles], "trained")
    return [s for a in articles for s in text.split_article(a, tokenizer)]


def cleaned(name: str, raw: str) -> Article:
    return clean(RawDocument(id=name, path=name, text=raw, encoding="utf-8"))


@pytest.fixture(scope="session")
def seeds_brief() -> tuple[Settings, object]:
    """The seeds' brief, composed once for the tests that only read it."""
    from briefing.pipeline import make_brief

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "pretrained_parameters", lambda: None)
        settings = load_settings(ROOT / "briefing.toml")
        return settings, make_brief(SEEDS, settings, DAY, NOW)


@pytest.fixture(scope="session")
def seeds_pdf(seeds_brief: tuple[Settings, object], tmp_path_factory: pytest.TempPathFactory
              ) -> Path:
    """The seeds' brief rendered to PDF once (WeasyPrint takes about a second)."""

    settings, brief = seeds_brief
    out = tmp_path_factory.mktemp("pdf")
    [path] = write_brief(brief, settings, ["pdf"], out)  # type: ignore[arg-type]
    return path


PKT = timezone(timedelta(hours=5))
EARLIER = ["001_d6679de3fa4b726c.txt", "003_15483e7a24de36bb.txt"]


def build_output(root: Path) -> Settings:
    """Two days of briefs for the web tests: 27 October from two seeds, 28 October from all.

    Each is made as `briefing run --input FOLDER --date DAY` makes it, so each records
    the folder it was read from.
    """
    import shutil
    from dataclasses import replace

    from briefing import daily
    from briefing.source import FolderSource

    settings = load_settings(ROOT / "briefing.toml")
    earlier = root / "in-27"
    earlier.mkdir(parents=True)
    for name in EARLIER:
        shutil.copy(SEEDS / name, earlier)
    settings = replace(settings, input_dir=SEEDS, output_dir=root / "output",
                       schedule=replace(settings.schedule, state_dir=root / "state"))
    for day, folder in ((date(2025, 10, 27), earlier), (date(2025, 10, 28), SEEDS)):
        now = datetime(day.year, day.month, day.day, 7, tzinfo=PKT)
        daily.produce(settings, day, now, ["html", "pdf", "json"], FolderSource(folder))
    return settings


class Reply(NamedTuple):
    """What a loopback site answers; `sized=False` sends no Content-Length, so the body
    ends only when the connection closes."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    sized: bool = True


@contextlib.contextmanager
def loopback_site(answer: Callable[[BaseHTTPRequestHandler], Reply]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering every GET with `answer(request)`; yields
    its base URL and stops it afterwards."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply = answer(self)
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            if reply.sized:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(reply.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""The state in SQLite files and in PostgreSQL: one behaviour, several processes, no half rows.

Each test taking `database` runs twice: on SQLite files in the state folder, and on
a fresh database of the session's PostgreSQL server (tests/pg.py).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from briefing import state
from briefing.archive import FeedState, StoredArticle, content_hash
from briefing.cli import cli
from briefing.config import Settings, load_settings
from briefing.history import SENDING, history_of
from briefing.source import archive_of
from tests import legacy
from tests.conftest import DAY, ROOT, local_config, wait_until
from tests.test_deliver import (  # noqa: F401  (start_server is a fixture)
    SlowData,
    StartServer,
    free_port,
    start_server,
    write_config_file,
)

NOON = datetime(2025, 10, 28, 12, tzinfo=UTC)


def stored(n: int, size: int = 200) -> StoredArticle:
    body = f"Article {n} says something about the border. " * max(1, size // 45)
    return StoredArticle(url=f"https://news.example.org/{n}?utm_source=feed",
                         article_id=f"https://news.example.org/{n}", source="s", outlet="X",
                         title=f"Story {n}", published=DAY, fetched=NOON, text=body)


def child(code: str, *args: str) -> subprocess.Popen[str]:
    """A Python process with the test's environment (and so its database URL)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def settings_here(workdir: Path) -> Settings:
    return load_settings(workdir / "briefing.toml")


# --- the archive ---------------------------------------------------------------------------

def test_the_archive_stores_reads_and_remembers_feeds(database: str | None,
                                                      workdir: Path) -> None:
    archive = archive_of(settings_here(workdir))
    assert (archive.store.postgres, archive.schema_version()) == (database is not None,
                                                                 "archive_1")
    assert archive.add(stored(1)) is True
    assert archive.add(replace(stored(1), url="https://NEWS.example.org/1/#top")) is False
    late = replace(stored(2), published=None,
                   published_at=datetime(2025, 10, 28, 23, 30, tzinfo=UTC))
    assert archive.add(late) is True
    assert archive.has("https://news.example.org/1") and archive.count() == 2
    inside, older = archive.window(datetime(2025, 10, 27, tzinfo=UTC),
                                   datetime(2025, 10, 28, 18, tzinfo=UTC))
    assert ([a.article_id for a in inside], older) == (["https://news.example.org/1"], 0)
    assert inside[0] == replace(stored(1), url="https://news.example.org/1")
    assert [a.title for a in archive.by_ids(["https://news.example.org/2"])] == ["Story 2"]

    assert archive.feed_state("https://f/x.xml").etag is None
    archive.record_feed("https://f/x.xml", NOON, "ok", etag='"v1"', last_modified="Mon")
    archive.record_feed("https://f/x.xml", NOON, "failed", error="timeout")  # keeps validators
    assert archive.feed_state("https://f/x.xml") == FeedState('"v1"', "Mon")
    assert archive.check_integrity() == "ok"


ADD_MANY = """
import sys
from dataclasses import replace
from pathlib import Path
from briefing.config import load_settings
from briefing.source import archive_of
from tests.test_database import stored
archive = archive_of(load_settings(Path(sys.argv[1])))
first, last, size = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(sum(archive.add(stored(n, size)) for n in range(first, last)), flush=True)
"""


def test_two_fetchers_at_once_store_each_article_once(database: str | None,
                                                      workdir: Path) -> None:
    config = str(workdir / "briefing.toml")
    archive_of(settings_here(workdir)).count()  # the schema first: the race is the rows'
    first, second = child(ADD_MANY, config, "0", "60", "300"), \
        child(ADD_MANY, config, "20", "80", "300")
    results = [(p.wait(timeout=120), *p.communicate()) for p in (first, second)]
    assert [code for code, _, _ in results] == [0, 0], results
    added = sum(int(out) for _, out, _ in results)
    archive = archive_of(settings_here(workdir))
    assert added == archive.count() == 80  # each article stored once, none refused
    with archive.store.transaction() as db:
        urls = [r[0] for r in db.execute(text("SELECT url FROM articles"))]
    assert len(urls) == len(set(urls)) == 80


def test_a_fetcher_killed_mid_write_leaves_whole_rows(database: str | None,
                                                      workdir: Path) -> None:
    config = str(workdir / "briefing.toml")
    archive = archive_of(settings_here(workdir))
    writer = child(ADD_MANY, config, "0", "100000", "400000")  # 400 kB a row: long writes
    try:
        assert wait_until(lambda: archive.count() >= 3)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        writer.kill()
        writer.communicate()
    count = archive.count()
    with archive.store.transaction() as db:
        rows = db.execute(text("SELECT id, url, text, content_hash FROM articles")).all()
    assert len(rows) == count >= 3
    for _, url, body, digest in rows:
        number = int(url.rsplit("/", 1)[1])
        assert body == stored(number, 400000).text and content_hash(body) == digest
    assert archive.check_integrity() == "ok"
    assert archive.add(stored(count + 5)) is True  # nothing was left locked


# --- the run history and the sent-once records -----------------------------------------------

def test_runs_and_deliveries_belong_to_their_brief(database: str | None, workdir: Path) -> None:
    settings = settings_here(workdir)
    history, other = history_of(settings), history_of(replace(settings, brief="economy"))
    run = history.start(DAY, "run", NOON)
    assert [(r.id, r.status) for r in history.runs()] == [(run, "running")]
    history.finish(run, NOON, "ok", 3, [Path("a.json")], "sent", "fine")
    [record] = history.runs()
    assert (record.status, record.articles, record.files) == ("ok", 3, ["a.json"])
    assert other.runs() == []

    history.record_delivery(DAY, NOON, (), "<1@x>", "list-a", SENDING)
    assert not history.delivered(DAY, "list-a").certain  # type: ignore[union-attr]
    history.record_delivery(DAY, NOON, ["a@example.org"], "<1@x>", "list-a")
    sent = history.delivered(DAY, "list-a")
    assert sent is not None and sent.certain and sent.recipients == ["a@example.org"]
    assert history.delivered(DAY, "list-b") is None
    assert other.delivered(DAY) is None
    other.record_delivery(DAY, NOON, ["b@example.org"], "<2@x>", "list-a")
    history.restore_delivery(DAY, "list-a", None)
    assert history.delivered(DAY) is None
    assert other.delivered(DAY, "list-a").message_id == "<2@x>"  # type: ignore[union-attr]


START_AND_HANG = """
import sys, time
from datetime import datetime, UTC, date
from pathlib import Path
from briefing.config import load_settings
from briefing.history import history_of
history = history_of(load_settings(Path(sys.argv[1])))  # it holds the run's lease
run = history.start(date(2025, 10, 28), "run", datetime.now(UTC))
print(run, flush=True)
time.sleep(120)
"""


def test_a_run_whose_process_is_killed_is_marked_interrupted(database: str | None,
                                                             workdir: Path) -> None:
    history = history_of(settings_here(workdir))
    process = child(START_AND_HANG, str(workdir / "briefing.toml"))
    try:
        assert process.stdout is not None
        run = int(process.stdout.readline())
        assert history.mark_interrupted() == 0  # its process holds the lease: still running
        assert [r.status for r in history.runs()] == ["running"]
    finally:
        process.kill()
        process.communicate()
    # the kernel closes its files, and the server its connection, however it died
    assert wait_until(lambda: history.runs()[0].status == "interrupted", 20)
    assert history.runs()[0].id == run


SCHEDULED = """
import sys
from datetime import datetime
from pathlib import Path
from briefing.config import load_settings
from briefing.daily import daily_run
now = datetime.fromisoformat(sys.argv[2])
print(daily_run(load_settings(Path(sys.argv[1])), now, slot=now).status, flush=True)
"""


def test_two_schedulers_on_one_day_make_and_send_it_once(
        database: str | None, workdir: Path,
        start_server: StartServer) -> None:  # noqa: F811  (the fixture imported above)
    server = start_server(SlowData(1.0))
    config = write_config_file(workdir, server.port)
    slot = "2025-10-28T07:00:00+05:00"
    schedulers = [child(SCHEDULED, str(config), slot) for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in schedulers]
    assert [code for code, _, _ in results] == [0, 0], results
    assert sorted(out.strip() for _, out, _ in results) == [
        "ok", "skipped: another scheduler makes it"]
    assert len(server.handler.received) == 1
    [run] = history_of(load_settings(config)).runs()
    assert (run.trigger, run.status, run.day) == ("schedule", "ok", DAY.isoformat())
    assert run.delivery.startswith("delivered")


# --- the brief store ---------------------------------------------------------------------

def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def test_a_web_server_shows_the_brief_another_process_wrote(
        database: str | None, workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`briefing run` in one process, `briefing serve` in another; with PostgreSQL the server
    has an output folder of its own, as on another host, and reads the brief from the
    database."""
    cli_code = "import sys; from briefing.cli import cli; sys.exit(cli())"
    day = "2025-10-28"
    maker = child(cli_code, "run", "--date", day, "--format", "html,pdf,json")
    assert maker.wait(timeout=120) == 0, maker.communicate()
    made = workdir / "output" / day / "brief.pdf"
    assert made.is_file()

    host = workdir
    if database is not None:
        host = tmp_path_factory.mktemp("other-host")
        (host / "briefing.toml").write_text(local_config(host), encoding="utf-8")
        assert not (host / "output").exists()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", cli_code, "serve", "--port", str(port), "--config",
         str(host / "briefing.toml")], cwd=host, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: get(base + "/")[0] == 200, 60), server
        status, page = get(f"{base}/brief/{day}")
        assert status == 200 and "Pakistan" in page.decode("utf-8")
        status, pdf = get(f"{base}/brief/{day}.pdf")
        assert status == 200 and pdf == made.read_bytes()
        status, listing = get(f"{base}/briefs")
        assert status == 200 and day in listing.decode("utf-8")
        assert get(f"{base}/brief/2025-10-27.pdf")[0] == 404
        if database is not None:
            assert not (host / "output" / day).exists()  # it came from the database

        # A new version of the day, written elsewhere, is what the server shows next.
        first = json.loads(get(f"{base}/brief/{day}.json")[1])
        again = child(cli_code, "run", "--date", day, "--format", "json",
                      "--now", "2025-10-28T23:00:00+05:00")
        assert again.wait(timeout=120) == 0, again.communicate()
        newer = json.loads(get(f"{base}/brief/{day}.json")[1])
        assert newer != first
        assert newer == json.loads((workdir / "output" / day / "brief.json").read_bytes())
        assert get(f"{base}/brief/{day}.pdf")[1] == made.read_bytes()  # the PDF stays
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_briefs_made_before_the_database_are_listed_read_and_shared(
        database: str | None, workdir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A day in the output folder from before PostgreSQL was configured is neither lost nor
    made again: it is listed, and the first read copies it into the database for every host."""
    from briefing.briefs import BriefStore, store_of

    if database is not None:
        monkeypatch.delenv("BRIEFING_DATABASE_URL")
    made = CliRunner().invoke(cli, ["run", "--date", DAY.isoformat(), "--format", "json,pdf"])
    assert made.exit_code == 0, made.output
    if database is not None:
        monkeypatch.setenv("BRIEFING_DATABASE_URL", database)
    pdf = (workdir / "output" / DAY.isoformat() / "brief.pdf").read_bytes()
    store = store_of(settings_here(workdir))
    assert store.days() == [DAY] and store.has(DAY, "json", "pdf")
    assert store.read_bytes(DAY, "pdf") == pdf and store.read(DAY).date == DAY
    if database is not None:  # now in the database: a host without the folder reads it
        elsewhere = BriefStore.of_brief(tmp_path / "elsewhere", "", database)
        assert elsewhere.days() == [DAY] and elsewhere.read_bytes(DAY, "pdf") == pdf


# --- the scheduler's job store ---------------------------------------------------------------

def test_the_job_store_lives_in_the_database(database: str | None, workdir: Path) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from briefing.schedule import JOB_ID, create

    settings = settings_here(workdir)
    for _ in range(2):  # a restart replaces the job, never adds a second
        scheduler = create(settings, workdir / "briefing.toml",
                           scheduler_class=BackgroundScheduler)
        scheduler.start(paused=True)
        assert [j.id for j in scheduler.get_jobs()] == [JOB_ID]
        scheduler.shutdown()
    if database is None:
        assert (workdir / "state" / "jobs.sqlite").is_file()
    else:
        with state.engine_of(database).connect() as db:
            assert db.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all() == [
                JOB_ID]
        assert not (workdir / "state" / "jobs.sqlite").exists()


# --- the schema ---------------------------------------------------------------------------

def test_the_migrations_build_the_tables_the_code_uses(database: str | None,
                                                       workdir: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from briefing.briefs import SharedBriefStore, store_of
    from briefing.tables import metadata

    settings = settings_here(workdir)
    archive, history, briefs = archive_of(settings), history_of(settings), store_of(settings)
    archive.count(), history.runs(), briefs.days()
    stores = [archive.store, history.store]
    if database is not None:  # with SQLite the briefs are files
        assert isinstance(briefs, SharedBriefStore)
        stores.append(briefs.store)
    for store in stores:
        with store.transaction() as db:
            differences = compare_metadata(MigrationContext.configure(db), metadata)
        mine = {t.name for t in metadata.tables.values()}
        ours = [d for d in differences if _table_of(d) in mine
                and (database or _table_of(d) in _tables_of(store.branch))]
        assert ours == []


def test_the_heads_the_code_knows_are_the_migrations_heads(database: str | None,
                                                          workdir: Path) -> None:
    """state.HEADS lets an up-to-date store open without Alembic: it must name each branch's
    newest revision, and a store at it is opened without loading Alembic."""
    script = state._script()
    heads = {b: script.get_revision(f"{b}@head").revision  # type: ignore[union-attr]
             for b in ("archive", "history", "briefs")}
    assert heads == state.HEADS
    history_of(settings_here(workdir)).runs()  # made, and migrated to the head
    code = ("import sys; from pathlib import Path; from briefing.config import load_settings; "
            "from briefing.history import history_of; "
            "history_of(load_settings(Path(sys.argv[1]))).runs(); "
            "print('alembic' in sys.modules)")
    opened = child(code, str(workdir / "briefing.toml"))
    out, err = opened.communicate(timeout=60)
    assert opened.returncode == 0, err
    assert out.strip() == "False"


def _table_of(difference: object) -> str:
    item = difference[1] if isinstance(difference, tuple) else difference[0][1]  # type: ignore
    table = getattr(item, "table", item)
    return str(getattr(table, "name", table))


def _tables_of(branch: str) -> set[str]:
    return {"archive": {"articles", "feeds"}, "history": {"runs", "deliveries"},
            "briefs": {"brief_files"}}[branch]


def test_state_written_by_the_briefing_before_alembic_keeps_working(workdir: Path) -> None:
    """Files as the briefing before Alembic left them (user_version 1 and 2) are adopted,
    rows and all."""
    folder = workdir / "state"
    legacy.write(folder / "articles.sqlite", legacy.ARCHIVE_V1, """
        INSERT INTO articles (url, article_id, source, title, published, fetched, text,
            content_hash) VALUES ('https://old.example.org/1', 'https://old.example.org/1',
            's', 'Old', '2025-10-28', '2025-10-28T08:00:00+00:00', 'Old text.', 'h');
        INSERT INTO feeds (url, etag, status) VALUES ('https://old.example.org/f', '"e"', 'ok');
    """)
    legacy.write(folder / "history.sqlite", legacy.HISTORY_V2, """
        INSERT INTO runs (started, ended, day, trigger, status, articles)
            VALUES ('2025-10-28T07:00:00+05:00', '2025-10-28T07:01:00+05:00',
                    '2025-10-28', 'schedule', 'ok', 7);
        INSERT INTO deliveries VALUES ('2025-10-28', 'list', 'sent',
            '2025-10-28T07:01:00+05:00', '["desk@example.org"]', '<old@example.org>');
    """)
    settings = settings_here(workdir)
    archive, history = archive_of(settings), history_of(settings)
    assert archive.count() == 1 and archive.feed_state("https://old.example.org/f").etag == '"e"'
    assert archive.add(stored(1)) is True
    assert [(r.status, r.articles) for r in history.runs()] == [("ok", 7)]
    sent = history.delivered(date(2025, 10, 28), "list")
    assert sent is not None and sent.message_id == "<old@example.org>"
    assert (archive.schema_version(), history.store.revision()) == ("archive_1", "history_4")
    for name in ("articles.sqlite", "history.sqlite"):  # the briefing before refuses them now
        with sqlite3.connect(folder / name) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == state.ADOPTED
    result = CliRunner().invoke(cli, ["history"])
    assert result.exit_code == 0 and "2025-10-28" in result.stdout


def test_a_file_another_process_is_writing_is_waited_for_not_refused(workdir: Path) -> None:
    """SQLite refuses at once, without its busy wait, to put a file in WAL mode while
    another connection holds the file's write lock (two processes opening a new file
    together): the opener waits for it as for any lock."""
    path = workdir / "state" / "history.sqlite"
    legacy.write(path, legacy.HISTORY_V2, "")
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    assert writer.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
    release = threading.Timer(0.5, writer.execute, ["ROLLBACK"])
    release.start()
    try:
        assert history_of(settings_here(workdir)).runs() == []
    finally:
        release.join()
        writer.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_history_of_several_briefs_before_alembic_keeps_each_briefs_rows(
        workdir: Path) -> None:
    """A file at user_version 3 (runs and sends per brief) is adopted, then migrated on."""
    legacy.write(workdir / "state" / "history.sqlite", legacy.HISTORY_V3, """
        INSERT INTO runs (started, day, trigger, status, brief)
            VALUES ('2025-10-28T07:00:00', '2025-10-28', 'schedule', 'ok', 'balkans');
        INSERT INTO deliveries VALUES ('balkans', '2025-10-28', 'list', 'sent',
            '2025-10-28T07:01:00', '["b@example.org"]', '<b@example.org>');
    """)
    settings = settings_here(workdir)
    mine, balkans = history_of(settings), history_of(replace(settings, brief="balkans"))
    assert mine.runs() == [] and mine.delivered(date(2025, 10, 28)) is None
    assert [r.status for r in balkans.runs()] == ["ok"]
    sent = balkans.delivered(date(2025, 10, 28), "list")
    assert sent is not None and sent.message_id == "<b@example.org>"
    assert balkans.store.revision() == "history_4"
    slot = "2025-10-29T07:00:00+05:00"  # what history_4 adds: one run per scheduled time
    assert balkans.claim(date(2025, 10, 29), "schedule", NOON, slot) is not None
    assert balkans.claim(date(2025, 10, 29), "schedule", NOON, slot) is None


@pytest.mark.parametrize(("url", "says"), [
    ("mysql://u@h/db", "names 'mysql'"),
    ("postgresql://briefing@127.0.0.1:1/none", "cannot be used"),
])
def test_a_database_that_cannot_be_used_is_one_line_and_exit_2(
        url: str, says: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["history"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr


def test_the_database_url_never_shows_its_password() -> None:
    """What messages and brief.json's origin say about the database."""
    store = state.Store("postgresql://briefing:secret@db.internal:5433/briefs", "archive",
                        "article archive")
    assert store.postgres and "secret" not in store.shown
    assert store.shown == "postgresql+psycopg://briefing:***@db.internal:5433/briefs"


def test_stamps_are_byte_ordered_text_on_postgresql_and_plain_text_on_sqlite() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    from briefing.tables import stamp

    assert str(stamp().compile(dialect=postgresql.dialect())) == 'TEXT COLLATE "C"'
    assert str(stamp().compile(dialect=sqlite.dialect())) == "TEXT"

"""Several briefs from one configuration: two stories side by side, each with its own
output, history, sends, schedule and web pages; and `briefing init`."""

from __future__ import annotations

import json
import shutil
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner
from starlette.testclient import TestClient

from briefing import daily
from briefing.cli import cli
from briefing.config import ConfigError, load_settings
from briefing.history import History
from briefing.schedule import create
from tests import legacy
from tests.conftest import ROOT, SEEDS, local_config
from tests.test_deliver import Recorder, _set, free_port

SECOND = ROOT / "tests" / "data" / "second-story"

BALKANS = """
[[briefs]]
key = "afpak"

[[briefs]]
key = "balkans"
title = "Serbia–Kosovo daily brief"
common_sources = []
[briefs.summary]
total_words = 300
[briefs.email]
to = ["balkans@example.org"]
cc = []
bcc = []
[[briefs.sources]]
name = "balkan-desk"
folder = "{second}"
[briefs.story]
label = "Serbia–Kosovo relations"
bridges = ["Jarinje", "Merdare"]
[[briefs.story.sides]]
name = "Serbia"
terms = ["Serbia", "Serbian", "Belgrade", "Vucic", "Serb", "Serbs"]
[[briefs.story.sides]]
name = "Kosovo"
terms = ["Kosovo", "Pristina", "Kurti"]
[[briefs.themes]]
key = "dialogue"
label = "Dialogue"
[briefs.themes.terms]
dialogue = 3
talks = 3
negotiations = 3
agreement = 2
[[briefs.themes]]
key = "border"
label = "Border"
[briefs.themes.terms]
border = 3
crossing = 3
barricades = 3
protest = 2
"""


def two_briefs(folder: Path, extra: str = "") -> Path:
    """The repository's configuration over a common folder source of the seeds (the
    Pakistan–Afghanistan brief) and a second brief on another story, reading its own."""
    wire = folder / "wire"
    shutil.copytree(SEEDS, wire)
    second = folder / "second"
    shutil.copytree(SECOND, second)
    text = local_config(folder).replace("window_hours = 24", "window_hours = 0")
    text = text.replace('formats = ["html", "pdf", "json"]', 'formats = ["html", "json"]')
    text += f'\n[[sources]]\nname = "wire"\nfolder = "{wire}"\n'
    path = folder / "briefing.toml"
    path.write_text(text + BALKANS.replace("{second}", str(second)) + extra, encoding="utf-8")
    return path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def ids(path: Path) -> set[str]:
    return {Path(a["id"]).name for a in json.loads(path.read_text())["articles"]}


# --- the configuration ----------------------------------------------------------------------

def test_a_file_without_briefs_is_one_brief_called_default(workdir: Path) -> None:
    settings = load_settings(workdir / "briefing.toml")
    [only] = settings.every_brief()
    assert only is settings and only.key == "default" and only.brief == ""
    assert settings.chosen("default") == (settings,)


def test_a_brief_inherits_what_it_does_not_set(workdir: Path) -> None:
    settings = load_settings(two_briefs(workdir))
    afpak, balkans = settings.every_brief()
    assert afpak.title == settings.title and afpak.themes == settings.themes
    assert [s.name for s in afpak.sources] == ["wire"] and afpak.reads == ("wire",)
    assert balkans.title == "Serbia–Kosovo daily brief"
    assert [t.key for t in balkans.themes] == ["dialogue", "border"]
    assert balkans.story.bridges == ("Jarinje", "Merdare") and balkans.story.min_share == 0.25
    assert balkans.summary.total_words == 300
    assert balkans.summary.section_words == settings.summary.section_words
    assert balkans.email.to == ("balkans@example.org",)
    assert balkans.email.sender == settings.email.sender
    assert [s.name for s in balkans.sources] == ["balkan-desk"]
    assert [s.name for s in settings.fetched_sources()] == ["wire", "balkan-desk"]


@pytest.mark.parametrize(("entry", "message"), [
    ('key = "x"\n[briefs.summary]\ntotal_words = -1', "'briefs[x].summary.total_words' must be"),
    ('key = "x"\n[briefs.paths]\noutput = "o"', "'briefs[x].paths.output' is shared"),
    ('key = "x"\nweb = {}', "'briefs[x].web' is not a setting a brief can have"),
    ('key = "x"\ncommon_sources = ["nope"]', "'briefs[x].common_sources' names 'nope'"),
    ('key = "Not A Slug"', "'briefs[1].key' must be a short lowercase name"),
    ('title = "no key"', "'briefs[1].key' is required"),
])
def test_a_bad_brief_is_named_with_its_key(workdir: Path, entry: str, message: str) -> None:
    path = workdir / "briefing.toml"
    path.write_text(local_config(workdir) + f"\n[[briefs]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings(path)


def test_two_briefs_with_one_key_are_refused(workdir: Path) -> None:
    path = workdir / "briefing.toml"
    path.write_text(local_config(workdir) + '[[briefs]]\nkey = "a"\n[[briefs]]\nkey = "a"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"briefs\[a\]\.key' repeats"):
        load_settings(path)


# --- the commands -----------------------------------------------------------------------------

def this_day(workdir: Path) -> str:
    """Today where the briefs are made (schedule.timezone), as their folders name it."""
    from briefing.source import today

    return today(load_settings(workdir / "briefing.toml"), datetime.now().astimezone()).isoformat()


def test_run_makes_both_briefs_and_brief_selects_one(workdir: Path) -> None:
    two_briefs(workdir)
    made = invoke("run")
    assert made.exit_code == 0, made.stderr
    # the common archive is filled once for both, then each brief reads its own sources
    assert made.stderr.count("fetched:") == 1
    out = workdir / "output"
    today = this_day(workdir)
    afpak, balkans = out / "afpak" / today, out / "balkans" / today
    assert ids(afpak / "brief.json") == {p.name for p in SEEDS.iterdir()}
    assert ids(balkans / "brief.json") == {p.name for p in SECOND.iterdir()}
    data = json.loads((balkans / "brief.json").read_text())
    assert data["title"] == "Serbia–Kosovo daily brief"
    assert {s["theme"] for s in data["sections"]} <= {"dialogue", "border"}
    assert any(s["items"] for s in data["sections"])
    assert not (out / today).exists()

    before = (afpak / ".data").readlink(), (balkans / ".data").readlink()
    again = invoke("run", "--brief", "balkans", "--no-fetch")
    assert again.exit_code == 0, again.stderr
    assert (afpak / ".data").readlink() == before[0]  # only the brief named was made again
    assert (balkans / ".data").readlink() != before[1]

    shown = invoke("history", "--brief", "balkans")
    assert shown.exit_code == 0 and shown.stdout.count("manual") == 2
    both = invoke("history")
    assert "brief afpak:" in both.stdout and "brief balkans:" in both.stdout
    assert both.stdout.count("manual") == 3

    for command in (["run"], ["send"], ["history"], ["fetch"], ["schedule"],
                    ["sentences", str(SECOND)]):
        unknown = invoke(*command, "--brief", "nope")
        assert unknown.exit_code == 2, command
        assert unknown.stderr.strip() == ("briefing: error: unknown brief 'nope'; "
                                          "the briefs are: afpak, balkans")
    themed = invoke("sentences", str(SECOND))
    assert themed.exit_code == 2 and "name one with --brief KEY (afpak, balkans)" in themed.stderr
    lines = invoke("sentences", str(SECOND), "--brief", "balkans").stdout.splitlines()
    assert {json.loads(line)["theme"] for line in lines} >= {"dialogue", "border"}


def test_the_brief_keyed_default_keeps_the_layout_of_one_brief(workdir: Path) -> None:
    path = two_briefs(workdir)
    path.write_text(path.read_text().replace('key = "afpak"', 'key = "default"'))
    made = invoke("run", "--brief", "default", "--input", str(SEEDS), "--date", "2025-11-01",
                  "--format", "json")
    assert made.exit_code == 0, made.stderr
    assert (workdir / "output" / "2025-11-01" / "brief.json").is_file()
    assert [r.day for r in History(workdir / "state").runs()] == ["2025-11-01"]


def test_the_web_report_lists_both_briefs_and_their_days(workdir: Path) -> None:
    from briefing.web import create_app

    settings = load_settings(two_briefs(workdir))
    made = invoke("run")
    assert made.exit_code == 0, made.stderr
    today = this_day(workdir)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        index = client.get("/")
        assert index.status_code == 200
        assert "Serbia–Kosovo daily brief" in index.text
        assert settings.title in index.text.replace("&ndash;", "–")
        assert f'href="/b/balkans/brief/{today}"' in index.text
        assert f'href="/b/afpak/brief/{today}"' in index.text
        days = client.get("/b/balkans/briefs")
        assert days.status_code == 200 and f"/b/balkans/brief/{today}" in days.text
        page = client.get(f"/b/balkans/brief/{today}")
        assert page.status_code == 200 and "Serbia–Kosovo relations" in page.text
        assert 'action="/b/balkans/report"' in page.text
        assert f'action="/b/balkans/brief/{today}/regenerate"' in page.text
        assert client.get(f"/b/balkans/brief/{today}.json").json()["title"] == \
            "Serbia–Kosovo daily brief"
        report = client.get(f"/b/afpak/report?from={today}&to={today}")
        assert report.status_code == 200
        assert client.get("/b/nope/").status_code == 404
        assert client.get(f"/brief/{today}").status_code == 404


def test_history_keeps_each_briefs_runs_and_sends_apart(tmp_path: Path) -> None:
    """Rows written before briefs (schema 2) belong to the file's only brief, ''."""
    legacy.write(tmp_path / "history.sqlite", legacy.HISTORY_V2, """
        INSERT INTO runs (started, day, trigger, status) VALUES
            ('2025-10-28T07:00:00', '2025-10-28', 'schedule', 'ok');
        INSERT INTO deliveries VALUES ('2025-10-28', 'a@example.org', 'sent',
            '2025-10-28T07:01:00', '["a@example.org"]', '<m@x>');
    """)
    day = date(2025, 10, 28)
    old, other = History(tmp_path), History(tmp_path, brief="balkans")
    assert [r.trigger for r in old.runs()] == ["schedule"] and other.runs() == []
    assert old.delivered(day) is not None and other.delivered(day) is None
    other.record_delivery(day, datetime(2025, 10, 28, 8, 0), ["b@example.org"], "<n@x>",
                          "b@example.org")
    assert other.delivered(day, "b@example.org") is not None
    assert old.delivered(day, "b@example.org") is None
    run = other.start(day, "manual", datetime(2025, 10, 28, 9, 0))
    other.finish(run, datetime(2025, 10, 28, 9, 1), "ok")
    assert len(old.runs()) == 1 and len(other.runs()) == 1


# --- the schedule ----------------------------------------------------------------------------

def test_the_scheduler_runs_each_brief_and_one_failure_stops_no_other(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two briefs, one whose run raises: the other still makes its brief and mails it."""
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=5)
    controller.start()
    try:
        path = two_briefs(workdir)
        text = _set(_set(path.read_text(), "email", "enabled", True), "email", "to",
                    ["desk@example.org"])
        for key, value in {"host": "127.0.0.1", "port": controller.port, "security": "none",
                           "retries": 0}.items():
            text = _set(text, "email.smtp", key, value)
        path.write_text(text)
        settings = load_settings(path)
        produce = daily.produce

        def failing(brief: Any, *args: Any, **kwargs: Any) -> Any:
            if brief.brief == "balkans":
                raise RuntimeError("the balkans brief broke")
            return produce(brief, *args, **kwargs)

        monkeypatch.setattr(daily, "produce", failing)
        scheduler = create(settings, path, trigger=CronTrigger(second="*/2"),
                           scheduler_class=BackgroundScheduler)
        assert sorted(j.id for j in scheduler.get_jobs()) == [
            "daily-brief:afpak", "daily-brief:balkans"]
        afpak = History(workdir / "state", brief="afpak")
        balkans = History(workdir / "state", brief="balkans")
        scheduler.start()
        try:
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and not (
                    any(r.delivery for r in afpak.runs()) and balkans.runs()
                    and balkans.runs()[-1].status != "running"):
                time.sleep(0.2)
        finally:
            scheduler.shutdown(wait=True)
    finally:
        controller.stop()
    [first, *_] = reversed(afpak.runs())
    assert first.status == "ok" and first.delivery.startswith("delivered"), first
    assert all(r.status == "failed" and "the balkans brief broke" in r.message
               for r in balkans.runs())
    assert len(handler.received) == 1  # the day's brief is mailed once, however often it runs
    assert handler.received[0].rcpt_tos == ["desk@example.org"]
    day = date.fromisoformat(first.day)
    assert afpak.delivered(day) is not None and balkans.delivered(day) is None
    assert History(workdir / "state").delivered(day) is None


# --- briefing init ------------------------------------------------------------------------

def test_init_writes_a_starter_that_makes_a_brief_and_never_overwrites(workdir: Path) -> None:
    folder = workdir / "new-story"
    made = invoke("init", str(folder))
    assert made.exit_code == 0, made.stderr
    path = folder / "briefing.toml"
    assert made.stdout.strip() == str(path)
    settings = load_settings(path)
    assert len(settings.themes) == 2 and len(settings.story.sides) == 2
    assert len(settings.sources) == 1
    articles = workdir / "tiny"
    articles.mkdir()
    (articles / "a.txt").write_text(
        "India and China agree on border patrols in Ladakh\n\n"
        "Indian and Chinese troops completed disengagement at two points along the Line of "
        "Actual Control in eastern Ladakh on Monday, officials in New Delhi said.\n\n"
        "The agreement on patrols was reached after military talks between the two sides, "
        "India's foreign ministry said. Beijing said Chinese troops had pulled back.\n\n"
        "Trade between India and China rose last year, and New Delhi is reviewing rules on "
        "Chinese investment, officials said.\n", encoding="utf-8")
    run = invoke("run", "--config", str(path), "--input", str(articles), "--date", "2025-10-28",
                 "--format", "json")
    assert run.exit_code == 0, run.stderr
    brief = json.loads((folder / "output" / "2025-10-28" / "brief.json").read_text())
    assert brief["title"] == "India–China daily brief" and brief["key_points"]

    again = invoke("init", str(folder))
    assert again.exit_code == 1
    assert again.stderr.strip().splitlines() == [
        f"briefing: error: {path} already exists; init never replaces a configuration "
        "(edit it, or choose another folder)"]
    assert path.read_text() == settings.source.read_text() if settings.source else True

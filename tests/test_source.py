"""Where a day's articles come from, and which of them a window holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from briefing.archive import Archive, StoredArticle
from briefing.config import Settings, Source
from briefing.models import Origin
from briefing.source import (
    ArchiveSource,
    FolderSource,
    Window,
    configured,
    day_window,
    of_origin,
    window_of,
)
from tests.conftest import SEEDS

PKT = timezone(timedelta(hours=5))
NOW = datetime(2025, 10, 28, 7, 0, tzinfo=PKT)


def with_state(settings: Settings, tmp_path: Path, **changes: object) -> Settings:
    return replace(settings, schedule=replace(settings.schedule, state_dir=tmp_path / "state",
                                              **changes))


def test_the_configuration_decides_once_where_articles_come_from(settings: Settings,
                                                                 tmp_path: Path) -> None:
    assert configured(settings) == FolderSource(settings.input_dir)
    feeds = replace(with_state(settings, tmp_path),
                    sources=(Source(name="wire", feed="https://example.org/feed.xml"),))
    assert configured(feeds) == ArchiveSource(tmp_path / "state" / "articles.sqlite")
    assert configured(feeds, tmp_path / "mine") == FolderSource(tmp_path / "mine")  # --input


def test_a_brief_is_made_again_from_the_source_it_names(settings: Settings,
                                                        tmp_path: Path) -> None:
    until = NOW
    origin = Origin("archive", str(tmp_path / "a.sqlite"), until - timedelta(hours=24), until)
    assert of_origin(origin, settings) == ArchiveSource(tmp_path / "a.sqlite")
    assert window_of(origin) == Window(until - timedelta(hours=24), until)
    assert of_origin(Origin("folder", str(SEEDS)), settings) == FolderSource(SEEDS)
    assert window_of(Origin("folder", str(SEEDS))) is None
    assert of_origin(None, settings) == configured(settings)


def test_todays_window_ends_now_and_an_earlier_days_at_its_scheduled_time(
        settings: Settings) -> None:
    today = day_window(settings, date(2025, 10, 28), NOW)
    assert today == Window(NOW - timedelta(hours=24), NOW)
    earlier = day_window(settings, date(2025, 10, 20), NOW)  # cron 07:00 Asia/Karachi
    assert earlier.until == datetime(2025, 10, 20, 7, 0, tzinfo=PKT)
    assert earlier.since == datetime(2025, 10, 19, 7, 0, tzinfo=PKT)
    everything = replace(settings, schedule=replace(settings.schedule, window_hours=0))
    assert day_window(everything, date(2025, 10, 28), NOW).since is None


def test_a_day_the_schedule_skips_ends_at_midnight(settings: Settings) -> None:
    weekdays = replace(settings, schedule=replace(settings.schedule, cron="0 7 * * mon-fri"))
    saturday = day_window(weekdays, date(2025, 10, 25), NOW)
    assert saturday.until.astimezone(PKT).date() == date(2025, 10, 25)
    assert saturday.until.astimezone(PKT).hour == 23


def stored(url: str, published_at: datetime | None = None, published: date | None = None,
           fetched: datetime = NOW) -> StoredArticle:
    return StoredArticle(url=url, article_id=url, source="wire", outlet="Desk", title=url,
                         published=published or (published_at.date() if published_at else None),
                         published_at=published_at, fetched=fetched, text="Text. " * 20)


def test_windows_compare_instants_not_days(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.sqlite")
    window = Window(NOW - timedelta(hours=24), NOW)
    archive.add(stored("https://x.org/26h", published_at=NOW - timedelta(hours=26)))
    archive.add(stored("https://x.org/23h", published_at=(NOW - timedelta(hours=23))
                       .astimezone(UTC)))  # stored in another zone
    archive.add(stored("https://x.org/later", published_at=NOW + timedelta(hours=1)))
    archive.add(stored("https://x.org/day", published=date(2025, 10, 27)))
    archive.add(stored("https://x.org/old-day", published=date(2025, 10, 25)))
    archive.add(stored("https://x.org/undated-new", fetched=NOW - timedelta(hours=2)))
    archive.add(stored("https://x.org/undated-old", fetched=NOW - timedelta(days=5)))
    inside, older = archive.window(window.since, window.until)
    assert sorted(a.url for a in inside) == ["https://x.org/23h", "https://x.org/day",
                                             "https://x.org/undated-new"]
    assert older == 3  # 26 hours old, 25 October, fetched five days ago
    [kept] = [a for a in inside if a.url.endswith("23h")]
    assert kept.published_at == NOW - timedelta(hours=23)  # the same instant, kept with its time


def test_an_archive_without_a_window_reads_everything_up_to_now(tmp_path: Path,
                                                                settings: Settings) -> None:
    archive = Archive(tmp_path / "a.sqlite")
    archive.add(stored("https://x.org/old", published_at=datetime(2020, 1, 1, tzinfo=UTC)))
    inside, older = archive.window(None, NOW)
    assert [a.url for a in inside] == ["https://x.org/old"] and older == 0


def test_a_folder_read_whole_says_so(settings: Settings) -> None:
    batch = FolderSource(SEEDS).read(settings)
    assert len(batch.reading.articles) == 5
    assert batch.summary == f"read folder {SEEDS}: 5 articles (the whole folder)"
    assert batch.origin == Origin("folder", str(SEEDS.resolve()))


@pytest.mark.parametrize("hours, expected", [(24, 0), (72, 5)])
def test_a_folder_read_in_a_window_counts_what_it_left_out(settings: Settings, tmp_path: Path,
                                                           hours: int, expected: int) -> None:
    import os
    import shutil

    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    two_days_ago = (NOW - timedelta(hours=48)).timestamp()
    for path in folder.iterdir():  # the seeds are undated: the time they were added counts
        os.utime(path, (two_days_ago, two_days_ago))
    batch = FolderSource(folder).read(settings, Window(NOW - timedelta(hours=hours), NOW))
    assert len(batch.reading.articles) == expected
    assert batch.left_out == 5 - expected


CLASHES = [
    "Pakistani and Afghan troops clashed at the Torkham border and two soldiers were killed.",
    "Heavy shelling hit border posts in Kurram as the clashes between the forces went on.",
    "Afghan forces fired mortar shells at a Pakistani checkpoint in Chaman, killing a guard.",
    "Pakistan said its airstrikes in Khost hit hideouts after the border clash with Afghanistan.",
    "The exchange of fire along the Durand Line wounded six Afghan border guards.",
]


def test_the_days_before_a_window_teach_the_themes(tmp_path: Path, settings: Settings) -> None:
    """The archive's articles of the `summary.learn_days` days before the window give their
    sure sentences to the themes' model; the window's own and older ones do not."""
    archive = Archive(tmp_path / "a.sqlite")
    window = Window(NOW - timedelta(hours=24), NOW)

    def add(url: str, hours: float, sentences: list[str]) -> None:
        text = "\n\n".join(sentences)
        archive.add(replace(stored(url, published_at=NOW - timedelta(hours=hours)), text=text))

    add("https://x.org/today", 2, CLASHES[:1])
    add("https://x.org/three-days-ago", 72, CLASHES[:3])
    add("https://x.org/nine-days-ago", 216, CLASHES[3:])
    batch = ArchiveSource(tmp_path / "a.sqlite").read(settings, window)
    assert [a.id for a in batch.reading.articles] == ["https://x.org/today"]
    assert [label for label, _ in batch.background] == ["clashes"] * 3  # three days ago only

    week = replace(settings, summary=replace(settings.summary, learn_days=10))
    assert len(ArchiveSource(tmp_path / "a.sqlite").read(week, window).background) == 5
    off = replace(settings, summary=replace(settings.summary, learn_days=0))
    assert ArchiveSource(tmp_path / "a.sqlite").read(off, window).background == ()


def test_today_is_the_schedules_day_not_the_machines(settings: Settings, workdir: Path) -> None:
    """At 20:00 UTC it is already the next day in Pakistan: that day's brief, whose window
    ends now and holds what was just fetched."""
    from click.testing import CliRunner

    from briefing.cli import cli
    from briefing.source import today

    evening = datetime(2025, 10, 28, 20, 0, tzinfo=UTC)
    assert today(settings, evening) == date(2025, 10, 29)
    assert day_window(settings, date(2025, 10, 29), evening).until == evening
    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--format", "json",
                                      "--now", evening.isoformat()])
    assert result.exit_code == 0, result.output
    assert (workdir / "output" / "2025-10-29" / "brief.json").is_file()


def test_a_run_tells_its_time_in_the_schedules_zone(workdir: Path) -> None:
    """Without --now, the brief's generation time reads as the schedule's (Asia/Karachi),
    whatever the machine's zone, as a scheduled run's does."""
    import json

    from click.testing import CliRunner

    from briefing.cli import cli

    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--format", "json"])
    assert result.exit_code == 0, result.output
    [made] = (workdir / "output").glob("*/brief.json")
    stamp = datetime.fromisoformat(json.loads(made.read_text())["generated_at"])
    assert stamp.utcoffset() == timedelta(hours=5)
    assert made.parent.name == stamp.date().isoformat()

"""Where a day's articles come from, decided once.

With `[[sources]]` in the configuration, articles come from the article archive
(feeds and folders that `briefing fetch` stored); without them, from the input
folder (`paths.input`). An explicit folder (`briefing run --input DIR`) wins over
both. Every entry point (run, send, schedule, the web report's pages, reports
and Regenerate, the benchmarks) reads through here, and each brief records
where its articles came from (`Origin`), so it can be made again from the
same place and never from another.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from briefing import pipeline
from briefing.config import Settings
from briefing.days import placement
from briefing.errors import ConfigError, StateError
from briefing.models import Article, Origin
from briefing.pipeline import Reading
from briefing.themes import Example

if TYPE_CHECKING:  # the archive (and its database layer) is imported only when read
    from briefing.archive import Archive, StoredArticle

log = logging.getLogger(__name__)

FOLDER = "folder"
ARCHIVE = "archive"
# At most this many of the latest articles before a window teach the themes (summary.learn_days).
LEARN_ARTICLES = 400


@dataclass(frozen=True)
class Window:
    """Which articles a brief covers: published (or, undated, added) from `since` to `until`.

    `since=None` means from the beginning. Articles with a publication time are
    compared as instants; those with a publication day only count when the day
    falls inside the window.
    """

    since: datetime | None
    until: datetime

    def covers(self, article: Article) -> bool:
        return placement(article.published_at, article.published, article.modified,
                         self.since, self.until) == 0

    @property
    def label(self) -> str:
        until = f"{self.until:%Y-%m-%d %H:%M %Z}".strip()
        if self.since is None:
            return f"published or added up to {until}"
        return f"published or added from {self.since:%Y-%m-%d %H:%M} to {until}"


@dataclass(frozen=True)
class Batch:
    """What a source gave for one brief: the reading and a line saying what was read."""

    reading: Reading
    origin: Origin
    window: Window | None
    left_out: int  # articles outside the window
    summary: str  # "archive state/articles.sqlite: 12 articles from … to …"
    # What the archive's days before the window teach the themes (themes.examples).
    background: tuple[Example, ...] = ()


def archive_of(settings: Settings) -> Archive:
    """The archive where the configuration keeps the state: a file in the state folder,
    or the database named by `[database] url_env`."""
    from briefing.archive import Archive
    from briefing.state import database_url

    return Archive(settings.schedule.state_dir / "articles.sqlite", database_url(settings))


@dataclass(frozen=True)
class FolderSource:
    """Every article file at the top of one folder."""

    folder: Path
    kind: str = FOLDER

    def read(self, settings: Settings, window: Window | None = None) -> Batch:
        reading = pipeline.read(self.folder, settings)
        left_out = 0
        if window is not None:
            reading, left_out = _within(reading, window)
        origin = Origin(FOLDER, str(self.folder.resolve()), window.since if window else None,
                        window.until if window else None)
        where = f"folder {self.folder}"
        span = f", {window.label}" if window else " (the whole folder)"
        summary = (f"read {where}: {len(reading.articles)} articles{span}"
                   + (f" ({left_out} outside the window left out)" if left_out else ""))
        return Batch(reading, origin, window, left_out, summary)

    def read_ids(self, settings: Settings, ids: Collection[str]) -> Reading:
        names = {i.split("#", 1)[0] for i in ids}
        reading = pipeline.read(self.folder, settings, names)
        keep = set(ids)
        return pipeline.only(reading, lambda a: a.id in keep)


@dataclass(frozen=True)
class ArchiveSource:
    """The article archive that `briefing fetch` fills from `[[sources]]`: the SQLite
    file at `path`, or the database at `url`.

    The archive is common to every brief; a brief of [[briefs]] reads the articles
    of its own sources only (`names`), None reads them all.
    """

    path: Path
    names: tuple[str, ...] | None = None
    kind: str = ARCHIVE
    url: str | None = field(default=None, repr=False)  # it may carry a password

    def read(self, settings: Settings, window: Window | None = None) -> Batch:
        from briefing.archive import Archive

        archive = Archive(self.path, self.url)
        until = window.until if window else datetime.now().astimezone()
        since = window.since if window else None
        stored, left_out = archive.window(since, until)
        stored = self._own(stored)
        reading = pipeline.read_stored(stored, settings)
        origin = Origin(ARCHIVE, archive.shown if self.url else str(self.path.resolve()),
                        since, until)
        span = window.label if window else f"published or added up to {until:%Y-%m-%d %H:%M}"
        summary = (f"read the archive {archive.shown}: {len(stored)} articles {span}"
                   + (f" ({left_out} older left out)" if left_out else ""))
        background = self._background(archive, settings, since, {a.article_id for a in stored})
        return Batch(reading, origin, window or Window(None, until), left_out, summary,
                     background)

    def _background(self, archive: Archive, settings: Settings, since: datetime | None,
                    inside: set[str]) -> tuple[Example, ...]:
        """The sure sentences of the `summary.learn_days` days before the window (the
        latest LEARN_ARTICLES of their articles), which teach the themes' model."""
        days = settings.summary.learn_days
        if since is None or days == 0:
            return ()
        earlier, _ = archive.window(since - timedelta(days=days),
                                    since - timedelta(microseconds=1))
        earlier = [a for a in self._own(earlier) if a.article_id not in inside][-LEARN_ARTICLES:]
        if not earlier:
            return ()
        taught = pipeline.learned_from(pipeline.read_stored(earlier, settings), settings)
        log.info("the themes learn from %d sentences of %d articles of the %d days before",
                 len(taught), len(earlier), days)
        return taught

    def _own(self, stored: list[StoredArticle]) -> list[StoredArticle]:
        """The articles of this brief's sources (all of them, without `names`)."""
        return stored if self.names is None else [a for a in stored if a.source in self.names]

    def read_ids(self, settings: Settings, ids: Collection[str]) -> Reading:
        from briefing.archive import Archive

        stored = Archive(self.path, self.url).by_ids(ids)
        return pipeline.read_stored(stored, settings)


ArticleSource = FolderSource | ArchiveSource


def configured(settings: Settings, folder: Path | None = None) -> ArticleSource:
    """The one decision: an explicit folder, else the archive with sources, else the input."""
    if folder is not None:
        return FolderSource(folder)
    if settings.sources:
        from briefing.state import database_url

        return ArchiveSource(archive_of(settings).path, settings.reads,
                             url=database_url(settings))
    return FolderSource(settings.input_dir)


def of_origin(origin: Origin | None, settings: Settings) -> ArticleSource:
    """The source a brief was made from (the configured one for briefs that did not say)."""
    if origin is None:
        return configured(settings)
    if origin.kind == ARCHIVE:
        from briefing.state import database_url

        url = database_url(settings)
        if url is None and "://" in origin.location:
            raise StateError(f"this brief was made from the archive in the database "
                             f"{origin.location}; set {settings.database.url_env} to its URL")
        return ArchiveSource(Path(origin.location), settings.reads, url=url)
    if origin.kind == FOLDER:
        return FolderSource(Path(origin.location))
    raise ConfigError(f"a brief names an unknown article source {origin.kind!r}")


def window_of(origin: Origin | None) -> Window | None:
    if origin is None or origin.until is None:
        return None
    return Window(origin.since, origin.until)


def today(settings: Settings, now: datetime) -> Date:
    """The day whose brief `now` belongs to: today in the schedule's time zone, whatever the
    machine's own (at 20:00 UTC it is already tomorrow in Pakistan)."""
    return now.astimezone(ZoneInfo(settings.schedule.timezone)).date()


def day_window(settings: Settings, day: Date, now: datetime) -> Window:
    """The window of `day`'s brief: `schedule.window_hours` up to that day's scheduled time.

    Today's ends now; an earlier day's ends at the time the schedule makes its
    brief (the end of that day when the schedule skips it). With window_hours = 0
    it reaches back to the beginning.
    """
    zone = ZoneInfo(settings.schedule.timezone)
    until = now if day >= today(settings, now) else _fire_time(settings, day, zone)
    hours = settings.schedule.window_hours
    return Window(until - timedelta(hours=hours) if hours else None, until)


def _fire_time(settings: Settings, day: Date, zone: ZoneInfo) -> datetime:
    from briefing.schedule import cron_trigger

    start = datetime.combine(day, time(0), zone)
    fire = cron_trigger(settings).get_next_fire_time(None, start)
    if fire is not None and fire.astimezone(zone).date() == day:
        return fire  # type: ignore[no-any-return]
    return datetime.combine(day + timedelta(days=1), time(0), zone) - timedelta(seconds=1)


def _within(reading: Reading, window: Window) -> tuple[Reading, int]:
    """The part of the reading inside the window, and how many articles it left out."""
    kept = pipeline.only(reading, window.covers)
    return kept, len(reading.articles) - len(kept.articles)



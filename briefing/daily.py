"""One day's brief, start to finish: render it under the day's lock, record the run,
deliver it. `briefing run`, `briefing send` and the scheduled job all come here,
so they cannot write the same day's files at once and they share one history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from briefing import changes, deliver, pipeline
from briefing.archive import Archive
from briefing.config import ConfigError, Settings
from briefing.fetch import fetch_sources
from briefing.history import History
from briefing.models import Brief
from briefing.pipeline import Window, make_brief
from briefing.render import write_brief
from briefing.state import StateError

log = logging.getLogger(__name__)

# How long a run waits for another run writing the same day's files.
LOCK_TIMEOUT = 600.0


class Busy(Exception):
    """Another run is writing this day's files."""


class AlreadySent(Exception):
    """This day's brief was delivered before; sending again needs --force."""


@dataclass(frozen=True)
class Produced:
    day: date
    files: tuple[Path, ...]
    articles: int
    skipped_empty: bool = False


def day_folder(settings: Settings, day: date) -> Path:
    return settings.output_dir / day.isoformat()


@contextmanager
def day_lock(settings: Settings, day: date, timeout: float | None = None) -> Iterator[None]:
    """Hold the day's lock: one writer of output/DAY at a time, across processes."""
    settings.output_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.output_dir / f".{day.isoformat()}.lock")
    try:
        with lock.acquire(timeout=LOCK_TIMEOUT if timeout is None else timeout):
            yield
    except Timeout:
        raise Busy(f"another briefing run is writing {day_folder(settings, day)}; "
                   f"gave up after {LOCK_TIMEOUT if timeout is None else timeout:.0f} s") from None


def window_for(settings: Settings, now: datetime) -> Window | None:
    hours = settings.schedule.window_hours
    if not hours:
        return None
    since = now - timedelta(hours=hours)
    return Window(since, f"published or added since {since:%Y-%m-%d %H:%M %Z} "
                         f"(the last {hours:g} hours)")


def archive_of(settings: Settings) -> Archive:
    return Archive(settings.schedule.state_dir / "articles.sqlite")


def from_archive(settings: Settings, day: date, now: datetime, window: Window | None) -> Brief:
    """The brief of the archive's window (or of the whole archive)."""
    archive = archive_of(settings)
    since = window.since if window else datetime(1970, 1, 1, tzinfo=now.tzinfo)
    stored = archive.window(since, now)
    reading = pipeline.read_stored(stored, settings)
    left_out = archive.count() - len(stored) if window else 0
    log.info("archive: %d articles in the window, %d older", len(stored), left_out)
    return pipeline.brief_of(reading, settings, day, now, window, left_out)


def produce(settings: Settings, day: date, now: datetime, formats: Sequence[str],
            window: Window | None = None, allow_empty: bool = False,
            skip_empty: bool = False, archive: bool = False) -> Produced:
    """Render the day's brief (from the input folder, or the archive) under the day's lock."""
    if archive:
        brief = from_archive(settings, day, now, window)
    else:
        brief = make_brief(settings.input_dir, settings, day, now, window, allow_empty)
    brief = changes.apply(brief, settings.output_dir, settings.changes)
    if skip_empty and not brief.articles:
        log.info("no new articles for %s; skipping the brief (schedule.skip_empty)", day)
        return Produced(day, (), 0, skipped_empty=True)
    with day_lock(settings, day):
        files = write_brief(brief, settings, formats, settings.output_dir)
    for path in files:
        log.info("wrote %s", path)
    return Produced(day, tuple(files), len(brief.articles))


def send_day(settings: Settings, day: date, now: datetime, history: History, *,
             force: bool = False, dry_run: bool = False,
             sleep: Callable[[float], None] | None = None) -> str:
    """Mail the day's brief (rendering it first if needed); returns what happened."""
    folder = day_folder(settings, day)
    if not (folder / "brief.pdf").is_file() or not (folder / "brief.json").is_file():
        log.info("no complete brief for %s yet; rendering it first", day)
        produce(settings, day, now, ["html", "pdf", "json"])
    if not dry_run and not force and (sent := history.delivered(day)) is not None:
        raise AlreadySent(f"the brief of {day} was sent on {sent.sent_at} to "
                          f"{', '.join(sent.recipients)}; use --force to send it again")
    with day_lock(settings, day):
        pdf, data = deliver.load_brief(folder)
    message = deliver.build_message(settings, day, pdf, data, now)
    if dry_run:
        path = deliver.write_eml(message, folder / "brief.eml")
        return f"dry run: wrote {path}"
    result = deliver.send(message, settings.email, **({"sleep": sleep} if sleep else {}))
    history.record_delivery(day, now, result.accepted, str(message["Message-ID"]))
    return result.summary()


@dataclass(frozen=True)
class Outcome:
    status: str
    articles: int
    files: tuple[Path, ...]
    delivery: str


def daily_run(settings: Settings, now: datetime, trigger: str = "schedule",
              sleep: Callable[[float], None] | None = None) -> Outcome:
    """The scheduled job: the window's brief, mailed when email is on, all of it recorded.

    A failed delivery does not fail the run: the files stay on disk, the history
    says "not delivered", and `briefing send --date DAY` can deliver them later.
    """
    history = History(settings.schedule.state_dir)
    day = now.date()
    run_id = history.start(day, trigger, now)
    status, delivery, message = "failed", "", ""
    produced = Produced(day, (), 0)
    formats = sorted({*settings.formats, *(("pdf", "json") if settings.email.enabled else ())})
    log.info("run %d started for %s (%s)", run_id, day, trigger)
    try:
        if settings.sources:  # fetch first; a failing source is reported, never fatal
            fetched = fetch_sources(settings, archive_of(settings))
            message = f"fetch: {fetched.summary()}"
        produced = produce(settings, day, now, formats, window_for(settings, now),
                           allow_empty=True, skip_empty=settings.schedule.skip_empty,
                           archive=bool(settings.sources))
        status = "skipped: no new articles" if produced.skipped_empty else "ok"
        if settings.email.enabled and not produced.skipped_empty:
            try:
                delivery = send_day(settings, day, now, history, sleep=sleep)
            except AlreadySent as exc:
                delivery = f"not sent again: {exc}"
            except (deliver.DeliveryError, ConfigError) as exc:
                delivery = f"not delivered: {exc}"
            log.info("delivery: %s", delivery)
    except Exception as exc:  # the scheduler must outlive one bad day
        message = " ".join([message, f"{type(exc).__name__}: {exc}"]).strip()
        log.error("run %d failed: %s", run_id, message)
    finally:
        history.finish(run_id, datetime.now(now.tzinfo), status, produced.articles,
                       produced.files, delivery, message)
    log.info("run %d ended: %s, %d articles, %d files", run_id, status, produced.articles,
             len(produced.files))
    return Outcome(status, produced.articles, produced.files, delivery)


def recorded(settings: Settings, day: date, trigger: str, now: datetime,
             action: Callable[[], Produced]) -> Produced:
    """Run a manual action with a history record around it, if the state folder allows."""
    history = History(settings.schedule.state_dir)
    try:
        run_id: int | None = history.start(day, trigger, now)
    except StateError as exc:
        log.warning("run history not recorded: %s", exc)
        run_id = None
    try:
        produced = action()
    except Exception as exc:
        if run_id is not None:
            history.finish(run_id, datetime.now(now.tzinfo), "failed", message=str(exc))
        raise
    if run_id is not None:
        history.finish(run_id, datetime.now(now.tzinfo), "ok", produced.articles,
                       produced.files)
    return produced

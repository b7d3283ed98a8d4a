"""One day's brief, start to finish: read it from its source, render it under the day's
lock, record the run, deliver it. `briefing run`, `briefing send`, the scheduled job
and the web report's Regenerate all come here, so they cannot write the same day's
files at once, they read articles the same way and they share one history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from briefing import changes, deliver, pipeline
from briefing.briefs import BriefStore, store_of
from briefing.config import Settings
from briefing.errors import (
    AlreadySent,
    Busy,
    ConfigError,
    DeliveryError,
    NoArticles,
    StateError,
)
from briefing.history import SENDING, Delivery, History, history_of
from briefing.models import Brief
from briefing.render import render_files
from briefing.source import ArchiveSource, ArticleSource, Batch, Window, archive_of, day_window

if TYPE_CHECKING:
    from briefing.fetch import FetchReport

log = logging.getLogger(__name__)

EVERY_FORMAT = ("html", "pdf", "json")


@dataclass(frozen=True)
class Produced:
    day: date
    files: tuple[Path, ...]
    articles: int
    summary: str  # which source was read and what the window held, in one line
    skipped_empty: bool = False


def fetch_first(settings: Settings, source: ArticleSource) -> FetchReport | None:
    """Fetch the [[sources]] into the archive, when the brief reads the archive."""
    if not isinstance(source, ArchiveSource) or not settings.sources:
        return None
    from briefing.fetch import fetch_sources  # feeds, pages and the archive's database

    return fetch_sources(settings, archive_of(settings))


def compose_day(settings: Settings, day: date, now: datetime, batch: Batch,
                store: BriefStore) -> Brief:
    """The day's brief of a batch, compared with the earlier briefs in the store."""
    earlier = store.previous(day, changes.lookback(settings.changes))
    brief = pipeline.brief_of(batch.reading, settings, day, now, origin=batch.origin,
                              window=batch.window.label if batch.window else "",
                              left_out=batch.left_out, earlier=earlier,
                              background=batch.background)
    return changes.apply(brief, earlier, settings.changes)


def produce(settings: Settings, day: date, now: datetime, formats: Sequence[str],
            source: ArticleSource, window: Window | None = None, *, require: bool = True,
            skip_empty: bool = False) -> Produced:
    """Render the day's brief from `source` under the day's lock.

    With `require`, a day without articles is an error (NoUsableArticles for a
    folder read whole, NoArticles for a window); otherwise the brief says there
    was no new reporting, or, with `skip_empty`, nothing is written.
    """
    batch = source.read(settings, window)
    log.debug("%s", batch.summary)  # the caller says it, once
    if require and not batch.reading.articles:
        if window is None and not isinstance(source, ArchiveSource):
            pipeline.require_articles(batch.reading, source.folder)
        raise NoArticles(f"no articles for {day.isoformat()}: {batch.summary}")
    if skip_empty and not batch.reading.articles:
        log.info("no new articles for %s; skipping the brief (schedule.skip_empty)", day)
        return Produced(day, (), 0, batch.summary, skipped_empty=True)
    store = store_of(settings)
    brief = compose_day(settings, day, now, batch, store)
    files = write_brief(brief, settings, formats, store)
    for path in files:
        log.info("wrote %s", path)
    return Produced(day, tuple(files), len(brief.articles), batch.summary)


def write_brief(brief: Brief, settings: Settings, formats: Sequence[str],
                store: BriefStore | None = None) -> list[Path]:
    """Render every format first, then replace the day's files as one set, under its lock."""
    store = store or store_of(settings)
    rendered = render_files(brief, settings, formats)
    with store.lock(brief.date):
        return store.write(brief.date, rendered)


def send_day(settings: Settings, day: date, now: datetime, history: History, *,
             force: bool = False, dry_run: bool = False, source: ArticleSource | None = None,
             sleep: Callable[[float], None] | None = None) -> str:
    """Mail the day's brief, rendering it first from the day's window when it is missing.

    The brief goes to a recipient list once: the check, the send and the record
    happen under the day's delivery lock, so two senders at once (two processes,
    or `briefing send` beside the schedule) deliver it once between them.
    """
    from briefing.source import configured

    store = store_of(settings)
    if not store.has(day, "pdf", "json"):
        chosen = source or configured(settings)
        log.info("no complete brief for %s yet; rendering it first", day)
        produce(settings, day, now, EVERY_FORMAT, chosen, day_window(settings, day, now))
    if dry_run:
        with store.lock(day):
            message = _message(settings, store, day, now)
            [path] = store.write(day, {"eml": message.as_bytes()})
        return f"dry run: wrote {path}"
    audience = deliver.audience(settings.email)
    with history.delivering(day):
        before = history.delivered(day, audience)
        if before is not None and not force:
            raise AlreadySent(_already(day, before))
        message = _message(settings, store, day, now)
        message_id = str(message["Message-ID"])
        # Recorded before it goes out: a process killed while sending leaves a record
        # that says the brief may have gone out, never one that invites a second copy.
        history.record_delivery(day, now, (), message_id, audience, SENDING)
        try:
            result = deliver.send(message, settings.email, **({"sleep": sleep} if sleep else {}))
        except DeliveryError:  # not accepted: as if it had not been tried
            history.restore_delivery(day, audience, before)
            raise
        history.record_delivery(day, now, result.accepted, message_id, audience)
    return result.summary()


def _message(settings: Settings, store: BriefStore, day: date, now: datetime) -> EmailMessage:
    """The message of the day's stored brief, its PDF and JSON read as one set."""
    with store.snapshot(day) as stored:
        pdf, brief = stored.read_bytes("pdf"), stored.read()
    return deliver.build_message(settings, brief, pdf, now)


def _already(day: date, before: Delivery) -> str:
    if before.certain:
        return (f"the brief of {day} was sent on {before.sent_at} to "
                f"{', '.join(before.recipients)}; use --force to send it again")
    return (f"a delivery of the brief of {day} began on {before.sent_at} and was cut off "
            "before the server's answer was recorded, so it may have gone out; check with "
            "the recipients, then use --force to send it again")


ANOTHER = "skipped: another scheduler makes it"


@dataclass(frozen=True)
class Outcome:
    status: str
    articles: int
    files: tuple[Path, ...]
    delivery: str


def daily_run(settings: Settings, now: datetime, trigger: str = "schedule",
              sleep: Callable[[float], None] | None = None,
              slot: datetime | None = None) -> Outcome:
    """The scheduled job: the window's brief, mailed when email is on, all of it recorded.

    A failed delivery does not fail the run: the files stay on disk, the history
    says "not delivered", and `briefing send --date DAY` can deliver them later.
    With `slot`, the scheduled time this run is for, a run another scheduler has
    already started for that time is not made again.
    """
    from briefing.source import configured, today

    history = history_of(settings)
    day = today(settings, now)
    if slot is None:
        run_id = history.start(day, trigger, now)
    else:
        claimed = history.claim(day, trigger, now, slot.isoformat())
        if claimed is None:
            log.info("the brief scheduled for %s is made by another scheduler", slot)
            return Outcome(ANOTHER, 0, (), "")
        run_id = claimed
    status, delivery, message = "failed", "", ""
    produced = Produced(day, (), 0, "")
    formats = sorted({*settings.formats, *(("pdf", "json") if settings.email.enabled else ())})
    log.info("run %d started for %s (%s)", run_id, day, trigger)
    try:
        source = configured(settings)
        fetched = fetch_first(settings, source)  # a failing source is reported, never fatal
        if fetched is not None:
            message = f"fetch: {fetched.summary()}"
            log.info("%s", message)
        produced = produce(settings, day, now, formats, source, day_window(settings, day, now),
                           require=False, skip_empty=settings.schedule.skip_empty)
        log.info("%s", produced.summary)
        status = "skipped: no new articles" if produced.skipped_empty else "ok"
        if settings.email.enabled and not produced.skipped_empty:
            try:
                delivery = send_day(settings, day, now, history, source=source, sleep=sleep)
            except (AlreadySent, Busy) as exc:
                delivery = f"not sent again: {exc}"
            except (DeliveryError, ConfigError) as exc:
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
    history = history_of(settings)
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
                       produced.files, message=produced.summary)
    return produced


def recorded_send(settings: Settings, day: date, now: datetime, history: History,
                  send: Callable[[], str]) -> str:
    """A manual `briefing send`, recorded in the history like a scheduled delivery."""
    run_id = history.start(day, "send", now)
    try:
        delivery = send()
    except AlreadySent as exc:
        history.finish(run_id, datetime.now(now.tzinfo), "not sent again", message=str(exc))
        raise
    except Exception as exc:
        history.finish(run_id, datetime.now(now.tzinfo), "failed",
                       delivery=f"not delivered: {exc}", message=str(exc))
        raise
    history.finish(run_id, datetime.now(now.tzinfo), "ok", delivery=delivery)
    return delivery

"""A report over several days: the articles of those days' briefs, ranked afresh.

Each day's articles are read again from the source that day's brief was made
from (the folder or the archive it recorded), so a report of feed-based briefs
reads the archive and a report of folder briefs reads their folders.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from briefing import pipeline, source
from briefing.briefs import BriefStore
from briefing.config import Settings
from briefing.errors import IngestError, StateError
from briefing.models import Article, Brief, Origin, Sentence, Skipped
from briefing.pipeline import Reading

log = logging.getLogger(__name__)


def multi_day(settings: Settings, store: BriefStore, days: Sequence[date], since: date,
              until: date, now: datetime) -> tuple[Brief, int]:
    """One brief from the articles of the briefs of `days`, and how many could not be found."""
    wanted: dict[tuple[str, str] | None, set[str]] = defaultdict(set)
    origins: dict[tuple[str, str] | None, Origin | None] = {}
    for day in days:
        brief = store.read(day)
        key = (brief.origin.kind, brief.origin.location) if brief.origin else None
        origins.setdefault(key, brief.origin)
        wanted[key].update(a.id for a in brief.articles)
        wanted[key].update(c.id for a in brief.articles for c in a.copies)
    readings = []
    for key, ids in wanted.items():
        try:
            readings.append(source.of_origin(origins[key], settings).read_ids(settings, ids))
        except (IngestError, StateError) as exc:  # that source is gone: its articles are missing
            log.warning("report %s to %s: %d articles cannot be read: %s", since, until,
                        len(ids), exc)
    reading = _merge(readings)
    found = {a.id for a in reading.articles} | {c.id for a in reading.articles for c in a.copies}
    missing = len({i for ids in wanted.values() for i in ids} - found)
    title = f"{settings.title}: {since.isoformat()} to {until.isoformat()}"
    brief = pipeline.brief_of(reading, replace(settings, title=title), until, now,
                              window=f"the articles of the briefs from {since.isoformat()} "
                                     f"to {until.isoformat()}")
    log.info("report %s to %s: %d articles from %d briefs, %d missing", since, until,
             len(reading.articles), len(days), missing)
    return replace(brief, first_day=since), missing


def _merge(readings: Sequence[Reading]) -> Reading:
    seen: set[str] = set()
    articles: list[Article] = []
    sentences: list[Sentence] = []
    skipped: list[Skipped] = []
    support: list[Sentence] = []
    for r in readings:
        fresh = {a.id for a in r.articles if a.id not in seen}
        seen |= fresh
        articles += [a for a in r.articles if a.id in fresh]
        sentences += [s for s in r.sentences if s.article in fresh]
        support += r.support
        skipped += r.skipped
    return Reading(tuple(articles), tuple(sentences), tuple(skipped), tuple(support))

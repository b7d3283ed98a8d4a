"""What changed: today's brief against the previous days' briefs.

An item whose words the last few briefs already carried is "continuing"; the
rest are "new". The configured rule then keeps continuing items (marked) or
leaves them out. The day-by-day volume of reporting per theme comes from the
same briefs, for the chart. Everything here is pure: the caller reads the
previous briefs from the brief store and passes them in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from briefing.config import ChangeSettings
from briefing.models import Brief, DayVolume, Item
from briefing.summarize import jaccard
from briefing.text import stems

log = logging.getLogger(__name__)

NEW = "new"
CONTINUING = "continuing"


def _earlier(day: date, previous: Sequence[Brief], settings: ChangeSettings) -> list[Brief]:
    return [b for b in previous if b.date < day and (day - b.date).days <= settings.lookback_days]


def repeats_of(day: date, previous: Sequence[Brief], settings: ChangeSettings
               ) -> Callable[[str], bool]:
    """Whether a sentence repeats an item of the earlier briefs (always False under `keep`)."""
    earlier = _earlier(day, previous, settings)
    if settings.repeats == "keep" or not earlier:
        return lambda _: False
    seen = [frozenset(stems(i.text)) for b in earlier for i in b.items]

    def repeated(text: str) -> bool:
        mine = frozenset(stems(text))
        return any(jaccard(mine, other) >= settings.similarity for other in seen)

    return repeated


def mark(brief: Brief, previous: Sequence[Brief], settings: ChangeSettings) -> Brief:
    """Tag every item new or continuing against the previous briefs, then apply the rule."""
    earlier = _earlier(brief.date, previous, settings)
    if settings.repeats == "keep" or not earlier:
        return replace(brief, compared_with=max((b.date for b in earlier), default=None))
    repeated = repeats_of(brief.date, earlier, settings)

    def status(item: Item) -> Item:
        return replace(item, status=CONTINUING if repeated(item.text) else NEW)

    sections = []
    for section in brief.sections:
        items = tuple(status(i) for i in section.items)
        if settings.repeats == "drop":
            items = tuple(i for i in items if i.status == NEW)
        sections.append(replace(section, items=items))
    return replace(brief, key_points=tuple(status(k) for k in brief.key_points),
                   sections=tuple(sections), compared_with=max(b.date for b in earlier))


def volumes(brief: Brief, previous: Sequence[Brief], days: int) -> tuple[DayVolume, ...]:
    """Sentences per theme per day over the last `days` days, today included."""
    by_day = {b.date: b for b in previous if b.date < brief.date}
    by_day[brief.date] = brief
    out = []
    for offset in range(days - 1, -1, -1):
        day = brief.date - timedelta(days=offset)
        found = by_day.get(day)
        counts = {s.theme: s.sentences for s in found.sections} if found else {}
        out.append(DayVolume(day, counts, found is not None))
    return tuple(out)


def apply(brief: Brief, previous: Sequence[Brief], settings: ChangeSettings) -> Brief:
    """Mark changes against the earlier briefs and add the volume history for the chart."""
    marked = mark(brief, previous, settings)
    return replace(marked, volume=volumes(marked, previous, settings.chart_days))


def lookback(settings: ChangeSettings) -> int:
    """How many earlier days' briefs `apply` needs."""
    return max(settings.lookback_days, settings.chart_days)

"""What changed: today's brief against the previous days' briefs.

An item whose words the last few briefs already carried is "continuing"; the
rest are "new". The configured rule then keeps continuing items (marked) or
leaves them out. The day-by-day volume of reporting per theme comes from the
same briefs, for the chart. Everything here is pure: the caller loads the
previous briefs (brief.json files) and passes them in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from briefing.config import ChangeSettings
from briefing.models import Brief, DayVolume, Item
from briefing.summarize import jaccard
from briefing.text import stems

log = logging.getLogger(__name__)

NEW = "new"
CONTINUING = "continuing"


def mark(brief: Brief, previous: Sequence[Brief], settings: ChangeSettings) -> Brief:
    """Tag every item new or continuing against the previous briefs, then apply the rule."""
    earlier = [b for b in previous if b.date < brief.date
               and (brief.date - b.date).days <= settings.lookback_days]
    if settings.repeats == "keep" or not earlier:
        return replace(brief, compared_with=max((b.date for b in earlier), default=None))
    seen = [frozenset(stems(i.text)) for b in earlier for i in b.items]

    def status(item: Item) -> Item:
        mine = frozenset(stems(item.text))
        repeated = any(jaccard(mine, other) >= settings.similarity for other in seen)
        return replace(item, status=CONTINUING if repeated else NEW)

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


def load_previous(output_dir: Path, day: date, days: int) -> list[Brief]:
    """The briefs of the `days` days before `day` that exist and can be read."""
    from briefing.render import brief_from_dict

    found = []
    for offset in range(1, days + 1):
        path = output_dir / (day - timedelta(days=offset)).isoformat() / "brief.json"
        if not path.is_file():
            continue
        try:
            found.append(brief_from_dict(json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, KeyError, TypeError) as exc:  # a damaged old brief is not fatal
            log.warning("previous brief %s cannot be read: %s", path, exc)
    return found


def apply(brief: Brief, output_dir: Path, settings: ChangeSettings) -> Brief:
    """Mark changes and add the volume history, reading earlier briefs from `output_dir`."""
    previous = load_previous(output_dir, brief.date, max(settings.lookback_days,
                                                         settings.chart_days))
    marked = mark(brief, previous, settings)
    return replace(marked, volume=volumes(marked, previous, settings.chart_days))

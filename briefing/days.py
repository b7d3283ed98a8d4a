"""The days a brief can be made for.

A day's brief reaches back from its day: its window (`schedule.window_hours`),
the earlier briefs it is compared with (`changes.lookback_days`) and its chart
(`changes.chart_days`), years at most. Days from 1900 on leave room for all of
that, and for every time zone; 9999-12-31 is the last day a date can name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

FIRST = date(1900, 1, 1)
LAST = date.max
RANGE = f"from {FIRST.isoformat()} to {LAST.isoformat()}"


def in_range(day: date, what: str = "date") -> date:
    """The day itself, or ValueError saying that it is out of range."""
    if not FIRST <= day <= LAST:
        raise ValueError(f"{what} {day.isoformat()} is out of range: briefs are made for days "
                         f"{RANGE}")
    return day


def check_moment(moment: datetime, what: str) -> datetime:
    """A moment (with its zone) whose day is in range, where it is and in UTC."""
    problem = f"{what} {moment.isoformat()} is out of range: briefs are made for days {RANGE}"
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(problem) from None
    if not (FIRST <= moment.date() <= LAST and FIRST <= utc.date() <= LAST):
        raise ValueError(problem)
    return moment


def placement(published_at: datetime | None, published: date | None, fetched: datetime | None,
              since: datetime | None, until: datetime) -> int:
    """-1 before the window, 0 inside it, 1 after it."""
    if published_at is not None:
        moment = published_at if published_at.tzinfo else published_at.replace(tzinfo=UTC)
        return -1 if since and moment < since else 1 if moment > until else 0
    if published is not None:
        zone = until.tzinfo
        first = since.astimezone(zone).date() if since else None
        return -1 if first and published < first else 1 if published > until.date() else 0
    if fetched is not None:
        return -1 if since and fetched < since else 1 if fetched > until else 0
    return 0

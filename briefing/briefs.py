"""The brief store: the one module that knows the output folder's layout.

    OUTPUT/
      .DAY.lock            one writer of a day's files at a time, across processes
      DAY/brief.html       the formats `run` writes
      DAY/brief.pdf
      DAY/brief.json       the whole brief as data; read back into a `Brief`
      DAY/brief.eml        the message `send --dry-run` would have sent

Everything else (changes, deliver, web, the e-mail templates) asks this store
for `Brief` objects and file bytes, never for paths it builds itself. A day's
files are written as a set: every file goes to a temporary file first, and
only when all of them are on disk are they renamed into place, so a failure
(a full disk, a crash in the PDF) leaves the previous set as it was.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from briefing.errors import Busy, NoBrief
from briefing.models import (
    ArticleInfo,
    Brief,
    Citation,
    Copy,
    DayVolume,
    Item,
    Origin,
    Section,
    Skipped,
)

log = logging.getLogger(__name__)

KINDS = ("html", "pdf", "json", "eml")
DAY_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# How long a run waits for another run writing the same day's files.
LOCK_TIMEOUT = 600.0


class BriefStore:
    """The briefs under one output folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parsed: dict[date, tuple[int, Brief]] = {}
        self._guard = threading.Lock()

    # --- where things are (private: callers ask for briefs and bytes) --------------

    def _folder(self, day: date) -> Path:
        return self.root / day.isoformat()

    def _path(self, day: date, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown brief file kind {kind!r}")
        return self._folder(day) / f"brief.{kind}"

    def describe(self, day: date, kind: str | None = None) -> str:
        """A day's folder (or one of its files), for messages to the user."""
        return str(self._path(day, kind) if kind else self._folder(day))

    # --- reading ----------------------------------------------------------------------

    def days(self) -> list[date]:
        """Every day that has a brief.json, newest first."""
        if not self.root.is_dir():
            return []
        found = []
        for entry in self.root.iterdir():
            if DAY_NAME.match(entry.name) and (entry / "brief.json").is_file():
                try:
                    found.append(date.fromisoformat(entry.name))
                except ValueError:
                    continue
        return sorted(found, reverse=True)

    def has(self, day: date, *kinds: str) -> bool:
        return all(self._path(day, k).is_file() for k in kinds or ("json",))

    def stamp(self, day: date) -> int:
        """Changes whenever the day's brief.json is replaced (for caches)."""
        try:
            return self._path(day, "json").stat().st_mtime_ns
        except FileNotFoundError:
            raise NoBrief(f"there is no brief for {day.isoformat()}") from None

    def read(self, day: date) -> Brief:
        """The day's brief, parsed once per version of its brief.json."""
        stamp = self.stamp(day)
        with self._guard:
            cached = self._parsed.get(day)
        if cached and cached[0] == stamp:
            return cached[1]
        path = self._path(day, "json")
        try:
            brief = brief_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise NoBrief(f"there is no brief for {day.isoformat()}") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise NoBrief(f"the brief of {day.isoformat()} cannot be read ({path}: "
                          f"{type(exc).__name__}: {exc})") from None
        with self._guard:
            self._parsed[day] = (stamp, brief)
        return brief

    def read_bytes(self, day: date, kind: str) -> bytes:
        try:
            return self._path(day, kind).read_bytes()
        except FileNotFoundError:
            raise NoBrief(f"there is no brief.{kind} for {day.isoformat()}") from None

    def file(self, day: date, kind: str) -> Path:
        """A day's file for serving as it is (the web report's downloads)."""
        path = self._path(day, kind)
        if not path.is_file():
            raise NoBrief(f"there is no {kind.upper()} for {day.isoformat()}")
        return path

    def previous(self, day: date, days: int) -> list[Brief]:
        """The briefs of the `days` days before `day` that exist and can be read."""
        found = []
        for offset in range(1, days + 1):
            earlier = day - timedelta(days=offset)
            if not self.has(earlier):
                continue
            try:
                found.append(self.read(earlier))
            except NoBrief as exc:  # a damaged old brief is not fatal
                log.warning("previous brief skipped: %s", exc)
        return found

    # --- writing ----------------------------------------------------------------------

    @contextmanager
    def lock(self, day: date, timeout: float | None = None) -> Iterator[None]:
        """Hold the day's lock: one writer of the day's files at a time, across processes."""
        timeout = LOCK_TIMEOUT if timeout is None else timeout
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / f".{day.isoformat()}.lock")
        try:
            with lock.acquire(timeout=timeout):
                yield
        except Timeout:
            raise Busy(f"another briefing run is writing {self._folder(day)}; "
                       f"gave up after {timeout:.0f} s") from None

    def write(self, day: date, files: Mapping[str, bytes | str]) -> list[Path]:
        """Replace the day's files of these kinds as one set: all of them, or none."""
        folder = self._folder(day)
        folder.mkdir(parents=True, exist_ok=True)
        staged: list[tuple[str, Path]] = []
        try:
            for kind, data in files.items():
                staged.append((_stage(folder, data), self._path(day, kind)))
            for temporary, final in staged:
                os.replace(temporary, final)
        finally:
            for temporary, _ in staged:
                Path(temporary).unlink(missing_ok=True)
        return [final for _, final in staged]


def _stage(folder: Path, data: bytes | str) -> str:
    """Write `data` to a temporary file in `folder`, on disk before it returns."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=".brief.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


# --- brief.json ---------------------------------------------------------------------------

def _item(item: Item) -> dict[str, Any]:
    return {"text": item.text, "score": item.score, "theme": item.theme, "status": item.status,
            "sources": [{"article": c.article, "sentence": c.sentence,
                         **({"until": c.until} if c.until is not None else {})}
                        for c in item.sources]}


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    relevant = sum(1 for a in brief.articles if a.relevant)
    origin = brief.origin
    return {
        "title": brief.title,
        "date": brief.date.isoformat(),
        "first_day": brief.first_day.isoformat() if brief.first_day else None,
        "generated_at": brief.generated_at.isoformat(timespec="seconds"),
        "key_points": [_item(i) for i in brief.key_points],
        "sections": [
            {"theme": s.theme, "label": s.label, "description": s.description,
             "salience": s.salience, "sentences": s.sentences,
             "items": [_item(i) for i in s.items]}
            for s in brief.sections
        ],
        "articles": [
            {"id": a.id, "title": a.title, "outlet": a.outlet,
             "published": a.published.isoformat() if a.published else None,
             "published_at": _instant(a.published_at),
             "date_note": a.date_note, "relevant": a.relevant, "relevance": a.relevance,
             "sentences": a.sentences,
             "copies": [{"id": c.id, "outlet": c.outlet, "title": c.title} for c in a.copies]}
            for a in brief.articles
        ],
        "skipped": [{"file": s.file, "reason": s.reason} for s in brief.skipped],
        "coverage": {
            "articles_read": len(brief.articles),
            "relevant": relevant,
            "not_relevant": len(brief.articles) - relevant,
            "skipped": len(brief.skipped),
            "sentences_considered": brief.sentences_considered,
            "window": brief.window or None,
            "outside_window": brief.outside_window,
        },
        "origin": {"kind": origin.kind, "location": origin.location,
                   "since": _instant(origin.since), "until": _instant(origin.until)}
        if origin else None,
        "compared_with": brief.compared_with.isoformat() if brief.compared_with else None,
        "volume": [{"day": v.day.isoformat(), "counts": v.counts, "brief": v.has_brief}
                   for v in brief.volume],
    }


def to_json(brief: Brief) -> str:
    return json.dumps(brief_to_dict(brief), ensure_ascii=False, indent=2) + "\n"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def brief_from_dict(data: dict[str, Any]) -> Brief:
    """A Brief back from its brief.json (briefs written before `outlet` said `source`)."""
    def item(d: dict[str, Any]) -> Item:
        return Item(text=d["text"], score=d["score"], theme=d["theme"], status=d.get("status"),
                    sources=tuple(Citation(c["article"], c["sentence"], c.get("until"))
                                  for c in d["sources"]))

    def outlet(d: dict[str, Any]) -> str | None:
        return d["outlet"] if "outlet" in d else d.get("source")

    coverage = data.get("coverage", {})
    origin = data.get("origin")
    return Brief(
        title=data["title"], date=date.fromisoformat(data["date"]),
        first_day=_day(data.get("first_day")),
        generated_at=datetime.fromisoformat(data["generated_at"]),
        key_points=tuple(item(i) for i in data["key_points"]),
        sections=tuple(Section(theme=s["theme"], label=s["label"],
                               description=s.get("description", ""),
                               items=tuple(item(i) for i in s["items"]),
                               salience=s.get("salience", 0.0), sentences=s.get("sentences", 0))
                       for s in data["sections"]),
        articles=tuple(ArticleInfo(id=a["id"], title=a["title"], outlet=outlet(a),
                                   published=_day(a["published"]),
                                   published_at=_moment(a.get("published_at")),
                                   date_note=a.get("date_note", ""), relevant=a["relevant"],
                                   relevance=a.get("relevance", ""),
                                   sentences=a.get("sentences", 0),
                                   copies=tuple(Copy(c["id"], outlet(c), c.get("title"))
                                                for c in a.get("copies", [])))
                       for a in data["articles"]),
        skipped=tuple(Skipped(s["file"], s["reason"]) for s in data["skipped"]),
        sentences_considered=coverage.get("sentences_considered", 0),
        window=coverage.get("window") or "",
        outside_window=coverage.get("outside_window", 0),
        origin=Origin(origin["kind"], origin["location"], _moment(origin.get("since")),
                      _moment(origin.get("until"))) if origin else None,
        compared_with=_day(data.get("compared_with")),
        volume=tuple(DayVolume(date.fromisoformat(v["day"]), dict(v["counts"]), v["brief"])
                     for v in data.get("volume", [])),
    )

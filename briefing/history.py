"""Run history and delivery records, in SQLite in the state folder.

SQLite commits whole transactions or nothing, so a crash mid-run leaves
either no record or a complete one, never a half-written line. Deliveries are
keyed by the brief's date: that is what makes "a day's brief is sent once"
hold across restarts and across `briefing send` and the scheduler.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from briefing.state import database

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    ended TEXT,
    day TEXT NOT NULL,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    articles INTEGER NOT NULL DEFAULT 0,
    files TEXT NOT NULL DEFAULT '[]',
    delivery TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS deliveries (
    day TEXT PRIMARY KEY,
    sent_at TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class RunRecord:
    id: int
    started: str
    ended: str | None
    day: str
    trigger: str
    status: str
    articles: int
    files: list[str]
    delivery: str
    message: str


@dataclass(frozen=True)
class Delivery:
    day: str
    sent_at: str
    recipients: list[str]
    message_id: str


class History:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "history.sqlite"

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return database(self.path, "state folder's run history",
                        lambda db: db.executescript(SCHEMA))

    def check(self) -> None:
        """Fail now, at start-up, if the state folder cannot hold the history."""
        with self._db() as db:
            db.execute("SELECT COUNT(*) FROM runs").fetchone()

    def start(self, day: date, trigger: str, now: datetime) -> int:
        with self._db() as db:
            cursor = db.execute("INSERT INTO runs (started, day, trigger, status) "
                                "VALUES (?, ?, ?, 'running')",
                                (now.isoformat(timespec="seconds"), day.isoformat(), trigger))
            return int(cursor.lastrowid or 0)

    def finish(self, run: int, now: datetime, status: str, articles: int = 0,
               files: Sequence[Path] = (), delivery: str = "", message: str = "") -> None:
        with self._db() as db:
            db.execute("UPDATE runs SET ended = ?, status = ?, articles = ?, files = ?, "
                       "delivery = ?, message = ? WHERE id = ?",
                       (now.isoformat(timespec="seconds"), status, articles,
                        json.dumps([str(f) for f in files]), delivery, message, run))

    def runs(self, limit: int = 50) -> list[RunRecord]:
        with self._db() as db:
            rows = db.execute("SELECT id, started, ended, day, trigger, status, articles, files, "
                              "delivery, message FROM runs ORDER BY id DESC LIMIT ?",
                              (limit,)).fetchall()
        return [RunRecord(id=r[0], started=r[1], ended=r[2], day=r[3], trigger=r[4], status=r[5],
                          articles=r[6], files=json.loads(r[7]), delivery=r[8], message=r[9])
                for r in rows]

    def delivered(self, day: date) -> Delivery | None:
        with self._db() as db:
            row = db.execute("SELECT day, sent_at, recipients, message_id FROM deliveries "
                             "WHERE day = ?", (day.isoformat(),)).fetchone()
        return Delivery(row[0], row[1], json.loads(row[2]), row[3]) if row else None

    def record_delivery(self, day: date, now: datetime, recipients: Sequence[str],
                        message_id: str) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?)",
                       (day.isoformat(), now.isoformat(timespec="seconds"),
                        json.dumps(list(recipients)), message_id))

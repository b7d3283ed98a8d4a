"""Run history and delivery records, in SQLite in the state folder.

SQLite commits whole transactions or nothing, so a crash mid-run leaves
either no record or a complete one, never a half-written line.

A run holds a lease (a lock file in STATE/runs/) from its start to its end; the
kernel drops the lease when the process dies, however it dies. So a run still
"running" whose lease is free was interrupted, and the next start says so.

Deliveries are keyed by the brief's day and the recipient list: that is what
makes "a brief is sent once" hold across restarts, across processes and across
`briefing send` and the scheduler. Checking, sending and recording happen under
the day's delivery lock, and a delivery is recorded as under way before the
message goes out, so a process killed mid-send leaves a record that says the
brief may have gone out rather than none.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from briefing import locks
from briefing.errors import Busy, StateError
from briefing.state import database, migrate

MIGRATIONS: list[str] = [
    # 1: runs and deliveries (keyed by day), as the first briefing wrote them
    """
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
    )
    """,
    # 2: a lease per run; deliveries per day and recipient list, recorded before sending
    """
    ALTER TABLE runs ADD COLUMN lease TEXT;
    ALTER TABLE deliveries RENAME TO deliveries_v1;
    CREATE TABLE deliveries (
        day TEXT NOT NULL,
        audience TEXT NOT NULL,
        status TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        recipients TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (day, audience)
    );
    INSERT INTO deliveries SELECT day, '', 'sent', sent_at, recipients, message_id
        FROM deliveries_v1;
    DROP TABLE deliveries_v1
    """,
    # 3: several briefs: each run and delivery belongs to one ('' for the file's only brief)
    """
    ALTER TABLE runs ADD COLUMN brief TEXT NOT NULL DEFAULT '';
    ALTER TABLE deliveries RENAME TO deliveries_v2;
    CREATE TABLE deliveries (
        brief TEXT NOT NULL DEFAULT '',
        day TEXT NOT NULL,
        audience TEXT NOT NULL,
        status TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        recipients TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (brief, day, audience)
    );
    INSERT INTO deliveries SELECT '', day, audience, status, sent_at, recipients, message_id
        FROM deliveries_v2;
    DROP TABLE deliveries_v2
    """,
]

RUNNING = "running"
INTERRUPTED = "interrupted"
SENT = "sent"
SENDING = "sending"
ANY_LIST = ""  # deliveries recorded before lists were: they count for every list
# How long a send waits for another send of the same day to finish.
DELIVERY_LOCK_TIMEOUT = 600.0


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
    status: str = SENT  # SENDING: it was under way when its process ended; it may have gone out
    audience: str = ANY_LIST

    @property
    def certain(self) -> bool:
        return self.status == SENT


class History:
    """The runs and deliveries of one brief ("" is a file's only brief, and every old row)."""

    def __init__(self, state_dir: Path, brief: str = "") -> None:
        self.state_dir = state_dir
        self.brief = brief
        self.path = state_dir / "history.sqlite"
        self._leases: dict[int, locks.Held] = {}

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return database(self.path, "state folder's run history",
                        lambda db: migrate(db, MIGRATIONS, "run history"))

    def check(self) -> None:
        """Fail now, at start-up, if the state folder cannot hold the history."""
        self.mark_interrupted()

    # --- runs ---------------------------------------------------------------------------

    def start(self, day: date, trigger: str, now: datetime) -> int:
        """Record a run as running, under a lease this process holds until `finish`."""
        self.mark_interrupted()
        token = secrets.token_hex(8)
        try:
            lease = locks.try_hold(self._lease(token), note=str(os.getpid()))
        except OSError as exc:
            raise StateError(f"cannot use the state folder {self.state_dir} for the run "
                             f"history: {exc.strerror or exc}") from None
        if lease is None:  # a fresh random name: cannot be taken
            raise StateError(f"the run lease {self._lease(token)} is taken")
        try:
            with self._db() as db:
                cursor = db.execute(
                    "INSERT INTO runs (started, day, trigger, status, lease, brief) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (now.isoformat(timespec="seconds"), day.isoformat(), trigger, RUNNING, token,
                     self.brief))
                run = int(cursor.lastrowid or 0)
        except BaseException:
            lease.release(remove=True)
            raise
        self._leases[run] = lease
        return run

    def finish(self, run: int, now: datetime, status: str, articles: int = 0,
               files: Sequence[Path] = (), delivery: str = "", message: str = "") -> None:
        try:
            with self._db() as db:
                db.execute("UPDATE runs SET ended = ?, status = ?, articles = ?, files = ?, "
                           "delivery = ?, message = ? WHERE id = ?",
                           (now.isoformat(timespec="seconds"), status, articles,
                            json.dumps([str(f) for f in files]), delivery, message, run))
        finally:  # the record first, then the lease: a free lease means a finished record
            lease = self._leases.pop(run, None)
            if lease is not None:
                lease.release(remove=True)

    def mark_interrupted(self) -> int:
        """Runs still 'running' whose process has ended become 'interrupted'; how many."""
        with self._db() as db:
            rows = db.execute("SELECT id, lease FROM runs WHERE status = ?",
                              (RUNNING,)).fetchall()
        count = 0
        for run, token in rows:
            if run in self._leases:
                continue
            lease = locks.try_hold(self._lease(token)) if token else None
            if token and lease is None:
                continue  # its process holds the lease: still running
            with self._db() as db:
                count += db.execute(
                    "UPDATE runs SET status = ?, message = ? WHERE id = ? AND status = ?",
                    (INTERRUPTED, "interrupted: its process ended before the run did "
                                  "(killed, or the machine stopped)", run, RUNNING)).rowcount
            if lease is not None:
                lease.release(remove=True)
        return count

    def _lease(self, token: str) -> Path:
        return self.state_dir / "runs" / f"{token}.lock"

    def runs(self, limit: int = 50) -> list[RunRecord]:
        self.mark_interrupted()
        with self._db() as db:
            rows = db.execute("SELECT id, started, ended, day, trigger, status, articles, files, "
                              "delivery, message FROM runs WHERE brief = ? "
                              "ORDER BY id DESC LIMIT ?", (self.brief, limit)).fetchall()
        return [RunRecord(id=r[0], started=r[1], ended=r[2], day=r[3], trigger=r[4], status=r[5],
                          articles=r[6], files=json.loads(r[7]), delivery=r[8], message=r[9])
                for r in rows]

    # --- deliveries -----------------------------------------------------------------------

    @contextmanager
    def delivering(self, day: date, timeout: float | None = None) -> Iterator[None]:
        """Hold the day's delivery lock: check, send and record as one step, across processes."""
        timeout = DELIVERY_LOCK_TIMEOUT if timeout is None else timeout
        brief = f"{self.brief}-" if self.brief else ""
        path = self.state_dir / f".deliver-{brief}{day.isoformat()}.lock"
        try:
            held = locks.hold(path, timeout, note=str(os.getpid()))
        except OSError as exc:
            raise StateError(f"cannot use the state folder {self.state_dir} for deliveries: "
                             f"{exc.strerror or exc}") from None
        if held is None:
            raise Busy(f"another briefing process (pid {locks.note_of(path) or '?'}) is sending "
                       f"the brief of {day.isoformat()}; gave up after {timeout:.0f} s")
        try:
            yield
        finally:
            held.release()

    def delivered(self, day: date, audience: str | None = None) -> Delivery | None:
        """The day's delivery to this recipient list (to any list, without one), if any."""
        query = ("SELECT day, sent_at, recipients, message_id, status, audience FROM deliveries "
                 "WHERE brief = ? AND day = ?")
        values: tuple[str, ...] = (self.brief, day.isoformat())
        if audience is not None:
            query += " AND audience IN (?, ?)"
            values += (audience, ANY_LIST)
        with self._db() as db:
            row = db.execute(query + " ORDER BY status = 'sent' DESC, sent_at DESC LIMIT 1",
                             values).fetchone()
        return Delivery(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5]) \
            if row else None

    def record_delivery(self, day: date, now: datetime, recipients: Sequence[str],
                        message_id: str, audience: str = ANY_LIST,
                        status: str = SENT) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO deliveries (brief, day, audience, status, "
                       "sent_at, recipients, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (self.brief, day.isoformat(), audience, status,
                        now.isoformat(timespec="seconds"), json.dumps(list(recipients)),
                        message_id))

    def restore_delivery(self, day: date, audience: str, before: Delivery | None) -> None:
        """Put back what was recorded before a send that failed (nothing, or the earlier one)."""
        with self._db() as db:
            db.execute("DELETE FROM deliveries WHERE brief = ? AND day = ? AND audience = ?",
                       (self.brief, day.isoformat(), audience))
        if before is not None and before.audience == audience:
            self.record_delivery(day, datetime.fromisoformat(before.sent_at), before.recipients,
                                 before.message_id, audience, before.status)

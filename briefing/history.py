"""Run history and delivery records: SQLite in the state folder, or the configured database.

A transaction commits whole or not at all, so a crash mid-run leaves either no
record or a complete one, never a half-written line.

A run holds a lease from its start to its end: a lock file in STATE/runs/ with
SQLite, an advisory lock in the database with PostgreSQL. The system drops the
lease when the process dies, however it dies. So a run still "running" whose
lease is free was interrupted, and the next start says so.

Deliveries are keyed by the brief, its day and the recipient list: that is what
makes "a brief is sent once" hold across restarts, across processes (and hosts,
with PostgreSQL) and across `briefing send` and the scheduler. Checking, sending
and recording happen under the day's delivery lock, and a delivery is recorded
as under way before the message goes out, so a process killed mid-send leaves a
record that says the brief may have gone out rather than none.

A scheduled run names the time it was scheduled for (its slot), and a brief has
one run per slot: two schedulers that fire at once make and send the brief once.

Every record read or written through a History belongs to its brief (`brief=`;
the one brief of a single-brief configuration is "").
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from briefing import locks
from briefing.errors import Busy, StateError
from briefing.state import Store, upsert
from briefing.tables import deliveries, runs

if TYPE_CHECKING:
    from briefing.config import Settings

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

    def __init__(self, state_dir: Path, *, brief: str = "", url: str | None = None) -> None:
        self.state_dir = state_dir
        self.brief = brief
        self.path = state_dir / "history.sqlite"
        self.store = Store(url or self.path, "history",
                           "run history" if url else "state folder's run history",
                           lock_dir=state_dir)
        self._leases: dict[int, locks.Lease] = {}

    def check(self) -> None:
        """Fail now, at start-up, if the state folder cannot hold the history."""
        self.mark_interrupted()

    # --- runs ---------------------------------------------------------------------------

    def start(self, day: date, trigger: str, now: datetime) -> int:
        """Record a run as running, under a lease this process holds until `finish`."""
        run = self._start(day, trigger, now, None)
        assert run is not None
        return run

    def claim(self, day: date, trigger: str, now: datetime, slot: str) -> int | None:
        """Start the run of a scheduled time (`slot`), or None when another process has
        started it (an interrupted run gives its slot back)."""
        return self._start(day, trigger, now, slot)

    def _start(self, day: date, trigger: str, now: datetime, slot: str | None) -> int | None:
        self.mark_interrupted()
        token = secrets.token_hex(8)
        lease = self._try_lease(self._lease(token), note=str(os.getpid()))
        if lease is None:  # a fresh random name: cannot be taken
            raise StateError(f"the run lease {self._lease(token)} is taken")
        try:
            with self.store.transaction(write=True) as db:
                statement = upsert(db, runs).values(
                    started=now.isoformat(timespec="seconds"), day=day.isoformat(),
                    trigger=trigger, status=RUNNING, lease=token, brief=self.brief, slot=slot)
                if slot is not None:
                    statement = statement.on_conflict_do_nothing(index_elements=["brief", "slot"])
                run = db.execute(statement.returning(runs.c.id)).scalar()
        except BaseException:
            lease.release(remove=True)
            raise
        if run is None:
            lease.release(remove=True)
            return None
        self._leases[int(run)] = lease
        return int(run)

    def finish(self, run: int, now: datetime, status: str, articles: int = 0,
               files: Sequence[Path] = (), delivery: str = "", message: str = "") -> None:
        try:
            with self.store.transaction(write=True) as db:
                db.execute(update(runs).where(runs.c.id == run).values(
                    ended=now.isoformat(timespec="seconds"), status=status, articles=articles,
                    files=json.dumps([str(f) for f in files]), delivery=delivery,
                    message=message))
        finally:  # the record first, then the lease: a free lease means a finished record
            lease = self._leases.pop(run, None)
            if lease is not None:
                lease.release(remove=True)

    def mark_interrupted(self) -> int:
        """Runs still 'running' whose process has ended become 'interrupted'; how many."""
        with self.store.transaction() as db:
            rows = db.execute(select(runs.c.id, runs.c.lease).where(
                runs.c.status == RUNNING, runs.c.brief == self.brief)).all()
        count = 0
        for run, token in rows:
            if run in self._leases:
                continue
            lease = self._try_lease(self._lease(token)) if token else None
            if token and lease is None:
                continue  # its process holds the lease: still running
            try:
                with self.store.transaction(write=True) as db:
                    count += db.execute(
                        update(runs).where(runs.c.id == run, runs.c.status == RUNNING).values(
                            status=INTERRUPTED, slot=None,
                            message="interrupted: its process ended before the run did "
                                    "(killed, or the machine stopped)")).rowcount
            finally:
                if lease is not None:
                    lease.release(remove=True)
        return count

    def _lease(self, token: str) -> str:
        return f"runs/{token}.lock"

    def _try_lease(self, name: str, note: str = "") -> locks.Lease | None:
        try:
            return self.store.locks.try_hold(name, note)
        except OSError as exc:
            raise StateError(f"cannot use the state folder {self.state_dir} for the run "
                             f"history: {exc.strerror or exc}") from None
        except SQLAlchemyError as exc:
            raise self.store.error(exc) from None

    def runs(self, limit: int = 50) -> list[RunRecord]:
        self.mark_interrupted()
        with self.store.transaction() as db:
            rows = db.execute(select(
                runs.c.id, runs.c.started, runs.c.ended, runs.c.day, runs.c.trigger,
                runs.c.status, runs.c.articles, runs.c.files, runs.c.delivery, runs.c.message)
                .where(runs.c.brief == self.brief).order_by(runs.c.id.desc()).limit(limit)).all()
        return [RunRecord(id=r[0], started=r[1], ended=r[2], day=r[3], trigger=r[4], status=r[5],
                          articles=r[6], files=json.loads(r[7]), delivery=r[8], message=r[9])
                for r in rows]

    # --- deliveries -----------------------------------------------------------------------

    @contextmanager
    def delivering(self, day: date, timeout: float | None = None) -> Iterator[None]:
        """Hold the day's delivery lock: check, send and record as one step, across processes."""
        timeout = DELIVERY_LOCK_TIMEOUT if timeout is None else timeout
        name = f".deliver-{self.brief + '-' if self.brief else ''}{day.isoformat()}.lock"
        try:
            held = locks.wait_for(self.store.locks, name, timeout, note=str(os.getpid()))
        except OSError as exc:
            raise StateError(f"cannot use the state folder {self.state_dir} for deliveries: "
                             f"{exc.strerror or exc}") from None
        except SQLAlchemyError as exc:
            raise self.store.error(exc) from None
        if held is None:
            raise Busy(f"another briefing process (pid {self.store.locks.note_of(name) or '?'}) "
                       f"is sending the brief of {day.isoformat()}; gave up after "
                       f"{timeout:.0f} s")
        try:
            yield
        finally:
            held.release()

    def delivered(self, day: date, audience: str | None = None) -> Delivery | None:
        """The day's delivery to this recipient list (to any list, without one), if any."""
        query = select(deliveries.c.day, deliveries.c.sent_at, deliveries.c.recipients,
                       deliveries.c.message_id, deliveries.c.status, deliveries.c.audience
                       ).where(deliveries.c.brief == self.brief,
                               deliveries.c.day == day.isoformat())
        if audience is not None:
            query = query.where(deliveries.c.audience.in_((audience, ANY_LIST)))
        query = query.order_by((deliveries.c.status == SENT).desc(),
                               deliveries.c.sent_at.desc()).limit(1)
        with self.store.transaction() as db:
            row = db.execute(query).first()
        return Delivery(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5]) \
            if row else None

    def record_delivery(self, day: date, now: datetime, recipients: Sequence[str],
                        message_id: str, audience: str = ANY_LIST,
                        status: str = SENT) -> None:
        row = {"brief": self.brief, "day": day.isoformat(), "audience": audience,
               "status": status, "sent_at": now.isoformat(timespec="seconds"),
               "recipients": json.dumps(list(recipients)), "message_id": message_id}
        with self.store.transaction(write=True) as db:
            statement = upsert(db, deliveries).values(row)
            db.execute(statement.on_conflict_do_update(
                index_elements=["brief", "day", "audience"],
                set_={k: statement.excluded[k] for k in ("status", "sent_at", "recipients",
                                                      "message_id")}))

    def restore_delivery(self, day: date, audience: str, before: Delivery | None) -> None:
        """Put back what was recorded before a send that failed (nothing, or the earlier one)."""
        with self.store.transaction(write=True) as db:
            db.execute(delete(deliveries).where(
                deliveries.c.brief == self.brief, deliveries.c.day == day.isoformat(),
                deliveries.c.audience == audience))
        if before is not None and before.audience == audience:
            self.record_delivery(day, datetime.fromisoformat(before.sent_at), before.recipients,
                                 before.message_id, audience, before.status)


def history_of(settings: Settings) -> History:
    """The runs and deliveries of the brief these settings make, where the configuration
    keeps the state."""
    from briefing.state import database_url

    return History(settings.schedule.state_dir, brief=settings.brief, url=database_url(settings))

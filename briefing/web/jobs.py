"""Regenerating a day in a separate process, so reading stays fast meanwhile.

A day is made again from the source its brief was made from (the folder, or
the archive's window it recorded), never from another; a day without a brief
is made from the configured source, as `briefing run --date DAY` would.
"""

from __future__ import annotations

import logging
import multiprocessing
import secrets
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from briefing.config import Settings

log = logging.getLogger(__name__)


def regenerate(settings: Settings, day: date) -> str:
    """Runs in the worker process: the day's brief made again from its own source."""
    from briefing import daily, source
    from briefing.briefs import store_of
    from briefing.errors import NoBrief

    now = datetime.now().astimezone()
    store = store_of(settings)
    try:
        origin = store.read(day).origin
    except NoBrief:
        origin = None
    chosen = source.of_origin(origin, settings)
    window = source.window_of(origin)
    if origin is None and isinstance(chosen, source.ArchiveSource):
        window = source.day_window(settings, day, now)
    produced = daily.recorded(settings, day, "web", now, lambda: daily.produce(
        settings, day, now, settings.formats, chosen, window))
    return f"{produced.summary}; {len(produced.files)} files written"


@dataclass
class Job:
    id: str
    day: date
    started: str
    status: str = "running"
    message: str = ""


class Jobs:
    """Regenerations, one process at a time; asking again for a running day joins it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:  # spawn: forking a threaded server is unsafe
            self._pool = ProcessPoolExecutor(max_workers=1,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def start(self, day: date) -> Job:
        for job in self.jobs.values():
            if job.day == day and job.status == "running":
                return job
        job = Job(secrets.token_urlsafe(8), day, datetime.now().astimezone().strftime("%H:%M:%S"))
        self.jobs[job.id] = job
        future = self.pool().submit(regenerate, self.settings, day)

        def finished(done: Future[str]) -> None:
            try:
                job.message, job.status = done.result(), "done"
            except Exception as exc:
                job.message, job.status = str(exc) or type(exc).__name__, "failed"
            log.info("regeneration of %s %s: %s", job.day, job.status, job.message)

        future.add_done_callback(finished)
        return job

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

"""Heavy work on a leash: a few workers, a short queue, and no work done twice at once.

A report reads and ranks many days' articles afresh; a flood of different
reports must not take every thread and every core, and must not make every
request wait minutes. So reports run on their own few threads, a bounded number
more may wait, and beyond that a request is told at once to come back later
(503 with Retry-After). Day pages never wait on these threads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Overloaded(Exception):
    """Every worker is busy and the queue is full: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"busy; retry after {retry_after} s")
        self.retry_after = retry_after


class Bounded(Generic[T]):
    """At most `workers` computations at once and `queue` waiting; identical ones shared."""

    def __init__(self, workers: int, queue: int, name: str) -> None:
        self.workers = workers
        self.limit = workers + queue
        self.name = name
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self.under_way: dict[Hashable, asyncio.Future[T]] = {}
        self.seconds = 5.0  # how long one took lately, for Retry-After

    async def run(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result of `compute`, shared with everyone asking for the same `key` meanwhile."""
        shared = self.under_way.get(key)
        if shared is None:
            if len(self.under_way) >= self.limit:
                waiting = len(self.under_way) - self.workers + 1
                raise Overloaded(max(1, round(self.seconds * waiting / self.workers)))
            loop = asyncio.get_running_loop()
            shared = loop.run_in_executor(self.pool, self._timed, compute)
            self.under_way[key] = shared
            shared.add_done_callback(lambda _: self.under_way.pop(key, None))
        # A client that leaves does not cancel the work: others share it, the cache keeps it.
        return await asyncio.shield(shared)

    def _timed(self, compute: Callable[[], T]) -> T:
        started = time.monotonic()
        try:
            return compute()
        finally:
            self.seconds = 0.7 * self.seconds + 0.3 * (time.monotonic() - started)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


"""uvicorn, set up for a server that may meet slow or hostile clients.

uvicorn limits the size of a request's headers and the idle time between
requests, but not the time a client may take to send its headers: a client
that sends one byte every few seconds would hold a connection for ever. The
protocol below closes a connection whose request headers are not complete
within `HEADER_SECONDS` of its start (or of the previous response).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_SECONDS = 10.0  # to send a request's headers, from the connection or the last response
KEEP_ALIVE_SECONDS = 5  # an idle connection between requests
MAX_HEADER_BYTES = 16 * 1024  # a request's line and headers
MAX_CONNECTIONS = 200  # beyond this, requests get 503 at once


class HeaderDeadline(H11Protocol):
    """H11Protocol with a deadline for each request's headers."""

    seconds = HEADER_SECONDS
    deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self.deadline = self.loop.call_later(self.seconds, self._too_slow)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        self.deadline = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.transport.close()


def options(header_seconds: float = HEADER_SECONDS) -> dict[str, Any]:
    """uvicorn.Config keyword arguments for `briefing serve`."""
    protocol = type("Protocol", (HeaderDeadline,), {"seconds": header_seconds})
    return {"http": protocol, "timeout_keep_alive": KEEP_ALIVE_SECONDS,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
            "limit_concurrency": MAX_CONNECTIONS, "log_level": "warning", "access_log": False,
            "server_header": False}

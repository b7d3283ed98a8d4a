"""A PDF renderer that starts loading early, on the other core.

Loading WeasyPrint takes about half a second, as long as making the brief of a
small day. `briefing run` starts this process first, so WeasyPrint loads while
the brief is made; the process then renders the one PDF it is sent and ends.
`start`, `take` and `stop` hold the one such process of a run.
It is a fresh process (spawn), not a fork. If it fails in any way, the PDF is
rendered in the calling process as usual, which also reports any real error.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from briefing.config import Settings

log = logging.getLogger(__name__)


class EarlyPdf:
    """One PDF, rendered by a process that started loading WeasyPrint on creation."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process: BaseProcess = context.Process(target=_serve, args=(theirs,),
                                                     daemon=True, name="briefing-pdf")
        self._process.start()
        theirs.close()

    def render(self, html: str, settings: Settings) -> bytes | None:
        """The PDF, or None when the process could not make it (render it here then).

        The process ends by itself once it has sent the PDF; `close` waits for it
        (`stop` does, at the end of the run), so its exit costs the brief no time.
        """
        try:
            self._connection.send((html, settings))
            pdf = self._connection.recv()
        except (OSError, EOFError, ValueError) as exc:
            log.debug("the early PDF process failed: %s", exc)
            pdf = None
        finally:
            self._connection.close()
        return pdf if isinstance(pdf, bytes) else None

    def close(self) -> None:
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()


# The process `start` began for the next PDF (used once by `take`), and every one
# started, for `stop` to wait for.
_next: EarlyPdf | None = None
_started: list[EarlyPdf] = []


def start() -> None:
    """Load WeasyPrint in another process now, for the next PDF this process renders."""
    global _next
    if _next is None:
        _next = EarlyPdf()
        _started.append(_next)


def take() -> EarlyPdf | None:
    """The process `start` began, if it has not been used yet; None otherwise."""
    global _next
    early, _next = _next, None
    return early


def stop() -> None:
    """Close every process `start` began, used or not, and wait for each to end."""
    global _next
    _next = None
    while _started:
        _started.pop().close()


def _serve(connection: Connection) -> None:
    import weasyprint  # noqa: F401  (the reason for this process: load it now)

    from briefing.render import render_pdf

    try:
        html, settings = connection.recv()
    except (EOFError, OSError):
        return  # nobody needed the PDF after all
    try:
        connection.send(render_pdf(html, settings))
    except Exception as exc:  # the caller renders it again, and reports the error
        connection.send(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
    # Its one PDF is sent and it holds nothing else: end now, without the tenth of a
    # second that tearing down WeasyPrint's modules takes while the caller waits.
    logging.shutdown()
    os._exit(0)

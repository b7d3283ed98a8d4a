"""A PDF renderer that starts loading early, on the other core.

Loading WeasyPrint takes about half a second, as long as making the brief of a
small day. `briefing run` starts this process first, so WeasyPrint loads while
the brief is made; the process then renders the one PDF it is sent and ends.
`start`, `take` and `stop` hold the one such process of a run.

It is a fresh interpreter that imports this module and WeasyPrint, nothing of
the command line (a multiprocessing child would import the command's main
module first): the brief's HTML and settings go to it pickled on its standard
input, the PDF comes back on its standard output. If it fails in any way (it
cannot start, it fails, it takes over TIMEOUT), the PDF is rendered in the
calling process as usual, which also reports any real error; `--debug` logs why.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.config import Settings

log = logging.getLogger(__name__)

# A PDF no renderer has made within this long is given up on here (and rendered again in
# the calling process); the seeds' brief takes a third of a second.
TIMEOUT = 300.0


class EarlyPdf:
    """One PDF, rendered by a process that started loading WeasyPrint on creation.

    The process imports from this process's own `sys.path` (not the working folder
    a `python -c` would put first), so it runs the same briefing and WeasyPrint.
    """

    def __init__(self) -> None:
        main = (f"import sys; sys.path[:] = {sys.path!r}; "
                "from briefing.earlypdf import serve; serve()")
        self._process = subprocess.Popen([sys.executable, "-c", main], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def render(self, html: str, settings: Settings) -> bytes | None:
        """The PDF, or None when the process could not make it (render it here then).

        The process ends as soon as it has written the PDF (see `serve`), so the
        wait for it to end costs the brief no time.
        """
        try:
            sent = pickle.dumps((html, settings))
            pdf, said = self._process.communicate(sent, timeout=TIMEOUT)
        except Exception as exc:  # a timeout, or whatever goes wrong: the caller renders it
            log.debug("the early PDF process failed: %s", exc)
            self.close()
            return None
        if self._process.returncode != 0 or not pdf.startswith(b"%PDF"):
            log.debug("the early PDF process made no PDF (status %s): %s",
                      self._process.returncode, said.decode(errors="replace")[-500:].strip())
            return None
        return pdf

    def close(self) -> None:
        """Stop the process if it still runs (it holds nothing anyone waits for), and reap it.

        After `render`, it has ended already; unused, it is still loading or waiting.
        """
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


# The process `start` began for the next PDF (used once by `take`), and every one
# started, for `stop` to close.
_next: EarlyPdf | None = None
_started: list[EarlyPdf] = []


def start() -> None:
    """Load WeasyPrint in another process now, for the next PDF this process renders
    (not in a frozen application, whose executable is not a Python to run code with)."""
    global _next
    if _next is None and not getattr(sys, "frozen", False):
        try:
            _next = EarlyPdf()
        except OSError as exc:  # no process to be had: the PDF is rendered here, as usual
            log.debug("no early PDF process: %s", exc)
            return
        _started.append(_next)


def take() -> EarlyPdf | None:
    """The process `start` began, if it has not been used yet; None otherwise."""
    global _next
    early, _next = _next, None
    return early


def stop() -> None:
    """Close every process `start` began, used or not (see EarlyPdf.close)."""
    global _next
    _next = None
    while _started:
        _started.pop().close()


def serve() -> None:
    """The process itself: load WeasyPrint, read the brief, write its PDF, end."""
    import weasyprint  # noqa: F401  (the reason for this process: load it now)

    from briefing.render import render_pdf

    sent = sys.stdin.buffer.read()
    if not sent:
        os._exit(0)  # nobody needed the PDF after all
    html, settings = pickle.loads(sent)
    pdf = render_pdf(html, settings)
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()
    # Its one PDF is sent and it holds nothing else: end now, without the tenth of a
    # second that tearing down WeasyPrint's modules takes while the caller waits.
    os._exit(0)

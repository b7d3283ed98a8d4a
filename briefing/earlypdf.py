"""A PDF renderer that starts loading early, on the other core.

Loading WeasyPrint takes about half a second, as long as making the brief of a
small day. `briefing run` starts this process first, so WeasyPrint loads while
the brief is made; the process then renders the one PDF it is sent and ends.
`start`, `take` and `stop` hold the one such process of a run.

It is a fresh interpreter that imports this module and WeasyPrint, nothing of
the command line (a multiprocessing child would import the command's main
module first): the brief's HTML and settings go to it pickled on its standard
input, the PDF comes back on its standard output. If it fails in any way, the
PDF is rendered in the calling process as usual, which also reports any real
error.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.config import Settings

log = logging.getLogger(__name__)

# The folder this briefing is imported from: the process imports the same one.
_HOME = str(Path(__file__).resolve().parent.parent)
_MAIN = f"import sys; sys.path.insert(0, {_HOME!r}); from briefing.earlypdf import serve; serve()"


class EarlyPdf:
    """One PDF, rendered by a process that started loading WeasyPrint on creation."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", _MAIN], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def render(self, html: str, settings: Settings) -> bytes | None:
        """The PDF, or None when the process could not make it (render it here then).

        The process ends by itself once it has sent the PDF; `close` waits for it
        (`stop` does, at the end of the run), so its exit costs the brief no time.
        """
        try:
            pdf, _ = self._process.communicate(pickle.dumps((html, settings)), timeout=120)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            log.debug("the early PDF process failed: %s", exc)
            return None
        if self._process.returncode != 0 or not pdf.startswith(b"%PDF"):
            log.debug("the early PDF process ended with status %s", self._process.returncode)
            return None
        return pdf

    def close(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()  # nothing to render: it ends on reading nothing
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


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

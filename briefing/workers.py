"""How the pipeline's worker processes start, kept light so a command can start them early.

Not fork: a forked copy of a process with threads (the scheduler's, the web
server's) can inherit a lock held by another thread and hang. A fork server
starts clean, imports the pipeline once, and forks each worker from itself.
Starting it takes as long as importing the pipeline does, so a command that
will need workers starts it first (`warm`): the server imports the pipeline on
the other core while the command imports it here.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.context import BaseContext

PRELOAD = "briefing.pipeline"  # what the fork server imports before it forks a worker


def start_context() -> BaseContext:
    """How every worker starts: from a fork server where there is one, else spawned."""
    if sys.platform == "win32" or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload([PRELOAD])
    return server


def warm() -> None:
    """Start the fork server now (it serves every pool of this process), if there is one."""
    if start_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()

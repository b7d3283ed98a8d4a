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
import os
import sys
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.config import Settings

PRELOAD = "briefing.pipeline"  # what the fork server imports before it forks a worker

# Below this many files a second process costs more than it saves: a day's articles are
# split and their sentences sent back; many folders, each read and summarized where it is,
# send back little (2 cores: 100 DUC files in 10 folders 0.95 s in one process, 1.05 s in
# two; 150 files 1.27 s against 1.15 s; 298 files 2.2 s against 1.9 s).
PARALLEL_FROM = 300
PARALLEL_FOLDERS_FROM = 150


def how_many(settings: Settings, files: int) -> int:
    """How many processes read one day of `files` files."""
    return _cores(settings) if files >= PARALLEL_FROM else 1


def for_folders(settings: Settings, files: int, folders: int) -> int:
    """How many processes read `folders` small folders of `files` files in all, each folder
    read where it is (so one folder is read here)."""
    return _cores(settings) if folders > 1 and files >= PARALLEL_FOLDERS_FROM else 1


def _cores(settings: Settings) -> int:
    return settings.workers or min(os.cpu_count() or 1, 8)


def start_context() -> BaseContext:
    """How every worker starts: from a fork server where there is one (which imports
    PRELOAD before it forks one; this sets it), else spawned."""
    if sys.platform == "win32" or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload([PRELOAD])
    return server


def warm() -> None:
    """Start the fork server now (it serves every pool of this process), if there is one.

    `ensure_running` is what multiprocessing itself calls before its first fork server
    child (it is in multiprocessing.forkserver's __all__); it returns once the server is
    started, without waiting for it to import PRELOAD, which start_context has set.
    """
    if start_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()

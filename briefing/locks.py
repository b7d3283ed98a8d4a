"""Locks between processes on `flock`: the kernel releases them when their process dies.

So a lock that can be taken says, reliably, that its last holder has ended, even
when it was killed with SIGKILL: that is how the run history knows a run was
interrupted and how a second scheduler knows the state folder is already owned.
"""

from __future__ import annotations

import fcntl
import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Held:
    """A lock this process holds, until `release`."""

    path: Path
    fd: int

    def release(self, remove: bool = False) -> None:
        if self.fd < 0:
            return
        if remove:  # before unlocking, so no one can lock the name and then lose it
            self.path.unlink(missing_ok=True)
        os.close(self.fd)  # closing the last descriptor releases the flock
        self.fd = -1


def try_hold(path: Path, note: str = "") -> Held | None:
    """Take the lock at `path` now, or None when another holder has it.

    `note` (say, a process id) is written into the file for the messages of
    those who find it taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    if note:
        os.ftruncate(fd, 0)
        os.pwrite(fd, note.encode("utf-8"), 0)
    return Held(path, fd)


def hold(path: Path, timeout: float, note: str = "") -> Held | None:
    """Wait up to `timeout` seconds for the lock at `path`; None when it stayed taken."""
    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        held = try_hold(path, note)
        if held is not None or time.monotonic() >= deadline:
            return held
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.5)


def note_of(path: Path) -> str:
    """What the holder of the lock at `path` wrote into it ('' when nothing can be read)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""

"""Locks between processes on `flock`: the kernel releases them when their process dies.

So a lock that can be taken says, reliably, that its last holder has ended, even
when it was killed with SIGKILL: that is how the run history knows a run was
interrupted and how a second scheduler knows the state folder is already owned.

With the state in PostgreSQL the same named locks are the database's advisory
locks (`AdvisoryLocks`), held on a connection of their own: the server releases
them when that connection ends, which it does when its process dies, on any host.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

T = TypeVar("T")


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


def note_of(path: Path) -> str:
    """What the holder of the lock at `path` wrote into it ('' when nothing can be read)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


# --- named locks: files in the state folder on SQLite, advisory locks on PostgreSQL ------------

class Lease(Protocol):
    def release(self, remove: bool = False) -> None: ...


class Locks(Protocol):
    """Named locks between processes, released by the system when their holder dies."""

    def try_hold(self, name: str, note: str = "") -> Lease | None: ...

    def note_of(self, name: str) -> str: ...


def wait_for(locks: Locks, name: str, timeout: float, note: str = "") -> Lease | None:
    """Wait up to `timeout` seconds for the lock `name`; None when it stayed taken."""
    return poll(lambda: locks.try_hold(name, note), timeout)


def poll(attempt: Callable[[], T | None], timeout: float, first: float = 0.02,
         longest: float = 0.5) -> T | None:
    """Try `attempt` until it gives something or `timeout` seconds have passed, pausing
    `first` seconds after the first try and twice as long after each, up to `longest`."""
    deadline = time.monotonic() + timeout
    pause = first
    while True:
        got = attempt()
        if got is not None or time.monotonic() >= deadline:
            return got
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, longest)


@dataclass(frozen=True)
class FileLocks:
    """Each name a lock file under `folder`: for processes on one machine."""

    folder: Path

    def try_hold(self, name: str, note: str = "") -> Held | None:
        return try_hold(self.folder / name, note)

    def note_of(self, name: str) -> str:
        return note_of(self.folder / name)


def advisory_key(name: str) -> int:
    """The 64-bit key PostgreSQL's advisory locks take, for a name."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass
class AdvisoryHeld:
    """A session advisory lock held on a connection of its own: closing it, or the
    process dying and its connection with it, releases the lock."""

    connection: Connection | None
    key: int

    def release(self, remove: bool = False) -> None:
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        try:
            connection.execute(select(func.pg_advisory_unlock(self.key)))
        except SQLAlchemyError:
            pass  # the connection is gone, and the lock with it
        finally:
            connection.close()


@dataclass(frozen=True)
class AdvisoryLocks:
    """Each name a PostgreSQL advisory lock: for processes on any host sharing the database.

    `engine` must not pool connections (NullPool): a lease's connection is closed
    with it. The note goes into the holder's application_name for others to read.
    """

    engine: Engine

    def try_hold(self, name: str, note: str = "") -> AdvisoryHeld | None:
        key = advisory_key(name)
        connection = self.engine.connect()
        try:
            with connection.begin():
                taken = connection.execute(select(func.pg_try_advisory_lock(key))).scalar()
                if taken and note:
                    shown = f"{note} on {socket.gethostname()}"[:63]
                    connection.execute(select(func.set_config("application_name", shown, False)))
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return None
        return AdvisoryHeld(connection, key)

    def note_of(self, name: str) -> str:
        key = advisory_key(name) & 0xFFFF_FFFF_FFFF_FFFF
        try:
            with self.engine.connect() as connection:
                found = connection.execute(text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                    "AND l.classid::bigint = :high AND l.objid::bigint = :low"),
                    {"high": key >> 32, "low": key & 0xFFFF_FFFF}).scalar()
        except SQLAlchemyError:
            return ""
        return str(found or "")

"""Files at the edges: atomic writes, safe reads from a folder, names safe to print."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from briefing.errors import Refused


def shown(name: object) -> str:
    """A file name (or any text from outside) as a message may print it.

    A name with a newline or another control character could forge a line of the
    log; such a name is quoted with its escapes visible. Plain names are unchanged.
    """
    text = str(name)
    return text if text.isprintable() else repr(text)


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISDIR, "a folder"))
_OPEN_FLAGS = (os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_inside(path: Path) -> BinaryIO:
    """Open `path` for reading if it is a regular file inside its own folder; else Refused.

    The folder itself may be a link; the file may be a link too, as long as it
    leads to a file inside the folder. Nothing here can block: a FIFO, a socket
    or a device is refused from its status before it is opened, and the open
    itself does not wait (a FIFO swapped in at the last moment is refused after).
    """
    folder = path.parent.resolve()
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise Refused("a link that leads nowhere") from None
    except RuntimeError:  # a loop of links (Python before 3.13)
        raise Refused("a loop of links") from None
    if not real.is_relative_to(folder) or real == folder:
        raise Refused("a link that leads out of its folder; only files inside it are read")
    mode = os.lstat(real).st_mode
    if not stat.S_ISREG(mode):
        raise Refused(f"not a regular file: {_kind(mode)}")
    fd = os.open(real, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped between the check and the open
            raise Refused(f"not a regular file: {_kind(mode)}")
        opened = _opened_path(fd)
        if opened is not None and not opened.is_relative_to(folder):
            raise Refused("a link that leads out of its folder; only files inside it are read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _opened_path(fd: int) -> Path | None:
    """Where an open file really is (Linux), to catch a folder swapped for a link meanwhile."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return None

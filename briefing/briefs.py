"""The brief store: the one module that knows the output folder's layout.

    OUTPUT/                  a file's only brief (and the brief keyed "default") keeps this;
      KEY/                   each other brief of [[briefs]] has the same layout below its key
      .DAY.lock              one writer of a day's files at a time, across processes
      DAY/brief.html         the formats `run` writes
      DAY/brief.pdf
      DAY/brief.json         the whole brief as data; read back into a `Brief`
      DAY/brief.eml          the message `send --dry-run` would have sent
      DAY/.data -> .gen-…    the day's current set of files
      DAY/.gen-…/            one set of files, never changed once `.data` points to it

Each `DAY/brief.*` is a link to `.data/brief.*`, and `.data` to the folder of
the current set. A write puts a whole new set into a new `.gen-…` folder (the
kinds it does not replace are carried over as hard links), flushes it to disk,
then switches `.data` with one rename. So a reader sees the old set or the new
one and never a mix, and a failure (a full disk, a crash in the PDF) leaves the
old set as it was. The set before the current one is kept, so a reader that
has just resolved it can still finish; older ones are removed.

Everything else (changes, deliver, web, the e-mail templates) asks this store
for `Brief` objects and file bytes, never for paths it builds itself.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

from briefing.briefjson import brief_from_dict as brief_from_dict
from briefing.briefjson import brief_to_dict as brief_to_dict
from briefing.briefjson import to_json as to_json
from briefing.errors import Busy, NoBrief
from briefing.models import Brief

log = logging.getLogger(__name__)

KINDS = ("html", "pdf", "json", "eml")
DAY_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CURRENT = ".data"
GENERATION = ".gen-"
# How long a run waits for another run writing the same day's files.
LOCK_TIMEOUT = 600.0


def _name(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown brief file kind {kind!r}")
    return f"brief.{kind}"


class Snapshot:
    """One day's files as one set: every file opened at once, from one generation."""

    def __init__(self, store: BriefStore, day: date, files: dict[str, BinaryIO]) -> None:
        self.store, self.day, self.files = store, day, files

    def has(self, kind: str) -> bool:
        return kind in self.files

    def read_bytes(self, kind: str) -> bytes:
        handle = self.files.get(kind)
        if handle is None:
            raise NoBrief(f"there is no brief.{kind} for {self.day.isoformat()}")
        handle.seek(0)
        return handle.read()

    def read(self) -> Brief:
        if "json" not in self.files:
            raise NoBrief(f"there is no brief for {self.day.isoformat()}")
        return self.store._parse(self.day, self.files["json"])

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class BriefStore:
    """The briefs under one output folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parsed: dict[date, tuple[tuple[int, int], Brief]] = {}
        self._guard = threading.Lock()

    @classmethod
    def of_brief(cls, output: Path, brief: str) -> BriefStore:
        """The store of one brief: OUTPUT/ for a file's only brief (brief ""), where every
        brief of an installation with one brief has always been, else OUTPUT/KEY/."""
        return cls(output / brief if brief else output)

    # --- where things are (private: callers ask for briefs and bytes) --------------

    def _folder(self, day: date) -> Path:
        return self.root / day.isoformat()

    def _path(self, day: date, kind: str) -> Path:
        return self._folder(day) / _name(kind)

    def describe(self, day: date, kind: str | None = None) -> str:
        """A day's folder (or one of its files), for messages to the user."""
        return str(self._path(day, kind) if kind else self._folder(day))

    # --- reading ----------------------------------------------------------------------

    def days(self) -> list[date]:
        """Every day that has a brief.json, newest first."""
        if not self.root.is_dir():
            return []
        found = []
        for entry in self.root.iterdir():
            if DAY_NAME.match(entry.name) and (entry / _name("json")).is_file():
                try:
                    found.append(date.fromisoformat(entry.name))
                except ValueError:
                    continue
        return sorted(found, reverse=True)

    def has(self, day: date, *kinds: str) -> bool:
        return all(self._path(day, k).is_file() for k in kinds or ("json",))

    def stamp(self, day: date) -> tuple[int, int]:
        """Changes whenever the day's brief.json is replaced (for caches)."""
        try:
            status = self._path(day, "json").stat()
        except (FileNotFoundError, NotADirectoryError):
            raise NoBrief(f"there is no brief for {day.isoformat()}") from None
        return status.st_ino, status.st_mtime_ns

    @contextmanager
    def snapshot(self, day: date) -> Iterator[Snapshot]:
        """The day's files as one set, whatever is written meanwhile."""
        for _ in range(5):  # two writes between resolving and opening: resolve again
            folder = self._set_folder(day)
            files: dict[str, BinaryIO] = {}
            try:
                for kind in KINDS:
                    try:
                        files[kind] = (folder / _name(kind)).open("rb")
                    except FileNotFoundError:
                        continue
            except BaseException:
                for handle in files.values():
                    handle.close()
                raise
            if self._set_folder(day) == folder:
                break  # the set did not change while its files were opened
            for handle in files.values():
                handle.close()
        snapshot = Snapshot(self, day, files)
        try:
            yield snapshot
        finally:
            snapshot.close()

    def _set_folder(self, day: date) -> Path:
        """The folder of the day's current set (the day's folder itself, before generations)."""
        folder = self._folder(day)
        try:
            return folder / os.readlink(folder / CURRENT)
        except OSError:
            return folder

    def read(self, day: date) -> Brief:
        """The day's brief, parsed once per version of its brief.json."""
        with self.snapshot(day) as stored:
            return stored.read()

    def _parse(self, day: date, handle: BinaryIO) -> Brief:
        status = os.fstat(handle.fileno())
        stamp = (status.st_ino, status.st_mtime_ns)
        with self._guard:
            cached = self._parsed.get(day)
        if cached and cached[0] == stamp:
            return cached[1]
        handle.seek(0)
        try:
            brief = brief_from_dict(json.loads(handle.read().decode("utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise NoBrief(f"the brief of {day.isoformat()} cannot be read "
                          f"({self._path(day, 'json')}: {type(exc).__name__}: "
                          f"{str(exc)[:200]})") from None
        with self._guard:
            self._parsed[day] = (stamp, brief)
        return brief

    def read_bytes(self, day: date, kind: str) -> bytes:
        with self.snapshot(day) as stored:
            return stored.read_bytes(kind)

    def file(self, day: date, kind: str) -> Path:
        """A day's file for serving as it is (the web report's downloads), in its set."""
        path = self._path(day, kind)
        if not path.is_file():
            raise NoBrief(f"there is no {kind.upper()} for {day.isoformat()}")
        return path.resolve()

    def previous(self, day: date, days: int) -> list[Brief]:
        """The briefs of the `days` days before `day` that exist and can be read."""
        found = []
        for offset in range(1, days + 1):
            earlier = day - timedelta(days=offset)
            if not self.has(earlier):
                continue
            try:
                found.append(self.read(earlier))
            except NoBrief as exc:  # a damaged old brief is not fatal
                log.warning("previous brief skipped: %s", exc)
        return found

    # --- writing ----------------------------------------------------------------------

    @contextmanager
    def lock(self, day: date, timeout: float | None = None) -> Iterator[None]:
        """Hold the day's lock: one writer of the day's files at a time, across processes."""
        timeout = LOCK_TIMEOUT if timeout is None else timeout
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / f".{day.isoformat()}.lock")
        try:
            with lock.acquire(timeout=timeout):
                yield
        except Timeout:
            raise Busy(f"another briefing run is writing {self._folder(day)}; "
                       f"gave up after {timeout:.0f} s") from None

    def write(self, day: date, files: Mapping[str, bytes | str]) -> list[Path]:
        """Replace the day's files of these kinds as one set: all of them, or none.

        Call it under the day's lock: the set it starts from must stay the current one.
        """
        folder = self._folder(day)
        folder.mkdir(parents=True, exist_ok=True)
        _adopt(folder)
        current = self._set_folder(day)
        new = Path(tempfile.mkdtemp(prefix=GENERATION, dir=folder))
        try:
            for kind in KINDS:
                if kind in files:
                    _write_file(new / _name(kind), files[kind])
                elif current != folder and (current / _name(kind)).is_file():
                    _carry(current / _name(kind), new / _name(kind))
            _point(folder, new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        _sync(folder)
        _prune(folder, keep={new.name, current.name})
        return [self._path(day, kind) for kind in KINDS if kind in files]


# --- the generations of a day's folder -------------------------------------------------

def _write_file(path: Path, data: bytes | str) -> None:
    """Write `data` to a new file, on disk before it returns."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with path.open("xb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


def _sync(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _symlink_over(path: Path, target: str) -> None:
    """Make `path` a link to `target` in one rename (a temporary link beside it first)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _ensure_link(path: Path, target: str) -> None:
    if not (path.is_symlink() and os.readlink(path) == target):
        _symlink_over(path, target)


def _carry(source: Path, target: Path) -> None:
    """A file the new set keeps from the current one: a hard link, or a copy."""
    try:
        os.link(source, target)
    except OSError:
        _write_file(target, source.read_bytes())


def _point(folder: Path, generation: Path) -> None:
    """Make `generation` the day's current set: its files on disk, then one rename.

    The links `brief.*` are made (once) before the switch; until it, a new kind's
    link leads to nothing in the current set, which readers take as "no such file".
    """
    os.chmod(generation, 0o755)
    _sync(generation)
    for entry in generation.iterdir():
        _ensure_link(folder / entry.name, f"{CURRENT}/{entry.name}")
    _symlink_over(folder / CURRENT, generation.name)


def _adopt(folder: Path) -> None:
    """A day written before generations: its files become a generation first.

    The files are hard-linked into it (with any the current set has), `.data`
    points to it, and only then is each file replaced by its link, whose content
    is the same: no reader sees a change.
    """
    plain = [kind for kind in KINDS
             if (folder / _name(kind)).is_file() and not (folder / _name(kind)).is_symlink()]
    if not plain:
        return
    first = Path(tempfile.mkdtemp(prefix=GENERATION, dir=folder))
    try:
        for kind in KINDS:
            source = folder / (_name(kind) if kind in plain else f"{CURRENT}/{_name(kind)}")
            if source.is_file():
                _carry(source, first / _name(kind))
        os.chmod(first, 0o755)
        _sync(first)
        _symlink_over(folder / CURRENT, first.name)
    except BaseException:
        shutil.rmtree(first, ignore_errors=True)
        raise
    for kind in plain:
        _symlink_over(folder / _name(kind), f"{CURRENT}/{_name(kind)}")
    _sync(folder)


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove the sets older than the current and the previous one, and stray temporaries."""
    for entry in folder.iterdir():
        if entry.name.startswith(GENERATION) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(".") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)

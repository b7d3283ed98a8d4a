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

With a PostgreSQL database (`[database] url_env`), the briefs live in its
`brief_files` table as well (`SharedBriefStore`): every host reads them from
there, so web servers on other machines show what the scheduler made, and a
day's set is replaced in one transaction under a lock in the database. The host
that makes a brief keeps its files in OUTPUT as above too.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from filelock import FileLock, Timeout

from briefing.briefjson import brief_from_dict as brief_from_dict
from briefing.briefjson import brief_to_dict as brief_to_dict
from briefing.briefjson import to_json as to_json
from briefing.errors import Busy, NoBrief
from briefing.models import Brief

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from briefing.config import Settings

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


def store_of(settings: Settings) -> BriefStore:
    """The briefs of the brief these settings make, where the configuration keeps them."""
    from briefing.state import database_url

    return BriefStore.of_brief(settings.output_dir, settings.brief, database_url(settings))


class Snapshot:
    """One day's files as one set: every file opened at once, from one generation.

    `stamp` is the version of its brief.json (see `BriefStore.stamp`)."""

    def __init__(self, store: BriefStore, day: date, files: dict[str, BinaryIO],
                 stamp: tuple[int, int]) -> None:
        self.store, self.day, self.files, self.stamp = store, day, files, stamp

    def has(self, kind: str) -> bool:
        return kind in self.files

    def read_bytes(self, kind: str) -> bytes:
        handle = self.files.get(kind)
        if handle is None:
            raise NoBrief(f"there is no {kind.upper()} for {self.day.isoformat()}")
        handle.seek(0)
        return handle.read()

    def read(self) -> Brief:
        if "json" not in self.files:
            raise NoBrief(f"there is no brief for {self.day.isoformat()}")
        return self.store._parse(self.day, self.files["json"], self.stamp)

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
    def of_brief(cls, output: Path, brief: str, url: str | None = None) -> BriefStore:
        """The store of one brief: OUTPUT/ for a file's only brief (brief ""), where every
        brief of an installation with one brief has always been, else OUTPUT/KEY/; with a
        database URL, the brief's rows in that database (and this host's copy there)."""
        root = output / brief if brief else output
        return SharedBriefStore(root, brief, url) if url else cls(root)

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
        return _version(status)

    @contextmanager
    def snapshot(self, day: date, kinds: tuple[str, ...] = KINDS) -> Iterator[Snapshot]:
        """The day's files (of these kinds) as one set, whatever is written meanwhile."""
        for _ in range(5):  # two writes between resolving and opening: resolve again
            folder = self._set_folder(day)
            files: dict[str, BinaryIO] = {}
            try:
                for kind in kinds:
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
        stamp = _version(os.fstat(files["json"].fileno())) if "json" in files else (0, 0)
        snapshot = Snapshot(self, day, files, stamp)
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
        with self.snapshot(day, ("json",)) as stored:
            return stored.read()

    def _parse(self, day: date, handle: BinaryIO, stamp: tuple[int, int]) -> Brief:
        with self._guard:
            cached = self._parsed.get(day)
        if cached and cached[0] == stamp:
            return cached[1]
        handle.seek(0)
        try:
            brief = brief_from_dict(json.loads(handle.read().decode("utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise NoBrief(f"the brief of {day.isoformat()} cannot be read "
                          f"({self.describe(day, 'json')}: {type(exc).__name__}: "
                          f"{str(exc)[:200]})") from None
        with self._guard:
            self._parsed[day] = (stamp, brief)
        return brief

    def read_bytes(self, day: date, kind: str) -> bytes:
        with self.snapshot(day, (kind,)) as stored:
            return stored.read_bytes(kind)

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


class SharedBriefStore(BriefStore):
    """The briefs of one brief in the database, which every host reads.

    A write keeps this host's files in OUTPUT as `BriefStore` does, then replaces
    the day's rows of the kinds written in one transaction (the kinds not written
    stay as they were). Readers read one query's rows, so they see the old set or
    the new one. The day's lock is an advisory lock in the database, which holds
    across hosts.

    A day this host has in OUTPUT and the database has not (made before the
    database was configured) is listed, and copied into the database as it is the
    first time it is read, so nothing made before the move is made again.
    """

    def __init__(self, root: Path, brief: str, url: str) -> None:
        from briefing.state import Store

        super().__init__(root)
        self.brief = brief
        self.store = Store(url, "briefs", "brief store")

    def describe(self, day: date, kind: str | None = None) -> str:
        what = f"brief.{kind}" if kind else "the brief"
        key = f" of {self.brief}" if self.brief else ""
        return f"{what}{key} of {day.isoformat()} in the database {self.store.shown}"

    def days(self) -> list[date]:
        from sqlalchemy import select

        from briefing.tables import brief_files as rows

        with self.store.transaction() as db:
            found = db.execute(select(rows.c.day).where(
                rows.c.brief == self.brief, rows.c.kind == "json")).scalars().all()
        shared = {date.fromisoformat(d) for d in found if DAY_NAME.match(d)}
        return sorted(shared | set(super().days()), reverse=True)

    def has(self, day: date, *kinds: str) -> bool:
        wanted = set(kinds or ("json",))
        return wanted <= set(self._rows(day, tuple(wanted), data=False))

    def stamp(self, day: date) -> tuple[int, int]:
        found = self._rows(day, ("json",), data=False)
        if "json" not in found:
            raise NoBrief(f"there is no brief for {day.isoformat()}")
        return found["json"][0], 0

    @contextmanager
    def snapshot(self, day: date, kinds: tuple[str, ...] = KINDS) -> Iterator[Snapshot]:
        found = self._rows(day, kinds, data=True)
        files: dict[str, BinaryIO] = {k: io.BytesIO(data) for k, (_, data) in found.items()}
        stamp = (found["json"][0], 0) if "json" in found else (0, 0)
        snapshot = Snapshot(self, day, files, stamp)
        try:
            yield snapshot
        finally:
            snapshot.close()

    def _rows(self, day: date, kinds: tuple[str, ...], data: bool
              ) -> dict[str, tuple[int, bytes]]:
        """The day's rows of these kinds, read in one query: kind -> (generation, data)."""
        from sqlalchemy import literal, select

        from briefing.tables import brief_files as rows

        content = rows.c.data if data else literal(b"")
        query = select(rows.c.kind, rows.c.generation, content).where(
            rows.c.brief == self.brief, rows.c.day == day.isoformat(), rows.c.kind.in_(kinds))
        with self.store.transaction() as db:
            found = db.execute(query).all()
        if not found and self._adopt(day):
            with self.store.transaction() as db:
                found = db.execute(query).all()
        return {kind: (int(generation), bytes(blob)) for kind, generation, blob in found}

    def _adopt(self, day: date) -> bool:
        """Copy a day this host has only in OUTPUT into the database (a row the database
        has already, written meanwhile, wins); whether there was one."""
        from sqlalchemy import exists, select

        from briefing.tables import brief_files as rows

        if not super().has(day):
            return False
        with super().snapshot(day) as local:
            files = {kind: local.read_bytes(kind) for kind in KINDS if local.has(kind)}
        with self.store.transaction(write=True) as db:
            if db.execute(select(exists().where(rows.c.brief == self.brief,
                                                rows.c.day == day.isoformat()))).scalar():
                return True
            self._put(db, day, files, generation=1, replace=False)
        log.info("copied %s from %s into the database", self.describe(day),
                 super().describe(day))
        return True

    @contextmanager
    def lock(self, day: date, timeout: float | None = None) -> Iterator[None]:
        """Hold the day's lock in the database: one writer of the day, on any host."""
        from sqlalchemy.exc import SQLAlchemyError

        from briefing import locks

        timeout = LOCK_TIMEOUT if timeout is None else timeout
        name = f"briefs:{self.brief}:{day.isoformat()}"
        try:
            held = locks.wait_for(self.store.locks, name, timeout, note=str(os.getpid()))
        except SQLAlchemyError as exc:
            raise self.store.error(exc) from None
        if held is None:
            raise Busy(f"another briefing run is writing {self.describe(day)}; "
                       f"gave up after {timeout:.0f} s")
        try:
            with super().lock(day, timeout):  # this host's copy has its own writers too
                yield
        finally:
            held.release()

    def write(self, day: date, files: Mapping[str, bytes | str]) -> list[Path]:
        from sqlalchemy import func, select

        from briefing.tables import brief_files as rows

        written = super().write(day, files)
        with self.store.transaction(write=True) as db:
            latest = db.execute(select(func.max(rows.c.generation)).where(
                rows.c.brief == self.brief, rows.c.day == day.isoformat())).scalar()
            self._put(db, day, files, generation=int(latest or 0) + 1, replace=True)
        return written

    def _put(self, db: Connection, day: date, files: Mapping[str, bytes | str],
             generation: int, replace: bool) -> None:
        """Insert the day's rows of these kinds; `replace` the rows there, or keep them."""
        from briefing.state import upsert
        from briefing.tables import brief_files as rows

        now = datetime.now(UTC).isoformat(timespec="seconds")
        for kind, data in files.items():
            _name(kind)  # an unknown kind is a mistake here, as in the folder
            statement = upsert(db, rows).values(
                brief=self.brief, day=day.isoformat(), kind=kind, generation=generation,
                written=now, data=data.encode("utf-8") if isinstance(data, str) else data)
            db.execute(statement.on_conflict_do_update(
                index_elements=["brief", "day", "kind"],
                set_={k: statement.excluded[k] for k in ("generation", "written", "data")})
                if replace else statement.on_conflict_do_nothing())


# --- the generations of a day's folder -------------------------------------------------

def _version(status: os.stat_result) -> tuple[int, int]:
    """A brief.json's version: a new file (inode) or a new write (time)."""
    return status.st_ino, status.st_mtime_ns


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

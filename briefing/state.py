"""Where briefing keeps its state, opened one way, with errors a user can act on.

By default each store is an SQLite file in the state folder and nothing needs
installing. When the environment variable named by `[database] url_env` holds a
PostgreSQL URL, every store lives in that database instead, so processes on
several hosts share it. Either way the code reads and writes the same tables
(briefing/tables.py) through SQLAlchemy Core, and a store's schema is brought up
to date by Alembic (briefing/migrations) the first time a process opens it.
SQLite files from before Alembic (versioned by `PRAGMA user_version`) are
adopted at the revision they match, then migrated like the others.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from briefing import locks
from briefing.errors import StateError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from briefing.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision each SQLite file from before Alembic is at, by its `PRAGMA user_version`.
LEGACY = {"archive": {1: "archive_1"},
          "history": {1: "history_1", 2: "history_2", 3: "history_3"}, "briefs": {}}
# Files under Alembic say so in user_version too, so the briefings from before refuse them.
ADOPTED = 1000
# The newest revision of each branch (tests/test_database.py checks it against the scripts):
# a store already there is opened without loading Alembic, which costs a third of a second.
HEADS = {"archive": "archive_1", "history": "history_4", "briefs": "briefs_1"}
MIGRATION_LOCK = "briefing:migrations"
# How long an SQLite connection waits for another process's lock before it gives up.
BUSY_TIMEOUT = 30.0

logging.getLogger("alembic").setLevel(logging.WARNING)


def database_url(settings: Settings) -> str | None:
    """The database URL in the environment variable `[database] url_env`, if it is set."""
    return os.environ.get(settings.database.url_env, "").strip() or None


def parse_url(url: str) -> URL:
    """A SQLAlchemy URL for a postgresql:// (psycopg 3) or sqlite:/// database URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StateError("the database URL is not a URL (expected postgresql://user@host/db)"
                         ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.database:
        return parsed.set(drivername="sqlite")
    raise StateError(f"the database URL names {backend!r}; briefing keeps its state in "
                     "PostgreSQL (postgresql://user@host/db) or SQLite (sqlite:///path)")


def upsert(connection: Connection, table: Table) -> Any:
    """INSERT … ON CONFLICT (DO NOTHING, DO UPDATE), which both databases spell alike."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)


class Store:
    """One store of the state (the archive, or the history) in its database.

    `where` is an SQLite file, or a database URL. Locks between processes are files
    in `lock_dir` (default: the SQLite file's folder) with SQLite, and advisory locks
    in the database with PostgreSQL.
    """

    def __init__(self, where: Path | str, branch: str, what: str,
                 lock_dir: Path | None = None) -> None:
        self.branch = branch
        self.what = what
        if isinstance(where, Path):
            self.url = URL.create("sqlite", database=str(where))
            self.shown = str(where)
        else:
            self.url = parse_url(where)
            self.shown = self.url.render_as_string(hide_password=True)
        self.postgres = self.url.get_backend_name() == "postgresql"
        self.lock_dir = lock_dir or Path(self.url.database or ".").parent
        self._locks: locks.Locks | None = None

    @property
    def engine(self) -> Engine:
        return _engine(self.url)

    @property
    def locks(self) -> locks.Locks:
        if self._locks is None:
            self._locks = (locks.AdvisoryLocks(_engine(self.url, pooled=False)) if self.postgres
                           else locks.FileLocks(self.lock_dir))
        return self._locks

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Connection]:
        """A connection inside one transaction, committed whole or rolled back.

        `write` takes SQLite's write lock at the start, so that a transaction that
        reads and then writes never meets another doing the same halfway.
        """
        try:
            self._prepare()
            with self.engine.connect() as connection:
                if write:
                    connection = connection.execution_options(briefing_write=True)
                with connection.begin():
                    yield connection
        except SQLAlchemyError as exc:
            raise self.error(exc) from None
        except OSError as exc:
            raise StateError(f"cannot use the {self.what} at {self.shown}: "
                             f"{exc.strerror or exc}") from None

    def error(self, exc: SQLAlchemyError) -> StateError:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["unknown error"]
        return StateError(f"the {self.what} at {self.shown} cannot be used: {reason[0]}")

    def revision(self) -> str | None:
        """The schema revision of this store."""
        with self.transaction() as connection:
            have = _revisions(connection)
        branch = {r.revision for r in _script().iterate_revisions(f"{self.branch}@head", "base")}
        return next(iter(have & branch), None)

    def _prepare(self) -> None:
        key = (self.url.render_as_string(hide_password=False), self.branch)
        if key in _ready:
            return
        if not self.postgres:
            Path(self.url.database or ".").parent.mkdir(parents=True, exist_ok=True)
        with self.engine.connect() as connection:
            current = _up_to_date(connection, self.branch)
        if not current:
            with self.engine.connect() as connection:
                connection = connection.execution_options(briefing_write=True)
                with connection.begin():
                    _migrate(connection, self.branch, self.what)
        _ready.add(key)


def engine_of(url: str) -> Engine:
    """This process's engine for a database URL (the scheduler's job store uses it)."""
    return _engine(parse_url(url))


_engines: dict[tuple[str, bool], Engine] = {}
_ready: set[tuple[str, str]] = set()
_guard = threading.Lock()


def _engine(url: URL, pooled: bool = True) -> Engine:
    """One engine per database and process (SQLite: a connection per use, as before)."""
    key = (url.render_as_string(hide_password=False), pooled)
    with _guard:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _create(url, pooled)
    return engine


def _create(url: URL, pooled: bool) -> Engine:
    if url.get_backend_name() == "postgresql":
        options = {"pool_pre_ping": True} if pooled else {"poolclass": NullPool}
        return create_engine(url, connect_args={"connect_timeout": 10,
                                                "application_name": "briefing"}, **options)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT})

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # SQLAlchemy emits BEGIN itself (below), so DDL is transactional too.
        dbapi_connection.isolation_level = None
        _write_ahead(dbapi_connection)  # readers never wait for a writer
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def begin(connection):  # type: ignore[no-untyped-def]
        write = connection.get_execution_options().get("briefing_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _write_ahead(connection: sqlite3.Connection, timeout: float = BUSY_TIMEOUT) -> None:
    """Put an SQLite file in WAL mode, waiting for other processes as any statement does.

    The mode is kept in the file, so this is one read once a file has it. Changing it
    fails at once, without SQLite's busy wait, while another connection holds the
    write lock of a file not yet in WAL mode (a new file, its schema being created by
    another process), so the change is tried again until `timeout`.
    """
    def attempt() -> bool | None:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return True
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return None

    if locks.poll(attempt, timeout, first=0.005, longest=0.1) is None:
        raise sqlite3.OperationalError("database is locked")


def forget(url: str) -> None:
    """Drop this process's engines of a database (the tests drop their databases)."""
    parsed = parse_url(url).render_as_string(hide_password=False)
    with _guard:
        for key in [k for k in _engines if k[0] == parsed]:
            _engines.pop(key).dispose()
    _ready.difference_update({k for k in _ready if k[0] == parsed})


def _after_fork() -> None:
    """A forked child must not use its parent's pooled connections."""
    for engine in _engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork)


# --- migrations -------------------------------------------------------------------------------

@cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def _config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _revisions(connection: Connection) -> set[str]:
    if not inspect(connection).has_table("alembic_version"):
        return set()
    return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}


def _up_to_date(connection: Connection, branch: str) -> bool:
    """Whether a store's schema is at its branch's head already (read-only, no Alembic)."""
    with connection.begin():
        if HEADS[branch] not in _revisions(connection):
            return False
        if connection.dialect.name == "postgresql":
            return True
        return int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0) == ADOPTED


def _migrate(connection: Connection, branch: str, what: str) -> None:
    """Bring one branch of the schema up to date, inside the caller's transaction.

    Concurrent openers take turns (SQLite's write lock, an advisory lock on
    PostgreSQL); a database from a newer briefing is refused rather than changed.
    """
    from alembic import command

    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(select(func.pg_advisory_xact_lock(locks.advisory_key(MIGRATION_LOCK))))
    script = _script()
    known = {r.revision for r in script.walk_revisions()}
    have = _revisions(connection)
    if have - known:
        raise StateError(f"the {what} was written by a newer briefing (schema "
                         f"{', '.join(sorted(have - known))}, which this one does not know)")
    head = script.get_revision(f"{branch}@head")
    assert head is not None
    if not postgres and not have:
        legacy = _legacy_revision(connection, branch, what)
        if legacy is not None:
            command.stamp(_config(connection), legacy)
            have = {legacy}
    if head.revision not in have:
        command.upgrade(_config(connection), f"{branch}@head")
    if not postgres:
        connection.exec_driver_sql(f"PRAGMA user_version = {ADOPTED}")


def _legacy_revision(connection: Connection, branch: str, what: str) -> str | None:
    """The revision an SQLite file from before Alembic is at (None: an empty file)."""
    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    if version == 0 and branch == "history" and inspect(connection).has_table("runs"):
        return "history_1"  # the first briefing did not number its schema
    if version and version not in LEGACY[branch]:
        raise StateError(f"the {what} was written by a newer briefing (schema {version}, "
                         f"this one knows {max(LEGACY[branch])} and the Alembic revisions)")
    return LEGACY[branch].get(version)

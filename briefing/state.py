"""The state folder's SQLite files, opened one way, with errors a user can act on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from briefing.errors import StateError


@contextmanager
def database(path: Path, what: str,
             setup: Callable[[sqlite3.Connection], Any]) -> Iterator[sqlite3.Connection]:
    """An open connection, set up, inside one transaction committed whole or rolled back."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30)
    except (OSError, sqlite3.Error) as exc:
        raise StateError(f"cannot use the {what} at {path}: {exc}") from None
    try:
        setup(db)
        with db:
            yield db
    except sqlite3.Error as exc:
        raise StateError(f"the {what} at {path} cannot be used: {exc}") from None
    finally:
        db.close()


def migrate(db: sqlite3.Connection, migrations: Sequence[str], what: str) -> None:
    """Bring a schema up to date (`PRAGMA user_version` counts the migrations applied).

    The write lock makes concurrent openers take turns; a file from a newer
    briefing is refused rather than changed.
    """
    if db.execute("PRAGMA user_version").fetchone()[0] == len(migrations):
        return
    db.isolation_level = None  # explicit transaction control for the migration
    try:
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            db.execute("ROLLBACK")
            raise StateError(f"the {what} was written by a newer briefing "
                             f"(schema {version}, this one knows {len(migrations)})")
        for number in range(version, len(migrations)):
            for statement in migrations[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.isolation_level = "DEFERRED"

"""The state folder's SQLite files, opened one way, with errors a user can act on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
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

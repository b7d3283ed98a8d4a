"""Every error a user can meet, in one small module.

The CLI imports only this (and the configuration) at start, so `briefing --help`
does not load the pipeline. Each module raises the error that fits; the CLI
turns each into one line and an exit code: 2 for what the user must fix in
the command or the configuration, 1 for a run that could not do its job.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key and why."""


class IngestError(Exception):
    """The input folder cannot be read at all (missing, not a folder, unreadable)."""


class StateError(Exception):
    """The state folder cannot be used (not writable, not a database, too new)."""


class NoUsableArticles(Exception):
    """Nothing in the input could be used; the message lists why."""


class NoArticles(Exception):
    """The day's window holds no article, so there is no brief to make or send."""


class Busy(Exception):
    """Another run is writing this day's files."""


class AlreadySent(Exception):
    """This day's brief was delivered before; sending again needs --force."""


class NoBrief(Exception):
    """A day has no brief in the store, or its stored brief cannot be read."""


class DeliveryError(Exception):
    """The message was not delivered; `permanent` says whether retrying could help."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Refused(Exception):
    """A file in an input folder that must not be read (not a regular file, or a link out)."""


class Exists(Exception):
    """A file that a command would create is already there, and it is never replaced."""


class FetchError(Exception):
    """One URL could not be fetched; the message says why in a few words."""


# What the CLI reports as bad usage (exit 2) and as a failed run (exit 1).
USAGE_ERRORS = (ConfigError, IngestError, StateError)
RUN_ERRORS = (NoUsableArticles, NoArticles, Busy, AlreadySent, NoBrief, DeliveryError,
              Exists)

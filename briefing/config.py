"""Settings from `briefing.toml`, validated once, with errors a user can act on.

The repository's `briefing.toml` is the default configuration: themes live
there, not in code. A user's file replaces it whole (themes included), so
what the brief does is always what one file says.

Each key is declared once, on its settings field (see `briefing.schema`): type,
default, check and, where it differs from the attribute, its TOML name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefing.errors import ConfigError as ConfigError  # part of this module's API
from briefing.models import OTHER
from briefing.schema import (
    FRACTION,
    Range,
    Table,
    array,
    between,
    config_error,
    declare,
    one_of,
    positive,
    read,
    setting,
    shown,
    table,
)

PACKAGE_DIR = Path(__file__).resolve().parent
FORMATS = ("html", "pdf", "json")
PUNKT_MODES = ("auto", "pretrained", "trained")
SECURITY_MODES = ("starttls", "ssl", "none")
REPEAT_RULES = ("mark", "drop", "keep")
SCOPES = ("story", "side")
SELECTIONS = ("greedy", "exact")  # see briefing/summarize.py
CONCEPT_WEIGHTS = ("df", "learned")
DEFAULT_BRIEF = "default"  # the name of a file's only brief, and of the brief that keeps its place
BRIEF_KEY = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
# What a [[briefs]] entry may set besides `key` and `common_sources`; whatever it leaves out
# comes from the top level. These replace the top level's whole (a story, its themes):
BRIEF_REPLACES = ("title", "story", "themes", "sources")
# These tables are merged key by key: the brief's keys replace the top level's, the rest stay.
# None: any key of the table; otherwise only these (SMTP, the state folder stay shared).
BRIEF_MERGES: dict[str, frozenset[str] | None] = {
    "paths": frozenset({"input"}),
    "summary": None,
    "changes": None,
    "schedule": frozenset({"cron", "timezone", "window_hours", "skip_empty"}),
    "email": frozenset({"enabled", "from", "to", "cc", "bcc", "reply_to", "subject"}),
}


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    return candidates[-1]


# Installed wheels carry these inside the package; a source checkout has them
# at the top of the repository.
DEFAULT_CONFIG = _first_existing(PACKAGE_DIR / "briefing.toml",
                                 PACKAGE_DIR.parent / "briefing.toml")
BUILTIN_TEMPLATES = _first_existing(PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates")

# The largest values that still make sense; beyond them a number is a typo, or would
# overflow a timedelta, a sleep or a process pool later in the run.
WORDS = 100_000
HOURS = 8760 * 10
DAYS = 3660
SECONDS = 86_400
MEGABYTES = 10_000
PORT = between(1, 65_535)
WEIGHT = Range(0, 1000, above=True, text="a positive number up to 1000")
# The wait doubles with each retry: the 20th, after an hour's backoff, waits 60 years,
# well inside what time.sleep accepts.
RETRIES = between(0, 20)


# --- checks of strings and lists ------------------------------------------------------------

def _check_cron(value: str) -> str | None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone="UTC")
    except ValueError as exc:
        return f"is not a valid crontab expression ({exc}): {value!r}"
    return None


def _check_timezone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"is not a known time zone: {value!r} (e.g. 'Asia/Karachi', 'UTC')"
    return None


def _check_address(value: str) -> str | None:
    """An address, bare or with a display name ('Desk <desk@example.org>')."""
    from email.utils import getaddresses

    from email_validator import EmailNotValidError, validate_email

    parsed = getaddresses([value])
    if len(parsed) != 1 or not parsed[0][1] or "," in parsed[0][1]:
        return f"is not one e-mail address: {value!r} (use 'desk@example.org' or " \
               "'Desk <desk@example.org>'; list several as separate strings)"
    try:  # syntax only: no DNS look-up, no network; intranet domains are fine
        validate_email(parsed[0][1], check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        return f"is not a valid e-mail address: {value!r} ({exc})"
    return None


def _check_address_if_any(value: str) -> str | None:
    return _check_address(value) if value else None  # email.enabled makes `from` required


def _check_addresses(value: tuple[str, ...]) -> str | None:
    return next((problem for a in value if (problem := _check_address(a))), None)


def _check_name(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _check_formats(value: tuple[str, ...]) -> str | None:
    if not value or any(v not in FORMATS for v in value):
        return f"must list some of {list(FORMATS)}, got {list(value)!r}"
    return None


def _check_strings(value: tuple[str, ...]) -> str | None:
    return None if all(v.strip() for v in value) else "must list strings that are not empty"


def _check_user_agent(value: str) -> str | None:
    if "briefing" in value.lower():
        return None
    return "must name briefing, so sites know who is asking"


def _check_host(value: str) -> str | None:
    return None if value.strip() else "is empty"


def _check_host_names(value: tuple[str, ...]) -> str | None:
    for name in value:
        if not name.strip() or any(c in name for c in "/@ ") or not name.isprintable():
            return f"must list host names (like 'briefs.example.org'), got {name!r}"
    return None


def _check_env_name(value: str) -> str | None:
    if value and all(c.isalnum() or c == "_" for c in value) and not value[0].isdigit():
        return None
    return f"must name an environment variable (like BRIEFING_DATABASE_URL), got {value!r}"


def _check_feed(value: str) -> str | None:
    try:
        scheme = urlsplit(value).scheme
    except ValueError:  # e.g. an unclosed [IPv6] host
        scheme = ""
    return None if scheme in ("http", "https") else f"must be an http(s) URL, got {value!r}"


def _check_theme_key(value: str) -> str | None:
    if value.isidentifier() and value != OTHER:
        return None
    return f"must be a short identifier other than '{OTHER}', got {value!r}"


# --- the settings -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    key: str = field(metadata=declare(_check_theme_key))
    label: str = field(metadata=declare())  # when not given: the key, title-cased
    description: str = setting("")
    terms: dict[str, float] = field(default_factory=dict, metadata=declare(WEIGHT))
    words: int | None = setting(None, positive(WORDS))  # word budget; None: section_words
    # "story": only sentences about the story's sides together; "side": also a sentence
    # about one side and a country outside the story (a third country recognising Kabul)
    scope: str = setting("story", one_of(SCOPES))


@dataclass(frozen=True)
class StorySide:
    """One side of the story: the names that stand for it."""

    name: str = setting("", _check_name)
    terms: tuple[str, ...] = setting((), _check_strings)


@dataclass(frozen=True)
class StorySettings:
    """The story a brief follows, beyond its themes (see briefing/story.py)."""

    label: str = setting("the story")
    sides: tuple[StorySide, ...] = array(StorySide)
    bridges: tuple[str, ...] = setting((), _check_strings)
    related: tuple[str, ...] = setting((), _check_strings)
    min_share: float = setting(0.25, FRACTION)
    min_side_sentences: int = setting(1, between(0, 1000))
    # An article that names a country outside the story in at least this many times as many
    # sentences as its least-named side is about that country, not the story (0: no limit).
    outside_ratio: float = setting(2.0, between(0, 1000))


@dataclass(frozen=True)
class SummarySettings:
    total_words: int = setting(750, positive(WORDS))
    section_words: int = setting(170, positive(WORDS))
    key_points: int = setting(5, between(0, 100))
    min_key_points: int = setting(3, between(0, 100))
    theme_threshold: float = setting(2.5, positive(1000))
    # Days of the archive before a brief's window whose sure sentences teach the themes.
    learn_days: int = setting(7, between(0, 366))
    redundancy: float = setting(0.5, FRACTION)
    duplicate: float = setting(0.6, FRACTION)
    position_weight: float = setting(0.3, between(0, 100))
    min_sentence_words: int = setting(6, between(0, WORDS))
    max_sentence_words: int = setting(60, positive(WORDS))
    selection: str = setting("greedy", one_of(SELECTIONS))
    concept_weights: str = setting("df", one_of(CONCEPT_WEIGHTS))


@dataclass(frozen=True)
class ScheduleSettings:
    cron: str = setting("0 7 * * *", _check_cron)
    timezone: str = setting("Asia/Karachi", _check_timezone)
    state_dir: Path = setting(Path("state"), key="state")
    window_hours: float = setting(24.0, between(0, HOURS))  # 0 = everything in the input folder
    skip_empty: bool = setting(False)
    misfire_grace_hours: float = setting(6.0, positive(HOURS))
    coalesce: bool = setting(True)


@dataclass(frozen=True)
class EmailSettings:
    enabled: bool = setting(False)
    sender: str = setting("", _check_address_if_any, key="from")
    to: tuple[str, ...] = setting((), _check_addresses)
    cc: tuple[str, ...] = setting((), _check_addresses)
    bcc: tuple[str, ...] = setting((), _check_addresses)
    reply_to: str = setting("", _check_address_if_any)
    subject: str = setting("Daily brief: {{ date }}")
    host: str = setting("localhost", key="smtp.host")
    port: int = setting(587, PORT, key="smtp.port")
    security: str = setting("starttls", one_of(SECURITY_MODES), key="smtp.security")
    username: str = setting("", key="smtp.username")
    password_env: str = setting("BRIEFING_SMTP_PASSWORD", key="smtp.password_env")
    verify: bool = setting(True, key="smtp.verify")
    ca_file: Path | None = setting(None, key="smtp.ca_file")
    timeout_seconds: float = setting(30.0, positive(SECONDS), key="smtp.timeout_seconds")
    retries: int = setting(4, RETRIES, key="smtp.retries")
    backoff_seconds: float = setting(5.0, between(0, 3600), key="smtp.backoff_seconds")

    @property
    def recipients(self) -> tuple[str, ...]:
        return (*self.to, *self.cc, *self.bcc)


@dataclass(frozen=True)
class Source:
    """One [[sources]] entry: an RSS/Atom feed or a folder of article files."""

    name: str = field(metadata=declare())  # when not given: the feed or folder as written
    feed: str | None = setting(None, _check_feed)
    folder: Path | None = setting(None)
    outlet: str | None = setting(None)  # overrides the outlet found in the feed or page


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: float = setting(20.0, positive(SECONDS))
    max_page_mb: float = setting(5.0, positive(MEGABYTES))
    user_agent: str = setting("briefing/0.1 (daily news brief; +https://github.com/briefing)",
                              _check_user_agent)
    per_host_seconds: float = setting(1.0, between(0, SECONDS))
    max_items_per_feed: int = setting(100, positive(100_000))


@dataclass(frozen=True)
class ChangeSettings:
    repeats: str = setting("mark", one_of(REPEAT_RULES))  # items earlier briefs carried
    lookback_days: int = setting(3, positive(DAYS))
    similarity: float = setting(0.6, FRACTION)
    chart_days: int = setting(14, between(2, 366))


@dataclass(frozen=True)
class SyndicationSettings:
    enabled: bool = setting(True)
    threshold: float = setting(0.7, FRACTION)
    shingle_words: int = setting(5, between(1, 20))
    num_perm: int = setting(128, between(16, 1024))


@dataclass(frozen=True)
class WebSettings:
    host: str = setting("127.0.0.1", _check_host)
    port: int = setting(8000, PORT)
    token_env: str = setting("BRIEFING_WEB_TOKEN")
    max_report_days: int = setting(31, positive(DAYS))
    # Host names besides web.host, localhost, 127.0.0.1 and ::1 that requests may name
    allowed_hosts: tuple[str, ...] = setting((), _check_host_names)
    report_workers: int = setting(2, between(1, 64))  # reports computed at once
    report_queue: int = setting(8, between(0, 1000))  # reports waiting; beyond: 503


@dataclass(frozen=True)
class DatabaseSettings:
    # The environment variable that may hold a database URL (the URL, with its password,
    # never sits in the file); unset or empty: SQLite files in the state folder.
    url_env: str = setting("BRIEFING_DATABASE_URL", _check_env_name)


@dataclass(frozen=True)
class Settings:
    title: str = setting("Daily brief")  # briefing.toml names the story it follows
    author: str = setting("briefing")
    input_dir: Path = setting(Path("seeds"), key="paths.input")
    output_dir: Path = setting(Path("output"), key="paths.output")
    templates_dir: Path | None = setting(None, key="paths.templates")
    formats: tuple[str, ...] = setting(FORMATS, _check_formats, key="output.formats")
    max_file_mb: float = setting(10.0, positive(MEGABYTES), key="ingest.max_file_mb")
    # processes for cleaning and splitting; 0 = one per core
    workers: int = setting(0, between(0, 256), key="ingest.workers")
    punkt: str = setting("auto", one_of(PUNKT_MODES), key="text.punkt")
    abbreviations: tuple[str, ...] = setting((), _check_strings, key="text.abbreviations")
    summary: SummarySettings = table(SummarySettings)
    story: StorySettings = table(StorySettings)
    themes: tuple[Theme, ...] = array(Theme)
    schedule: ScheduleSettings = table(ScheduleSettings)
    email: EmailSettings = table(EmailSettings)
    web: WebSettings = table(WebSettings)
    database: DatabaseSettings = table(DatabaseSettings)
    sources: tuple[Source, ...] = array(Source)
    fetch: FetchSettings = table(FetchSettings)
    syndication: SyndicationSettings = table(SyndicationSettings)
    changes: ChangeSettings = table(ChangeSettings)
    source: Path | None = None  # the file these settings came from
    # Several briefs ([[briefs]], see below): the top level holds what they share; each
    # brief is a whole Settings of its own, resolved when the file is read.
    brief: str = ""  # the key of the brief these settings make; "" for the file's only brief
    briefs: tuple[Settings, ...] = ()  # every [[briefs]] entry resolved; () without any
    reads: tuple[str, ...] | None = None  # the source names a brief reads; None: every one

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def key(self) -> str:
        """The brief's key as the user names it (`--brief`, the web report)."""
        return self.brief or DEFAULT_BRIEF

    def every_brief(self) -> tuple[Settings, ...]:
        """The briefs the file defines: its [[briefs]], or itself as the only one."""
        return self.briefs or (self,)

    def chosen(self, key: str | None) -> tuple[Settings, ...]:
        """The brief `--brief KEY` names (every brief without one)."""
        every = self.every_brief()
        if key is None:
            return every
        for brief in every:
            if brief.key == key:
                return (brief,)
        raise ConfigError(f"unknown brief {key!r}; the briefs are: "
                          + ", ".join(b.key for b in every))

    def fetched_sources(self) -> tuple[Source, ...]:
        """Every source some brief reads, once: a shared feed is fetched once for all."""
        found: dict[str, Source] = {}
        for brief in self.every_brief():
            for source in brief.sources:
                found.setdefault(source.name, source)
        return tuple(found.values())

    def theme(self, key: str) -> Theme:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(key)


# --- reading a file -------------------------------------------------------------------------

def load_settings(path: Path | None = None) -> Settings:
    """Read and validate a configuration file (the packaged default if None)."""
    file = path or DEFAULT_CONFIG
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file {file}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise ConfigError(f"{file}: not valid TOML: values nested too deeply") from None
    return parse_settings(raw, base=file.resolve().parent, name=str(file))


def parse_settings(raw: dict[str, Any], base: Path, name: str = "configuration") -> Settings:
    """Turn a parsed TOML document into Settings; relative paths are taken from `base`.

    With [[briefs]], the top level holds what the briefs share and each brief is
    resolved into Settings of its own (`Settings.briefs`).
    """
    raw = dict(raw)
    entries = raw.pop("briefs", None)
    if entries is None:
        return _parse_one(raw, base, name)
    if not isinstance(entries, list) or not entries \
            or not all(isinstance(e, dict) for e in entries):
        raise config_error(name, "briefs", "must be one or more tables ([[briefs]])")
    top = _parse_one(raw, base, name, need_themes=False)
    briefs: list[Settings] = []
    for number, entry in enumerate(entries, start=1):
        brief = _parse_brief(raw, dict(entry), number, top, base, name)
        if any(b.key == brief.key for b in briefs):
            raise config_error(name, f"briefs[{brief.key}].key", "repeats another brief's key")
        briefs.append(brief)
    _check_source_names(briefs, top, name)
    return replace(top, briefs=tuple(briefs))


def _parse_one(raw: dict[str, Any], base: Path, name: str, where: str = "",
               need_themes: bool = True) -> Settings:
    top = Table(raw, where, name)
    values = read(Settings, top, base)
    sources = _parse_sources(top, base)
    themes = _parse_themes(top, base, need_themes)
    top.done()
    settings = Settings(**values, sources=sources, themes=themes, source=Path(name))
    _check_together(settings, top)
    return settings


def _parse_brief(raw: dict[str, Any], entry: dict[str, Any], number: int, top: Settings,
                 base: Path, file: str) -> Settings:
    """One [[briefs]] entry over the top level: its own keys win, the rest is inherited."""
    key = entry.pop("key", None)
    if not isinstance(key, str) or not BRIEF_KEY.match(key):
        raise config_error(file, f"briefs[{number}].key",
                           f"must be a short lowercase name (letters, digits, '-'), not "
                           f"{shown(key)}" if key is not None else "is required")
    where = f"briefs[{key}]"
    common = entry.pop("common_sources", None)
    names = [s.name for s in top.sources]
    if common is None:
        common = names
    elif not isinstance(common, list) or not all(isinstance(c, str) for c in common):
        raise config_error(file, f"{where}.common_sources",
                           f"must be a list of [[sources]] names, not {shown(common)}")
    for wanted in common:
        if wanted not in names:
            raise config_error(file, f"{where}.common_sources",
                               f"names {wanted!r}, which is not a [[sources]] name "
                               f"(they are: {', '.join(names) or 'none'})")
    merged = dict(raw)
    for k, value in entry.items():
        if k in BRIEF_REPLACES:
            merged[k] = value
        elif k in BRIEF_MERGES:
            if not isinstance(value, dict):
                raise config_error(file, f"{where}.{k}", f"must be a table, not {shown(value)}")
            allowed = BRIEF_MERGES[k]
            for inner in value:
                if allowed is not None and inner not in allowed:
                    raise config_error(file, f"{where}.{k}.{inner}",
                                       "is shared by every brief: set it at the top level")
            merged[k] = {**raw.get(k, {}), **value}
        else:
            raise config_error(file, f"{where}.{k}",
                               "is not a setting a brief can have (see README.md, "
                               "'Several briefs')")
    shared = [s for s in raw.get("sources", []) if _source_name(s) in common]
    merged["sources"] = shared + list(entry.get("sources", []))
    brief = _parse_one(merged, base, file, where)
    own = tuple(s.name for s in brief.sources)
    return replace(brief, brief="" if key == DEFAULT_BRIEF else key, reads=own)


def _source_name(raw: Any) -> Any:
    return raw.get("name") or raw.get("feed") or raw.get("folder") \
        if isinstance(raw, dict) else None


def _check_source_names(briefs: list[Settings], top: Settings, file: str) -> None:
    """A source's name says which brief's articles it gives, so one name is one source."""
    seen = {s.name: s for s in top.sources}
    for brief in briefs:
        for source in brief.sources:
            if seen.setdefault(source.name, source) != source:
                raise config_error(file, f"briefs[{brief.key}].sources",
                                   f"repeats source '{source.name}' (a source that several "
                                   "briefs read belongs in the top level's [[sources]])")


def _check_together(s: Settings, t: Table) -> None:
    """The rules that tie one key to another."""
    if s.summary.min_key_points > s.summary.key_points:
        raise t.fail("summary.min_key_points",
                     f"({s.summary.min_key_points}) exceeds key_points "
                     f"({s.summary.key_points}); lower it or raise 'summary.key_points'")
    if any(not side.name.strip() or not side.terms for side in s.story.sides):
        raise t.fail("story.sides", "each side needs a 'name' and some 'terms'")
    if len({side.name for side in s.story.sides}) != len(s.story.sides):
        raise t.fail("story.sides", "repeats a side's name")
    if s.email.enabled and not s.email.sender:
        raise t.fail("email.from", "is required when email.enabled is true")
    if s.email.enabled and not s.email.recipients:
        raise t.fail("email.to", "must name at least one recipient when email.enabled is true")


def _parse_sources(top: Table, base: Path) -> tuple[Source, ...]:
    sources: list[Source] = []
    for t in top.entries("sources"):
        written = t.data.get("feed") or t.data.get("folder")  # the name, when none is given
        values = read(Source, t, base)
        t.done()
        if (values["feed"] is None) == (values["folder"] is None):
            raise t.fail("feed", "or 'folder' must be given, one of the two")
        source = Source(**{"name": written, **values})
        if any(s.name == source.name for s in sources):
            raise t.fail("name", f"repeats source '{source.name}'")
        sources.append(source)
    return tuple(sources)


def _parse_themes(top: Table, base: Path, required: bool = True) -> tuple[Theme, ...]:
    themes: list[Theme] = []
    for t in top.entries("themes"):
        values = read(Theme, t, base)
        t.done()
        key = values.setdefault("key", "")  # a theme without a key fails the key's check
        if problem := _check_theme_key(key):
            raise t.fail("key", problem)
        if any(th.key == key for th in themes):
            raise t.fail("key", f"repeats theme '{key}'")
        values.setdefault("label", key.title())
        if any(not term.strip() for term in values["terms"]):
            raise t.fail("terms", "has an empty term")
        values["terms"] = {term.strip(): weight for term, weight in values["terms"].items()}
        if not values["terms"]:
            raise t.fail("terms", "must list at least one term with its weight")
        themes.append(Theme(**values))
    if not themes and required:
        where = f" in {top.where}" if top.where else ""
        raise ConfigError(f"{top.file}: no themes defined{where}; add at least one "
                          "[[themes]] table")
    return tuple(themes)

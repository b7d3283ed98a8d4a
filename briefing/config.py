"""Settings from `briefing.toml`, validated once, with errors a user can act on.

The repository's `briefing.toml` is the default configuration: themes live
there, not in code. A user's file replaces it whole (themes included), so
what the brief does is always what one file says.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from briefing.errors import ConfigError
from briefing.models import OTHER

PACKAGE_DIR = Path(__file__).resolve().parent
FORMATS = ("html", "pdf", "json")
PUNKT_MODES = ("auto", "pretrained", "trained")




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


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    description: str
    terms: dict[str, float]
    words: int | None = None  # this theme's word budget; None means the default


@dataclass(frozen=True)
class SummarySettings:
    total_words: int = 750
    section_words: int = 170
    key_points: int = 5
    min_key_points: int = 3
    theme_threshold: float = 1.5
    redundancy: float = 0.5
    duplicate: float = 0.6
    position_weight: float = 0.3
    min_sentence_words: int = 6
    max_sentence_words: int = 60


SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class ScheduleSettings:
    cron: str = "0 7 * * *"
    timezone: str = "Asia/Karachi"
    state_dir: Path = Path("state")
    window_hours: float = 24.0  # 0 = everything in the input folder
    skip_empty: bool = False
    misfire_grace_hours: float = 6.0
    coalesce: bool = True


@dataclass(frozen=True)
class EmailSettings:
    enabled: bool = False
    sender: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    reply_to: str = ""
    subject: str = "Daily brief: {{ date }}"
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_env: str = "BRIEFING_SMTP_PASSWORD"
    verify: bool = True
    ca_file: Path | None = None
    timeout_seconds: float = 30.0
    retries: int = 4
    backoff_seconds: float = 5.0

    @property
    def recipients(self) -> tuple[str, ...]:
        return (*self.to, *self.cc, *self.bcc)


@dataclass(frozen=True)
class Source:
    """One [[sources]] entry: an RSS/Atom feed or a folder of article files."""

    name: str
    feed: str | None = None
    folder: Path | None = None
    outlet: str | None = None  # overrides the outlet found in the feed or page


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: float = 20.0
    max_page_mb: float = 5.0
    user_agent: str = "briefing/0.1 (daily news brief; +https://github.com/briefing)"
    per_host_seconds: float = 1.0
    max_items_per_feed: int = 100


REPEAT_RULES = ("mark", "drop", "keep")


@dataclass(frozen=True)
class ChangeSettings:
    repeats: str = "mark"  # what to do with items earlier briefs already carried
    lookback_days: int = 3
    similarity: float = 0.6
    chart_days: int = 14


@dataclass(frozen=True)
class SyndicationSettings:
    enabled: bool = True
    threshold: float = 0.7
    shingle_words: int = 5
    num_perm: int = 128


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    token_env: str = "BRIEFING_WEB_TOKEN"
    max_report_days: int = 31


@dataclass(frozen=True)
class Settings:
    title: str = "Daily brief"
    author: str = "briefing"
    input_dir: Path = Path("seeds")
    output_dir: Path = Path("output")
    templates_dir: Path | None = None
    formats: tuple[str, ...] = FORMATS
    max_file_mb: float = 10.0
    workers: int = 0  # processes for cleaning and splitting; 0 = one per core
    punkt: str = "auto"
    abbreviations: tuple[str, ...] = ()
    summary: SummarySettings = field(default_factory=SummarySettings)
    themes: tuple[Theme, ...] = ()
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    web: WebSettings = field(default_factory=WebSettings)
    sources: tuple[Source, ...] = ()
    fetch: FetchSettings = field(default_factory=FetchSettings)
    syndication: SyndicationSettings = field(default_factory=SyndicationSettings)
    changes: ChangeSettings = field(default_factory=ChangeSettings)
    source: Path | None = None  # the file these settings came from

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def theme(self, key: str) -> Theme:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(key)


T = TypeVar("T")


class _Table:
    """One TOML table being read: each key is taken once, leftovers are errors."""

    def __init__(self, data: dict[str, Any], where: str, file: str) -> None:
        self.data = dict(data)
        self.where = where
        self.file = file

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: '{self._name(key)}' {problem}")

    def take(self, key: str, kind: type[T] | tuple[type, ...], default: T,
             check: Callable[[Any], str | None] | None = None) -> T:
        if key not in self.data:
            return default
        value = self.data.pop(key)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML integers are acceptable where a float is asked for; bools never are.
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"must be {_kind_name(kinds)}, not {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"must be {_kind_name(kinds)}, not {value!r}")
        if check is not None and (problem := check(value)):
            raise self.fail(key, problem)
        return value  # type: ignore[return-value]

    def table(self, key: str) -> _Table:
        value = self.take(key, dict, {})
        return _Table(value, self._name(key), self.file)

    def done(self) -> None:
        if self.data:
            key = sorted(self.data)[0]
            raise self.fail(key, "is not a known setting (see README.md, 'Configuration')")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _fraction(value: float) -> str | None:
    return None if 0 < value <= 1 else "must be between 0 (exclusive) and 1"


def _non_negative(value: float) -> str | None:
    return None if value >= 0 else "must not be negative"


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
    return parse_settings(raw, base=file.resolve().parent, name=str(file))


def parse_settings(raw: dict[str, Any], base: Path, name: str = "configuration") -> Settings:
    """Turn a parsed TOML document into Settings; relative paths are taken from `base`."""
    top = _Table(raw, "", name)
    title = top.take("title", str, Settings.title)
    author = top.take("author", str, Settings.author)

    paths = top.table("paths")
    input_dir = base / paths.take("input", str, "seeds")
    output_dir = base / paths.take("output", str, "output")
    templates = paths.take("templates", str, "")
    paths.done()

    out = top.table("output")
    formats = tuple(out.take("formats", list, list(FORMATS), check=_check_formats))
    out.done()

    ingest = top.table("ingest")
    max_file_mb = ingest.take("max_file_mb", float, 10.0, check=_positive)
    workers = ingest.take("workers", int, 0, check=_non_negative)
    ingest.done()

    text = top.table("text")
    punkt = text.take("punkt", str, "auto",
                      check=lambda v: None if v in PUNKT_MODES else f"must be one of {PUNKT_MODES}")
    abbreviations = tuple(text.take("abbreviations", list, [], check=_check_strings))
    text.done()

    summary = _parse_summary(top.table("summary"))
    schedule = _parse_schedule(top.table("schedule"), base)
    email = _parse_email(top.table("email"), base)
    web = _parse_web(top.table("web"))
    fetch = _parse_fetch(top.table("fetch"))
    syndication = _parse_syndication(top.table("syndication"))
    changes = _parse_changes(top.table("changes"))
    sources = _parse_sources(top, base, name)
    themes = _parse_themes(top, name)
    top.done()

    return Settings(
        title=title, author=author, input_dir=input_dir, output_dir=output_dir,
        templates_dir=(base / templates) if templates else None, formats=formats,
        max_file_mb=max_file_mb, workers=workers, punkt=punkt, abbreviations=abbreviations,
        summary=summary, themes=themes, schedule=schedule, email=email, web=web,
        sources=sources, fetch=fetch, syndication=syndication,
        changes=changes, source=Path(name),
    )


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
    from email_validator import EmailNotValidError, validate_email

    try:  # syntax only: no DNS look-up, no network; intranet domains are fine
        validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        return f"is not a valid e-mail address: {value!r} ({exc})"
    return None


def _check_addresses(value: list[Any]) -> str | None:
    if not all(isinstance(v, str) for v in value):
        return "must list e-mail addresses as strings"
    for address in value:
        if problem := _check_address(address):
            return problem
    return None


def _parse_schedule(t: _Table, base: Path) -> ScheduleSettings:
    d = ScheduleSettings()
    s = ScheduleSettings(
        cron=t.take("cron", str, d.cron, check=_check_cron),
        timezone=t.take("timezone", str, d.timezone, check=_check_timezone),
        state_dir=base / t.take("state", str, str(d.state_dir)),
        window_hours=t.take("window_hours", float, d.window_hours, check=_non_negative),
        skip_empty=t.take("skip_empty", bool, d.skip_empty),
        misfire_grace_hours=t.take("misfire_grace_hours", float, d.misfire_grace_hours,
                                   check=_positive),
        coalesce=t.take("coalesce", bool, d.coalesce),
    )
    t.done()
    return s


def _parse_email(t: _Table, base: Path) -> EmailSettings:
    d = EmailSettings()
    smtp = t.table("smtp")
    ca_file = smtp.take("ca_file", str, "")
    e = EmailSettings(
        enabled=t.take("enabled", bool, d.enabled),
        sender=t.take("from", str, d.sender, check=lambda v: v and _check_address(v)),
        to=tuple(t.take("to", list, [], check=_check_addresses)),
        cc=tuple(t.take("cc", list, [], check=_check_addresses)),
        bcc=tuple(t.take("bcc", list, [], check=_check_addresses)),
        reply_to=t.take("reply_to", str, d.reply_to, check=lambda v: v and _check_address(v)),
        subject=t.take("subject", str, d.subject),
        host=smtp.take("host", str, d.host),
        port=smtp.take("port", int, d.port,
                       check=lambda v: None if 0 < v < 65536 else "must be a port number"),
        security=smtp.take("security", str, d.security, check=lambda v: None if v in
                           SECURITY_MODES else f"must be one of {SECURITY_MODES}"),
        username=smtp.take("username", str, d.username),
        password_env=smtp.take("password_env", str, d.password_env),
        verify=smtp.take("verify", bool, d.verify),
        ca_file=(base / ca_file) if ca_file else None,
        timeout_seconds=smtp.take("timeout_seconds", float, d.timeout_seconds, check=_positive),
        retries=smtp.take("retries", int, d.retries, check=_non_negative),
        backoff_seconds=smtp.take("backoff_seconds", float, d.backoff_seconds,
                                  check=_non_negative),
    )
    smtp.done()
    t.done()
    if e.enabled and not e.sender:
        raise t.fail("from", "is required when email.enabled is true")
    if e.enabled and not e.recipients:
        raise t.fail("to", "must name at least one recipient when email.enabled is true")
    return e


def _parse_changes(t: _Table) -> ChangeSettings:
    d = ChangeSettings()
    c = ChangeSettings(
        repeats=t.take("repeats", str, d.repeats, check=lambda v: None if v in REPEAT_RULES
                       else f"must be one of {REPEAT_RULES}"),
        lookback_days=t.take("lookback_days", int, d.lookback_days, check=_positive),
        similarity=t.take("similarity", float, d.similarity, check=_fraction),
        chart_days=t.take("chart_days", int, d.chart_days,
                          check=lambda v: None if 2 <= v <= 366 else "must be 2 to 366"),
    )
    t.done()
    return c


def _parse_syndication(t: _Table) -> SyndicationSettings:
    d = SyndicationSettings()
    s = SyndicationSettings(
        enabled=t.take("enabled", bool, d.enabled),
        threshold=t.take("threshold", float, d.threshold, check=_fraction),
        shingle_words=t.take("shingle_words", int, d.shingle_words,
                             check=lambda v: None if 1 <= v <= 20 else "must be 1 to 20"),
        num_perm=t.take("num_perm", int, d.num_perm,
                        check=lambda v: None if 16 <= v <= 1024 else "must be 16 to 1024"),
    )
    t.done()
    return s


def _parse_fetch(t: _Table) -> FetchSettings:
    d = FetchSettings()
    f = FetchSettings(
        timeout_seconds=t.take("timeout_seconds", float, d.timeout_seconds, check=_positive),
        max_page_mb=t.take("max_page_mb", float, d.max_page_mb, check=_positive),
        user_agent=t.take("user_agent", str, d.user_agent,
                          check=lambda v: None if "briefing" in v.lower()
                          else "must name briefing, so sites know who is asking"),
        per_host_seconds=t.take("per_host_seconds", float, d.per_host_seconds,
                                check=_non_negative),
        max_items_per_feed=t.take("max_items_per_feed", int, d.max_items_per_feed,
                                  check=_positive),
    )
    t.done()
    return f


def _parse_sources(top: _Table, base: Path, name: str) -> tuple[Source, ...]:
    sources: list[Source] = []
    for number, entry in enumerate(top.take("sources", list, []), start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{name}: sources #{number} must be a table ([[sources]])")
        t = _Table(entry, f"sources[{number}]", name)
        feed = t.take("feed", str, "")
        folder = t.take("folder", str, "")
        if bool(feed) == bool(folder):
            raise t.fail("feed", "or 'folder' must be given, one of the two")
        if feed and urlsplit(feed).scheme not in ("http", "https"):
            raise t.fail("feed", f"must be an http(s) URL, got {feed!r}")
        source = Source(name=t.take("name", str, feed or folder), feed=feed or None,
                        folder=(base / folder) if folder else None,
                        outlet=t.take("outlet", str, "") or None)
        t.done()
        if any(s.name == source.name for s in sources):
            raise t.fail("name", f"repeats source '{source.name}'")
        sources.append(source)
    return tuple(sources)


def _parse_web(t: _Table) -> WebSettings:
    d = WebSettings()
    w = WebSettings(
        host=t.take("host", str, d.host, check=lambda v: None if v.strip() else "is empty"),
        port=t.take("port", int, d.port,
                    check=lambda v: None if 0 < v < 65536 else "must be a port number"),
        token_env=t.take("token_env", str, d.token_env),
        max_report_days=t.take("max_report_days", int, d.max_report_days, check=_positive),
    )
    t.done()
    return w


def _check_formats(value: list[Any]) -> str | None:
    bad = [v for v in value if v not in FORMATS]
    if bad or not value:
        return f"must list some of {list(FORMATS)}, got {value!r}"
    return None


def _check_strings(value: list[Any]) -> str | None:
    return None if all(isinstance(v, str) and v.strip() for v in value) else "must list strings"


def _parse_summary(t: _Table) -> SummarySettings:
    d = SummarySettings()
    s = SummarySettings(
        total_words=t.take("total_words", int, d.total_words, check=_positive),
        section_words=t.take("section_words", int, d.section_words, check=_positive),
        key_points=t.take("key_points", int, d.key_points, check=_non_negative),
        min_key_points=t.take("min_key_points", int, d.min_key_points, check=_non_negative),
        theme_threshold=t.take("theme_threshold", float, d.theme_threshold, check=_positive),
        redundancy=t.take("redundancy", float, d.redundancy, check=_fraction),
        duplicate=t.take("duplicate", float, d.duplicate, check=_fraction),
        position_weight=t.take("position_weight", float, d.position_weight, check=_non_negative),
        min_sentence_words=t.take("min_sentence_words", int, d.min_sentence_words,
                                  check=_non_negative),
        max_sentence_words=t.take("max_sentence_words", int, d.max_sentence_words,
                                  check=_positive),
    )
    t.done()
    if s.min_key_points > s.key_points:
        raise t.fail("min_key_points", f"({s.min_key_points}) exceeds key_points ({s.key_points})")
    return s


def _parse_themes(top: _Table, name: str) -> tuple[Theme, ...]:
    entries = top.take("themes", list, [])
    themes: list[Theme] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{name}: themes #{number} must be a table ([[themes]])")
        t = _Table(entry, f"themes[{number}]", name)
        key = t.take("key", str, "")
        if not key.isidentifier() or key == OTHER:
            raise t.fail("key", f"must be a short identifier other than '{OTHER}', got {key!r}")
        if any(th.key == key for th in themes):
            raise t.fail("key", f"repeats theme '{key}'")
        label = t.take("label", str, key.title())
        description = t.take("description", str, "")
        words = t.take("words", int, 0, check=_positive) or None
        raw_terms = t.take("terms", dict, {})
        terms: dict[str, float] = {}
        for term, weight in raw_terms.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                raise t.fail(f"terms.{term}", f"must be a positive number, got {weight!r}")
            if not term.strip():
                raise t.fail("terms", "has an empty term")
            terms[term.strip()] = float(weight)
        if not terms:
            raise t.fail("terms", "must list at least one term with its weight")
        t.done()
        themes.append(Theme(key=key, label=label, description=description, terms=terms,
                            words=words))
    if not themes:
        raise ConfigError(f"{name}: no themes defined; add at least one [[themes]] table")
    return tuple(themes)

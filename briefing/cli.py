"""The `briefing` command: a few lines per command over the library.

Exit codes: 0 success, 1 failure (nothing usable, cannot write), 2 bad usage
or configuration. Errors are one line on standard error; `--debug` shows the
traceback of an unexpected one.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast
from zoneinfo import ZoneInfo

import click

from briefing import __version__, days
from briefing.config import FORMATS, Settings, load_settings
from briefing.errors import RUN_ERRORS, USAGE_ERRORS, IngestError, NoUsableArticles

log = logging.getLogger("briefing")
F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A run that could not do its job (exit 1)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"briefing: error: {self.format_message()}", err=True)


class BadUsage(Failure):
    """Bad arguments or configuration (exit 2)."""

    exit_code = 2


def _errors(func: F) -> F:
    """Turn the library's errors into one-line messages with the right exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:  # `briefing sentences … | head`: the reader has had enough
            _quiet_exit()
        except USAGE_ERRORS as exc:
            raise BadUsage(str(exc)) from None
        except RUN_ERRORS as exc:
            raise Failure(str(exc)) from None
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise Failure(f"{exc.strerror or exc}{where}") from None

    return cast(F, wrapper)


def _end(stop: SystemExit) -> NoReturn:
    """End the process with `stop`'s status, without tearing the interpreter down.

    When a command has returned, its files are written and closed, its worker
    processes joined and its run recorded. What a normal exit still does is free
    some 1,500 modules (NLTK, SQLAlchemy, NumPy) one by one: about a fifth of a
    second of `briefing run`, spent after the brief is done. Here the exit
    handlers run (logging's final flush, multiprocessing's clean-up) and standard
    output and error are flushed, then the process ends at once with the same
    status. The exit is the normal one while another thread runs (it waits for
    it), under a profiler, tracer or debugger (they write their results after the
    program ends), and with `python -i` (which goes on to its prompt).
    """
    if threading.active_count() > 1 or _watched():
        raise stop
    code = stop.code
    if code is not None and not isinstance(code, int) and sys.stderr is not None:
        print(code, file=sys.stderr)  # as sys.exit("message") prints it
    status = code if isinstance(code, int) else 0 if code is None else 1
    atexit._run_exitfuncs()  # what the interpreter's own exit runs first (CPython's API)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # pythonw and some service wrappers have none
            continue
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # the reader has had enough (see _quiet_exit), or the stream is closed
        except OSError:
            status = status or 120  # as the interpreter's exit says a failed final flush
    os._exit(status)


def _watched() -> bool:
    """Whether a profiler, tracer or debugger is on, or `python -i` waits to take over."""
    if sys.getprofile() or sys.gettrace() or sys.flags.inspect:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: how cProfile watches
    return monitoring is not None and any(monitoring.get_tool(i) for i in range(6))


def _quiet_exit() -> NoReturn:
    """Exit 0 without a word when standard output was closed by its reader.

    Standard output is pointed at /dev/null first, so the interpreter's final
    flush of the closed pipe cannot fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def _config_path(config: Path | None) -> Path | None:
    """The file the settings come from, absolute, for the scheduler's stored job."""
    if config is not None:
        return config.resolve()
    local = Path("briefing.toml")
    return local.resolve() if local.is_file() else None


def _service_logging() -> None:
    """A long-running service says what it does, unless told to be quiet."""
    root = logging.getLogger()
    if not root.isEnabledFor(logging.INFO) and root.level < logging.ERROR:
        root.setLevel(logging.INFO)


def _settings(config: Path | None) -> Settings:
    if config is not None:
        return load_settings(config)
    local = Path("briefing.toml")
    return load_settings(local if local.is_file() else None)


def _parse_date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadUsage(f"bad date {value!r}: use YYYY-MM-DD, e.g. 2025-10-28") from None
    try:
        return days.in_range(day, "--date")
    except ValueError as exc:
        raise BadUsage(str(exc)) from None


def _parse_now(_: click.Context, __: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadUsage(f"bad --now {value!r}: use ISO 8601, e.g. 2025-10-28T07:00:00+05:00"
                       ) from None
    try:
        return days.check_moment(moment if moment.tzinfo else moment.astimezone(), "--now")
    except (ValueError, OverflowError):  # astimezone() beyond the calendar overflows
        raise BadUsage(f"--now {value} is out of range: briefs are made for days "
                       f"{days.RANGE}") from None


def _parse_formats(_: click.Context, __: click.Parameter, value: str | None
                   ) -> tuple[str, ...] | None:
    if value is None:
        return None
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise BadUsage(f"unknown format {', '.join(unknown) or value!r}; "
                       f"choose from {','.join(FORMATS)}")
    return chosen


BRIEF_OPTION = click.option(
    "--brief", "brief", default=None, metavar="KEY",
    help="Only the brief with this key ([[briefs]]). Default: every brief.")


def _one_brief(settings: Settings, key: str | None) -> Settings:
    """The brief a command about one brief's themes reads: the one named, or the only one."""
    every = settings.chosen(key)
    if len(every) > 1:
        raise BadUsage("the configuration has several briefs; name one with --brief KEY ("
                       + ", ".join(b.key for b in every) + ")")
    return every[0]


def _each(briefs: Sequence[Settings], action: Callable[[Settings], None]) -> None:
    """Do `action` for every brief; one brief's failure does not stop the others."""
    if len(briefs) == 1:
        action(briefs[0])
        return
    failed = []
    for brief in briefs:
        try:
            action(brief)
        except (Failure, *RUN_ERRORS) as exc:
            message = exc.format_message() if isinstance(exc, Failure) else str(exc)
            click.echo(f"briefing: error: brief {brief.key}: {message}", err=True)
            failed.append(brief.key)
    if failed:
        raise Failure(f"{len(failed)} of {len(briefs)} briefs failed: {', '.join(failed)}")


CONFIG_OPTION = click.option(
    "--config", "config", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Configuration file (default: ./briefing.toml, else the built-in defaults).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
@click.option("-v", "--verbose", is_flag=True, help="Show progress even when not on a terminal.")
@click.option("-q", "--quiet", is_flag=True, help="Show errors only.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, debug: bool) -> None:
    """Themed, cited, extractive daily briefs from a folder of news articles."""
    level = logging.WARNING
    if debug:
        level = logging.DEBUG
    elif verbose or (sys.stderr.isatty() and not quiet):
        level = logging.INFO
    elif quiet:
        level = logging.ERROR
    logging.basicConfig(level=level, format="briefing: %(message)s", stream=sys.stderr,
                        force=True)
    # Third-party libraries speak only when something is wrong.
    for noisy in ("weasyprint", "fontTools", "trafilatura", "htmldate", "apscheduler",
                  "matplotlib", "PIL", "httpx", "httpcore", "urllib3", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR if not debug else logging.DEBUG)
    ctx.obj = {"debug": debug}


@cli.command()
@click.option("--input", "input_dir", type=click.Path(path_type=Path), default=None,
              help="Read exactly this folder of articles (.txt .md .html .htm), whatever the "
                   "configured source. Default: the archive when [[sources]] are configured, "
                   "else paths.input.")
@click.option("--output", "output_dir", type=click.Path(path_type=Path), default=None,
              help="Folder that receives DATE/brief.*. Default: paths.output.")
@click.option("--date", "day", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="Date of the brief (names its folder). From the archive, the brief covers "
                   "that day's window. Default: today in schedule.timezone.")
@click.option("--fetch/--no-fetch", "fetch_first", default=None,
              help="Fetch the [[sources]] into the archive first. Default: fetch for today's "
                   "brief, not for an earlier day's.")
@CONFIG_OPTION
@click.option("--format", "formats", callback=_parse_formats, default=None,
              metavar="html,pdf,json", help="Formats to write. Default: output.formats.")
@click.option("--now", callback=_parse_now, default=None, metavar="ISO-8601",
              help="Generation time to print in the brief (for reproducible output).")
@BRIEF_OPTION
@_errors
def run(input_dir: Path | None, output_dir: Path | None, day: date | None,
        fetch_first: bool | None, config: Path | None, formats: tuple[str, ...] | None,
        now: datetime | None, brief: str | None) -> None:
    """Render the day's brief as HTML, PDF and JSON from the configured source."""
    settings = _settings(config)
    briefs = [b.with_overrides(output_dir=output_dir, formats=formats)
              for b in settings.chosen(brief)]
    if any("pdf" in b.formats for b in briefs) and _EARLY_PDF:
        from briefing import earlypdf

        earlypdf.start()  # WeasyPrint loads on the other core while the brief is made
        try:
            _run_all(settings, briefs, input_dir, day, fetch_first, now)
        finally:
            earlypdf.stop()
    else:
        _run_all(settings, briefs, input_dir, day, fetch_first, now)


def _run_all(settings: Settings, briefs: list[Settings], input_dir: Path | None, day: date | None,
             fetch_first: bool | None, now: datetime | None) -> None:
    from briefing import source

    moment = now or datetime.now().astimezone()
    if len(briefs) > 1 and input_dir is None and (
            fetch_first if fetch_first is not None else
            any(day is None or day >= source.today(b, moment) for b in briefs)):
        from briefing import daily

        every = replace(settings, sources=settings.fetched_sources(), briefs=())
        report = daily.fetch_first(every, source.configured(every))  # a shared feed once
        if report is not None:
            click.echo(f"fetched: {report.summary()}", err=True)
        fetch_first = False  # each brief's window ends after this fetch, when it starts

    def make(b: Settings) -> None:
        _run(b, input_dir, day, fetch_first, now, len(briefs) > 1)

    _each(briefs, make)


def _run(settings: Settings, input_dir: Path | None, day: date | None,
         fetch_first: bool | None, now: datetime | None, named: bool = False) -> None:
    from briefing import daily, source

    said = f"{settings.key}: " if named else ""
    zone = ZoneInfo(settings.schedule.timezone)  # times in the brief read as the schedule's
    moment = now or datetime.now(zone)
    day = day or source.today(settings, moment)
    chosen = source.configured(settings, input_dir)
    window = None
    if isinstance(chosen, source.ArchiveSource):
        if fetch_first if fetch_first is not None else day >= source.today(settings, moment):
            report = daily.fetch_first(settings, chosen)
            if report is not None:
                click.echo(f"{said}fetched: {report.summary()}", err=True)
        moment = now or datetime.now(zone)  # today's window ends after what was just fetched
        window = source.day_window(settings, day, moment)
    elif fetch_first:
        raise BadUsage("--fetch reads the [[sources]] into the archive, but "
                       + ("--input names a folder" if input_dir else
                          "there are no [[sources]] in the configuration"))
    now = moment
    produced = daily.recorded(settings, day, "manual", now, lambda: daily.produce(
        settings, day, now, settings.formats, chosen, window))
    click.echo(said + produced.summary, err=True)
    for path in produced.files:
        click.echo(str(path))


@cli.command()
@CONFIG_OPTION
@BRIEF_OPTION
@_errors
def schedule(config: Path | None, brief: str | None) -> None:
    """Make (and mail) each brief every day at its configured time, in the foreground."""
    from briefing.schedule import serve

    settings = _settings(config)
    keys = [b.key for b in settings.chosen(brief)]
    _service_logging()
    serve(settings, _config_path(config), keys)


@cli.command()
@click.option("--date", "day", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="Date of the brief to send. Default: today in schedule.timezone.")
@click.option("--dry-run", is_flag=True,
              help="Write the message, as it would be sent, beside the day's brief instead "
                   "of sending it.")
@click.option("--force", is_flag=True, help="Send even if this day's brief was sent before.")
@CONFIG_OPTION
@BRIEF_OPTION
@_errors
def send(day: date | None, dry_run: bool, force: bool, config: Path | None,
         brief: str | None) -> None:
    """E-mail a day's brief with its PDF attached (rendering it first when missing)."""
    from briefing import deliver

    briefs = _settings(config).chosen(brief)
    for settings in briefs:  # every brief's mail settings are checked before any is sent
        if dry_run:
            deliver.subject_template(settings.email)
        else:
            deliver.check_ready(settings)
    from briefing.source import today

    now = datetime.now().astimezone()
    _each(briefs, lambda b: _send(b, day or today(b, now), now, dry_run, force, len(briefs) > 1))


def _send(settings: Settings, day: date, now: datetime, dry_run: bool, force: bool,
          named: bool) -> None:
    from briefing import daily
    from briefing.history import history_of

    said = f"{settings.key}: " if named else ""
    history = history_of(settings)

    def action() -> str:
        return daily.send_day(settings, day, now, history, force=force, dry_run=dry_run)

    if dry_run:
        click.echo(said + action())
        return
    history.check()
    click.echo(said + daily.recorded_send(settings, day, now, history, action))


@cli.command()
@click.option("--host", default=None,
              help="Address to bind (default: web.host, 127.0.0.1). Beyond loopback, an access "
                   "token must be set in the environment variable web.token_env.")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port (default: web.port, 8000).")
@CONFIG_OPTION
@_errors
def serve(host: str | None, port: int | None, config: Path | None) -> None:
    """Serve the briefs on demand in a browser: latest, any day, past briefs, reports."""
    import os

    import uvicorn

    from briefing.web import create_app, is_loopback
    from briefing.web.server import options

    settings = _settings(config)
    host = host or settings.web.host
    port = port or settings.web.port
    token = None
    if not is_loopback(host):
        token = os.environ.get(settings.web.token_env) or None
        if token is None:
            raise BadUsage(f"serving on {host} (beyond this machine) needs an access token in "
                           f"the environment variable {settings.web.token_env}")
    _service_logging()
    if host in ("0.0.0.0", "::") and not settings.web.allowed_hosts:
        log.warning("listening on every address, but answering only requests for localhost "
                    "and %s: list the names clients use in web.allowed_hosts", settings.web.host)
    log.info("serving briefs from %s on http://%s:%d/", settings.output_dir, host, port)
    uvicorn.run(create_app(settings, token, host), host=host, port=port, **options())


@cli.command()
@CONFIG_OPTION
@BRIEF_OPTION
@_errors
def fetch(config: Path | None, brief: str | None) -> None:
    """Fetch every [[sources]] feed and folder into the article archive."""
    from briefing.fetch import fetch_sources
    from briefing.source import archive_of

    settings = _settings(config)
    if brief is not None:
        settings = settings.chosen(brief)[0]
    # A feed several briefs read is fetched once, into the one archive they share.
    settings = replace(settings, sources=settings.fetched_sources(), briefs=())
    if not settings.sources:
        raise BadUsage("no [[sources]] in the configuration: nothing to fetch "
                       "(see README.md, 'Sources and the archive')")
    report = fetch_sources(settings, archive_of(settings))  # each failure is logged once
    click.echo(report.summary())
    if report.failed and len(report.failed) == len(settings.sources):
        raise Failure("every source failed")


@cli.command()
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True,
              help="How many of the latest runs to show.")
@CONFIG_OPTION
@BRIEF_OPTION
@_errors
def history(limit: int, config: Path | None, brief: str | None) -> None:
    """Show the latest runs: when, status, articles, files and delivery."""
    from briefing.history import history_of

    briefs = _settings(config).chosen(brief)
    for settings in briefs:
        if len(briefs) > 1:
            click.echo(f"brief {settings.key}:")
        _history(history_of(settings).runs(limit))


def _history(runs: Sequence[Any]) -> None:
    if not runs:
        click.echo("no runs recorded yet")
        return
    for r in runs:
        files = ", ".join(Path(f).name for f in r.files) or "no files"
        ended = r.ended or ("running" if r.status == "running" else "?")
        click.echo(f"#{r.id} {r.started} → {ended}  {r.day}  {r.trigger}  "
                   f"{r.status}  {r.articles} articles  {files}"
                   + (f"  delivery: {r.delivery}" if r.delivery else "")
                   + (f"  ({r.message})" if r.message else ""))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@CONFIG_OPTION
@BRIEF_OPTION
@_errors
def sentences(folder: Path, config: Path | None, brief: str | None) -> None:
    """Print each sentence of FOLDER's articles as a JSON line, with its theme scores."""
    from briefing import pipeline
    from briefing.source import FolderSource

    settings = _one_brief(_settings(config), brief)
    reading = FolderSource(folder).read(settings).reading
    pipeline.require_articles(reading, folder)
    for t in pipeline.theme(reading, settings).sentences:
        why = t.why
        click.echo(json.dumps({"article": t.sentence.article, "index": t.sentence.index,
                               "text": t.sentence.text, "theme": t.theme, "scores": t.scores,
                               "best": why.best, "terms": list(why.terms),
                               "own": why.own, "context": why.context,
                               "learned": why.learned, "against": why.against,
                               "total": why.total,
                               "story": why.story}, ensure_ascii=False))


@cli.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--words", type=click.IntRange(1, 100_000), required=True,
              help="Length of each summary in words; the last sentence may be cut.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write FOLDER/<name>.txt per input folder instead of printing.")
@CONFIG_OPTION
@click.option("--brief", "brief", default=None, metavar="KEY",
              help="Use the summary settings of the brief with this key ([[briefs]]). "
                   "Default: the top level's.")
@_errors
def summarize(folders: Sequence[Path], words: int, out: Path | None, config: Path | None,
              brief: str | None) -> None:
    """Theme-agnostic extractive summary of each folder: best sentence first, one a line."""
    from briefing import ingest, workers
    from briefing.files import atomic_write

    if out is None and len(folders) > 1:
        raise BadUsage("several folders need --out FOLDER to write one summary each")
    settings = _settings(config)
    if brief is not None:
        settings = settings.chosen(brief)[0]
    failed = files = 0
    readable = []
    for folder in folders:
        try:
            files += len(ingest.article_files(folder))
            readable.append(folder)
        except IngestError as exc:
            if out is None:
                raise
            log.error("%s", exc)
            failed += 1
    if workers.for_folders(settings, files, len(readable)) > 1:
        workers.warm()  # the workers' fork server loads the pipeline while this process does
    from briefing import pipeline

    for folder, summary in zip(readable, pipeline.summaries(readable, settings, words),
                               strict=True):
        if isinstance(summary, NoUsableArticles):
            if out is None:
                raise summary
            log.error("%s", summary)
            failed += 1
            continue
        text = "\n".join(summary) + "\n"
        if out is None:
            click.echo(text, nl=False)
        else:
            name = folder.resolve().parent.name if folder.resolve().name == "docs" \
                else folder.resolve().name
            click.echo(str(atomic_write(out / f"{name}.txt", text)))
    if failed:
        raise Failure(f"{failed} of {len(folders)} folders had no usable article")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@_errors
def init(folder: Path) -> None:
    """Write a commented starter briefing.toml for a new story into FOLDER (default: here)."""
    from briefing.starter import write_starter

    path = write_starter(folder)
    click.echo(str(path))
    click.echo(f"wrote a starter configuration: edit its title, story, themes and feed, then "
               f"run `briefing run --config {path}`", err=True)


# Only the command line proper renders the PDF in an early process (tests call `cli`).
_EARLY_PDF = False


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: unexpected errors become one line (with --debug, a traceback).

    As the command line (no `argv`), the process ends through `_end`; given `argv`,
    it raises SystemExit as click does, for the caller to catch.
    """
    global _EARLY_PDF
    _EARLY_PDF = True
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="briefing", standalone_mode=True)
    except SystemExit as exc:
        if argv is not None:  # called from Python: the caller's process goes on
            raise
        _end(exc)
    except BrokenPipeError:  # `briefing sentences … | head`: the reader has had enough
        _quiet_exit()
    except Exception as exc:
        if "--debug" in args:
            raise
        click.echo(f"briefing: internal error: {type(exc).__name__}: {exc} "
                   "(run with --debug for details)", err=True)
        sys.exit(1)

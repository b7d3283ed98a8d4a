"""`briefing serve`: the briefs on demand, in a browser.

Pages are rendered from each day's brief.json through the same templates as
the files, so a page and its PDF say the same thing. Every path on disk is
built from a parsed date, never from request text, so no request can reach
outside the output folder. Regenerating a day runs in a separate process,
so reading stays fast while it works; the button is a POST with a CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import multiprocessing
import re
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from briefing import daily, pipeline
from briefing.config import Settings
from briefing.models import Brief
from briefing.render import brief_from_dict, environment, render_html

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                               "data:; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
FILES = {"pdf": "application/pdf", "json": "application/json", "html": "text/html"}


class WebError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_day(text: str, what: str = "date") -> date:
    match = DAY.match(text or "")
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise WebError(400, f"Not a {what}: {text[:40]!r}. Use YYYY-MM-DD, e.g. 2025-10-28.")


# --- the briefs on disk ------------------------------------------------------------------

class Store:
    """The output folder's briefs, parsed once per change of their brief.json."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.output_dir.resolve()
        self._briefs: dict[date, tuple[int, Brief]] = {}

    def folder(self, day: date) -> Path:
        folder = (self.root / day.isoformat()).resolve()
        if not folder.is_relative_to(self.root):  # a date cannot do this; belt and braces
            raise WebError(400, "Bad path.")
        return folder

    def days(self) -> list[date]:
        if not self.root.is_dir():
            return []
        found = []
        for entry in self.root.iterdir():
            if DAY.match(entry.name) and (entry / "brief.json").is_file():
                try:
                    found.append(date.fromisoformat(entry.name))
                except ValueError:
                    continue
        return sorted(found, reverse=True)

    def stamp(self, day: date) -> int:
        try:
            return (self.folder(day) / "brief.json").stat().st_mtime_ns
        except FileNotFoundError:
            raise WebError(404, f"There is no brief for {day.isoformat()}.") from None

    def brief(self, day: date) -> Brief:
        stamp = self.stamp(day)
        cached = self._briefs.get(day)
        if cached and cached[0] == stamp:
            return cached[1]
        data = json.loads((self.folder(day) / "brief.json").read_text(encoding="utf-8"))
        brief = brief_from_dict(data)
        self._briefs[day] = (stamp, brief)
        return brief

    def file(self, day: date, kind: str) -> Path:
        path = self.folder(day) / f"brief.{kind}"
        if not path.is_file():
            raise WebError(404, f"There is no {kind.upper()} for {day.isoformat()}.")
        return path


def narrow(brief: Brief, keys: list[str]) -> Brief:
    """Only the chosen themes' sections and key points."""
    if not keys:
        return brief
    return replace(brief, key_points=tuple(k for k in brief.key_points if k.theme in keys),
                   sections=tuple(s for s in brief.sections if s.theme in keys))


# --- regenerating a day ------------------------------------------------------------------

def _regenerate(settings: Settings, day: date) -> str:
    """Runs in the worker process: the same as `briefing run --date DAY`."""
    now = datetime.now().astimezone()
    produced = daily.recorded(settings, day, "web", now,
                              lambda: daily.produce(settings, day, now, settings.formats))
    return f"{produced.articles} articles, {len(produced.files)} files"


@dataclass
class Job:
    id: str
    day: date
    started: str
    status: str = "running"
    message: str = ""


class Jobs:
    """Regenerations, one process at a time; asking again for a running day joins it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:  # spawn: forking a threaded server is unsafe
            self._pool = ProcessPoolExecutor(max_workers=1,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def start(self, day: date) -> Job:
        for job in self.jobs.values():
            if job.day == day and job.status == "running":
                return job
        job = Job(secrets.token_urlsafe(8), day, datetime.now().astimezone().strftime("%H:%M:%S"))
        self.jobs[job.id] = job
        future = self.pool().submit(_regenerate, self.settings, day)

        def finished(done: Future[str]) -> None:
            try:
                job.message, job.status = done.result(), "done"
            except Exception as exc:
                job.message, job.status = f"{type(exc).__name__}: {exc}", "failed"
            log.info("regeneration of %s %s: %s", job.day, job.status, job.message)

        future.add_done_callback(finished)
        return job

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


# --- the application ------------------------------------------------------------------------

class _Cache(OrderedDict[tuple[Any, ...], str]):
    """A small LRU of rendered pages."""

    def __init__(self, size: int = 256) -> None:
        super().__init__()
        self.size = size

    def put(self, key: tuple[Any, ...], value: str) -> str:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


def create_app(settings: Settings, token: str | None = None) -> Starlette:
    store = Store(settings)
    jobs = Jobs(settings)
    secret = secrets.token_bytes(32)
    pages = _Cache()
    env = environment(settings)
    keys = [t.key for t in settings.themes]
    labels = {t.key: t.label for t in settings.themes}

    def csrf(day: date) -> str:
        message = f"regenerate {day.isoformat()}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    def themes_of(request: Request) -> list[str]:
        asked = [k.strip() for v in request.query_params.getlist("theme") for k in v.split(",")
                 if k.strip()]
        unknown = [k for k in asked if k not in keys]
        if unknown:
            raise WebError(400, f"Unknown theme {unknown[0][:40]!r}. Themes: {', '.join(keys)}.")
        return list(dict.fromkeys(asked))

    def nav(base: str, selected: list[str], day: date | None, report: tuple[date, date] | None,
            downloads: list[dict[str, str]], note: str = "") -> dict[str, Any]:
        def href(chosen: list[str]) -> str:
            pairs = [("from", report[0].isoformat()), ("to", report[1].isoformat())] \
                if report else []
            query = urlencode([*pairs, *(("theme", k) for k in chosen)])
            return f"{base}?{query}" if query else base

        until = report[1] if report else day or datetime.now().date()
        since = report[0] if report else until - timedelta(days=6)
        return {
            "themes": [{"key": k, "label": labels[k], "selected": k in selected,
                        "href": href([k])} for k in keys],
            "selected": selected, "all_href": href([]), "downloads": downloads,
            "regenerate": f"/brief/{day.isoformat()}/regenerate" if day else None,
            "csrf": csrf(day) if day else "", "note": note,
            "report_from": since.isoformat(), "report_to": until.isoformat(),
        }

    def page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
        plain = {**nav("/", [], None, None, []), "themes": []}  # theme filters fit briefs only
        defaults = {"refresh": None, "kicker": "briefing", "web": plain}
        html = env.get_template(template).render(**{**defaults, **values})
        return HTMLResponse(html, status_code=status)

    def brief_response(day: date, request: Request) -> HTMLResponse:
        selected = themes_of(request)
        key = ("brief", day, tuple(selected), store.stamp(day))
        if key not in pages:
            brief = store.brief(day)
            downloads = [{"label": kind.upper(), "href": f"/brief/{day.isoformat()}.{kind}"}
                         for kind in ("pdf", "json")
                         if (store.folder(day) / f"brief.{kind}").is_file()]
            note = ("Showing only: " + ", ".join(labels[k] for k in selected)) if selected else ""
            web = nav(f"/brief/{day.isoformat()}", selected, day, None, downloads, note)
            pages.put(key, render_html(narrow(brief, selected), settings, web=web))
        return HTMLResponse(pages[key])

    async def latest(request: Request) -> Response:
        days = store.days()
        if not days:
            raise WebError(404, "There is no brief yet. Run `briefing run`, or wait for the "
                                "schedule.")
        return brief_response(days[0], request)

    async def brief(request: Request) -> Response:
        name = request.path_params["name"]
        stem, _, kind = name.partition(".")
        day = parse_day(stem)
        if kind and kind not in FILES:
            raise WebError(404, f"No such file: {name[:40]}. Try .pdf, .json or .html.")
        if kind in ("pdf", "json"):
            return FileResponse(store.file(day, kind), media_type=FILES[kind],
                                filename=f"brief-{day.isoformat()}.{kind}",
                                content_disposition_type="inline")
        return brief_response(day, request)

    async def archive(request: Request) -> Response:
        rows = []
        for day in store.days():
            try:
                b = store.brief(day)
            except (WebError, ValueError, KeyError) as exc:
                log.warning("unreadable brief for %s: %s", day, exc)
                continue
            rows.append({"date": day.isoformat(), "articles": len(b.articles),
                         "counts": {s.theme: len(s.items) for s in b.sections}})
        return page("web/archive.html.j2", page_title="Archive", kicker="Every brief",
                    days=rows, themes=settings.themes)

    async def report(request: Request) -> Response:
        since = parse_day(request.query_params.get("from", ""), "start date ('from')")
        until = parse_day(request.query_params.get("to", ""), "end date ('to')")
        if since > until:
            raise WebError(400, "The report's start ('from') is after its end ('to').")
        if (until - since).days + 1 > settings.web.max_report_days:
            raise WebError(400, f"A report covers at most {settings.web.max_report_days} days "
                                "(web.max_report_days).")
        selected = themes_of(request)
        days = [d for d in store.days() if since <= d <= until]
        if not days:
            raise WebError(404, f"There is no brief between {since} and {until}.")
        key = ("report", since, until, tuple(selected), tuple(store.stamp(d) for d in days))
        if key not in pages:
            brief, missing = await run_in_threadpool(multi_day, settings, store, days, since,
                                                     until)
            note = f"{len(days)} daily brief(s) merged and ranked afresh."
            if missing:
                note += f" {missing} of their articles are no longer in the input folder."
            if selected:
                note += " Showing only: " + ", ".join(labels[k] for k in selected) + "."
            web = nav("/report", selected, None, (since, until), [], note)
            pages.put(key, render_html(narrow(brief, selected), settings, web=web))
        return HTMLResponse(pages[key])

    async def regenerate(request: Request) -> Response:
        day = parse_day(request.path_params["day"])
        form = await request.form()
        sent = str(form.get("csrf", ""))
        if not hmac.compare_digest(sent, csrf(day)):
            raise WebError(403, "This form has expired or did not come from this page; "
                                "reload the brief and try again.")
        job = jobs.start(day)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    async def job_page(request: Request) -> Response:
        job = jobs.jobs.get(request.path_params["id"])
        if job is None:
            raise WebError(404, "No such regeneration (the server may have restarted).")
        return page("web/job.html.j2", page_title=f"Regenerating {job.day.isoformat()}",
                    kicker="Regenerate", job=job, refresh=1 if job.status == "running" else None)

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, WebError):
            status, message = exc.status, exc.message
        elif isinstance(exc, HTTPException):
            status, message = exc.status_code, {404: "There is no such page.",
                                                405: "That method is not allowed here."
                                                }.get(exc.status_code, str(exc.detail))
        else:
            log.exception("error serving %s", request.url.path)
            status, message = 500, "Something went wrong; the server log says what."
        return page("web/error.html.j2", status=status, page_title=f"{status}: "
                    f"{'Not found' if status == 404 else 'Cannot show this'}",
                    kicker="briefing", message=message)

    routes = [
        Route("/", latest),
        Route("/archive", archive),
        Route("/report", report),
        Route("/brief/{name}", brief),
        Route("/brief/{day}/regenerate", regenerate, methods=["POST"]),
        Route("/jobs/{id}", job_page),
    ]
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        jobs.close()  # a regeneration under way is finished first

    middleware = [Middleware(SecurityHeaders, token=token)]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={WebError: on_error, HTTPException: on_error,
                                        Exception: on_error},
                    lifespan=lifespan)
    app.state.jobs = jobs
    return app


class SecurityHeaders(BaseHTTPMiddleware):
    """Security headers on every response; with a token, no response without it."""

    def __init__(self, app: Any, token: str | None = None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
                or request.cookies.get("briefing_token", "") \
                or request.query_params.get("token", "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                response: Response = HTMLResponse(
                    "<!DOCTYPE html><html lang=en><title>401</title><p>This briefing server "
                    "needs its access token.</p></html>", status_code=401)
            else:
                response = await call_next(request)
                if request.query_params.get("token"):
                    response.set_cookie("briefing_token", self.token, httponly=True,
                                        samesite="strict")
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response


def multi_day(settings: Settings, store: Store, days: list[date], since: date,
              until: date) -> tuple[Brief, int]:
    """One brief from the articles of several days' briefs, ranked afresh."""
    names = {a.id.split("#", 1)[0] for d in days for a in store.brief(d).articles}
    reading = pipeline.read(settings.input_dir, settings, names)
    found = {a.id.split("#", 1)[0] for a in reading.articles} | {s.file for s in reading.skipped}
    title = f"{settings.title}: {since.isoformat()} to {until.isoformat()}"
    brief = pipeline.brief_of(reading, replace(settings, title=title), until,
                              datetime.now().astimezone())
    window = f"the articles of the briefs from {since.isoformat()} to {until.isoformat()}"
    return replace(brief, window=window), len(names - found)

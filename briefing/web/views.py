"""One small function per page, all reading the one app state.

Everything that reads files or renders runs in a worker thread, never on the
event loop, so a slow page never holds up the others. Every path on disk comes
from the brief store and a parsed date, never from request text.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import replace
from datetime import date, datetime

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from briefing import reports
from briefing.days import RANGE, in_range
from briefing.errors import NoBrief
from briefing.files import shown
from briefing.models import Brief
from briefing.render import render_html
from briefing.web.bounded import Overloaded
from briefing.web.security import same_origin

log = logging.getLogger(__name__)

DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
FILES = {"pdf": "application/pdf", "json": "application/json", "html": "text/html"}


def _state(request: Request):  # type: ignore[no-untyped-def]
    """The brief a page is about: the one under /b/KEY/, else the one at the root."""
    key = request.path_params.get("brief")
    if key is None:
        return request.app.state.briefing
    found = request.app.state.briefs.get(key)
    if found is None:
        raise _error(404, f"There is no brief {key[:40]!r}. Briefs: "
                          f"{', '.join(request.app.state.briefs)}.")
    return found


class WebError(Exception):
    """A page that cannot be shown: its status and a sentence for the reader."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> WebError:
    return WebError(status, message)


def parse_day(text: str, what: str = "date") -> date:
    match = DAY.match(text or "")
    try:
        if match:
            return in_range(date(int(match[1]), int(match[2]), int(match[3])))
    except ValueError:
        pass
    raise _error(400, f"Not a {what}: {text[:40]!r}. Use YYYY-MM-DD, e.g. 2025-10-28, "
                      f"{RANGE}.")


def narrow(brief: Brief, keys: list[str]) -> Brief:
    """Only the chosen themes' sections and key points."""
    if not keys:
        return brief
    return replace(brief, key_points=tuple(k for k in brief.key_points if k.theme in keys),
                   sections=tuple(s for s in brief.sections if s.theme in keys))


def _brief_page(request: Request, day: date) -> str:
    """A day's brief as a page (in a worker thread; cached per version of the brief)."""
    state = _state(request)
    selected = state.themes_of(request)
    key = ("brief", day, tuple(selected), state.store.stamp(day))
    if key not in state.pages:
        brief = state.store.read(day)
        downloads = [{"label": kind.upper(),
                      "href": f"{state.base}/brief/{day.isoformat()}.{kind}"}
                     for kind in ("pdf", "json") if state.store.has(day, kind)]
        note = ("Showing only: " + ", ".join(state.labels[k] for k in selected)
                ) if selected else ""
        web = state.nav(f"{state.base}/brief/{day.isoformat()}", selected, day, None,
                        downloads, note)
        state.pages.put(key, render_html(narrow(brief, selected), state.settings, web=web))
    return str(state.pages[key])


async def latest(request: Request) -> Response:
    """The newest brief that can be shown; a damaged one is skipped (and logged once)."""
    def page() -> str:
        state = _state(request)
        days = state.store.days()
        if not days:
            raise _error(404, "There is no brief yet. Run `briefing run`, or wait for the "
                              "schedule.")
        for day in days:
            try:
                return _brief_page(request, day)
            except WebError:
                raise
            except Exception as exc:  # NoBrief, or a brief that parses but cannot render
                state.skip_unreadable(day, exc)
        raise _error(404, "No brief can be shown: every one is damaged (the server log "
                          "says how).")

    return HTMLResponse(await run_in_threadpool(page))


async def brief(request: Request) -> Response:
    name = request.path_params["name"]
    stem, _, kind = name.partition(".")
    day = parse_day(stem)
    if kind and kind not in FILES:
        raise _error(404, f"No such file: {name[:40]}. Try .pdf, .json or .html.")
    if kind in ("pdf", "json"):
        data = await run_in_threadpool(_state(request).store.read_bytes, day, kind)
        return Response(data, media_type=FILES[kind], headers={
            "Content-Disposition": f'inline; filename="brief-{day.isoformat()}.{kind}"'})
    return HTMLResponse(await run_in_threadpool(_brief_page, request, day))


async def past_briefs(request: Request) -> Response:
    state = _state(request)

    def page() -> str:
        rows = []
        for day in state.store.days():
            try:
                b = state.store.read(day)
            except NoBrief as exc:
                state.skip_unreadable(day, exc)
                continue
            rows.append({"date": day.isoformat(), "articles": len(b.articles),
                         "counts": {s.theme: len(s.items) for s in b.sections}})
        return str(state.page("web/briefs.html.j2", page_title="Past briefs",
                              kicker="Every brief", days=rows, themes=state.settings.themes))

    return HTMLResponse(await run_in_threadpool(page))


async def moved_to_briefs(request: Request) -> Response:
    return RedirectResponse(f"{_state(request).base}/briefs", status_code=301)


async def moved_to_brief(request: Request) -> Response:
    return RedirectResponse(f"{_state(request).base}/", status_code=301)


async def moved_to_desk(request: Request) -> Response:
    return RedirectResponse("/", status_code=301)


async def desk(request: Request) -> Response:
    """Several briefs: each with its title and its days, newest first."""
    def page() -> str:
        rows = []
        for key, state in request.app.state.briefs.items():
            days = [d.isoformat() for d in state.store.days()]
            rows.append({"key": key, "title": state.settings.title, "base": state.base,
                         "days": days})
        return str(_state(request).page("web/desk.html.j2", page_title="Briefs",
                                        kicker="Every brief", briefs=rows))

    return HTMLResponse(await run_in_threadpool(page))


async def report(request: Request) -> Response:
    state = _state(request)
    settings = state.settings
    since = parse_day(request.query_params.get("from", ""), "start date ('from')")
    until = parse_day(request.query_params.get("to", ""), "end date ('to')")
    if since > until:
        raise _error(400, "The report's start ('from') is after its end ('to').")
    if (until - since).days + 1 > settings.web.max_report_days:
        raise _error(400, f"A report covers at most {settings.web.max_report_days} days "
                          "(web.max_report_days).")
    selected = state.themes_of(request)

    def find() -> tuple[list[date], tuple[object, ...]]:
        days = [d for d in state.store.days() if since <= d <= until]
        if not days:
            raise _error(404, f"There is no brief between {since} and {until}.")
        return days, ("report", state.base, since, until, tuple(selected),
                      tuple(state.store.stamp(d) for d in days))

    days, key = await run_in_threadpool(find)

    def compute() -> str:
        merged, missing = reports.multi_day(settings, state.store, days, since, until,
                                            datetime.now().astimezone())
        note = f"{len(days)} daily brief(s) merged and ranked afresh."
        if missing:
            note += f" {missing} of their articles could no longer be read from their source."
        if selected:
            note += " Showing only: " + ", ".join(state.labels[k] for k in selected) + "."
        web = state.nav(f"{state.base}/report", selected, None, (since, until), [], note)
        return str(state.pages.put(key, render_html(narrow(merged, selected), settings, web=web)))

    cached = state.pages.get(key)
    if cached is None:  # computed on the reports' own few threads, shared while under way
        cached = await state.reports.run(key, compute)
    return HTMLResponse(cached)


async def regenerate(request: Request) -> Response:
    state = _state(request)
    day = parse_day(request.path_params["day"])
    if not same_origin(request):
        raise _error(403, "This form did not come from this server's own page; reload the "
                          "brief here and try again.")
    form = await request.form()
    sent = str(form.get("csrf", "")).encode("utf-8")
    if not hmac.compare_digest(sent, state.csrf(day).encode()):
        raise _error(403, "This form has expired or did not come from this page; "
                          "reload the brief and try again.")
    job = state.jobs.start(day)
    return RedirectResponse(f"{state.base}/jobs/{job.id}", status_code=303)


async def job(request: Request) -> Response:
    state = _state(request)
    found = state.jobs.get(request.path_params["id"])
    if found is None:
        raise _error(404, "No such regeneration (the server may have restarted).")
    return HTMLResponse(state.page(
        "web/job.html.j2", page_title=f"Regenerating {found.day.isoformat()}",
        kicker="Regenerate", job=found, refresh=1 if found.status == "running" else None))


async def error(request: Request, exc: Exception) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, WebError):
        status, message = exc.status, exc.message
    elif isinstance(exc, Overloaded):
        status, message = 503, (f"Too many reports are being prepared; try again in "
                                f"{exc.retry_after} seconds. Day pages are not affected.")
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, NoBrief):
        status, message = 404, f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, {404: "There is no such page.",
                                            405: "That method is not allowed here."
                                            }.get(exc.status_code, str(exc.detail))
    else:
        log.error("error serving %s: %s: %s", shown(request.url.path), type(exc).__name__,
                  shown(exc), exc_info=log.isEnabledFor(logging.DEBUG))
        status, message = 500, "Something went wrong; the server log says what."
    title = f"{status}: {'Not found' if status == 404 else 'Cannot show this'}"
    state = request.app.state.briefs.get(request.path_params.get("brief", ""),
                                         request.app.state.briefing)
    html = state.page("web/error.html.j2", page_title=title, kicker="briefing",
                                message=message)
    return HTMLResponse(html, status_code=status, headers=headers)

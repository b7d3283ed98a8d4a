"""The web report's one app state and its routes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route

from briefing.briefs import BriefStore, store_of
from briefing.config import Settings
from briefing.errors import NoBrief
from briefing.render import environment
from briefing.web import views
from briefing.web.bounded import Bounded, Overloaded
from briefing.web.jobs import Jobs
from briefing.web.security import Guard, allowed_hosts
from briefing.web.views import WebError

log = logging.getLogger(__name__)


class Pages(OrderedDict[tuple[Any, ...], str]):
    """A small LRU of rendered pages, filled from several threads."""

    def __init__(self, size: int = 256) -> None:
        super().__init__()
        self.size = size
        self.guard = threading.Lock()

    def put(self, key: tuple[Any, ...], value: str) -> str:
        with self.guard:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)
        return value


@dataclass
class AppState:
    """Everything the views share: settings, the brief store, jobs, one Jinja environment."""

    settings: Settings
    store: BriefStore
    jobs: Jobs
    env: Environment
    reports: Bounded[str]
    pages: Pages = field(default_factory=Pages)
    base: str = ""  # where the brief's pages are: "" alone, "/b/KEY" among several
    desk: bool = False  # the index of several briefs, whose own pages are under /b/KEY
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    unreadable: set[tuple[date, tuple[int, int]]] = field(default_factory=set)  # logged once

    def skip_unreadable(self, day: date, exc: Exception) -> None:
        """A day whose brief cannot be shown: said in the log once per version, then skipped."""
        try:
            stamp = self.store.stamp(day)
        except NoBrief:
            stamp = (0, 0)
        if (day, stamp) not in self.unreadable:
            self.unreadable.add((day, stamp))
            log.warning("skipping the brief of %s: %s", day.isoformat(), exc)

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.settings.themes]

    @property
    def labels(self) -> dict[str, str]:
        return {t.key: t.label for t in self.settings.themes}

    def csrf(self, day: date) -> str:
        message = f"regenerate {day.isoformat()}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def themes_of(self, request: Request) -> list[str]:
        asked = [k.strip() for v in request.query_params.getlist("theme") for k in v.split(",")
                 if k.strip()]
        unknown = [k for k in asked if k not in self.keys]
        if unknown:
            raise WebError(400, f"Unknown theme {unknown[0][:40]!r}. "
                                f"Themes: {', '.join(self.keys)}.")
        return list(dict.fromkeys(asked))

    def nav(self, base: str, selected: list[str], day: date | None,
            report: tuple[date, date] | None, downloads: list[dict[str, str]],
            note: str = "") -> dict[str, Any]:
        """Navigation, theme filters and forms for a page of the brief (or of a report)."""
        def href(chosen: list[str]) -> str:
            pairs = [("from", report[0].isoformat()), ("to", report[1].isoformat())] \
                if report else []
            query = urlencode([*pairs, *(("theme", k) for k in chosen)])
            return f"{base}?{query}" if query else base

        from briefing.source import today

        until = report[1] if report else day or today(self.settings, datetime.now().astimezone())
        since = report[0] if report else until - timedelta(days=6)
        return {
            "themes": [{"key": k, "label": self.labels[k], "selected": k in selected,
                        "href": href([k])} for k in self.keys],
            "selected": selected, "all_href": href([]), "downloads": downloads,
            "regenerate": f"{self.base}/brief/{day.isoformat()}/regenerate" if day else None,
            "base": self.base, "report": None if self.desk else f"{self.base}/report",
            "csrf": self.csrf(day) if day else "", "note": note,
            "report_from": since.isoformat(), "report_to": until.isoformat(),
        }

    def page(self, template: str, **values: Any) -> str:
        """A page of our own (past briefs, progress, errors), without theme filters."""
        plain = {**self.nav(f"{self.base}/", [], None, None, []), "themes": []}
        defaults = {"refresh": None, "kicker": "briefing", "web": plain}
        return self.env.get_template(template).render(**{**defaults, **values})


def create_app(settings: Settings, token: str | None = None, host: str | None = None
               ) -> Starlette:
    """The web report; `host` is the address `briefing serve` binds, if not web.host.

    One brief is served at the root, as it always was; several get an index at `/`
    and each its own pages under `/b/KEY/`.
    """
    web = settings.web
    reports = Bounded[str](web.report_workers, web.report_queue, "report")

    def state_of(brief: Settings, base: str = "", desk: bool = False) -> AppState:
        store = store_of(brief)
        return AppState(brief, store, Jobs(brief), environment(brief), reports, base=base,
                        desk=desk)

    several = len(settings.every_brief()) > 1
    state = state_of(settings.every_brief()[0]) if not several else \
        state_of(settings, desk=True)
    briefs = {b.key: state_of(b, f"/b/{b.key}") for b in settings.briefs} if several else {}
    hosts = allowed_hosts(web.host, host or "", *web.allowed_hosts)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        reports.close()
        for each in (state, *briefs.values()):
            each.jobs.close()  # a regeneration under way is finished first

    pages = [
        Route("/", views.latest),
        Route("/briefs", views.past_briefs),
        Route("/archive", views.moved_to_briefs),
        Route("/report", views.report),
        Route("/brief/{name}", views.brief),
        Route("/brief/{day}/regenerate", views.regenerate, methods=["POST"]),
        Route("/jobs/{id}", views.job),
    ]
    routes: list[BaseRoute] = list(pages)
    if several:
        routes = [Route("/", views.desk), Route("/briefs", views.moved_to_desk),
                  Route("/archive", views.moved_to_desk),
                  Route("/b/{brief}", views.moved_to_brief), Mount("/b/{brief}", routes=pages)]
    # Unexpected errors are left to Guard, inside Starlette's last-resort handler, so
    # that their page, too, carries the security headers.
    guard = Middleware(Guard, hosts=hosts, token=token, error_page=views.error)
    app = Starlette(routes=routes, middleware=[guard],
                    exception_handlers={WebError: views.error, NoBrief: views.error,
                                        HTTPException: views.error, Overloaded: views.error},
                    lifespan=lifespan)
    app.state.briefing = state
    app.state.briefs = briefs
    app.state.jobs = state.jobs
    return app

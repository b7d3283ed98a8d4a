"""Render a Brief as HTML (Jinja2), PDF (WeasyPrint, same HTML) and JSON.

Templates come from the user's folder first, then ours (Jinja's ChoiceLoader),
so a user overrides one file without copying the rest. Autoescape is always
on: article text is data, never markup. WeasyPrint gets a URL fetcher that
serves files from the template folders and refuses everything else, so
neither an article nor a template can make the renderer read a local file or
reach the network.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from briefing import __version__, earlypdf
from briefing.briefs import to_json
from briefing.chart import volume_svg
from briefing.config import BUILTIN_TEMPLATES, Settings
from briefing.models import Brief, Item

log = logging.getLogger(__name__)

HTML_TEMPLATE = "brief.html.j2"
PRINT_CSS = "print.css"  # page size, running header and footer: PDF only


def template_dirs(settings: Settings) -> list[Path]:
    dirs = [settings.templates_dir] if settings.templates_dir else []
    return [*dirs, BUILTIN_TEMPLATES]


def environment(settings: Settings) -> Environment:
    """The Jinja environment of these template folders, built once per process."""
    return _environment(tuple(template_dirs(settings)))


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> Environment:
    loaders = [FileSystemLoader(str(d)) for d in dirs]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=_autoescape,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["long_date"] = lambda d: f"{d:%A} {d.day} {d:%B %Y}"
    return env


def _autoescape(name: str | None) -> bool:
    """Escape everything but plain-text templates (`*.txt.j2`, e.g. an e-mail's text part)."""
    return not (name or "").endswith(".txt.j2")


# --- the data the templates see ---------------------------------------------------

def source_numbers(brief: Brief) -> dict[str, int]:
    """Citation numbers: articles in order of first citation, then uncited relevant ones."""
    numbers: dict[str, int] = {}
    for item in brief.items:
        for citation in item.sources:
            numbers.setdefault(citation.article, len(numbers) + 1)
    for article in brief.relevant_articles:
        numbers.setdefault(article.id, len(numbers) + 1)
    return numbers


def context(brief: Brief, settings: Settings, web: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    numbers = source_numbers(brief)
    by_id = {a.id: a for a in brief.articles}
    labels = {t.key: t.label for t in settings.themes}
    sources = [by_id[a] for a in sorted(numbers, key=numbers.__getitem__)]
    outlets = sorted({o for a in sources for o in (a.outlet, *(c.outlet for c in a.copies)) if o})
    def credit(item: Item) -> str:
        """The outlets an item comes from (a source's number where no outlet is known)."""
        names = [(by_id[c.article].outlet if c.article in by_id else None)
                 or f"source {numbers[c.article]}" for c in item.sources]
        return ", ".join(dict.fromkeys(names))

    return {
        "brief": brief,
        "credit": credit,
        "author": settings.author,
        "version": __version__,
        "numbers": numbers,
        "labels": labels,
        "sources": sources,
        "outlets": outlets,
        "not_relevant": [a for a in brief.articles if not a.relevant],
        "cited": {c.article for i in brief.items for c in i.sources},
        "generated_iso": brief.generated_at.isoformat(timespec="seconds"),
        "generated_human": f"{brief.generated_at:%Y-%m-%d %H:%M %Z}".strip(),
        "web": web,  # navigation and forms when served by `briefing serve`; None in files
        "chart": Markup(svg) if (svg := volume_svg(brief.volume, [(t.key, t.label)
                                                               for t in settings.themes]))
        else None,  # our own SVG, drawn by matplotlib from numbers and theme labels
        "since": _since(brief),
        "story_label": settings.story.label,
    }


def _since(brief: Brief) -> str:
    """'yesterday', or the date of the brief the items were compared with."""
    if brief.compared_with is None:
        return ""
    if (brief.date - brief.compared_with).days == 1:
        return "yesterday"
    return f"{brief.compared_with:%d %B}"


def render_html(brief: Brief, settings: Settings, template: str = HTML_TEMPLATE,
                web: dict[str, Any] | None = None) -> str:
    return environment(settings).get_template(template).render(**context(brief, settings, web))


# --- PDF --------------------------------------------------------------------------

def _fetcher_base() -> type:
    from weasyprint.urls import URLFetcher

    return URLFetcher  # type: ignore[no-any-return]


class RefusedURL(ValueError):
    """A resource outside the template folders; WeasyPrint skips it with a warning."""


def make_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves files under `roots` and nothing else."""
    from weasyprint.urls import URLFetcherResponse

    allowed = [r.resolve() for r in roots]

    class AssetFetcher(_fetcher_base()):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if (path is None or parsed.netloc not in ("", "localhost") or not path.is_file()
                    or not any(path.is_relative_to(root) for root in allowed)):
                self.refused.append(url)
                log.debug("refused to fetch %s", url[:200])
                raise RefusedURL(f"briefing fetches only its own template assets: {url[:80]}")
            self.served.append(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return AssetFetcher()


def render_pdf(html: str, settings: Settings, fetcher: Any = None) -> bytes:
    """The PDF of the rendered HTML. Assets resolve against the template folders only."""
    from weasyprint import CSS, HTML

    fetcher = fetcher or make_fetcher(template_dirs(settings))
    base = template_dirs(settings)[0].resolve().as_uri() + "/"
    env = environment(settings)
    assert env.loader is not None
    paged = env.loader.get_source(env, PRINT_CSS)[0]
    pdf: bytes = HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=paged, base_url=base, url_fetcher=fetcher)])
    return pdf


# --- all of it --------------------------------------------------------------------

def render_files(brief: Brief, settings: Settings, formats: Sequence[str]
                 ) -> dict[str, bytes | str]:
    """Every asked-for format of the brief, rendered in memory, keyed by format.

    The brief store writes them as one set, so a failure here (in the PDF, say)
    leaves the previous files as they were.
    """
    rendered: dict[str, bytes | str] = {}
    html = render_html(brief, settings) if {"html", "pdf"} & set(formats) else ""
    if "html" in formats:
        rendered["html"] = html
    if "pdf" in formats:
        early = earlypdf.take()  # the process `briefing run` started, if any
        pdf = early.render(html, settings) if early is not None else None
        rendered["pdf"] = pdf if pdf is not None else render_pdf(html, settings)
    if "json" in formats:
        rendered["json"] = to_json(brief)
    return rendered

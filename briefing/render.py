"""Render a Brief as HTML (Jinja2), PDF (WeasyPrint, same HTML) and JSON.

Templates come from the user's folder first, then ours (Jinja's ChoiceLoader),
so a user overrides one file without copying the rest. Autoescape is always
on: article text is data, never markup. WeasyPrint gets a URL fetcher that
serves files from the template folders and refuses everything else, so
neither an article nor a template can make the renderer read a local file or
reach the network.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from briefing import __version__
from briefing.chart import volume_svg
from briefing.config import BUILTIN_TEMPLATES, Settings
from briefing.files import atomic_write
from briefing.models import (
    ArticleInfo,
    Brief,
    Citation,
    Copy,
    DayVolume,
    Item,
    Section,
    Skipped,
)

log = logging.getLogger(__name__)

HTML_TEMPLATE = "brief.html.j2"
PRINT_CSS = "print.css"  # page size, running header and footer: PDF only


def template_dirs(settings: Settings) -> list[Path]:
    dirs = [settings.templates_dir] if settings.templates_dir else []
    return [*dirs, BUILTIN_TEMPLATES]


def environment(settings: Settings) -> Environment:
    loaders = [FileSystemLoader(str(d)) for d in template_dirs(settings)]
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
    outlets = sorted({o for a in sources for o in (a.source, *(c.source for c in a.copies)) if o})
    return {
        "brief": brief,
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


# --- JSON -------------------------------------------------------------------------

def _item(item: Item) -> dict[str, Any]:
    return {"text": item.text, "score": item.score, "theme": item.theme, "status": item.status,
            "sources": [{"article": c.article, "sentence": c.sentence} for c in item.sources]}


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    relevant = sum(1 for a in brief.articles if a.relevant)
    return {
        "title": brief.title,
        "date": brief.date.isoformat(),
        "generated_at": brief.generated_at.isoformat(timespec="seconds"),
        "key_points": [_item(i) for i in brief.key_points],
        "sections": [
            {"theme": s.theme, "label": s.label, "description": s.description,
             "salience": s.salience, "sentences": s.sentences,
             "items": [_item(i) for i in s.items]}
            for s in brief.sections
        ],
        "articles": [
            {"id": a.id, "title": a.title, "source": a.source,
             "published": a.published.isoformat() if a.published else None,
             "date_note": a.date_note, "relevant": a.relevant, "sentences": a.sentences,
             "copies": [{"id": c.id, "source": c.source, "title": c.title} for c in a.copies]}
            for a in brief.articles
        ],
        "skipped": [{"file": s.file, "reason": s.reason} for s in brief.skipped],
        "coverage": {
            "articles_read": len(brief.articles),
            "relevant": relevant,
            "not_relevant": len(brief.articles) - relevant,
            "skipped": len(brief.skipped),
            "sentences_considered": brief.sentences_considered,
            "window": brief.window or None,
            "outside_window": brief.outside_window,
        },
        "compared_with": brief.compared_with.isoformat() if brief.compared_with else None,
        "volume": [{"day": v.day.isoformat(), "counts": v.counts, "brief": v.has_brief}
                   for v in brief.volume],
    }


def brief_from_dict(data: dict[str, Any]) -> Brief:
    """A Brief back from its brief.json, so a stored brief can be rendered again."""
    def item(d: dict[str, Any]) -> Item:
        return Item(text=d["text"], score=d["score"], theme=d["theme"], status=d.get("status"),
                    sources=tuple(Citation(c["article"], c["sentence"]) for c in d["sources"]))

    coverage = data.get("coverage", {})
    return Brief(
        title=data["title"], date=date.fromisoformat(data["date"]),
        generated_at=datetime.fromisoformat(data["generated_at"]),
        key_points=tuple(item(i) for i in data["key_points"]),
        sections=tuple(Section(theme=s["theme"], label=s["label"],
                               description=s.get("description", ""),
                               items=tuple(item(i) for i in s["items"]),
                               salience=s.get("salience", 0.0), sentences=s.get("sentences", 0))
                       for s in data["sections"]),
        articles=tuple(ArticleInfo(id=a["id"], title=a["title"], source=a["source"],
                                   published=date.fromisoformat(a["published"])
                                   if a["published"] else None,
                                   date_note=a.get("date_note", ""), relevant=a["relevant"],
                                   sentences=a.get("sentences", 0),
                                   copies=tuple(Copy(c["id"], c.get("source"), c.get("title"))
                                                for c in a.get("copies", [])))
                       for a in data["articles"]),
        skipped=tuple(Skipped(s["file"], s["reason"]) for s in data["skipped"]),
        sentences_considered=coverage.get("sentences_considered", 0),
        window=coverage.get("window") or "",
        outside_window=coverage.get("outside_window", 0),
        compared_with=date.fromisoformat(data["compared_with"])
        if data.get("compared_with") else None,
        volume=tuple(DayVolume(date.fromisoformat(v["day"]), dict(v["counts"]), v["brief"])
                     for v in data.get("volume", [])),
    )


def render_json(brief: Brief) -> str:
    return json.dumps(brief_to_dict(brief), ensure_ascii=False, indent=2) + "\n"


# --- all of it --------------------------------------------------------------------

def write_brief(brief: Brief, settings: Settings, formats: Sequence[str],
                output_dir: Path) -> list[Path]:
    """Render every format in memory first, then write each file atomically.

    Rendering before writing means a failure in the PDF leaves the previous
    day's files as they were rather than a new HTML beside an old PDF.
    """
    folder = output_dir / brief.date.isoformat()
    rendered: dict[str, bytes | str] = {}
    html = render_html(brief, settings) if {"html", "pdf"} & set(formats) else ""
    if "html" in formats:
        rendered["brief.html"] = html
    if "pdf" in formats:
        rendered["brief.pdf"] = render_pdf(html, settings)
    if "json" in formats:
        rendered["brief.json"] = render_json(brief)
    return [atomic_write(folder / name, data) for name, data in rendered.items()]

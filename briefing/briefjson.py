"""A `Brief` as the data of its JSON file, and back.

The store (briefing/briefs.py) decides where that file lives; this module only
knows its fields. Briefs written before a field was renamed are still read.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from briefing.models import (
    ArticleInfo,
    Brief,
    Citation,
    Copy,
    DayVolume,
    Item,
    Origin,
    Section,
    Skipped,
)


def _item(item: Item) -> dict[str, Any]:
    return {"text": item.text, "score": item.score, "theme": item.theme, "status": item.status,
            "sources": [{"article": c.article, "sentence": c.sentence,
                         **({"until": c.until} if c.until is not None else {})}
                        for c in item.sources]}


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    relevant = sum(1 for a in brief.articles if a.relevant)
    origin = brief.origin
    return {
        "title": brief.title,
        "date": brief.date.isoformat(),
        "first_day": brief.first_day.isoformat() if brief.first_day else None,
        "generated_at": brief.generated_at.isoformat(timespec="seconds"),
        "key_points": [_item(i) for i in brief.key_points],
        "sections": [
            {"theme": s.theme, "label": s.label, "description": s.description,
             "salience": s.salience, "sentences": s.sentences, "quoted_above": s.quoted_above,
             "items": [_item(i) for i in s.items]}
            for s in brief.sections
        ],
        "articles": [
            {"id": a.id, "title": a.title, "outlet": a.outlet,
             "published": a.published.isoformat() if a.published else None,
             "published_at": _instant(a.published_at),
             "date_note": a.date_note, "relevant": a.relevant, "relevance": a.relevance,
             "sentences": a.sentences,
             "copies": [{"id": c.id, "outlet": c.outlet, "title": c.title} for c in a.copies]}
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
        "origin": {"kind": origin.kind, "location": origin.location,
                   "since": _instant(origin.since), "until": _instant(origin.until)}
        if origin else None,
        "compared_with": brief.compared_with.isoformat() if brief.compared_with else None,
        "volume": [{"day": v.day.isoformat(), "counts": v.counts, "brief": v.has_brief}
                   for v in brief.volume],
    }


def to_json(brief: Brief) -> str:
    return json.dumps(brief_to_dict(brief), ensure_ascii=False, indent=2) + "\n"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def brief_from_dict(data: dict[str, Any]) -> Brief:
    """A Brief back from its JSON data (briefs written before `outlet` said `source`)."""
    def item(d: dict[str, Any]) -> Item:
        return Item(text=d["text"], score=d["score"], theme=d["theme"], status=d.get("status"),
                    sources=tuple(Citation(c["article"], c["sentence"], c.get("until"))
                                  for c in d["sources"]))

    def outlet(d: dict[str, Any]) -> str | None:
        return d["outlet"] if "outlet" in d else d.get("source")

    coverage = data.get("coverage", {})
    origin = data.get("origin")
    return Brief(
        title=data["title"], date=date.fromisoformat(data["date"]),
        first_day=_day(data.get("first_day")),
        generated_at=datetime.fromisoformat(data["generated_at"]),
        key_points=tuple(item(i) for i in data["key_points"]),
        sections=tuple(Section(theme=s["theme"], label=s["label"],
                               description=s.get("description", ""),
                               items=tuple(item(i) for i in s["items"]),
                               salience=s.get("salience", 0.0), sentences=s.get("sentences", 0),
                               quoted_above=s.get("quoted_above", 0))
                       for s in data["sections"]),
        articles=tuple(ArticleInfo(id=a["id"], title=a["title"], outlet=outlet(a),
                                   published=_day(a["published"]),
                                   published_at=_moment(a.get("published_at")),
                                   date_note=a.get("date_note", ""), relevant=a["relevant"],
                                   relevance=a.get("relevance", ""),
                                   sentences=a.get("sentences", 0),
                                   copies=tuple(Copy(c["id"], outlet(c), c.get("title"))
                                                for c in a.get("copies", [])))
                       for a in data["articles"]),
        skipped=tuple(Skipped(s["file"], s["reason"]) for s in data["skipped"]),
        sentences_considered=coverage.get("sentences_considered", 0),
        window=coverage.get("window") or "",
        outside_window=coverage.get("outside_window", 0),
        origin=Origin(origin["kind"], origin["location"], _moment(origin.get("since")),
                      _moment(origin.get("until"))) if origin else None,
        compared_with=_day(data.get("compared_with")),
        volume=tuple(DayVolume(date.fromisoformat(v["day"]), dict(v["counts"]), v["brief"])
                     for v in data.get("volume", [])),
    )

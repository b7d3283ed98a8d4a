"""Compose the themed brief: key points, then one section per theme, within budgets.

Key points are the best sentence of each theme in order of the theme's
salience (topped up from any theme when there are few themes), so the head of
the brief spans the day. Sections then draw on what the key points did not
say: a sentence that repeats a key point, or a sentence already chosen, is
not chosen again, and near-identical sentences from other articles become
citations of one item rather than items of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from briefing import changes
from briefing.config import Settings
from briefing.models import (
    OTHER,
    Article,
    ArticleInfo,
    Brief,
    Item,
    Section,
    Sentence,
    Skipped,
    ThemedSentence,
)
from briefing.summarize import DuplicateFinder, Pick, Pool, build_pool, citations, select
from briefing.themes import Theming

# How many continuing sentences a key point passes over before giving up on new ones.
NEW_TRIES = 8


@dataclass
class _Selection:
    """What has been put in the brief so far; shared by key points and sections."""

    chosen: list[int] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    taken: set[int] = field(default_factory=set)  # chosen sentences and their duplicates


def compose(theming: Theming, articles: Sequence[Article],
            skipped: Sequence[Skipped], settings: Settings, day: date,
            generated_at: datetime, support: Sequence[Sentence] = (),
            earlier: Sequence[Brief] = ()) -> Brief:
    cfg = settings.summary
    themed = theming.sentences
    repeated = changes.repeats_of(day, earlier, settings.changes)
    pool = build_pool([t.sentence for t in themed], cfg.position_weight, support,
                      cfg.concept_weights)
    by_theme: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(themed):
        by_theme[t.theme].append(i)
    relevance = _relevance(themed, by_theme)
    relevant = [i for i, t in enumerate(themed) if t.theme != OTHER]
    finder = DuplicateFinder(pool, relevant, cfg.duplicate)
    salience = _salience(pool, by_theme, [t.key for t in settings.themes])
    order = sorted(settings.themes, key=lambda t: -salience[t.key])  # stable: config order on ties
    state = _Selection()
    # Coverage is measured on the day's scale, not each theme's.
    scale = max((pool.density(i) for i in relevant), default=0.0) or None

    def pick(candidates: Sequence[int], budget: int, limit: int | None = None) -> list[Item]:
        picks = select(pool, [i for i in candidates if i not in state.taken], budget,
                       relevance=relevance, chosen=state.chosen, covered=state.covered,
                       redundancy=cfg.redundancy, min_words=cfg.min_sentence_words,
                       max_words=cfg.max_sentence_words, limit=limit, scale=scale,
                       method=cfg.selection)
        return [_item(p, themed, pool, finder, state) for p in picks]

    def pick_new(candidates: Sequence[int], limit: int) -> list[Item]:
        """The best sentences that earlier briefs did not carry (a few tries each)."""
        left = [i for i in candidates if i not in state.taken]
        items: list[Item] = []
        for _ in range(limit + NEW_TRIES):
            if len(items) == limit:
                break
            picks = select(pool, left, cfg.total_words, relevance=relevance,
                           chosen=state.chosen, covered=state.covered,
                           redundancy=cfg.redundancy, min_words=cfg.min_sentence_words,
                           max_words=cfg.max_sentence_words, limit=1, scale=scale)
            if not picks:
                break
            left.remove(picks[0].index)
            if not repeated(pool.sentences[picks[0].index].text):
                items.append(_item(picks[0], themed, pool, finder, state))
        return items

    # Key points are the news of the day: new items first, one per theme in order of
    # salience; continuing items only fill what is left.
    key_points: list[Item] = []
    for theme in order:
        if len(key_points) < cfg.key_points:
            key_points += pick_new(by_theme[theme.key], 1)
    if len(key_points) < cfg.min_key_points:
        key_points += pick_new(relevant, cfg.min_key_points - len(key_points))
    if len(key_points) < cfg.min_key_points:
        key_points += pick(relevant, cfg.total_words, limit=cfg.min_key_points - len(key_points))

    remaining = cfg.total_words - sum(len(k.text.split()) for k in key_points)
    wanted = {t.key: t.words or cfg.section_words for t in settings.themes}
    sections: list[Section] = []
    for number, theme in enumerate(order):
        share = sum(wanted[t.key] for t in order[number:])
        budget = min(wanted[theme.key], max(0, remaining) * wanted[theme.key] // max(share, 1))
        items = pick(by_theme[theme.key], budget)
        if not items:  # a theme with news today shows at least its best sentence
            items = pick(by_theme[theme.key], cfg.max_sentence_words, limit=1)
        remaining -= sum(len(item.text.split()) for item in items)
        sections.append(Section(theme=theme.key, label=theme.label,
                                description=theme.description, items=tuple(items),
                                salience=round(salience[theme.key], 4),
                                sentences=len(by_theme[theme.key])))

    return Brief(
        title=settings.title, date=day, generated_at=generated_at,
        key_points=tuple(key_points), sections=tuple(sections),
        articles=_article_info(articles, theming), skipped=tuple(skipped),
        sentences_considered=len(themed),
    )


def _item(pick: Pick, themed: Sequence[ThemedSentence], pool: Pool, finder: DuplicateFinder,
          state: _Selection) -> Item:
    duplicates = [j for j in finder.duplicates(pick.index) if j not in state.taken]
    state.chosen.append(pick.index)
    state.covered.update(pool.concepts[pick.index])
    state.taken.update([pick.index, *duplicates])
    for j in duplicates:
        state.covered.update(pool.concepts[j])
    return Item(text=pool.sentences[pick.index].text, score=pick.score,
                sources=citations(pool, pick.index, duplicates), theme=themed[pick.index].theme)


def _relevance(themed: Sequence[ThemedSentence],
               by_theme: dict[str, list[int]]) -> dict[int, float]:
    """Each sentence's score for its own theme, relative to the best in that theme."""
    out: dict[int, float] = {}
    for key, members in by_theme.items():
        if key == OTHER:
            continue
        best = max(themed[i].scores[key] for i in members) or 1.0
        for i in members:
            out[i] = themed[i].scores[key] / best
    return out


def _salience(pool: Pool, by_theme: dict[str, list[int]], keys: Sequence[str]) -> dict[str, float]:
    """A theme's share of the day's shared content, 0..1."""
    mass = {k: sum(sum(pool.worth.get(c, 0.0) for c in pool.concepts[i]) for i in by_theme[k])
            for k in keys}
    total = sum(mass.values()) or 1.0
    return {k: mass[k] / total for k in keys}


def _article_info(articles: Sequence[Article], theming: Theming) -> tuple[ArticleInfo, ...]:
    """Each article as the brief lists it: about the story or not, and why."""
    counts: dict[str, int] = defaultdict(int)
    for t in theming.sentences:
        counts[t.sentence.article] += 1
    out = []
    for a in articles:
        judgment = theming.judgments.get(a.id)
        out.append(ArticleInfo(
            id=a.id, title=a.title, outlet=a.outlet, published=a.published,
            published_at=a.published_at, date_note=a.date_note,
            relevant=judgment.relevant if judgment else False, sentences=counts[a.id],
            copies=a.copies, relevance=judgment.reason if judgment else "no sentences"))
    return tuple(out)

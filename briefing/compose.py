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
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from briefing import changes
from briefing.config import Settings
from briefing.models import (
    OTHER,
    Article,
    ArticleInfo,
    Brief,
    Citation,
    Item,
    Section,
    Sentence,
    Skipped,
    ThemedSentence,
)
from briefing.standalone import Dependence, dependences
from briefing.story import ON
from briefing.summarize import DuplicateFinder, Pick, Pool, build_pool, citations, select
from briefing.themes import Theming

# How many continuing sentences a key point passes over before giving up on new ones.
NEW_TRIES = 8
# At most this many sentences come along with one that leans on those before it, within
# 1.5 times the longest sentence; a theme that would otherwise stay empty may carry
# LAST_RESORT sentences within twice the longest.
CARRIED = 2
LAST_RESORT = 3


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
                      cfg.concept_weights, about=_on_story(articles, theming))
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

    # A sentence that leans on the one before it comes with it, or not at all.
    leaning = _dependences(themed)
    leans = _leaning(themed, leaning, cfg.max_sentence_words * 3 // 2, CARRIED)

    def usable(i: int, leans: dict[int, int | None]) -> bool:
        start = leans.get(i, i)
        return i not in state.taken and start is not None and not any(
            j in state.taken for j in range(start, i))

    def pick(candidates: Sequence[int], budget: int, limit: int | None = None,
             passages: dict[int, int | None] = leans) -> list[Item]:
        picks = select(pool, [i for i in candidates if usable(i, passages)], budget,
                       relevance=relevance, chosen=state.chosen, covered=state.covered,
                       redundancy=cfg.redundancy, min_words=cfg.min_sentence_words,
                       max_words=cfg.max_sentence_words, limit=limit, scale=scale,
                       method=cfg.selection)
        items: list[Item] = []
        for p in picks:
            if p.index in state.taken:  # carried along by an item of this same round
                continue
            before = passages.get(p.index)
            if before is not None and any(j in state.taken for j in range(before, p.index)):
                # The passage before was picked in this same round: they become one item.
                joined = _join(items, pool, p.index)
                state.taken.add(p.index)
                state.covered.update(pool.concepts[p.index])
                if joined is not None:
                    items = joined
                continue
            items.append(_item(p, themed, pool, finder, state, before))
        return items

    def pick_new(candidates: Sequence[int], limit: int) -> list[Item]:
        """The best sentences that earlier briefs did not carry (a few tries each)."""
        left = [i for i in candidates if i not in state.taken and i not in leans]
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
                items.append(_item(picks[0], themed, pool, finder, state, None))
        return items

    # Key points are the news of the day, each a sentence that stands on its own: new items
    # first, one per theme in order of salience; continuing items only fill what is left.
    key_points: list[Item] = []
    for theme in order:
        if len(key_points) < cfg.key_points:
            key_points += pick_new(by_theme[theme.key], 1)
    if len(key_points) < cfg.min_key_points:
        key_points += pick_new(relevant, cfg.min_key_points - len(key_points))
    if len(key_points) < cfg.min_key_points:
        key_points += pick([i for i in relevant if i not in leans], cfg.total_words,
                           limit=cfg.min_key_points - len(key_points))

    remaining = cfg.total_words - sum(len(k.text.split()) for k in key_points)
    wanted = {t.key: t.words or cfg.section_words for t in settings.themes}
    sections: list[Section] = []
    for number, theme in enumerate(order):
        share = sum(wanted[t.key] for t in order[number:])
        budget = min(wanted[theme.key], max(0, remaining) * wanted[theme.key] // max(share, 1))
        taken_before = set(state.taken)
        items = pick(by_theme[theme.key], budget)
        if not items:  # a theme with news today shows at least its best passage
            longer = _leaning(themed, leaning, cfg.max_sentence_words * 2, LAST_RESORT)
            items = pick(by_theme[theme.key], cfg.max_sentence_words, limit=1, passages=longer)
        remaining -= sum(len(item.text.split()) for item in items)
        above = sum(1 for i in by_theme[theme.key] if i in taken_before)
        sections.append(Section(theme=theme.key, label=theme.label,
                                description=theme.description, items=tuple(items),
                                salience=round(salience[theme.key], 4),
                                sentences=len(by_theme[theme.key]), quoted_above=above))

    return Brief(
        title=settings.title, date=day, generated_at=generated_at,
        key_points=tuple(key_points), sections=tuple(sections),
        articles=_article_info(articles, theming), skipped=tuple(skipped),
        sentences_considered=len(themed),
    )


def _item(pick: Pick, themed: Sequence[ThemedSentence], pool: Pool, finder: DuplicateFinder,
          state: _Selection, start: int | None) -> Item:
    """The picked sentence as an item, with the passage before it from `start`, if any."""
    duplicates = [j for j in finder.duplicates(pick.index) if j not in state.taken]
    state.chosen.append(pick.index)
    state.covered.update(pool.concepts[pick.index])
    state.taken.update([pick.index, *duplicates])
    for j in duplicates:
        state.covered.update(pool.concepts[j])
    sources = citations(pool, pick.index, duplicates)
    text = pool.sentences[pick.index].text
    if start is not None:
        carried = range(start, pick.index)
        state.taken.update(carried)
        for j in carried:
            state.covered.update(pool.concepts[j])
        lead = pool.sentences[start]
        text = " ".join([*(pool.sentences[j].text for j in carried), text])
        sources = (Citation(lead.article, lead.index, pool.sentences[pick.index].index),
                   *sources[1:])
    return Item(text=text, score=pick.score, sources=sources, theme=themed[pick.index].theme)


def _join(items: list[Item], pool: Pool, i: int) -> list[Item] | None:
    """`items` with the item that ends just before sentence `i` extended to it, or None."""
    then = pool.sentences[i]
    for k, item in enumerate(items):
        first = item.sources[0]
        last = first.sentence if first.until is None else first.until
        if first.article == then.article and last == then.index - 1:
            span = Citation(first.article, first.sentence, then.index)
            return [*items[:k], replace(item, text=f"{item.text} {then.text}",
                                        sources=(span, *item.sources[1:])), *items[k + 1:]]
    return None


def _dependences(themed: Sequence[ThemedSentence]
                 ) -> list[tuple[list[int], list[Dependence]]]:
    """Each article's sentences (their places in `themed`, in order) and whether each leans
    on those before it: worked out once a day, whatever passage lengths are then allowed.
    Only articles with a themed sentence count: no other sentence can become an item (most
    of a large day's articles are off the story)."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(themed):
        by_article[t.sentence.article].append(i)
    return [(members, dependences([themed[i].sentence for i in members]))
            for members in by_article.values()
            if any(themed[i].theme != OTHER for i in members)]


def _leaning(themed: Sequence[ThemedSentence],
             articles: Sequence[tuple[list[int], list[Dependence]]], max_words: int,
             carried: int) -> dict[int, int | None]:
    """Sentences that lean on those before them: where the passage they need starts (the
    nearest earlier sentence that stands alone, at most `carried` back), or None when the
    passage cannot be one item (it would start further back, or pass `max_words`)."""
    leans: dict[int, int | None] = {}
    for members, found in articles:
        for k, dependence in enumerate(found):
            if not dependence:
                continue
            start = k - 1
            while start > 0 and found[start] and k - start < carried:
                start -= 1
            passage = members[start:k + 1]
            words = sum(themed[i].sentence.words for i in passage)
            on_story = all(themed[i].why.place == ON for i in passage)
            whole = not found[start] and words <= max_words and on_story and \
                themed[passage[-1]].sentence.index - themed[passage[0]].sentence.index == k - start
            leans[members[k]] = members[start] if whole else None
    return leans


def _on_story(articles: Sequence[Article], theming: Theming) -> set[str]:
    """The articles about the story, and their syndicated copies: what the day's concepts
    are counted over (an article about something else says nothing of the story)."""
    on = {a for a, judgment in theming.judgments.items() if judgment.relevant}
    return on | {c.id for a in articles if a.id in on for c in a.copies}


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

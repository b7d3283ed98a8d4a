"""Each sentence's theme, from its own words, its context and what the day's text teaches.

Three kinds of evidence count for every theme:

1. **The sentence's own terms**: the theme's weighted lexicon (briefing/lexicon.py).
2. **Its context**: the terms of its neighbours and of its article's headline, how
   much of its article is about the theme, and what the model says of its
   neighbours, its headline and its article. "Both sides blamed each other for
   the shooting" has no clash word, but its neighbours do.
3. **What the text teaches**: a naive Bayes model trained on the sentences that
   the lexicon is sure of (self-training), the day's own and, from the archive,
   those of the days before it (`examples`), so words the lexicon never listed
   ("mortar", "checkpoint", "consignment") count for the theme they keep
   company with, and a new theme works from a short term list.

How much each piece counts, and how much evidence says a sentence is about no
theme, was learnt from hand-labelled articles (benchmarks/train_themes.py; the
weights ship in briefing/data/theme_weights.json). The weights are the same for
every theme, so a theme a user adds is weighed as the built-in ones are. A
sentence takes its best theme when the evidence for it, minus the evidence
against every theme, reaches `summary.theme_threshold`.

Only sentences about the story (briefing/story.py) take a theme: a sentence of an
article that is not about the story, or one about something else, is `other`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import chain, repeat
from typing import Any

import numpy as np

from briefing.config import StorySettings, Theme
from briefing.lexicon import Lexicon, compile_terms
from briefing.models import OTHER, Article, Sentence, ThemedSentence, Why
from briefing.story import ON, OUTSIDE, Judgment, compile_story, judge, without_theme
from briefing.text import addressed, stems

# A sentence teaches the model its theme when its own terms score at least CONFIDENT and
# at least twice the next theme's; a theme needs MIN_EXAMPLES such sentences to be learnt.
CONFIDENT = 3.0
# Or a theme runs through an article: RUNNING of its sentences take it as their best theme
# on their own terms, each with one term of the theme's usual weight (FULL_TERM) or more.
FULL_TERM = 2.0
RUNNING = 3
MIN_EXAMPLES = 3
SMOOTHING = 0.5
# A model trained on at least this many sentences is "taught": its predictions and the
# context they give are trusted as the taught weights say. A model trained on fewer
# (a small day without the archive) or no model at all uses the untaught weights.
TAUGHT_EXAMPLES = 100
WEIGHTS = "theme_weights.json"

# The evidence for a theme k, each a number about the sentence and k, and the evidence
# against every theme (for `other`). The weights of both are learnt from hand-labelled
# articles (benchmarks/train_themes.py) and are the same for every theme, so a user's new
# theme is weighed as the built-in ones are.
OWN = ("own",           # the weights of k's terms found in the sentence itself
       "own_log",       # log(1 + own): the tenth term adds less than the first
       "own_lead",      # own minus the best other theme's own
       "own_best")      # 1 when k's own score is the sentence's highest (and not 0)
CONTEXT = ("before",           # the sentence before's own score for k (same article)
           "after",            # the sentence after's
           "headline",         # the article's headline's own score for k
           "article",          # k's share (0..1) of the article's on-story term evidence
           "learned_before",   # the model's probability of k for the sentence before
           "learned_after",    # ... for the sentence after
           "learned_article",  # ... averaged over the article's on-story sentences
           "learned_headline",  # ... for the article's headline
           "article_silent",    # `article`, for a sentence without a term of any theme
           "learned_article_silent")  # `learned_article`, for such a sentence
LEARNED = ("learned",)  # the model's probability of k for the sentence itself
THEME_FEATURES = (*OWN, *CONTEXT, *LEARNED)
AGAINST_FEATURES = ("bias",           # 1: how much evidence any theme needs
                    "own_max",        # the best theme's own score (a sure sentence is not other)
                    "learned_other",  # the model's probability of other for the sentence
                    "article_other",  # ... averaged over the article's on-story sentences
                    "length",         # min(content words, 40) / 40
                    "unknown")        # 1 when the model says nothing of the sentence

Example = tuple[str, Sequence[str]]  # a label and the stems of a sentence that teaches it


def compile_theme(theme: Theme) -> Lexicon:
    return compile_terms(theme.key, theme.terms)


def compile_themes(themes: Iterable[Theme]) -> list[Lexicon]:
    return [compile_theme(t) for t in themes]


@dataclass(frozen=True)
class Theming:
    """The day's sentences with their themes, and what the brief says of each article."""

    sentences: tuple[ThemedSentence, ...]
    judgments: Mapping[str, Judgment]


@dataclass(frozen=True)
class Weights:
    """How much each piece of evidence counts: for a theme (THEME_FEATURES) and against
    every theme (AGAINST_FEATURES). A theme wins when its evidence minus the evidence
    against, bias aside, reaches the threshold; the shipped bias is the default
    threshold (the trainer scales the weights so), so `summary.theme_threshold` moves
    the break-even point of the learnt weights."""

    theme: tuple[float, ...]
    against: tuple[float, ...]


@dataclass(frozen=True)
class Combiner:
    taught: Weights  # for a model trained on at least TAUGHT_EXAMPLES sentences
    untaught: Weights  # for a smaller model, or none

    def to_json(self) -> dict[str, object]:
        return {"theme_features": list(THEME_FEATURES), "against_features": list(AGAINST_FEATURES),
                **{name: {"theme": list(w.theme), "against": list(w.against)}
                   for name, w in (("taught", self.taught), ("untaught", self.untaught))}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Combiner:
        if (tuple(data["theme_features"]) != THEME_FEATURES
                or tuple(data["against_features"]) != AGAINST_FEATURES):
            raise ValueError("the theme weights were trained on other features: retrain them "
                             "(make theme-weights DEVSET=…)")
        return cls(*(Weights(tuple(data[n]["theme"]), tuple(data[n]["against"]))
                     for n in ("taught", "untaught")))


@cache
def combiner() -> Combiner:
    """The weights that ship with briefing (briefing/data/theme_weights.json)."""
    text = files("briefing").joinpath("data", WEIGHTS).read_text(encoding="utf-8")
    return Combiner.from_json(json.loads(text))


@dataclass(frozen=True)
class Evidence:
    """What counts for one sentence: per theme, THEME_FEATURES' values; and AGAINST_FEATURES'."""

    index: int  # the sentence's place in the day
    own: Mapping[str, float]  # its own terms' score per theme
    theme: Mapping[str, tuple[float, ...]]
    against: tuple[float, ...]
    eligible: tuple[str, ...]  # the themes it may take, by its place in the story


@dataclass(frozen=True)
class DayEvidence:
    """The evidence for every sentence of a day, as arrays: row i is the day's sentence i,
    column j its j-th theme. A day of 10,000 articles has a quarter of a million sentences,
    and their evidence is weighed as a few operations over whole columns, not one
    sentence at a time."""

    placed: _Placed
    lexicons: Sequence[Lexicon]  # the themes' compiled terms, in the themes' order
    taught: bool  # whether the model learnt from enough sentences (Combiner.taught)
    own: Sequence[Mapping[str, float]]  # per sentence: its own terms' score per theme
    topics: Sequence[tuple[str, ...]]  # per sentence: the stems its terms are found in
    against: np.ndarray  # (sentences, AGAINST_FEATURES)
    eligible: np.ndarray  # (sentences, themes), bool: the themes each may take
    _day: _DayArrays = field(repr=False)
    # per sentence: the terms of each theme found in it (Lexicon.found), where there are any
    terms: Sequence[Mapping[str, tuple[str, ...]]] = ()

    def columns(self) -> Iterator[np.ndarray]:
        """THEME_FEATURES in order, each (sentences, themes), made one at a time."""
        return (_COLUMNS[name](self._day) for name in THEME_FEATURES)

    @property
    def sentences(self) -> Iterator[Evidence]:
        """Each sentence's evidence on its own, article by article (for the trainer)."""
        keys = [lex.key for lex in self.lexicons]
        x = np.stack(list(self.columns()), axis=2) if keys else np.zeros((len(self.own), 0, 0))
        for members in self.placed.members.values():
            for i in members:
                yield Evidence(i, self.own[i],
                               {k: tuple(x[i, j].tolist()) for j, k in enumerate(keys)},
                               tuple(self.against[i].tolist()),
                               tuple(k for j, k in enumerate(keys) if self.eligible[i, j]))


@dataclass(frozen=True)
class _DayArrays:
    """What the evidence columns are made of (see _COLUMNS)."""

    own: np.ndarray  # (n, k): the sentence's own terms' score per theme
    top: np.ndarray  # (n,): its best own score
    before: np.ndarray  # (n,): the article's sentence before it, -1 for none
    after: np.ndarray  # (n,): the one after it, -1 for none
    article: np.ndarray  # (n,): its article's row in the per-article arrays
    headline: np.ndarray  # (articles, k): the headline's own score per theme
    share: np.ndarray  # (articles, k): each theme's share of the on-story term evidence
    learned: np.ndarray  # (n, k): the model's probability of each theme (0 when it knows nothing)
    learned_article: np.ndarray  # (articles, k + 1): averaged over on-story sentences; other last
    learned_headline: np.ndarray  # (articles, k)


def _neighbour(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Each row's neighbour's values (`at`: its row, -1 for none, which gives zeros)."""
    return np.where((at >= 0)[:, None], values[np.maximum(at, 0)], 0.0)


def _lead(own: np.ndarray) -> np.ndarray:
    """Each theme's own score minus the best other theme's (0 when there is no other):
    the best theme's lead is over the second best, every other theme's is under the best."""
    if own.shape[1] < 2:
        return own.copy()
    order = np.sort(own, axis=1)
    best, second = order[:, -1:], order[:, -2:-1]
    return np.asarray(np.where(own == best, own - second, own - best))


def _silent(d: _DayArrays) -> np.ndarray:
    return np.asarray(d.top == 0, dtype=float)[:, None]


# How each of THEME_FEATURES is computed for every sentence and theme at once.
_COLUMNS: dict[str, Callable[[_DayArrays], np.ndarray]] = {
    "own": lambda d: d.own,
    "own_log": lambda d: np.log1p(d.own),
    "own_lead": lambda d: _lead(d.own),
    "own_best": lambda d: ((d.own == d.top[:, None]) & (d.top[:, None] > 0)).astype(float),
    "before": lambda d: _neighbour(d.own, d.before),
    "after": lambda d: _neighbour(d.own, d.after),
    "headline": lambda d: d.headline[d.article],
    "article": lambda d: d.share[d.article],
    "learned_before": lambda d: _neighbour(d.learned, d.before),
    "learned_after": lambda d: _neighbour(d.learned, d.after),
    "learned_article": lambda d: d.learned_article[d.article, :-1],
    "learned_headline": lambda d: d.learned_headline[d.article],
    "article_silent": lambda d: _silent(d) * d.share[d.article],
    "learned_article_silent": lambda d: _silent(d) * d.learned_article[d.article, :-1],
    "learned": lambda d: d.learned,
}
assert tuple(_COLUMNS) == THEME_FEATURES


@dataclass(frozen=True)
class _Sure:
    """A day's sentences scored by their own terms, placed in the story, and what each
    teaches the model (`_teaching`)."""

    lexicons: list[Lexicon]
    topics: list[tuple[str, ...]]  # each sentence's topic words (text.addressed)
    own: list[dict[str, float]]
    terms: list[dict[str, tuple[str, ...]]]  # per sentence: each theme's terms found, if any
    placed: _Placed
    taught: list[str | None]


def _sure(articles: Sequence[Article], sentences: Sequence[Sentence],
          themes: Sequence[Theme], story: StorySettings) -> _Sure:
    lexicons = compile_themes(themes)
    keys = [lex.key for lex in lexicons]
    topics = [addressed(s.text, s.stems) for s in sentences]
    own, terms = _own_terms(lexicons, topics)
    placed = _place(articles, sentences, own, story)
    taught = [_teaching(own[i], placed.place[i] == ON, keys) for i in range(len(sentences))]
    return _Sure(lexicons, topics, own, terms, placed, taught)


def _own_terms(lexicons: Sequence[Lexicon], topics: Sequence[tuple[str, ...]]
               ) -> tuple[list[dict[str, float]], list[dict[str, tuple[str, ...]]]]:
    """Each sentence's score by each theme's terms (Lexicon.score), and the terms found.

    Each lexicon's terms are looked for once: the same search gives the score and the
    terms `briefing sentences` shows. Most sentences hold no stem that any theme's term
    starts with, and one test of all the themes' together rules them out.
    """
    keys = [lex.key for lex in lexicons]
    starts = frozenset().union(*(lex.starts for lex in lexicons))
    nothing = dict.fromkeys(keys, 0)  # what Lexicon.score gives a sentence without a term
    own: list[dict[str, float]] = []
    terms: list[dict[str, tuple[str, ...]]] = []
    for topic in topics:
        if starts.isdisjoint(topic):
            own.append(dict(nothing))
            terms.append({})
            continue
        scores: dict[str, float] = {}
        found: dict[str, tuple[str, ...]] = {}
        for lex in lexicons:
            hits = lex.found(topic)
            scores[lex.key] = sum(hits.values()) if hits else 0
            if hits:
                found[lex.key] = tuple(hits)
        own.append(scores)
        terms.append(found)
    return own, terms


def evidence(articles: Sequence[Article], sentences: Sequence[Sentence],
             themes: Sequence[Theme], story: StorySettings,
             background: Sequence[Example] = ()) -> DayEvidence:
    """The evidence for every sentence's theme."""
    sure = _sure(articles, sentences, themes, story)
    keys = [lex.key for lex in sure.lexicons]
    model = _train(sentences, sure.taught, keys, background)
    n, k = len(sentences), len(keys)
    own = np.array([[o[key] for key in keys] for o in sure.own], dtype=float).reshape(n, k)
    top = own.max(axis=1) if k else np.zeros(n)
    before, after, article = np.full(n, -1), np.full(n, -1), np.zeros(n, dtype=np.intp)
    members = list(sure.placed.members.values())
    for a, indices in enumerate(members):
        article[indices] = a
        before[indices[1:]] = indices[:-1]
        after[indices[:-1]] = indices[1:]
    place = sure.placed.place
    on = np.array([p == ON for p in place], dtype=bool)
    found = [sure.placed.articles.get(article_id) for article_id in sure.placed.members]
    titles = [stems(a.title or "") if a is not None else () for a in found]
    headline = np.array([[lex.score(addressed(a.title or "", t)) if a is not None else 0.0
                          for lex in sure.lexicons] for a, t in zip(found, titles, strict=True)],
                        dtype=float).reshape(len(members), k)
    share = _shares(_on_story_sums(own, on, article, len(members)))
    learned, other, known = _learned(model, [s.stems for s in sentences], sure.taught, keys)
    learned_headline = _learned(model, titles, [None] * len(titles), keys)[0]
    with_other = np.concatenate([learned, other[:, None]], axis=1)
    on_count = np.bincount(article[on], minlength=len(members))
    learned_article = _on_story_sums(with_other, on, article, len(members)) \
        / np.maximum(on_count, 1)[:, None]
    length = np.minimum(np.fromiter(map(len, (s.stems for s in sentences)), dtype=float,
                                    count=n), 40) / 40
    against = np.stack([np.ones(n), top, other, learned_article[article, k], length,
                        (~known).astype(float)], axis=1)
    scope = {t.key: t.scope for t in themes}
    side = np.array([scope[key] == "side" for key in keys], dtype=bool)
    outside = np.array([p == OUTSIDE for p in place], dtype=bool)
    eligible = on[:, None] | (outside[:, None] & side[None, :])
    day = _DayArrays(own, top, before, after, article, headline, share, learned,
                     learned_article, learned_headline)
    return DayEvidence(sure.placed, sure.lexicons,
                       model is not None and model.examples >= TAUGHT_EXAMPLES, sure.own,
                       sure.topics, against, eligible, day, sure.terms)


def _on_story_sums(values: np.ndarray, on: np.ndarray, article: np.ndarray, articles: int
                   ) -> np.ndarray:
    """Each article's sum of every column of `values` over its on-story sentences,
    (articles, columns), added in the sentences' order."""
    return _columns([_sums(article[on], values[on, j], articles)
                     for j in range(values.shape[1])], articles)


def _shares(totals: np.ndarray) -> np.ndarray:
    """Each theme's share (0..1) of each article's theme evidence (`totals`, per theme)."""
    whole = np.zeros(totals.shape[0])
    for j in range(totals.shape[1]):  # added in the themes' order
        whole = whole + totals[:, j]
    return np.asarray(np.divide(totals, whole[:, None], out=np.zeros_like(totals),
                                where=(whole != 0)[:, None]))


def _columns(columns: Sequence[np.ndarray], rows: int) -> np.ndarray:
    """Columns side by side, (rows, len(columns)); no columns give (rows, 0)."""
    return np.stack(columns, axis=1) if columns else np.zeros((rows, 0))


def _sums(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """The sum of each group's values (groups 0..size-1), added in order."""
    return np.bincount(groups, weights=values, minlength=size).astype(float)


def _learned(model: NaiveBayes | None, stem_lists: Sequence[Sequence[str]],
             taught: Sequence[str | None], keys: Sequence[str]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's probability of each theme (n, k) and of `other` (n,) for each sentence,
    and whether it knows any of the sentence's words (all zeros when it does not)."""
    n = len(stem_lists)
    if model is None:
        return np.zeros((n, len(keys))), np.zeros(n), np.zeros(n, dtype=bool)
    probability, known = model.predict_many(stem_lists, taught)
    def column(label: str) -> np.ndarray:
        return probability[:, model.labels.index(label)] if label in model.labels \
            else np.zeros(n)
    return _columns([column(k) for k in keys], n), column(OTHER), known


def _weighed(weights: Sequence[float], columns: Iterable[np.ndarray],
             parts: Sequence[range], shape: tuple[int, ...]) -> list[np.ndarray]:
    """The weighted sum of each part of the features (`columns`, one per weight, taken once
    each in order), every sum added feature by feature from 0, as Python's sum adds them."""
    totals = [np.zeros(shape) for _ in parts]
    for f, values in enumerate(columns):
        for p, part in enumerate(parts):
            if f in part:
                totals[p] = totals[p] + weights[f] * values
    return totals


_OWN = range(len(OWN))
_CONTEXT = range(len(OWN), len(OWN) + len(CONTEXT))
_LEARNED = range(len(OWN) + len(CONTEXT), len(THEME_FEATURES))
_AGAINST = range(1, len(AGAINST_FEATURES))  # the bias is the threshold


@dataclass(frozen=True)
class Decisions:
    """Every sentence's theme and the evidence for its best theme, as arrays over the
    sentences."""

    best: np.ndarray  # the best theme's column, eligible or not (-1 without themes)
    chosen: np.ndarray  # bool: whether the best theme is taken (else `other`)
    own: np.ndarray  # the best theme's evidence from the sentence's own terms
    context: np.ndarray
    learned: np.ndarray
    against: np.ndarray  # the evidence that the sentence is about no theme, bias aside
    total: np.ndarray  # own + context + learned - against


def decide_all(w: Weights, columns: Iterable[np.ndarray], against: np.ndarray,
               eligible: np.ndarray, threshold: float) -> Decisions:
    """The best theme of every sentence is the one with the most evidence among those it
    may take (ties to the theme listed first; any theme when it may take none); it is
    chosen when its evidence reaches `threshold`. `columns` are THEME_FEATURES in order,
    each (sentences, themes)."""
    n, k = eligible.shape
    [against_total] = _weighed(w.against, against.T, [_AGAINST], (n,))
    if k == 0:
        zero = np.zeros(n)
        return Decisions(np.full(n, -1), np.zeros(n, dtype=bool), zero, zero, zero,
                         against_total, zero)
    own, context, learned = _weighed(w.theme, columns, [_OWN, _CONTEXT, _LEARNED], (n, k))
    total = own + context + learned - against_total[:, None]
    allowed = np.where(np.asarray(eligible.any(axis=1))[:, None], eligible, True)
    best = np.where(allowed, total, -np.inf).argmax(axis=1)
    rows = np.arange(n)
    chosen = np.asarray(eligible[rows, best]) & (total[rows, best] >= threshold)
    return Decisions(best, chosen, own[rows, best], context[rows, best], learned[rows, best],
                     against_total, total[rows, best])


def theme_day(articles: Sequence[Article], sentences: Sequence[Sentence],
              themes: Sequence[Theme], story: StorySettings, threshold: float,
              background: Sequence[Example] = (), weights: Combiner | None = None) -> Theming:
    """Every sentence's theme. `background` is what earlier days taught (`examples`): it
    trains the model beside the day's own sure sentences, so a small day learns too."""
    keys = [t.key for t in themes]
    day = evidence(articles, sentences, themes, story, background)
    chosen_weights = weights or combiner()
    w = chosen_weights.taught if day.taught else chosen_weights.untaught
    d = decide_all(w, day.columns(), day.against, day.eligible, threshold)
    best, chosen = d.best.tolist(), d.chosen.tolist()
    own, context, learned = d.own.tolist(), d.context.tolist(), d.learned.tolist()
    against, total = d.against.tolist(), d.total.tolist()
    place, story_why = day.placed.place, day.placed.why
    themed = []
    for i, s in enumerate(sentences):
        theme = keys[best[i]] if keys else ""
        terms = day.terms[i].get(theme, ()) if keys else ()
        # A zero is rounded to itself: most of a day's figures are zeros, left as they are.
        c, le, t, o, ag = context[i], learned[i], total[i], own[i], against[i]
        why = Why(best=theme, terms=terms, context=round(c, 3) if c else c,
                  learned=round(le, 3) if le else le, total=round(t, 3) if t else t,
                  story=story_why[i], place=place[i], own=round(o, 3) if o else o,
                  against=round(ag, 3) if ag else ag)
        themed.append(ThemedSentence(s, {k: round(v, 3) if v else v
                                         for k, v in day.own[i].items()},
                                     theme if chosen[i] else OTHER, why))
    return Theming(tuple(themed), day.placed.judgments)


def examples(articles: Sequence[Article], sentences: Sequence[Sentence],
             themes: Sequence[Theme], story: StorySettings) -> tuple[Example, ...]:
    """What a day's text teaches later days: each sentence the lexicon is sure of (or that
    is off the story, as `other`), with its stems. Only the labels and words are kept."""
    taught = _sure(articles, sentences, themes, story).taught
    return tuple((label, tuple(s.stems)) for s, label in zip(sentences, taught, strict=True)
                 if label is not None)


@dataclass(frozen=True)
class _Placed:
    """Where each sentence stands to the story, and each article's judgment."""

    articles: Mapping[str, Article]
    members: Mapping[str, list[int]]  # each article's sentences, by index, in order
    judgments: Mapping[str, Judgment]
    place: list[str]
    why: list[str]


def _place(articles: Sequence[Article], sentences: Sequence[Sentence],
           own: Sequence[Mapping[str, float]], story: StorySettings) -> _Placed:
    story_lex = compile_story(story)
    members: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sentences):
        members[s.article].append(i)
    titles = {a.id: a for a in articles}
    judgments: dict[str, Judgment] = {}
    place = [ON] * len(sentences)
    why = [""] * len(sentences)
    for article_id, indices in members.items():
        article = titles.get(article_id)
        judgment = judge(article, [sentences[i] for i in indices], story_lex, story.label) \
            if article is not None else Judgment(True, "", (ON,) * len(indices),
                                                 ("",) * len(indices))
        if judgment.relevant and not _themed(
                [own[i] for n, i in enumerate(indices) if judgment.place[n] == ON]):
            judgment = without_theme(judgment, article, [sentences[i] for i in indices],
                                     story_lex) if article is not None else judgment
        judgments[article_id] = judgment
        for n, i in enumerate(indices):
            place[i], why[i] = judgment.place[n], judgment.why[n]
    return _Placed(titles, members, judgments, place, why)


def _themed(own: Sequence[Mapping[str, float]]) -> bool:
    """Is an article about one of the themes: a sentence whose own terms are sure of one
    (CONFIDENT), or a theme that runs through it (RUNNING sentences whose best theme it is,
    each with at least one of its full terms)?"""
    running: Counter[str] = Counter()
    for scores in own:
        best = max(scores.values(), default=0.0)
        if best >= CONFIDENT:
            return True
        if best >= FULL_TERM:
            running[max(scores, key=scores.__getitem__)] += 1
    return any(count >= RUNNING for count in running.values())


class NaiveBayes:
    """A multinomial naive Bayes over sentence stems, with equal class priors.

    A sentence the model was trained on is predicted without itself (leave one
    out), so a sentence never teaches the model its own label.
    """

    def __init__(self, examples: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        for label, words in examples:
            self.counts[label].update(set(words))
        self.labels = list(self.counts)
        self.vocabulary = {w for c in self.counts.values() for w in c}
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}
        self.examples = len(examples)
        # Each known word's row, in sorted order so that sums are added in the same order
        # in every run; log(count + smoothing) under every label, and the same without one
        # sentence (for the label a sentence taught: its words' counts are at least 1).
        words = sorted(self.vocabulary)
        self._row = {w: n for n, w in enumerate(words)}
        counts = np.array([[self.counts[label][w] for label in self.labels] for w in words],
                          dtype=float).reshape(len(words), len(self.labels))
        self._logs = np.log(counts + SMOOTHING)
        self._logs_without_one = np.log(np.maximum(counts - 1, 0) + SMOOTHING)
        size = len(self.vocabulary)
        self._totals = np.array([self.totals[label] + SMOOTHING * size for label in self.labels])

    def predict(self, sentence_stems: Sequence[str], taught: str | None = None
                ) -> dict[str, float]:
        """Each label's probability; `taught` is the label this sentence taught, if any;
        nothing when the model knows none of its words."""
        probability, known = self.predict_many([sentence_stems], [taught])
        return dict(zip(self.labels, probability[0].tolist(), strict=True)) if known[0] else {}

    def predict_many(self, stem_lists: Sequence[Sequence[str]],
                     taught: Sequence[str | None], batch: int = 50_000
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Each sentence's probability of each label (columns in `labels` order), and whether
        the model knows any of its words (a row of zeros when it knows none). A day's
        sentences are taken `batch` at a time, so the word lists stay small."""
        parts = [self._predict(stem_lists[i:i + batch], taught[i:i + batch])
                 for i in range(0, len(stem_lists), batch)]
        if not parts:
            return np.zeros((0, len(self.labels))), np.zeros(0, dtype=bool)
        return (np.concatenate([p for p, _ in parts]), np.concatenate([k for _, k in parts]))

    def _predict(self, stem_lists: Sequence[Sequence[str]], taught: Sequence[str | None]
                 ) -> tuple[np.ndarray, np.ndarray]:
        n, labels = len(stem_lists), len(self.labels)
        lengths = np.fromiter(map(len, stem_lists), dtype=np.intp, count=n)
        flat = list(chain.from_iterable(stem_lists))
        rows = np.fromiter(map(self._row.get, flat, repeat(-1)), dtype=np.intp, count=len(flat))
        sentence = np.repeat(np.arange(n), lengths)
        # Each known word once per sentence, ordered by sentence and then by word: one
        # number per (sentence, word) pair, sorted, repeats dropped (a sort is faster here
        # than np.unique's hashing).
        words = max(len(self._row), 1)
        pairs = np.sort(sentence[rows >= 0] * words + rows[rows >= 0])
        pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
        sentence, rows = pairs // words, pairs % words
        known = np.bincount(sentence, minlength=n)
        mine = np.array([self.labels.index(t) if t in self.counts else -1 for t in taught],
                        dtype=np.intp)
        scores = np.empty((n, labels))
        for j in range(labels):
            sums = _sums(sentence, self._logs[rows, j], n)
            total = np.full(n, self._totals[j])
            less = mine == j
            if less.any():  # the label these sentences taught: counted without them
                without = _sums(sentence, self._logs_without_one[rows, j], n)
                sums = np.where(less, without, sums)
                total = np.where(less, total - known, total)
            scores[:, j] = sums - known * np.log(total)
        scores -= scores.max(axis=1, keepdims=True) if labels else 0.0
        weights = np.exp(scores)
        whole = np.zeros(n)
        for j in range(labels):  # added label by label, as Python's sum adds them
            whole = whole + weights[:, j]
        probability = weights / whole[:, None]
        has = known > 0
        probability[~has] = 0.0
        return probability, has


def _teaching(scores: Mapping[str, float], on_story: bool, keys: Sequence[str]) -> str | None:
    """The label a sentence teaches the model: its theme when its own terms are sure of it,
    `other` when it is off the story or has no theme word at all, else nothing."""
    if not on_story or not any(scores.values()):
        return OTHER
    ranked = sorted(scores.values(), reverse=True)
    runner_up = ranked[1] if len(ranked) > 1 else 0.0
    if ranked[0] >= CONFIDENT and ranked[0] >= 2 * runner_up:
        return max(keys, key=lambda k: scores[k])
    return None


def _train(sentences: Sequence[Sentence], taught: Sequence[str | None],
           keys: Sequence[str], background: Sequence[Example] = ()) -> NaiveBayes | None:
    """Self-training: the sentences the lexicon is sure of teach the model their words,
    the day's own and those of earlier days (`background`).

    None when there are too few examples of at least two themes.
    """
    found: list[Example] = [(label, s.stems) for s, label in zip(sentences, taught, strict=True)
                            if label is not None]
    found += [(label, words) for label, words in background if label in keys or label == OTHER]
    per_label = Counter(label for label, _ in found)
    learnt = [k for k in keys if per_label[k] >= MIN_EXAMPLES]
    if len(learnt) < 2:
        return None
    return NaiveBayes([(label, words) for label, words in found
                       if label in learnt or label == OTHER])

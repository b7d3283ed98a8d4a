"""How much a concept is worth: a model learnt from human summaries, or document frequency.

By default a concept (a stemmed word bigram) is worth the number of articles
that say it, when enough of them do. The learnt alternative makes it worth the
chance that a person summing up the articles would write it: a logistic
function of a few facts about the concept in the day's articles (how many
articles say it and its words, how often, how early: in the lead or further
down; whether one of its words is common or a number). The coefficients were
fitted on the DUC 2003 and TAC 2011 document sets with their human summaries
(`python -m benchmarks.train_weights`) and ship in
`briefing/data/concept_weights.json`; nothing here needs the training data.
Headlines are not among the facts: the DUC 2003 documents come without them.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from briefing.models import Sentence
from briefing.text import is_common

# A sentence this far into its article or further counts as the body, not the lead.
EARLY = 3
FEATURES = (
    "df_share",      # share of the articles that say it
    "log_df",        # log of the number of articles that say it
    "log_count",     # log of the number of sentences that say it
    "repeats",       # sentences per article that says it, minus one
    "lead_share",    # share of the articles whose first sentence says it
    "early_share",   # share of the articles that say it in their first EARLY sentences
    "first",         # 1 / (1 + the earliest sentence index at which it is said)
    "mean_first",    # mean over the articles that say it of 1 / (1 + where they first do)
    "common",        # one of its two words is a stopword or a number
    "number",        # one of its words is a number
    "single",        # only one article says it
    "pair",          # exactly two articles say it
    "word_share",    # share of the articles that say its rarer content word
    "word_common",   # share of the articles that say its more widespread content word
)


@dataclass(slots=True)
class Stats:
    """What the day's articles say about one concept."""

    df: int = 0  # articles that say it
    count: int = 0  # sentences that say it
    first: int = 1_000_000  # the earliest sentence index at which an article says it
    leads: int = 0  # articles whose first sentence says it
    early: int = 0  # articles that say it in their first EARLY sentences
    inverse_first: float = 0.0  # sum over those articles of 1 / (1 + where they first do)


@dataclass(frozen=True)
class Day:
    """The statistics of every concept and word of the day's articles."""

    concepts: dict[str, Stats]
    words: dict[str, int]  # articles that say each word (as a part of a concept)
    articles: int


def concept_stats(sentences: Sequence[Sentence], concept_sets: Sequence[Collection[str]],
                  support: Iterable[tuple[Sentence, Collection[str]]] = ()) -> Day:
    """Each concept's statistics over the sentences and the supporting copies' sentences."""
    by_article: dict[str, list[tuple[int, Collection[str]]]] = defaultdict(list)
    for s, cs in zip(sentences, concept_sets, strict=True):
        by_article[s.article].append((s.index, cs))
    for s, cs in support:
        by_article[s.article].append((s.index, cs))
    stats: dict[str, Stats] = {}
    word_df: Counter[str] = Counter()
    for members in by_article.values():
        first: dict[str, int] = {}
        for index, cs in members:
            for c in cs:
                st = stats.get(c)
                if st is None:
                    st = stats[c] = Stats()
                st.count += 1
                seen = first.get(c)
                if seen is None or index < seen:
                    first[c] = index
        for c, index in first.items():
            st = stats[c]
            st.df += 1
            st.inverse_first += 1.0 / (1 + index)
            if index < st.first:
                st.first = index
            if index == 0:
                st.leads += 1
            if index < EARLY:
                st.early += 1
        word_df.update({w for c in first for w in c.split(" ")})
    return Day(stats, dict(word_df), len(by_article))


def features(concept: str, day: Day) -> list[float]:
    """The model's inputs for one concept, in the order of FEATURES."""
    st = day.concepts[concept]
    parts = concept.split(" ")
    n = max(day.articles, 1)
    content = [day.words.get(p, st.df) for p in parts if not is_common(p)] or [st.df]
    return [
        st.df / n,
        math.log(st.df),
        math.log(st.count),
        st.count / st.df - 1.0,
        st.leads / n,
        st.early / n,
        1.0 / (1 + st.first),
        st.inverse_first / st.df,
        1.0 if any(is_common(p) for p in parts) else 0.0,
        1.0 if any(p.isdigit() for p in parts) else 0.0,
        1.0 if st.df == 1 else 0.0,
        1.0 if st.df == 2 else 0.0,
        min(content) / n,
        max(content) / n,
    ]


@dataclass(frozen=True)
class Model:
    """A logistic model over FEATURES: standardised inputs, then weights."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    # Concepts less likely than this to be in a summary are not worth covering: leaving
    # them out keeps the selection problem small.
    min_worth: float

    def probability(self, x: Sequence[float]) -> float:
        z = self.intercept + sum(w * (v - m) / s for w, v, m, s
                                 in zip(self.weights, x, self.means, self.scales, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def to_json(self) -> dict[str, object]:
        return {"features": list(FEATURES), "means": list(self.means),
                "scales": list(self.scales), "weights": list(self.weights),
                "intercept": self.intercept, "min_worth": self.min_worth}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("concept weights were trained on other features; retrain them "
                             "with python -m benchmarks.train_weights")
        return cls(tuple(float(v) for v in data["means"]),
                   tuple(float(v) for v in data["scales"]),
                   tuple(float(v) for v in data["weights"]), float(data["intercept"]),
                   float(data["min_worth"]))


@cache
def shipped() -> Model:
    """The model that ships with briefing (briefing/data/concept_weights.json)."""
    text = files("briefing").joinpath("data", "concept_weights.json").read_text(encoding="utf-8")
    return Model.from_json(json.loads(text))


def learned(day: Day, model: Model | None = None) -> dict[str, float]:
    """Each concept's chance of being in a human summary, where it is worth covering."""
    model = model or shipped()
    out: dict[str, float] = {}
    for c in day.concepts:
        p = model.probability(features(c, day))
        if p >= model.min_worth:
            out[c] = p
    return out


def min_shared(articles: int) -> int:
    """How many articles must share a concept for it to count as the day's news."""
    if articles < 2:
        return 1
    return min(3, max(2, math.ceil(articles / 4)))


def by_document_frequency(said: Iterable[tuple[str, Collection[str]]]) -> dict[str, float]:
    """The number of articles that say a concept, if enough of them do.

    `said` holds (article, concepts) for every sentence.
    """
    articles: dict[str, set[str]] = defaultdict(set)
    for article, cs in said:
        articles[article].update(cs)
    df: Counter[str] = Counter()
    for seen in articles.values():
        df.update(seen)
    least = min_shared(len(articles))
    return {c: float(n) for c, n in df.items() if n >= least}

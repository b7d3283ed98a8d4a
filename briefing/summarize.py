"""Extractive selection: which sentences carry the day's news, under a word budget.

Salience is *coverage of shared content*: the concepts of a sentence are its
stemmed word bigrams, and a concept is worth the number of articles that
mention it (the day's most shared content is worth most; what fewer than a
few articles say is not counted). A
sentence's gain is the worth of the concepts it adds that the brief does not
cover yet, so once one sentence has said a thing, the next one saying it
gains nothing: redundancy is controlled by construction, and a similarity
check catches the rest. Selection is greedy on gain per word (a budgeted
maximum-coverage problem), weighted by position in the article and, for the
themed brief, by relevance to the theme.

Gains only shrink as the brief grows, so a lazy greedy over a heap gives the
same choice as recomputing every gain at every step, at a fraction of the
cost, and nothing here compares all sentences of the day with each other.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from briefing.models import Citation, Sentence
from briefing.text import concepts, words

# Gain per word^LENGTH_EXPONENT: between raw gain (favours long sentences)
# and gain per word (favours fragments).
LENGTH_EXPONENT = 0.7
# A sentence that opens with a pronoun ("He also said…") or points back with
# a demonstrative ("Despite these efforts…") leans on a sentence the reader of
# the brief has not seen; one that opens with a connective ("However, …")
# leans less. Such sentences are chosen only when clearly better.
PRONOUN_PENALTY = 0.6
CONNECTIVE_PENALTY = 0.85
PRONOUN_START = re.compile(
    r"^(?:[\"“‘']?)(?:he|she|they|it|its|his|her|their|them|this|these|those|such|there)\b"
    r"|^\S+(?:\s+\S+)?\s+(?:these|those|such)\b",
    re.I,
)
CONNECTIVE_START = re.compile(
    r"^(?:however|but|also|meanwhile|moreover|furthermore|still|yet|instead|then|thus|so|"
    r"and|besides|likewise|similarly|nevertheless|nonetheless)\b[\s,]",
    re.I,
)


def opening_weight(text: str) -> float:
    """How well a sentence stands on its own, judged by its first words."""
    if PRONOUN_START.match(text):
        return PRONOUN_PENALTY
    if CONNECTIVE_START.match(text):
        return CONNECTIVE_PENALTY
    return 1.0


def min_shared(articles: int) -> int:
    """How many articles must share a concept for it to count as the day's news."""
    if articles < 2:
        return 1
    return min(3, max(2, math.ceil(articles / 4)))


@dataclass(frozen=True)
class Pool:
    """The day's sentences prepared for selection: concepts, worth, position weights."""

    sentences: tuple[Sentence, ...]
    concepts: tuple[Collection[str], ...]  # each once (sentences keep them as sorted tuples)
    worth: Mapping[str, float]
    prior: tuple[float, ...]  # position (and opening-word) weight of each sentence
    article_rank: Mapping[str, int]

    def density(self, i: int, covered: Set[str] = frozenset()) -> float:
        """Worth of the concepts sentence i adds, per word^LENGTH_EXPONENT."""
        length: float = float(max(self.sentences[i].words, 1)) ** LENGTH_EXPONENT
        return _gain(self, i, covered) / length

    def order_key(self, i: int) -> tuple[int, int]:
        s = self.sentences[i]
        return self.article_rank[s.article], s.index


def build_pool(sentences: Sequence[Sentence], position_weight: float = 0.3,
               support: Sequence[Sentence] = ()) -> Pool:
    """Concepts and their worth (document frequency across articles) for these sentences.

    `support` sentences (from syndicated copies) count towards document
    frequency, so a story many outlets ran weighs more, but are not in the pool.
    """
    sentences = tuple(sentences)
    concept_sets = tuple(s.concepts or concepts(words(s.text)) for s in sentences)
    articles: dict[str, set[str]] = defaultdict(set)
    for s, cs in zip(sentences, concept_sets, strict=True):
        articles[s.article].update(cs)
    for s in support:
        articles[s.article].update(s.concepts or concepts(words(s.text)))
    df: Counter[str] = Counter()
    for seen in articles.values():
        df.update(seen)
    min_df = min_shared(len(articles))
    worth = {c: float(n) for c, n in df.items() if n >= min_df}
    prior = tuple(
        (1.0 + position_weight * math.exp(-s.index / 3.0))
        * opening_weight(s.text)
        for s in sentences
    )
    rank = {a: n for n, a in enumerate(sorted({s.article for s in sentences}))}
    return Pool(sentences, concept_sets, worth, prior, rank)


@dataclass(frozen=True)
class Pick:
    index: int  # into Pool.sentences
    score: float


def jaccard(a: Set[str], b: Set[str]) -> float:
    """Shared words over all words of two sets: how near-identical two texts are."""
    return len(a & b) / len(a | b) if a and b else 0.0


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two sets: how much two sentences say the same thing."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def select(pool: Pool, candidates: Iterable[int], budget: int, *,
           relevance: Mapping[int, float] | None = None, chosen: Sequence[int] = (),
           covered: Iterable[str] = (), redundancy: float = 0.5, min_words: int = 1,
           max_words: int = 10_000, overflow: bool = False, limit: int | None = None,
           scale: float | None = None) -> list[Pick]:
    """Greedy budgeted coverage over `candidates`; returns picks in the order chosen.

    `relevance` (0..1 per candidate) blends theme relevance into the score.
    `chosen` are sentences already in the brief: new picks must not repeat them.
    With `overflow`, the last pick may exceed the budget (for summaries that
    are cut at N words afterwards). `scale` is the coverage that counts as
    full (default: the best candidate's); a themed brief passes the day's best,
    so that a thin theme's best sentence is not mistaken for the day's news.
    """
    covered_now = set(covered)
    stems_of = [frozenset(pool.sentences[i].stems) for i in chosen]
    eligible = [i for i in candidates
                if min_words <= pool.sentences[i].words <= max_words and pool.concepts[i]]
    if not eligible:
        return []

    def density(i: int) -> float:
        return pool.density(i, covered_now)

    top = scale or max(density(i) for i in eligible) or 1.0

    def score(i: int) -> float:
        # Coverage is scaled to 0..1 by the best candidate at the start, so it
        # weighs evenly against relevance. The small floor lets position decide
        # among sentences that add no shared content.
        value = density(i) / top + 0.01
        if relevance is not None:
            value = 0.5 * value + 0.5 * relevance.get(i, 0.0)
        return value * pool.prior[i]

    heap = [(-score(i), pool.order_key(i), i) for i in eligible]
    heapq.heapify(heap)
    picks: list[Pick] = []
    used = 0
    while heap and used < budget and (limit is None or len(picks) < limit):
        _, key, i = heapq.heappop(heap)
        current = score(i)
        if heap and current < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-current, key, i))  # stale bound: re-queue
            continue
        sentence = pool.sentences[i]
        if used + sentence.words > budget and not overflow:
            continue
        mine_stems = frozenset(sentence.stems)
        if any(similarity(mine_stems, other) >= redundancy for other in stems_of):
            continue
        picks.append(Pick(i, round(current, 4)))
        stems_of.append(mine_stems)
        covered_now.update(pool.concepts[i])
        used += sentence.words
    return picks


def _gain(pool: Pool, i: int, covered: Set[str]) -> float:
    worth = pool.worth
    return float(sum(worth.get(c, 0.0) for c in pool.concepts[i] if c not in covered))


class DuplicateFinder:
    """Finds, for a sentence, the near-identical sentences of other articles.

    Jaccard similarity of stem sets at least `threshold` means the other
    sentence shares all but a (1 - threshold) share of this one's stems, so it
    must contain one of this sentence's floor((1 - t)·m) + 1 rarest stems.
    Looking only there keeps the search to short posting lists.
    """

    def __init__(self, pool: Pool, members: Iterable[int], threshold: float) -> None:
        self.pool = pool
        self.threshold = threshold
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i in members:
            for word in set(pool.sentences[i].stems):
                self.postings[word].append(i)

    def duplicates(self, i: int) -> list[int]:
        sentence = self.pool.sentences[i]
        mine = set(sentence.stems)
        if not mine:
            return []
        rare = sorted(mine, key=lambda s: (len(self.postings.get(s, ())), s))
        probe = rare[: math.floor((1 - self.threshold) * len(mine)) + 1]
        best: dict[str, tuple[float, int]] = {}
        for word in probe:
            for j in self.postings.get(word, ()):
                other = self.pool.sentences[j]
                if other.article == sentence.article:
                    continue
                overlap = jaccard(mine, set(other.stems))
                if overlap >= self.threshold and overlap > best.get(other.article, (0.0, 0))[0]:
                    best[other.article] = (overlap, j)
        return sorted((j for _, j in best.values()), key=self.pool.order_key)


def citations(pool: Pool, i: int, duplicates: Sequence[int]) -> tuple[Citation, ...]:
    """The quoted sentence first, then the near-identical ones in article order."""
    members = [i, *sorted(set(duplicates) - {i}, key=pool.order_key)]
    return tuple(Citation(pool.sentences[j].article, pool.sentences[j].index) for j in members)


def summarize(sentences: Sequence[Sentence], words: int, position_weight: float = 0.3,
              redundancy: float = 0.5, min_words: int = 5, max_words: int = 60,
              support: Sequence[Sentence] = ()) -> list[Sentence]:
    """Theme-agnostic summary: the best sentences, best first, about `words` long.

    The last sentence may run past the budget; the caller cuts the text.
    """
    pool = build_pool(sentences, position_weight, support)
    picks = select(pool, range(len(pool.sentences)), words, redundancy=redundancy,
                   min_words=min_words, max_words=max_words, overflow=True)
    return [pool.sentences[p.index] for p in picks]


def cut_to_words(lines: Sequence[str], words: int) -> list[str]:
    """The lines, cut so that together they have at most `words` words."""
    out: list[str] = []
    left = words
    for line in lines:
        if left <= 0:
            break
        parts = line.split()
        out.append(" ".join(parts[:left]))
        left -= len(parts[:left])
    return out

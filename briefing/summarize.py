"""Extractive selection: which sentences carry the day's news, under a word budget.

Salience is *coverage of shared content*: the concepts of a sentence are its
stemmed word bigrams, and a concept is worth the number of articles that
mention it (what fewer than a few articles say is not counted; in a brief, of
the articles about its story), or, with
learned weights, the chance that a human summary says it (briefing.worth). A
set of sentences is worth the concepts it covers, each counted once, so a
second sentence saying the same thing gains nothing: redundancy is controlled
by construction, and a similarity check catches the rest. Position in the
article, how well a sentence stands alone and, for the themed brief,
relevance to the theme weigh in too.

Filling a budget is a budgeted maximum-coverage problem. The default is a
greedy on gain per word: gains only shrink as the brief grows, so a lazy
greedy over a heap gives the same choice as recomputing every gain at every
step, and nothing here compares all sentences of the day with each other.
The alternative solves it exactly, as an integer linear program
(briefing.exact), over the best EXACT_CANDIDATES candidates by greedy score,
within a time limit, keeping the greedy answer when the solver does not beat
it in time.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from briefing import exact, worth
from briefing.models import Citation, Sentence
from briefing.text import concepts, words
from briefing.worth import min_shared

__all__ = ["min_shared"]  # re-exported: how many articles make a concept shared under df weights

# Concept weights (see build_pool) and selection methods (see select).
LEARNED = "learned"
DOCUMENT_FREQUENCY = "df"
EXACT = "exact"
GREEDY = "greedy"
# The defaults. On DUC 2003 (benchmarks/duc.py, README "Benchmarks") neither the ILP nor
# the learned weights beat the lazy greedy over document frequency, and the ILP is slower,
# so both stay a choice of the caller.
WEIGHTS = DOCUMENT_FREQUENCY
SELECTION = GREEDY
# The ILP sees this many candidates, the best by greedy score (plus the greedy's own
# picks), whatever the size of the pool: above it, only the greedy's ranking decides.
EXACT_CANDIDATES = 50
# Seconds the solver may take per call before the greedy answer is kept.
TIME_LIMIT = 1.0
# The score every sentence gets, so that position decides among sentences that add nothing.
FLOOR = 0.01

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


@dataclass(frozen=True)
class Pool:
    """The day's sentences prepared for selection: concepts, worth, position weights."""

    sentences: tuple[Sentence, ...]
    concepts: tuple[Sequence[str], ...]  # each sentence's, each once, sorted (text.concepts)
    worth: Mapping[str, float]
    prior: tuple[float, ...]  # position (and opening-word) weight of each sentence
    article_rank: Mapping[str, int]

    def gain(self, i: int, covered: Set[str] = frozenset()) -> float:
        """Worth of the concepts sentence i adds to those already covered."""
        worth = self.worth
        return float(sum(worth.get(c, 0.0) for c in self.concepts[i] if c not in covered))

    def density(self, i: int, covered: Set[str] = frozenset()) -> float:
        """Worth of the concepts sentence i adds, per word^LENGTH_EXPONENT."""
        return self.gain(i, covered) / self.length(i)

    def length(self, i: int) -> float:
        """Sentence i's length, as gain is divided by it."""
        length: float = float(max(self.sentences[i].words, 1)) ** LENGTH_EXPONENT
        return length

    def order_key(self, i: int) -> tuple[int, int]:
        s = self.sentences[i]
        return self.article_rank[s.article], s.index


def build_pool(sentences: Sequence[Sentence], position_weight: float = 0.3,
               support: Sequence[Sentence] = (), weights: str | worth.Model | None = None,
               about: Collection[str] | None = None) -> Pool:
    """Concepts and their worth for these sentences.

    `weights` is DOCUMENT_FREQUENCY (the number of articles that say it, the
    default: see WEIGHTS) or LEARNED (the chance that a human summary says the
    concept, see briefing.worth), or a worth.Model to use instead of the
    shipped one. `support` sentences (from syndicated copies) count as articles that
    say what they say, so a story many outlets ran weighs more, but are not
    in the pool. With `about`, only those articles (and copies) count and have
    concepts: how widely the story's articles say something is what it is worth,
    a day's other articles are not among the articles that could have said it,
    and a sentence of theirs is never chosen.
    """
    sentences = tuple(sentences)

    def counts(s: Sentence) -> bool:
        return about is None or s.article in about

    concept_sets = tuple(concepts(words(s.text)) if counts(s) else () for s in sentences)
    mine = [(s, cs) for s, cs in zip(sentences, concept_sets, strict=True) if counts(s)]
    copies = [(s, concepts(words(s.text))) for s in support if counts(s)]
    weights = weights or WEIGHTS
    if weights == LEARNED or isinstance(weights, worth.Model):
        day = worth.concept_stats([s for s, _ in mine], [cs for _, cs in mine], copies)
        concept_worth = worth.learned(day, weights if isinstance(weights, worth.Model) else None)
    elif weights == DOCUMENT_FREQUENCY:
        concept_worth = worth.by_document_frequency(
            [(s.article, cs) for s, cs in mine + copies])
    else:
        raise ValueError(f"unknown concept weights: {weights}")
    prior = tuple(
        (1.0 + position_weight * math.exp(-s.index / 3.0))
        * opening_weight(s.text)
        for s in sentences
    )
    rank = {a: n for n, a in enumerate(sorted({s.article for s in sentences}))}
    return Pool(sentences, concept_sets, concept_worth, prior, rank)


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


@dataclass
class _Selection:
    """One call's state: what is covered, what is chosen, how candidates are scored."""

    pool: Pool
    covered: set[str]
    stems_of: list[frozenset[str]]
    relevance: Mapping[int, float] | None
    redundancy: float
    top: float = 1.0

    def score(self, i: int) -> float:
        # Coverage is scaled to 0..1 by the best candidate at the start, so it
        # weighs evenly against relevance. The small floor lets position decide
        # among sentences that add no shared content.
        value = self.pool.density(i, self.covered) / self.top + FLOOR
        if self.relevance is not None:
            value = 0.5 * value + 0.5 * self.relevance.get(i, 0.0)
        return value * self.pool.prior[i]

    def repeats(self, i: int) -> bool:
        mine = frozenset(self.pool.sentences[i].stems)
        return any(similarity(mine, other) >= self.redundancy for other in self.stems_of)

    def take(self, i: int) -> None:
        self.stems_of.append(frozenset(self.pool.sentences[i].stems))
        self.covered.update(self.pool.concepts[i])

    def greedy(self, candidates: Iterable[int], budget: int, overflow: bool = False,
               limit: int | None = None) -> list[Pick]:
        """Lazy greedy on score; gains only shrink, so a stale bound is re-queued."""
        pool = self.pool
        heap = [(-self.score(i), pool.order_key(i), i) for i in candidates]
        heapq.heapify(heap)
        picks: list[Pick] = []
        used = 0
        while heap and used < budget and (limit is None or len(picks) < limit):
            _, key, i = heapq.heappop(heap)
            current = self.score(i)
            if heap and current < -heap[0][0] - 1e-12:
                heapq.heappush(heap, (-current, key, i))  # stale bound: re-queue
                continue
            words_i = pool.sentences[i].words
            if (used + words_i > budget and not overflow) or self.repeats(i):
                continue
            picks.append(Pick(i, round(current, 4)))
            self.take(i)
            used += words_i
        return picks

    def bonus(self, i: int) -> float:
        """What the score adds to coverage, in units of coverage (see exact.Problem).

        The greedy score is prior * (gain / (length * top) + floor [+ relevance]);
        times length * top, it is the sentence's gain plus this bonus.
        """
        pool = self.pool
        prior = pool.prior[i]
        extra = FLOOR if self.relevance is None else FLOOR + self.relevance.get(i, 0.0)
        return ((prior - 1.0) * pool.gain(i, self.covered)
                + prior * extra * self.top * pool.length(i))

    def exact(self, eligible: Sequence[int], budget: int, greedy: Sequence[int],
              time_limit: float) -> list[int]:
        """The best set of candidates under the budget, found by the ILP (see exact.py);
        the greedy answer when the solver does not beat it in time."""
        pool = self.pool
        fresh = [i for i in eligible if not self.repeats(i)]
        best = heapq.nlargest(EXACT_CANDIDATES, fresh, key=lambda i: (self.score(i), i))
        candidates = sorted(set(best) | set(greedy), key=pool.order_key)
        position = {i: k for k, i in enumerate(candidates)}
        problem = exact.Problem(
            words=[pool.sentences[i].words for i in candidates],
            concepts=[[c for c in pool.concepts[i] if c in pool.worth and c not in self.covered]
                      for i in candidates],
            worth=pool.worth,
            bonus=[self.bonus(i) for i in candidates],
            budget=budget,
            exclusive=_redundant_pairs([pool.sentences[i].stems for i in candidates],
                                       self.redundancy),
        )
        floor = problem.value([position[i] for i in greedy])
        solution = exact.solve(problem, floor, time_limit)
        if solution is None:
            return list(greedy)
        return [candidates[k] for k in solution]


def select(pool: Pool, candidates: Iterable[int], budget: int, *,
           relevance: Mapping[int, float] | None = None, chosen: Sequence[int] = (),
           covered: Iterable[str] = (), redundancy: float = 0.5, min_words: int = 1,
           max_words: int = 10_000, overflow: bool = False, limit: int | None = None,
           scale: float | None = None, method: str | None = None,
           time_limit: float = TIME_LIMIT) -> list[Pick]:
    """Budgeted coverage over `candidates`; returns picks best first.

    `relevance` (0..1 per candidate) blends theme relevance into the score.
    `chosen` are sentences already in the brief: new picks must not repeat them.
    With `overflow`, the last pick may exceed the budget (for summaries that
    are cut at N words afterwards). `scale` is the coverage that counts as
    full (default: the best candidate's); a themed brief passes the day's best,
    so that a thin theme's best sentence is not mistaken for the day's news.

    `method` (default: SELECTION) GREEDY takes the lazy greedy; EXACT fills
    the budget by solving the ILP over the best EXACT_CANDIDATES candidates
    (see briefing.exact) within `time_limit` seconds, and keeps the greedy
    answer when the solver does not beat it. A `limit` on the number of picks
    (the best sentence or two, where there is no budget to fill) always takes
    the greedy.
    """
    method = method or SELECTION
    state = _Selection(pool, set(covered), [frozenset(pool.sentences[i].stems) for i in chosen],
                       relevance, redundancy)
    eligible = [i for i in candidates
                if min_words <= pool.sentences[i].words <= max_words and pool.concepts[i]]
    if not eligible:
        return []
    state.top = scale or max(pool.density(i, state.covered) for i in eligible) or 1.0
    if method == GREEDY or limit is not None:
        return state.greedy(eligible, budget, overflow, limit)
    if method != EXACT:
        raise ValueError(f"unknown selection method: {method}")
    start = _Selection(pool, set(state.covered), list(state.stems_of), relevance, redundancy,
                       state.top)
    greedy = [p.index for p in start.greedy(eligible, budget)]
    best = state.exact(eligible, budget, greedy, time_limit)
    picks = state.greedy(best, budget)  # the same set, best first
    if overflow:
        taken = set(best)
        picks += state.greedy([i for i in eligible if i not in taken],
                              budget - sum(pool.sentences[p.index].words for p in picks),
                              overflow=True)
    return picks


def _redundant_pairs(stem_lists: Sequence[Sequence[str]], threshold: float
                     ) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, whose stem sets have a cosine of at least `threshold`."""
    postings: dict[str, list[int]] = defaultdict(list)
    sets = [frozenset(stems) for stems in stem_lists]
    for i, mine in enumerate(sets):
        for word in mine:
            postings[word].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in postings.values():
        for a, i in enumerate(members):
            for j in members[a + 1:]:
                shared[i, j] += 1
    return sorted((i, j) for (i, j), n in shared.items()
                  if n / math.sqrt(len(sets[i]) * len(sets[j])) >= threshold)


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
              support: Sequence[Sentence] = (), weights: str | worth.Model | None = None,
              method: str | None = None) -> list[Sentence]:
    """Theme-agnostic summary: the best sentences, best first, about `words` long.

    The last sentence may run past the budget; the caller cuts the text.
    """
    pool = build_pool(sentences, position_weight, support, weights)
    picks = select(pool, range(len(pool.sentences)), words, redundancy=redundancy,
                   min_words=min_words, max_words=max_words, overflow=True, method=method)
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

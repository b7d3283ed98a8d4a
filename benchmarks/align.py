"""Which labelled sentence each predicted sentence is, when the splitter has moved on.

The labels were made on one version of cleaning and splitting; later versions
trim datelines and credits off a lead, drop furniture, and split a little
differently. Within one article, a predicted sentence matches a gold one:

1. exactly, when their keys (the sha1 of their words) are equal;
2. else by containment, when one's words run contiguously inside the other's
   (a dateline trimmed off the front, two sentences merged, one split in two);
   the shorter side needs MIN_CONTAINED words, so "He said." matches nothing;
3. else by overlap, with the gold sentence of highest word-set Jaccard, at
   least MIN_JACCARD.

A gold sentence takes the predicted sentence it shares most words with (an
exact match first), so it matches at most one; a predicted sentence may match
several gold ones (a merge), and its main one is the one it shares most with.
A gold sentence whose words the local copy lacks can only match exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_CONTAINED = 4
MIN_JACCARD = 0.6

EXACT = "exact"
FUZZY = "fuzzy"
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class GoldSentence:
    key: str
    words: tuple[str, ...] | None  # None: not found in the local copy


@dataclass(frozen=True)
class PredictedSentence:
    key: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Alignment:
    gold_match: tuple[int | None, ...]  # per gold sentence: the predicted sentence, if any
    kind: tuple[str, ...]  # per predicted sentence: EXACT, FUZZY or UNMATCHED
    main_gold: tuple[int | None, ...]  # per predicted sentence: the gold it shares most with


def contains(outer: Sequence[str], inner: Sequence[str]) -> bool:
    """Whether `inner` runs contiguously inside `outer` (words hold no spaces)."""
    return f" {' '.join(inner)} " in f" {' '.join(outer)} "


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _fuzzy(pred: Sequence[str], gold: Sequence[GoldSentence]) -> list[tuple[int, float]]:
    """The gold sentences a predicted one matches without its key, with the words shared."""
    contained = []
    for g, sentence in enumerate(gold):
        if sentence.words is None:
            continue
        shorter = min(len(pred), len(sentence.words))
        if shorter >= MIN_CONTAINED and (contains(sentence.words, pred)
                                         or contains(pred, sentence.words)):
            contained.append((g, float(shorter)))
    if contained:
        return contained
    best: tuple[int, float] | None = None
    for g, sentence in enumerate(gold):
        if sentence.words is None:
            continue
        score = jaccard(pred, sentence.words)
        if score >= MIN_JACCARD and (best is None or score > best[1]):
            best = (g, score)
    if best is None:
        return []
    return [(best[0], float(len(set(pred) & set(gold[best[0]].words or ()))))]


def align(gold: Sequence[GoldSentence], predicted: Sequence[PredictedSentence]) -> Alignment:
    """Match one article's predicted sentences to its gold sentences (see the module)."""
    by_key: dict[str, list[int]] = {}
    for j, p in enumerate(predicted):
        by_key.setdefault(p.key, []).append(j)
    gold_by_key: dict[str, list[int]] = {}
    for g, sentence in enumerate(gold):
        gold_by_key.setdefault(sentence.key, []).append(g)

    gold_match: list[int | None] = [None] * len(gold)
    kind = [UNMATCHED] * len(predicted)
    main_gold: list[int | None] = [None] * len(predicted)
    # Equal keys pair in order; a repeated sentence the cleaner kept once matches both.
    for k, golds in gold_by_key.items():
        preds = by_key.get(k, [])
        for n, g in enumerate(golds):
            if preds:
                gold_match[g] = preds[min(n, len(preds) - 1)]
        for n, j in enumerate(preds):
            kind[j] = EXACT
            main_gold[j] = golds[min(n, len(golds) - 1)]

    # Gold sentences left for overlap → (words shared, -pred) of their best match so far.
    shared: dict[int, tuple[float, int]] = {}
    for j, p in enumerate(predicted):
        if kind[j] == EXACT:
            continue
        matches = _fuzzy(p.words, gold)
        if not matches:
            continue
        kind[j] = FUZZY
        main_gold[j] = max(matches, key=lambda m: m[1])[0]
        for g, words in matches:
            exact = gold_match[g] is not None and g not in shared
            if not exact and (words, -j) > shared.get(g, (-1.0, 0)):
                shared[g] = (words, -j)
                gold_match[g] = j
    return Alignment(tuple(gold_match), tuple(kind), tuple(main_gold))

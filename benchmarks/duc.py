"""ROUGE on DUC 2003 task 2 (100-word generic multi-document summaries), and speed.

Every system gets the same input: the sentences `briefing` splits from each
document set (so the comparison is of ranking alone), and every summary is
cut at the same 100 words. ROUGE comes from the `rouge-score` package with
stemming on (recall averaged over the set's human models, then over sets),
and from benchmarks.rouge155, which follows ROUGE-1.5.5 with -n 2 -m -l 100
-f A (hits added up over the models).

Learned concept weights are never scored on the sets they were trained on:
each fold of five is summarized with weights trained on the other four folds,
DUC 2003 tasks 3 and 4 and, when given, TAC 2011 (benchmarks.train_weights).

The data is NIST research material and is never committed: pass the folder
that holds `docs.without.headlines/` and `detagged.duc2003.abstracts/`.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.rouge155 import Rouge155
from briefing import text, worth
from briefing.config import Settings
from briefing.models import Sentence
from briefing.pipeline import read_folders
from briefing.summarize import (
    DOCUMENT_FREQUENCY,
    EXACT,
    GREEDY,
    SELECTION,
    WEIGHTS,
    cut_to_words,
    summarize,
)

WORDS = 100
HOW_TO_GET = """DUC 2003 is not in this repository (NIST research data, never committed).
Get it with the search tool's fetch of ayushoriginal/Multi-Document-Summarization, then
extract its duc2003/ folder outside the repository, for example:
  git --git-dir=/path/to/repo archive HEAD duc2003 | tar -x -C /tmp
and run: make bench DUC=/tmp/duc2003"""


@dataclass(frozen=True)
class DocSet:
    name: str  # e.g. d100a
    folder: Path
    models: tuple[str, ...]  # human summaries


def load(duc: Path) -> list[DocSet]:
    """Task 2 sets (d100–d129) with their 100-word human models."""
    docs = duc / "docs.without.headlines"
    models = duc / "detagged.duc2003.abstracts" / "models"
    if not docs.is_dir() or not models.is_dir():
        raise SystemExit(f"not a DUC 2003 folder: {duc}\n{HOW_TO_GET}")
    sets = []
    for folder in sorted(docs.iterdir()):
        match = re.fullmatch(r"d(1\d\d)[a-z]", folder.name)
        if not match:
            continue  # tasks 3 and 4 (d30xxx, d31xxx) are not generic summaries
        refs = sorted(models.glob(f"D{match[1]}.M.100.*"))
        texts = tuple(" ".join(r.read_text(encoding="latin-1").split()) for r in refs)
        if texts:
            sets.append(DocSet(folder.name, folder, texts))
    return sets


# A ranker gets a set's name (for weights trained without it) and its sentences.
Ranker = Callable[[str, list[Sentence]], list[str]]


def briefing_ranker(sentences: list[Sentence], settings: Settings,
                    weights: str | worth.Model | None = None,
                    method: str | None = None) -> list[str]:
    cfg = settings.summary
    fresh = [Sentence(s.article, s.index, s.text, s.start, s.end, s.paragraph,
                      text.stems(s.text)) for s in sentences]  # stemming counts as ranking time
    return [s.text for s in summarize(fresh, WORDS, cfg.position_weight, cfg.redundancy,
                                      cfg.min_sentence_words, cfg.max_sentence_words,
                                      weights=weights, method=method)]


def learned_ranker(models: Mapping[str, worth.Model], settings: Settings, method: str
                   ) -> Ranker:
    """briefing with the weights trained without the set's fold."""
    return lambda name, sentences: briefing_ranker(sentences, settings, models[name], method)


class _Words:
    """sumy's word tokenizer interface over briefing's tokens (no NLTK data needed)."""

    language = "english"

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(text.tokens(sentence))


def sumy_ranker(kind: str) -> Ranker:
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    base = LexRankSummarizer if kind == "lexrank" else TextRankSummarizer

    class Ranked(base):  # type: ignore[misc, valid-type]
        """sumy returns its best k in document order; a 100-word cut needs rank order."""

        @staticmethod
        def _get_best_sentences(sentences, count, rating, *args, **kwargs):  # type: ignore[no-untyped-def]
            return tuple(sorted(sentences, key=lambda s: -rating[s]))

    words = _Words()

    def rank(name: str, sentences: list[Sentence]) -> list[str]:
        summarizer = Ranked(Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        paragraphs: dict[tuple[str, int], list[SumySentence]] = {}
        for s in sentences:
            paragraphs.setdefault((s.article, s.paragraph), []).append(
                SumySentence(s.text, words))
        document = ObjectDocumentModel([Paragraph(p) for p in paragraphs.values()])
        ranked = summarizer(document, len(sentences))
        return [str(s) for s in ranked]

    return rank


def lead_ranker(name: str, sentences: list[Sentence]) -> list[str]:
    """First sentence of each document, newest first (document ids carry the date)."""
    firsts = [s for s in sentences if s.index == 0]
    return [s.text for s in sorted(firsts, key=lambda s: _stamp(s.article), reverse=True)]


def _stamp(article: str) -> str:
    digits = re.search(r"(\d{8})", article)
    return digits[1] if digits else article


def random_ranker(seed: int) -> Ranker:
    def rank(name: str, sentences: list[Sentence]) -> list[str]:
        order = [s.text for s in sentences]
        random.Random(seed).shuffle(order)
        return order

    return rank


@dataclass(frozen=True)
class Score:
    system: str
    rouge1: float
    rouge2: float
    seconds_per_set: float
    rouge1_155: float  # as ROUGE-1.5.5 -n 2 -m -l 100 -f A
    rouge2_155: float


def evaluate(sets: Sequence[DocSet], settings: Settings, systems: dict[str, Ranker],
             perl_like: Rouge155 | None = None) -> tuple[list[Score], float]:
    """Mean ROUGE-1/2 recall per system, and the time `briefing summarize` takes per set."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    perl_like = perl_like or Rouge155(WORDS)
    started = time.perf_counter()
    # As `briefing summarize` reads them: one run, one Punkt model learnt from its text.
    readings = read_folders([ds.folder for ds in sets], settings)
    splits: dict[str, list[Sentence]] = {ds.name: list(r.sentences)
                                         for ds, r in zip(sets, readings, strict=True)}
    for ds in sets:
        briefing_ranker(splits[ds.name], settings)
    whole = [(time.perf_counter() - started) / len(sets)]
    results = []
    for name, ranker in systems.items():
        r1: list[float] = []
        r2: list[float] = []
        p1: list[float] = []
        p2: list[float] = []
        took = 0.0
        for ds in sets:
            started = time.perf_counter()
            ranked = ranker(ds.name, splits[ds.name])
            took += time.perf_counter() - started
            summary = " ".join(cut_to_words(ranked, WORDS))
            scores = [scorer.score(model, summary) for model in ds.models]
            r1.append(statistics.mean(s["rouge1"].recall for s in scores))
            r2.append(statistics.mean(s["rouge2"].recall for s in scores))
            p1.append(perl_like.recall(summary, ds.models, 1))
            p2.append(perl_like.recall(summary, ds.models, 2))
        results.append(Score(name, 100 * statistics.mean(r1), 100 * statistics.mean(r2),
                             took / len(sets), 100 * statistics.mean(p1),
                             100 * statistics.mean(p2)))
    return results, statistics.mean(whole)


NAMES = {GREEDY: "greedy", EXACT: "ILP"}
BRIEFING = f"briefing: {NAMES[SELECTION]}, {WEIGHTS} weights (the default)"


def systems(settings: Settings, models: Mapping[str, worth.Model] | None = None
            ) -> dict[str, Ranker]:
    """Every system of the table; `models`: cross-validated learned weights per set."""
    ours: dict[str, Ranker] = {}
    for method in (GREEDY, EXACT):
        name = f"briefing: {NAMES[method]}, {DOCUMENT_FREQUENCY} weights"
        default = (method, DOCUMENT_FREQUENCY) == (SELECTION, WEIGHTS)
        ours[BRIEFING if default else name] = _fixed(settings, DOCUMENT_FREQUENCY, method)
    for method in (GREEDY, EXACT) if models else ():
        name = f"briefing: {NAMES[method]}, learned weights (cross-validated)"
        ours[name] = learned_ranker(models or {}, settings, method)
    return {
        **ours,
        "sumy LexRank": sumy_ranker("lexrank"),
        "sumy TextRank": sumy_ranker("textrank"),
        "lead (first sentences, newest first)": lead_ranker,
        "random (seeded)": random_ranker(2003),
    }


def _fixed(settings: Settings, weights: str, method: str) -> Ranker:
    return lambda name, sentences: briefing_ranker(sentences, settings, weights, method)


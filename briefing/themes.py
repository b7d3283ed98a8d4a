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
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from operator import mul
from typing import Any

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
    placed: _Placed
    lexicons: Sequence[Lexicon]  # the themes' compiled terms, in the themes' order
    taught: bool  # whether the model learnt from enough sentences (Combiner.taught)
    sentences: Iterator[Evidence]  # article by article, in the articles' sentence order


@dataclass(frozen=True)
class _Sure:
    """A day's sentences scored by their own terms, placed in the story, and what each
    teaches the model (`_teaching`)."""

    lexicons: list[Lexicon]
    own: list[dict[str, float]]
    placed: _Placed
    taught: list[str | None]


def _sure(articles: Sequence[Article], sentences: Sequence[Sentence],
          themes: Sequence[Theme], story: StorySettings) -> _Sure:
    lexicons = compile_themes(themes)
    keys = [lex.key for lex in lexicons]
    own = [{lex.key: lex.score(topic) for lex in lexicons}
           for topic in (addressed(s.text, s.stems) for s in sentences)]
    placed = _place(articles, sentences, own, story)
    taught = [_teaching(own[i], placed.place[i] == ON, keys) for i in range(len(sentences))]
    return _Sure(lexicons, own, placed, taught)


def evidence(articles: Sequence[Article], sentences: Sequence[Sentence],
             themes: Sequence[Theme], story: StorySettings,
             background: Sequence[Example] = ()) -> DayEvidence:
    """The evidence for every sentence's theme; the sentences' evidence comes one article at
    a time, so a large day never holds all of it at once."""
    sure = _sure(articles, sentences, themes, story)
    keys = [lex.key for lex in sure.lexicons]
    model = _train(sentences, sure.taught, keys, background)
    scope = {t.key: t.scope for t in themes}

    def each() -> Iterator[Evidence]:
        for article_id, members in sure.placed.members.items():
            yield from _article_evidence(article_id, members, sentences, sure, model, scope)

    return DayEvidence(sure.placed, sure.lexicons,
                       model is not None and model.examples >= TAUGHT_EXAMPLES, each())


def _article_evidence(article_id: str, members: Sequence[int], sentences: Sequence[Sentence],
                      sure: _Sure, model: NaiveBayes | None, scope: Mapping[str, str]
                      ) -> Iterator[Evidence]:
    lexicons, own, placed, taught = sure.lexicons, sure.own, sure.placed, sure.taught
    keys = [lex.key for lex in lexicons]
    place = placed.place
    article = placed.articles.get(article_id)
    title = stems(article.title or "") if article is not None else ()
    topic = addressed(article.title or "", title) if article is not None else ()
    headline = {lex.key: lex.score(topic) for lex in lexicons}
    on = [i for i in members if place[i] == ON]
    share = _shares([own[i] for i in on], keys)
    learned = {i: model.predict(sentences[i].stems, taught[i]) if model else {} for i in members}
    learned_headline = model.predict(title) if model and title else {}
    learned_article = {k: sum(learned[i].get(k, 0.0) for i in on) / len(on) if on else 0.0
                       for k in (*keys, OTHER)}
    for n, i in enumerate(members):
        before = members[n - 1] if n > 0 else None
        after = members[n + 1] if n + 1 < len(members) else None
        mine = own[i]
        top = max(mine.values(), default=0.0)
        silent = 1.0 if top == 0 else 0.0
        vectors = {}
        for k in keys:
            rest = max((mine[j] for j in keys if j != k), default=0.0)
            vectors[k] = (
                mine[k], math.log1p(mine[k]), mine[k] - rest,
                1.0 if mine[k] == top > 0 else 0.0,
                own[before][k] if before is not None else 0.0,
                own[after][k] if after is not None else 0.0,
                headline[k], share[k],
                learned[before].get(k, 0.0) if before is not None else 0.0,
                learned[after].get(k, 0.0) if after is not None else 0.0,
                learned_article[k], learned_headline.get(k, 0.0),
                silent * share[k], silent * learned_article[k],
                learned[i].get(k, 0.0))
        against = (1.0, top, learned[i].get(OTHER, 0.0),
                   learned_article[OTHER], min(len(sentences[i].stems), 40) / 40,
                   0.0 if learned[i] else 1.0)
        eligible = tuple(k for k in keys if place[i] == ON
                         or (place[i] == OUTSIDE and scope[k] == "side"))
        yield Evidence(i, mine, vectors, against, eligible)


def _dot(weights: Sequence[float], values: Sequence[float], part: range) -> float:
    """The weighted sum of a part of the values, added in order."""
    products: Iterator[float] = map(mul, weights[part.start:part.stop],
                                    values[part.start:part.stop])
    return sum(products)


_OWN = range(len(OWN))
_CONTEXT = range(len(OWN), len(OWN) + len(CONTEXT))
_LEARNED = range(len(OWN) + len(CONTEXT), len(THEME_FEATURES))
_AGAINST = range(1, len(AGAINST_FEATURES))  # the bias is the threshold


@dataclass(frozen=True)
class Decision:
    """A sentence's theme (`chosen`, or `other`) and the evidence for its best theme."""

    best: str  # the theme with the most evidence, eligible or not ("" without themes)
    chosen: str
    own: float
    context: float
    learned: float
    against: float
    total: float  # own + context + learned - against


def decide(w: Weights, e: Evidence, keys: Sequence[str], threshold: float) -> Decision:
    """The best theme is the one with the most evidence among those the sentence may take
    (ties to the theme listed first); it is chosen when its evidence reaches `threshold`."""
    against = _dot(w.against, e.against, _AGAINST)
    parts = {k: (_dot(w.theme, v, _OWN), _dot(w.theme, v, _CONTEXT),
                 _dot(w.theme, v, _LEARNED)) for k, v in e.theme.items()}
    total = {k: sum(p) - against for k, p in parts.items()}
    if not keys:
        return Decision("", OTHER, 0.0, 0.0, 0.0, against, 0.0)
    best = max(e.eligible or keys, key=lambda k: (total[k], -keys.index(k)))
    chosen = best if best in e.eligible and total[best] >= threshold else OTHER
    return Decision(best, chosen, *parts[best], against, total[best])


def theme_day(articles: Sequence[Article], sentences: Sequence[Sentence],
              themes: Sequence[Theme], story: StorySettings, threshold: float,
              background: Sequence[Example] = (), weights: Combiner | None = None) -> Theming:
    """Every sentence's theme. `background` is what earlier days taught (`examples`): it
    trains the model beside the day's own sure sentences, so a small day learns too."""
    keys = [t.key for t in themes]
    day = evidence(articles, sentences, themes, story, background)
    chosen_weights = weights or combiner()
    w = chosen_weights.taught if day.taught else chosen_weights.untaught
    themed: list[ThemedSentence | None] = [None] * len(sentences)
    for e in day.sentences:
        d = decide(w, e, keys, threshold)
        s = sentences[e.index]
        terms = tuple(day.lexicons[keys.index(d.best)].found(addressed(s.text, s.stems))
                      ) if keys else ()
        why = Why(best=d.best, terms=terms, context=round(d.context, 3),
                  learned=round(d.learned, 3), total=round(d.total, 3),
                  story=day.placed.why[e.index], place=day.placed.place[e.index],
                  own=round(d.own, 3), against=round(d.against, 3))
        themed[e.index] = ThemedSentence(s, {k: round(v, 3) for k, v in e.own.items()},
                                         d.chosen, why)
    return Theming(tuple(t for t in themed if t is not None), day.placed.judgments)


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


def _shares(scores: Sequence[Mapping[str, float]], keys: Sequence[str]) -> dict[str, float]:
    """Each theme's share (0..1) of an article's theme evidence."""
    totals = {k: sum(x[k] for x in scores) for k in keys}
    whole = sum(totals.values())
    return {k: totals[k] / whole if whole else 0.0 for k in keys}


class NaiveBayes:
    """A multinomial naive Bayes over sentence stems, with equal class priors.

    A sentence the model was trained on is predicted without itself (leave one
    out), so a sentence never teaches the model its own label.
    """

    def __init__(self, examples: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        for label, words in examples:
            self.counts[label].update(set(words))
        self.vocabulary = {w for c in self.counts.values() for w in c}
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}
        self.examples = len(examples)
        # log(count + smoothing) of every known word under every label, computed once:
        # a day of 10,000 articles predicts a quarter of a million sentences.
        self._logs = {label: {w: math.log(counts[w] + SMOOTHING) for w in self.vocabulary}
                      for label, counts in self.counts.items()}
        # ... and without one sentence, for the label a sentence taught (its words' counts).
        self._logs_without_one = {label: {w: math.log(n - 1 + SMOOTHING) for w, n in counts.items()}
                                  for label, counts in self.counts.items()}

    def predict(self, sentence_stems: Sequence[str], taught: str | None = None
                ) -> dict[str, float]:
        """Each label's probability; `taught` is the label this sentence taught, if any."""
        known = self.vocabulary.intersection(sentence_stems)
        if not known:
            return {}
        size = len(self.vocabulary)
        scores = {}
        for label in self.counts:
            mine = 1 if label == taught else 0
            total = self.totals[label] - mine * len(known) + SMOOTHING * size
            logs = self._logs_without_one[label] if mine else self._logs[label]
            scores[label] = sum(map(logs.__getitem__, known)) - len(known) * math.log(total)
        top = max(scores.values())
        weights = {label: math.exp(v - top) for label, v in scores.items()}
        whole = sum(weights.values())
        return {label: w / whole for label, w in weights.items()}


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

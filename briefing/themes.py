"""Each sentence's theme, from its own words, its context and what the day's text teaches.

Three kinds of evidence add up for every theme:

1. **The sentence's own terms**: the theme's weighted lexicon (briefing/lexicon.py).
2. **Its context**: the terms of its neighbours, its article's headline, and how
   much of its article is about the theme. "Both sides blamed each other for
   the shooting" has no clash word, but its neighbours do.
3. **What the text teaches**: a naive Bayes model trained on the sentences that
   the lexicon is sure of (self-training), the day's own and, from the archive,
   those of the days before it (`examples`), so words the lexicon never listed
   ("mortar", "checkpoint", "consignment") count for the theme they keep
   company with, and a new theme works from a short term list.

Only sentences about the story (briefing/story.py) take a theme: a sentence of an
article that is not about the story, or one about something else, is `other`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from briefing.config import StorySettings, Theme
from briefing.lexicon import Lexicon, compile_terms
from briefing.models import OTHER, Article, Sentence, ThemedSentence, Why
from briefing.story import ON, OUTSIDE, Judgment, compile_story, judge, without_theme
from briefing.text import stems

# How much the context adds: the mean of the neighbours' scores, the headline's score,
# and the article's share of the theme (0..1) times ARTICLE.
NEIGHBOURS = 0.2
HEADLINE = 0.25
ARTICLE = 0.5
# The learned model adds up to LEARNED (its probability for the theme, times LEARNED).
LEARNED = 1.5
# A sentence teaches the model its theme when its own terms score at least CONFIDENT and
# at least twice the next theme's; a theme needs MIN_EXAMPLES such sentences to be learnt.
CONFIDENT = 3.0
MIN_EXAMPLES = 3
SMOOTHING = 0.5

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


def theme_day(articles: Sequence[Article], sentences: Sequence[Sentence],
              themes: Sequence[Theme], story: StorySettings, threshold: float,
              background: Sequence[Example] = ()) -> Theming:
    """Every sentence's theme. `background` is what earlier days taught (`examples`): it
    trains the model beside the day's own sure sentences, so a small day learns too."""
    lexicons = compile_themes(themes)
    keys = [lex.key for lex in lexicons]
    own = [{lex.key: lex.score(s.stems) for lex in lexicons} for s in sentences]
    placed = _place(articles, sentences, own, story)
    place, story_why = placed.place, placed.why
    context = [dict.fromkeys(keys, 0.0) for _ in sentences]
    for article_id, members in placed.members.items():
        article = placed.articles.get(article_id)
        title_stems = stems(article.title or "") if article is not None else ()
        headline = {lex.key: lex.score(title_stems) for lex in lexicons}
        share = _shares([own[i] for i in members if place[i] == ON], keys)
        for n, i in enumerate(members):
            near = [own[members[m]] for m in (n - 1, n + 1) if 0 <= m < len(members)]
            for k in keys:
                neighbours = sum(x[k] for x in near) / len(near) if near else 0.0
                context[i][k] = (NEIGHBOURS * neighbours + HEADLINE * headline[k]
                                 + ARTICLE * share[k])
    taught = [_teaching(own[i], place[i] == ON, keys) for i in range(len(sentences))]
    model = _train(sentences, taught, keys, background)
    scope = {t.key: t.scope for t in themes}
    themed = []
    for i, s in enumerate(sentences):
        learned = model.predict(s.stems, taught[i]) if model else dict.fromkeys(keys, 0.0)
        total = {k: own[i][k] + context[i][k] + LEARNED * learned.get(k, 0.0) for k in keys}
        eligible = [k for k in keys if place[i] == ON or (place[i] == OUTSIDE
                    and scope[k] == "side")] or keys
        best = max(eligible, key=lambda k: (total[k], -keys.index(k))) if keys else OTHER
        allowed = place[i] == ON or (place[i] == OUTSIDE and scope[best] == "side")
        chosen = best if allowed and total[best] >= threshold else OTHER
        terms = tuple(lexicons[keys.index(best)].found(s.stems)) if keys else ()
        why = Why(best=best if keys else "", terms=terms,
                  context=round(context[i].get(best, 0.0), 3),
                  learned=round(LEARNED * learned.get(best, 0.0), 3),
                  total=round(total.get(best, 0.0), 3), story=story_why[i], place=place[i])
        themed.append(ThemedSentence(s, {k: round(v, 3) for k, v in own[i].items()}, chosen,
                                     why))
    return Theming(tuple(themed), placed.judgments)


def examples(articles: Sequence[Article], sentences: Sequence[Sentence],
             themes: Sequence[Theme], story: StorySettings) -> tuple[Example, ...]:
    """What a day's text teaches later days: each sentence the lexicon is sure of (or that
    is off the story, as `other`), with its stems. Only the labels and words are kept."""
    lexicons = compile_themes(themes)
    keys = [lex.key for lex in lexicons]
    own = [{lex.key: lex.score(s.stems) for lex in lexicons} for s in sentences]
    place = _place(articles, sentences, own, story).place
    found = []
    for i, s in enumerate(sentences):
        label = _teaching(own[i], place[i] == ON, keys)
        if label is not None:
            found.append((label, tuple(s.stems)))
    return tuple(found)


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
        if judgment.relevant and not any(
                max(own[i].values(), default=0.0) >= CONFIDENT
                for n, i in enumerate(indices) if judgment.place[n] == ON):
            judgment = without_theme(judgment, article, [sentences[i] for i in indices],
                                     story_lex) if article is not None else judgment
        judgments[article_id] = judgment
        for n, i in enumerate(indices):
            place[i], why[i] = judgment.place[n], judgment.why[n]
    return _Placed(titles, members, judgments, place, why)


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

"""Score every sentence against every theme of the configuration.

A theme is a weighted lexicon of words and phrases. Both are compared on
stems of content words, so "recognised", "recognising" and "recognise" are
one term, and a phrase such as "exchange of fire" matches "exchanges of fire".
A term counts once per sentence: a sentence that says "attack" three times is
no more about clashes than one that says it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.config import Theme
from briefing.errors import ConfigError
from briefing.models import OTHER, Sentence, ThemedSentence
from briefing.text import stems


@dataclass(frozen=True)
class Lexicon:
    """A theme's terms compiled to stems: single words and phrases apart."""

    key: str
    words: dict[str, float]
    phrases: dict[tuple[str, ...], float]

    def score(self, sentence_stems: Sequence[str]) -> float:
        present = set(sentence_stems)
        total = sum(w for s, w in self.words.items() if s in present)
        for phrase, weight in self.phrases.items():
            if phrase[0] in present and _contains(sentence_stems, phrase):
                total += weight
        return total


def _contains(seq: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(seq[i:i + n]) == phrase for i in range(len(seq) - n + 1)
               if seq[i] == phrase[0])


def compile_theme(theme: Theme) -> Lexicon:
    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    for term, weight in theme.terms.items():
        term_stems = stems(term)
        if not term_stems:
            raise ConfigError(f"theme '{theme.key}': term {term!r} has no content words "
                              "(it is made only of common words such as 'the')")
        if len(term_stems) == 1:
            # Two spellings with one stem ("recognise", "recognize") keep the larger weight.
            words[term_stems[0]] = max(weight, words.get(term_stems[0], 0.0))
        else:
            phrases[term_stems] = max(weight, phrases.get(term_stems, 0.0))
    return Lexicon(theme.key, words, phrases)


def compile_themes(themes: Iterable[Theme]) -> list[Lexicon]:
    return [compile_theme(t) for t in themes]


def assign(sentence: Sentence, lexicons: Sequence[Lexicon], threshold: float) -> ThemedSentence:
    """The sentence's score for every theme, and its best theme if that reaches the threshold."""
    scores = {lex.key: round(lex.score(sentence.stems), 3) for lex in lexicons}
    best = OTHER
    best_score = 0.0
    for lex in lexicons:  # config order breaks ties
        if scores[lex.key] > best_score:
            best, best_score = lex.key, scores[lex.key]
    return ThemedSentence(sentence, scores, best if best_score >= threshold else OTHER)


def theme_sentences(sentences: Iterable[Sentence], lexicons: Sequence[Lexicon],
                    threshold: float) -> list[ThemedSentence]:
    return [assign(s, lexicons, threshold) for s in sentences]

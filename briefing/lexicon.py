"""Weighted terms matched on stems: the lexicons of themes and of the story.

Terms and text are compared on stems of content words, so "recognised",
"recognising" and "recognise" are one term, British and American spellings
meet ("recognise", "recognize"), and a phrase such as "exchange of fire"
matches "exchanges of fire". A one-word term also matches its parts written
apart or hyphenated: "ceasefire" matches "cease-fire" and "cease fire". A term
counts once per sentence.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from briefing.errors import ConfigError
from briefing.text import stem, stems

# A one-word term is also looked for as two words; each part has at least this many letters.
MIN_PART = 3


@dataclass(frozen=True)
class Lexicon:
    """Terms compiled to stems: single words and phrases apart, each with its weight."""

    key: str
    words: dict[str, float]
    phrases: dict[tuple[str, ...], float]
    names: dict[str | tuple[str, ...], str] = field(default_factory=dict)  # stems → term
    _by_first: dict[str, list[tuple[str, ...]]] = field(default_factory=dict, repr=False)

    _starts: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        for phrase in self.phrases:
            self._by_first.setdefault(phrase[0], []).append(phrase)
        # Most sentences hold no stem a term starts with: one set test rules them out.
        object.__setattr__(self, "_starts", frozenset(self.words) | frozenset(self._by_first))

    @property
    def starts(self) -> frozenset[str]:
        """Every stem a term starts with: a sentence with none of them has no term."""
        return self._starts

    def score(self, sentence_stems: Sequence[str]) -> float:
        if self._starts.isdisjoint(sentence_stems):
            return 0  # what sum() of no weights gives, so the JSON stays the same
        return sum(self.found(sentence_stems).values())

    def found(self, sentence_stems: Sequence[str]) -> dict[str, float]:
        """The terms found in a sentence, each with its weight (one match per term), in
        the order they first appear in it."""
        hits: dict[str, float] = {}
        if self._starts.isdisjoint(sentence_stems):
            return hits
        for s in dict.fromkeys(sentence_stems):  # each stem once, in the sentence's order
            if s in self.words:
                name = self.names.get(s, s)
                hits[name] = max(self.words[s], hits.get(name, 0.0))
            for phrase in self._by_first.get(s, ()):
                if next(occurrences(sentence_stems, phrase), None) is not None:
                    name = self.names.get(phrase, " ".join(phrase))
                    hits[name] = max(self.phrases[phrase], hits.get(name, 0.0))
        return hits


def occurrences(seq: Sequence[str], phrase: tuple[str, ...]) -> Iterator[int]:
    """Where `phrase` starts in `seq`, each place in order."""
    n = len(phrase)
    return (i for i in range(len(seq) - n + 1)
            if seq[i] == phrase[0] and tuple(seq[i:i + n]) == phrase)


def compile_terms(key: str, terms: Mapping[str, float]) -> Lexicon:
    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    names: dict[str | tuple[str, ...], str] = {}
    for term, weight in terms.items():
        term_stems = stems(term)
        if not term_stems:
            raise ConfigError(f"'{key}': term {term!r} has no content words "
                              "(it is made only of common words such as 'the')")
        if len(term_stems) == 1:
            # Two spellings with one stem ("recognise", "recognize") keep the larger weight.
            words[term_stems[0]] = max(weight, words.get(term_stems[0], 0.0))
            names.setdefault(term_stems[0], term)
            for parts in _split(term):
                phrases[parts] = max(weight, phrases.get(parts, 0.0))
                names.setdefault(parts, term)
        else:
            phrases[term_stems] = max(weight, phrases.get(term_stems, 0.0))
            names.setdefault(term_stems, term)
    return Lexicon(key, words, phrases, names)


def _split(term: str) -> list[tuple[str, str]]:
    """A one-word term as two words: 'ceasefire' as ('ceas', 'fire') for 'cease fire'."""
    word = term.strip().lower()
    if not word.isalpha():
        return []
    return [(stem(word[:i]), stem(word[i:])) for i in range(MIN_PART, len(word) - MIN_PART + 1)]

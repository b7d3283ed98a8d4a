"""Is an article about the story the brief follows, and is each of its sentences?

A story is defined in the configuration by its sides (for Pakistan–Afghanistan
relations: the names of each country's places, people and organisations) and
its bridges (names that speak of both sides at once: the Durand Line, Torkham,
the TTP). An article is about the story when the story runs through it: enough
of its sentences name every side, in the sentence itself or its neighbours, or
name a bridge. One sentence with "talks" in it does not make an Indian–Pakistani
ceasefire, or an Afghan earthquake to which Pakistan sends aid, part of it.

Within an article about the story, a sentence that names one side together with
a country outside the story, and not the other side, is about something else (a
Pakistan–Iran meeting) and takes no theme of this story.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain
from operator import itemgetter

from briefing.config import StorySettings
from briefing.lexicon import Lexicon, compile_terms, occurrences
from briefing.models import Article, Sentence
from briefing.text import STOPWORDS, TOKEN, stems

# How far the story's context reaches from a sentence: its neighbours on each side.
REACH = 1


@dataclass(frozen=True)
class StoryLexicon:
    sides: tuple[Lexicon, ...]
    bridges: Lexicon
    outside: frozenset[str]  # stems of countries and peoples outside the story
    min_share: float
    min_side_sentences: int
    phrases: tuple[tuple[str, ...], ...] = ()  # the story's names of more than one word
    outside_ratio: float = 0.0  # StorySettings.outside_ratio
    # Each outside country's stems, by one name of it ("India": india, indian, delhi, …).
    countries: tuple[tuple[str, frozenset[str]], ...] = ()

    @cached_property
    def named_stems(self) -> frozenset[str]:
        """Every stem of the story's sides and bridges."""
        return frozenset(s for lex in (*self.sides, self.bridges) for s in lex.words)

    @cached_property
    def _name_starts(self) -> frozenset[str]:
        """Every stem a name of a side or a bridge starts with."""
        return frozenset().union(*(lex.starts for lex in (*self.sides, self.bridges)))

    def named(self, sentence_stems: Sequence[str]) -> frozenset[str]:
        """The sides a sentence names; a bridge names them all."""
        if self._name_starts.isdisjoint(sentence_stems):  # most sentences of a large day
            return _NO_SIDE
        if self.bridges.score(sentence_stems) > 0:
            return frozenset(s.key for s in self.sides)
        return frozenset(s.key for s in self.sides if s.score(sentence_stems) > 0)

    def outsiders(self, sentence_stems: Sequence[str]) -> list[str]:
        """The sentence's words that name a country outside the story; a word inside one of
        the story's own names ("Emirate" in "Islamic Emirate") names no other country."""
        if self.outside.isdisjoint(sentence_stems):
            return []
        inside = _in_phrases(sentence_stems, self.phrases)
        return sorted({s for i, s in enumerate(sentence_stems)
                       if s in self.outside and i not in inside})


_NO_SIDE: frozenset[str] = frozenset()


def compile_story(story: StorySettings) -> StoryLexicon | None:
    """None when the configuration defines no story: every article then counts."""
    if not story.sides:
        return None
    sides = tuple(compile_terms(side.name, dict.fromkeys(side.terms, 1.0)) for side in story.sides)
    bridges = compile_terms("bridges", dict.fromkeys(story.bridges, 1.0))
    related = compile_terms("related", dict.fromkeys(story.related, 1.0)) if story.related \
        else None
    named = (*sides, bridges, *([related] if related else []))
    inside = {s for lex in named for s in lex.words}
    # A country is inside the story with all its names: "Turkey" related makes "Turkish"
    # and "Ankara" related too, as "Afghanistan" makes "Afghan" a side.
    countries = tuple((name, stems_) for name, stems_ in _countries()
                      if stems_.isdisjoint(inside))
    outside = frozenset(s for _, country in countries for s in country)
    phrases = tuple(sorted({p for lex in named for p in lex.phrases if len(p) > 1}))
    return StoryLexicon(sides, bridges, outside, story.min_share, story.min_side_sentences,
                        phrases, story.outside_ratio, countries)


# Where a sentence stands: about the story; about one side and a country outside the story
# (only themes with scope "side" may take it); or off the story (its article is not about it).
ON, OUTSIDE, OFF = "on", "outside", "off"


@dataclass(frozen=True)
class Judgment:
    """What the brief says of an article: about the story or not, and why."""

    relevant: bool
    reason: str
    place: tuple[str, ...]  # per sentence of the article: ON, OUTSIDE or OFF
    why: tuple[str, ...]  # per sentence: the story part of its explanation


def judge(article: Article, sentences: Sequence[Sentence], lex: StoryLexicon | None,
          label: str) -> Judgment:
    """Whether `article` is about the story, and which of its sentences are."""
    n = len(sentences)
    if lex is None:
        return Judgment(True, "no story configured", (ON,) * n, ("",) * n)
    named = [lex.named(s.stems) for s in sentences]
    # Without a headline, the first sentence stands in for it: it sets the article's scene.
    title = lex.named(stems(article.title)) if article.title else named[0] if named else set()
    order = tuple(s.key for s in lex.sides)  # reasons name the sides in the config's order
    every = frozenset(order)
    around = []
    for i in range(n):
        near = set(title)
        for j in range(max(0, i - REACH), min(n, i + REACH + 1)):
            near |= named[j]
        around.append(frozenset(near))
    covered = sum(1 for i in range(n) if named[i] and around[i] >= every)
    share = covered / n if n else 0.0
    counts = {side: sum(1 for m in named if side in m) for side in order}
    weakest = min(counts.values()) if counts else 0
    relevant = share >= lex.min_share and weakest >= lex.min_side_sentences
    outsiders_of = [lex.outsiders(s.stems) for s in sentences]
    third = _third_country(lex, outsiders_of, weakest) if relevant else None
    if third is not None:
        relevant = False
        reason = _about_another(article, sentences, lex, counts, third, n)
    elif relevant:
        reason = f"about {label}: {covered} of {n} sentences name it"
    else:
        reason = _not_about(article, sentences, lex, counts, covered, n)
    place, why = [], []
    for i, outsiders in enumerate(outsiders_of):
        if not relevant:
            place.append(OFF)
            why.append("its article is not about the story")
        elif outsiders and len(named[i]) == 1:
            place.append(OUTSIDE)
            why.append(f"about one side and the world: names {', '.join(named[i])} with "
                       f"{', '.join(outsiders)}")
        else:
            place.append(ON)
            why.append(f"names {', '.join(sorted(named[i]))}" if named[i]
                       else "in a passage about the story")
    return Judgment(relevant, reason, tuple(place), tuple(why))


def _third_country(lex: StoryLexicon, outsiders_of: Sequence[Sequence[str]], weakest: int
                   ) -> tuple[str, int] | None:
    """The country outside the story that the article is about instead, with the number of
    sentences that name it: one named in at least `outside_ratio` times as many sentences
    as the story's least-named side (an India–Taliban meeting where Pakistan comes up once).
    None when there is none, or no such limit."""
    if lex.outside_ratio <= 0 or not any(outsiders_of):
        return None
    named: Counter[str] = Counter()
    for words in outsiders_of:
        found = set(words)
        named.update({name for name, country in lex.countries if not country.isdisjoint(found)})
    if not named:
        return None
    # The most-named country; between equals, the first in alphabetical order.
    name, count = min(named.items(), key=lambda kv: (-kv[1], kv[0]))
    return (name, count) if count >= lex.outside_ratio * max(weakest, 1) else None


def _about_another(article: Article, sentences: Sequence[Sentence], lex: StoryLexicon,
                   counts: dict[str, int], third: tuple[str, int], n: int) -> str:
    """'about India and Afghanistan; India in 7 of 11 sentences, Pakistan in 1'."""
    name, count = third
    strong = max(counts, key=lambda side: counts[side])
    weak = min(counts, key=lambda side: counts[side])
    return (f"about {name} and {strong}; {name} in {count} of {n} sentences, "
            f"{weak} in {counts[weak]}")


def _not_about(article: Article, sentences: Sequence[Sentence], lex: StoryLexicon,
               counts: dict[str, int], covered: int, n: int) -> str:
    """'about earthquake, Herat, relief; Afghanistan in 9 of 14 sentences, Pakistan in 1'."""
    sides = "; ".join(f"{side} in {count} of {n} sentences" if count else f"{side} not named"
                      for side, count in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"about {topic(article, sentences, lex)}; {sides}"


def topic(article: Article, sentences: Sequence[Sentence], lex: StoryLexicon) -> str:
    """The article's most frequent words outside the story (the headline's count thrice)."""
    # Every token's topic word, counted (the headline's thrice) in the order the words
    # first appear, the headline first; a word is spelled as its first token is. A day
    # of 10,000 articles asks this of most of them, so the counting is left to Counter.
    title = TOKEN.findall(article.title or "")
    body = TOKEN.findall("\n".join(s.text for s in sentences))
    title_keys = list(map(_topic_key, title))
    body_keys = list(map(_topic_key, body))
    found = Counter({key: 3 * count for key, count in Counter(title_keys).items()})
    found.update(body_keys)
    found.pop(None, None)
    for key in lex.named_stems & found.keys():
        del found[key]
    # The three most frequent; between equals, the first to appear (a stable sort).
    top = heapq.nlargest(3, found.items(), key=itemgetter(1))
    # Each of them spelled as its first token (read until all three are met).
    first: dict[str | None, str] = {}
    wanted: set[str | None] = {key for key, _ in top}
    for seen, token in zip(chain(title_keys, body_keys), chain(title, body), strict=True):
        if seen in wanted and seen not in first:
            first[seen] = token
            if len(first) == len(wanted):
                break
    return ", ".join(_spelled(first[key]) for key, _ in top) or "something else"


@lru_cache(maxsize=200_000)
def _topic_key(token: str) -> str | None:
    """The stem a token counts under as a topic word; None for a common or short word.
    A day repeats its words often, so each is looked at once."""
    word = token.lower()
    if word in STOPWORDS or word.isdigit() or len(word) < 4:
        return None
    return next(iter(stems(word)), None) or None


def _spelled(token: str) -> str:
    """How the topic spells a word: a name as written, other words in lower case."""
    return token if token[:1].isupper() and not token.isupper() else token.lower()


def without_theme(judgment: Judgment, article: Article, sentences: Sequence[Sentence],
                  lex: StoryLexicon | None) -> Judgment:
    """An article that names the story but none of whose sentences is clearly about a theme."""
    about = topic(article, sentences, lex) if lex else "something else"
    n = len(judgment.place)
    return Judgment(False, f"about {about}; it names the story, but none of its sentences is "
                           "clearly about one of the brief's themes", (OFF,) * n,
                    ("its article is not about the story's themes",) * n)


def _in_phrases(seq: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> set[int]:
    """The positions of `seq` that one of `phrases` covers."""
    present = set(seq)  # most of the story's names are not in a given sentence at all
    return {i + k for phrase in phrases if phrase[0] in present
            for i in occurrences(seq, phrase) for k in range(len(phrase))}


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, frozenset[str]], ...]:
    """Each of the world's countries by its first name, with the stems of all its names and
    peoples (a list that ships with the code, one country a line)."""
    from importlib.resources import files

    text = files("briefing").joinpath("data", "countries.txt").read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            found.append((line.split()[0], frozenset(stems(line))))
    return tuple(found)

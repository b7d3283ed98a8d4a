"""Does a sentence stand on its own, out of its article?

A brief quotes sentences out of context. "Moreover, both nations have closed the
crossings" leans on what came before; so do "He said…", "The delegation
stressed…", "The two leaders…", and "Khan said…" when the article named Shafqat
Ali Khan two sentences earlier. This module finds such sentences, with the
reason, by a small discourse and reference check over the article: an opening
connective, an opening pronoun, a definite description whose noun the article
used before, or a surname whose full name came earlier. Compose then brings the
preceding sentence along or prefers a sentence that stands alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.models import Sentence
from briefing.text import stem

# Openings that connect a sentence to the one before it.
CONNECTIVES = (
    "moreover", "however", "also", "furthermore", "meanwhile", "in addition", "additionally",
    "besides", "nevertheless", "nonetheless", "still", "yet", "but", "and", "so", "therefore",
    "thus", "hence", "consequently", "as a result", "instead", "likewise", "similarly",
    "in contrast", "on the other hand", "otherwise", "then", "later", "earlier", "indeed",
    "in fact", "in turn", "after that", "afterwards", "by contrast", "even so", "at the same time",
    "in response", "despite this", "despite that", "despite these", "despite the move",
    "following this", "following that", "as such", "for his part", "for her part",
    "for their part", "to that end", "on this", "on that", "similarly", "accordingly",
    "for instance", "for example", "in other words", "by comparison", "that said", "since then",
)
# Pronouns and determiners that point back when they open a sentence.
POINTERS = frozenset("""he she they it its his her their them this these those that such
both either neither another others""".split()) | {"the former", "the latter"}
# Nouns that, with "the", usually point back to something named before.
ANAPHORIC = frozenset(stem(w) for w in """move decision step development incident attack
agreement deal statement remarks comments issue matter situation talks meeting visit
delegation official officials spokesman spokesperson minister ministers leader leaders
group groups country countries side sides two pair body report remark measure measures
plan proposal announcement clash clashes strike strikes operation operations message
warning request demand offer response claim accusation
""".split())
SPEECH = frozenset(stem(w) for w in """said says stated added told noted warned claimed
argued insisted explained stressed urged asserted maintained alleged confirmed denied
rejected emphasised emphasized underlined remarked""".split())

_WORD = re.compile(r"[A-Za-z’']+")
# A sentence opening with one of CONNECTIVES, then no letter: one match, trying them in
# their order as a loop over them would ("Alsop said" is not "also").
_CONNECTIVE = re.compile(
    "(?:" + "|".join(map(re.escape, CONNECTIVES)) + r")(?![^\W\d_])", re.IGNORECASE)


@dataclass(frozen=True)
class Dependence:
    """Why a sentence does not stand alone (empty when it does)."""

    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.reason)


def dependences(sentences: Sequence[Sentence]) -> list[Dependence]:
    """For each sentence of one article (in order), whether it leans on an earlier one."""
    out: list[Dependence] = []
    seen_stems: set[str] = set()
    names: dict[str, str] = {}  # surname → the full name the article used
    for s in sentences:
        out.append(Dependence(_reason(s.text, seen_stems, names) if out else ""))
        seen_stems.update(s.stems)
        for full in _full_names(s.text):
            names.setdefault(full.split()[-1], full)
    return out


def _reason(text: str, seen: set[str], names: dict[str, str]) -> str:
    lead = text.lstrip("\"“‘'(").strip()
    opening = _CONNECTIVE.match(lead)
    if opening:
        return f"opens with the connective '{opening.group()}'"
    tokens = _WORD.findall(lead)
    if not tokens:
        return ""
    first = tokens[0].lower()
    two = " ".join(t.lower() for t in tokens[:2])
    if two in POINTERS or (first in POINTERS and not _names_noun(tokens)):
        return f"opens with '{tokens[0] if first in POINTERS else ' '.join(tokens[:2])}', " \
               "which points back"
    if first == "the" and len(tokens) > 1:
        head = _description_head(tokens)
        if head and (stem(head.lower()) in seen or stem(head.lower()) in ANAPHORIC):
            return f"'{' '.join(tokens[:tokens.index(head) + 1])}' refers to something " \
                   "named earlier"
    if tokens[0][:1].isupper() and len(tokens) > 1 and stem(tokens[1].lower()) in SPEECH:
        full = names.get(tokens[0])
        if full and full != tokens[0] and full not in text:
            return f"'{tokens[0]}' alone names {full}, named earlier"
    return ""


def _names_noun(tokens: Sequence[str]) -> bool:
    """'This week', 'That year': a pointer used as a determiner of a time word is fine."""
    return len(tokens) > 1 and tokens[1].lower() in {"week", "year", "month", "morning",
                                                     "evening", "afternoon", "time"}


def _description_head(tokens: Sequence[str]) -> str | None:
    """The noun of 'the (two|new|…) NOUN' when it is a common noun, not a name."""
    rest = list(tokens[1:4])
    while rest and (rest[0].lower() in {"two", "three", "new", "same", "latest", "recent",
                                        "former", "latter", "joint", "pakistani", "afghan"}):
        rest.pop(0)
    if not rest or rest[0][:1].isupper():
        return None  # "The Taliban", "The Torkham crossing": a name, not a reference
    return rest[0]


def _full_names(text: str) -> list[str]:
    """Runs of two to four capitalised words: candidate full names of people."""
    return re.findall(r"\b(?:[A-Z][a-z]+ ){1,3}[A-Z][a-z]+\b", text)

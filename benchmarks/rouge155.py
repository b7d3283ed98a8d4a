"""ROUGE-N recall as ROUGE-1.5.5 computes it with `-n 2 -m -l 100 -f A`, in Python.

Papers on DUC report the Perl script's figures, which differ from the
`rouge-score` package's in four ways that this module follows:

- Text: each summary is lower-cased and cut at its first 100 whitespace
  words (`-l 100`, applied to the human summaries too); then "-" is set
  apart, everything but letters, digits and "-" becomes a space, and only
  tokens that start with a letter or digit count (so "-" never does).
- Stemming (`-m`): a token longer than three characters is looked up in
  WordNet's exception lists ("said" gives "say", "children" gives "child")
  and otherwise stemmed by the script's own Porter stemmer, which differs
  from NLTK's (its step 4 is Chin-Yew Lin's 2004 variant for "-ement").
- Several human summaries (`-f A`): the clipped n-gram hits against every
  summary are added up and divided by the n-grams of all of them together,
  rather than averaging each summary's recall. ROUGE-1.5.5 does no
  jackknifing (its notes say it was removed in version 1.4).
- Sets: the recall of each set is averaged over the sets.

The script reads WordNet 2.0's exception lists from a database that ships
with it. This module reads the same lists as text (adj.exc, adv.exc,
noun.exc, verb.exc, for example WordNet 3.0's in Debian's wordnet-base
under /usr/share/wordnet); without them it stems with Porter alone and says
so. The Perl script itself is not run here, so agreement with it is by
construction, not measured.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
EXCEPTION_FILES = ("adj.exc", "adv.exc", "noun.exc", "verb.exc")


def exceptions(folder: Path = WORDNET) -> dict[str, str]:
    """Inflected form -> base form from WordNet's exception lists (empty when absent).

    Later files win, as when ROUGE's database was built from them in this order.
    """
    table: dict[str, str] = {}
    for name in EXCEPTION_FILES:
        path = folder / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="latin-1").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                table[parts[0]] = parts[1]
    return table


# --- ROUGE-1.5.5's Porter stemmer ----------------------------------------------
_c = "[^aeiou]"
_v = "[aeiouy]"
_C = f"{_c}[^aeiouy]*"
_V = f"{_v}[aeiou]*"
_MGR0 = re.compile(f"^({_C})?{_V}{_C}")
_MEQ1 = re.compile(f"^({_C})?{_V}{_C}({_V})?$")
_MGR1 = re.compile(f"^({_C})?{_V}{_C}{_V}{_C}")
_VOWEL_IN = re.compile(f"^({_C})?{_v}")
_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]$")
_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize",
          "bli": "ble", "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous",
          "ization": "ize", "ation": "ate", "ator": "ate", "alism": "al", "iveness": "ive",
          "fulness": "ful", "ousness": "ous", "aliti": "al", "iviti": "ive", "biliti": "ble",
          "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "",
          "ness": ""}
_STEP2_RE = re.compile("(" + "|".join(_STEP2) + ")$")
_STEP3_RE = re.compile("(" + "|".join(_STEP3) + ")$")
_STEP4_RE = re.compile("(al|ance|ence|er|ic|able|ible|ant|ement|ou|ism|ate|iti|ous|ive|ize)$")


@lru_cache(maxsize=100_000)
def porter(word: str) -> str:
    """The Porter stemmer of ROUGE-1.5.5 (its Perl, rule by rule)."""
    if len(word) < 3:
        return word
    initial_y = word[0] == "y"
    w = "Y" + word[1:] if initial_y else word
    # step 1a
    if (m := re.search("(ss|i)es$", w)) or (m := re.search("([^s])s$", w)):
        w = w[:m.start()] + m[1]
    # step 1b
    if m := re.search("eed$", w):
        if _MGR0.search(w[:m.start()]):
            w = w[:-1]
    elif m := re.search("(ed|ing)$", w):
        stem = w[:m.start()]
        if _VOWEL_IN.search(stem):
            w = stem
            if re.search("(at|bl|iz)$", w):
                w += "e"
            elif re.search(r"([^aeiouylsz])\1$", w):
                w = w[:-1]
            elif _CVC.search(w):
                w += "e"
    # step 1c
    if (m := re.search("y$", w)) and _VOWEL_IN.search(w[:m.start()]):
        w = w[:m.start()] + "i"
    # steps 2 and 3
    for pattern, table in ((_STEP2_RE, _STEP2), (_STEP3_RE, _STEP3)):
        if (m := pattern.search(w)) and _MGR0.search(w[:m.start()]):
            w = w[:m.start()] + table[m[1]]
    # step 4, as modified by Chin-Yew Lin (02/14/2004)
    if (m := _STEP4_RE.search(w)) and _MGR1.search(w[:m.start()]):
        w = w[:m.start()]
    if (m := re.search("ment$", w)) and _MGR1.search(w[:m.start()]):
        w = w[:m.start()]
    if m := re.search("ent$", w):
        if _MGR1.search(w[:m.start()]):
            w = w[:m.start()]
    elif (m := re.search("(s|t)(ion)$", w)) and _MGR1.search(w[:m.start()] + m[1]):
        w = w[:m.start()] + m[1]
    # step 5
    if m := re.search("e$", w):
        stem = w[:m.start()]
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _CVC.search(stem)):
            w = stem
    if re.search("ll$", w) and _MGR1.search(w):
        w = w[:-1]
    return "y" + w[1:] if initial_y else w


class Rouge155:
    """ROUGE-N recall with ROUGE-1.5.5's tokens, stems, length cut and -f A."""

    def __init__(self, words: int = 100, wordnet: Mapping[str, str] | None = None) -> None:
        self.words = words
        self.exceptions = exceptions() if wordnet is None else dict(wordnet)

    def stem(self, token: str) -> str:
        if len(token) <= 3:
            return token
        return self.exceptions.get(token) or porter(token)

    def tokens(self, text: str) -> list[str]:
        kept = text.lower().split()[: self.words] if self.words else text.lower().split()
        cut = re.sub(r"[^a-z0-9\-]", " ", " ".join(kept).replace("-", " - "))
        return [self.stem(t) for t in cut.split() if re.match(r"[a-z0-9$]", t)]

    def grams(self, text: str, n: int) -> Counter[tuple[str, ...]]:
        toks = self.tokens(text)
        return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))

    def recall(self, summary: str, models: Sequence[str], n: int) -> float:
        """Hits over all models' n-grams together (-f A)."""
        mine = self.grams(summary, n)
        hits = total = 0
        for model in models:
            theirs = self.grams(model, n)
            hits += sum(min(count, mine[g]) for g, count in theirs.items())
            total += sum(theirs.values())
        return hits / total if total else 0.0

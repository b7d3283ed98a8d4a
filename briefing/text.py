"""Sentences, word tokens and stems, with NLTK and no downloaded data.

NLTK's pretrained Punkt model (`punkt_tab`) is used when it happens to be
installed; otherwise Punkt is trained on the day's own text, which learns the
abbreviations and collocations that text uses, and a built-in list of common
abbreviations (titles, ranks, months, "U.S.", "p.m.") covers what one day of
news is too small to learn. Nothing here calls `nltk.download()`.

Sentences are produced as spans of the cleaned body, so every sentence is a
verbatim slice of its article.
"""

from __future__ import annotations

import importlib.abc
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib.machinery import ModuleSpec
from itertools import pairwise
from sys import intern
from types import ModuleType

from briefing import punktcache
from briefing.models import Article, Sentence


class _NoSciPy(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name == "scipy" or name.startswith("scipy."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextmanager
def _scipy_hidden() -> Iterator[None]:
    """NLTK's package import loads scipy.stats, about a second, whenever SciPy is
    installed, for statistics that briefing never uses (NLTK falls back without it).
    SciPy is hidden while NLTK loads; a process that already has it is left alone."""
    hide = "nltk" not in sys.modules and "scipy" not in sys.modules
    finder = _NoSciPy()
    if hide:
        sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if hide:
            sys.meta_path.remove(finder)


with _scipy_hidden():
    from nltk import redos
    from nltk.stem.snowball import SnowballStemmer
    from nltk.tokenize import punkt
    from nltk.tokenize.punkt import (
        PunktLanguageVars,
        PunktParameters,
        PunktSentenceTokenizer,
        PunktToken,
        PunktTrainer,
    )

log = logging.getLogger(__name__)

# Lower-case, without the final period, as Punkt stores them.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt rev fr hon sen rep gov pres supt insp sgt cpl pvt lt col gen maj
capt cmdr adm brig ret jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu
thur thurs fri sat sun u.s u.k u.n u.a.e e.u u.s.a u.s.s.r d.c n.y a.m p.m i.e e.g etc vs
approx est inc ltd co corp dept univ assn bros no nos vol fig km kg mln bn rs
""".split())

# Punkt stops training improving after a few hundred thousand characters; a day
# of 10,000 articles must not pay for training on all of them.
TRAINING_CHARS = 400_000


class NewsLanguageVars(PunktLanguageVars):  # type: ignore[misc]
    """Punkt's English rules, with curly quotes and guillemets treated like ASCII quotes.

    Without this, `…the matter “speculation.”` followed by a new sentence is
    not split, and a closing quote would start the next sentence.
    """

    _quotes = "\u2018\u2019\u201c\u201d\xab\xbb"
    re_boundary_realignment = re.compile(
        r'["\')\]}' + _quotes + r"]+?(?:\s+|(?=--)|$)", re.MULTILINE
    )

    @property
    def _re_non_word_chars(self) -> str:
        return r"(?:[)\";}\]\*:@\'\({\[" + self._quotes + r"!?])"

    # NLTK 3.10 compiles Punkt's patterns through its ReDoS guard (the `regex` engine
    # with a time limit on every call), which makes half the cost of training and
    # splitting. These are NLTK's own linear patterns, compiled by `re`.
    def _word_tokenizer_re(self) -> re.Pattern[str]:
        return self._plain("_plain_word_tokenizer", self._word_tokenize_fmt,
                           NonWord=self._re_non_word_chars, MultiChar=self._re_multi_char_punct,
                           WordStart=self._re_word_start)

    def period_context_re(self) -> re.Pattern[str]:
        return self._plain("_plain_period_context", self._period_context_fmt,
                           NonWord=self._re_non_word_chars, SentEndChars=self._re_sent_end_chars)

    def _plain(self, cache: str, fmt: str, **parts: str) -> re.Pattern[str]:
        """NLTK's pattern `fmt` with its `parts`, compiled by `re` once per instance."""
        found: re.Pattern[str] | None = self.__dict__.get(cache)
        if found is None:
            found = self.__dict__[cache] = re.compile(fmt % parts, re.UNICODE | re.VERBOSE)
        return found


class NewsToken(PunktToken):  # type: ignore[misc]
    """Punkt's token, its patterns compiled by `re` (see NewsLanguageVars)."""

    __slots__ = ()
    _RE_ELLIPSIS = re.compile(r"\.\.+$")
    _RE_NUMERIC = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
    _RE_INITIAL = re.compile(r"[^\W\d]\.$", re.UNICODE)
    _RE_ALPHA = re.compile(r"[^\W\d]+$", re.UNICODE)
    _RE_NON_PUNCT = re.compile(r"[^\W\d]", re.UNICODE)

    @property
    def is_non_punct(self) -> bool:
        return bool(self._RE_NON_PUNCT.search(self.type))


def with_abbreviations(params: PunktParameters, extra: Iterable[str]) -> PunktParameters:
    """The parameters with the built-in abbreviations and `extra` ones added (in place)."""
    params.abbrev_types.update(ABBREVIATIONS)
    params.abbrev_types.update(a.lower().rstrip(".") for a in extra)
    return params


def pretrained_parameters() -> PunktParameters | None:
    """NLTK's English punkt_tab parameters when installed, else None (never downloads)."""
    try:
        from nltk.data import find
        from nltk.tokenize.punkt import load_punkt_params

        return load_punkt_params(find("tokenizers/punkt_tab/english/"))
    except (LookupError, ImportError, OSError, ValueError):
        return None


def trained_parameters(texts: Sequence[str]) -> PunktParameters:
    """Punkt parameters learnt from the given texts (bounded in size), or their cache."""
    used = []
    budget = TRAINING_CHARS
    for text in texts:
        if budget <= 0:
            break
        used.append(text[:budget])
        budget -= len(text)
    return punktcache.cached(used, _train)


def _train(texts: Sequence[str]) -> PunktParameters:
    trainer = PunktTrainer(lang_vars=NewsLanguageVars(), token_cls=NewsToken)
    trainer.INCLUDE_ALL_COLLOCS = True
    # The trainer's abbreviation check looks at every word type through NLTK's ReDoS guard
    # with a time limit on each call. This pattern is linear and NLTK's own, so while we
    # train it runs without the limit (NLTK's `timeout=None`, the same `regex` engine, the
    # same answers), at well under half the cost. Trainings in threads take turns.
    with _TRAINING:
        guarded = punkt._re_non_punct
        punkt._re_non_punct = _NON_PUNCT_UNTIMED
        try:
            for text in texts:
                trainer.train(text, finalize=False)
            trainer.finalize_training()
        finally:
            punkt._re_non_punct = guarded
    return trainer.get_params()


_TRAINING = threading.Lock()
_NON_PUNCT_UNTIMED = redos.compile(r"[^\W\d]", re.UNICODE, timeout=None)


def pretrained_for(mode: str) -> PunktParameters | None:
    """punkt_tab's parameters when `mode` allows them and they are installed; None: train."""
    params = pretrained_parameters() if mode in ("auto", "pretrained") else None
    if params is None and mode == "pretrained":
        log.warning("NLTK punkt_tab data not installed; training Punkt on the input instead")
    return params


def punkt_parameters(texts: Sequence[str], mode: str = "auto",
                     extra_abbreviations: Iterable[str] = ()) -> PunktParameters:
    """Punkt's parameters: pretrained when `mode` allows and the data exists, else trained."""
    params = pretrained_for(mode)
    if params is None:
        params = trained_parameters(texts)
    return with_abbreviations(params, extra_abbreviations)


def tokenizer_from(params: PunktParameters) -> PunktSentenceTokenizer:
    return PunktSentenceTokenizer(params, lang_vars=NewsLanguageVars(), token_cls=NewsToken)


def sentence_tokenizer(texts: Sequence[str], mode: str = "auto",
                       extra_abbreviations: Iterable[str] = ()) -> PunktSentenceTokenizer:
    """A Punkt tokenizer: pretrained when `mode` allows and the data exists, else trained."""
    return tokenizer_from(punkt_parameters(texts, mode, extra_abbreviations))


def split_article(article: Article, tokenizer: PunktSentenceTokenizer) -> list[Sentence]:
    """The article's sentences, paragraph by paragraph, as spans of its body."""
    sentences: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(article.body.split("\n\n")):
        for start, end in _merge_lowercase_starts(paragraph, tokenizer.span_tokenize(paragraph)):
            text = paragraph[start:end].strip()
            if not text:
                continue
            lead = paragraph[start:end].index(text)
            begin = offset + start + lead
            sentences.append(Sentence(
                article=article.id, index=len(sentences), text=text, start=begin,
                end=begin + len(text), paragraph=number, stems=stems(text),
            ))
        offset += len(paragraph) + 2
    return sentences


# A letter or digit: what str.isalnum() is true of (\w less the underscore).
ALNUM = re.compile(r"[^\W_]")


def _merge_lowercase_starts(paragraph: str, spans: Iterable[tuple[int, int]]
                            ) -> list[tuple[int, int]]:
    """Join a piece that starts in lower case, or has no word at all, to the sentence
    before it.

    Punkt always breaks after "?" and "!", so `"Why now?'' asked the minister.`
    becomes two pieces; a news sentence does not start with a lower-case word. A
    spaced ellipsis (". . . .") comes out as pieces of one full stop each; at the
    start of a paragraph such a piece is no sentence and is left out.
    """
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        piece = paragraph[start:end]
        wordless = ALNUM.search(piece) is None
        if merged and (wordless or piece.lstrip()[:1].islower()):
            merged[-1] = (merged[-1][0], end)
        elif not wordless:
            merged.append((start, end))
    return merged


# --- words -------------------------------------------------------------------

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can could did didn't do does doesn't doing don't down
during each few for from further had has have having he her here hers herself him himself his
how i if in into is isn't it it's its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own said same says she should so some such
than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you
your yours yourself yourselves s t can't won't also would've could've might must shall may upon
via per amid among within without whether yet however although though according accordingly
""".split())

TOKEN = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*", re.UNICODE)
_stemmer = SnowballStemmer("english")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; hyphenated and apostrophe words stay whole."""
    return [t.lower().replace("’", "'") for t in TOKEN.findall(text)]


def words(text: str) -> tuple[str, ...]:
    """Tokens as the rest of the pipeline compares them.

    A possessive 's is dropped. A hyphenated name gives its parts, so the
    "Pakistan-Afghanistan border" names both countries; other hyphenated words
    are written as one ("cease-fire" is "ceasefire", "cross-border" is not
    "crossing").
    """
    return _by_token(text, _FORMS, _forms)


def _by_token(text: str, cache: dict[str, tuple[str, ...]],
              make: Callable[[str], tuple[str, ...]]) -> tuple[str, ...]:
    """What each of the text's tokens becomes, in order: from `cache`, or `make` (which
    keeps what it makes there)."""
    out: list[str] = []
    for raw in TOKEN.findall(text):
        found = cache.get(raw)
        if found is None:
            found = make(raw)
        out += found
    return tuple(out)


# What each raw token becomes, once per distinct token: a day repeats its words often,
# and looking one up costs less than lowering, splitting and checking it again. Bounded:
# past _MAX_CACHED tokens (a stream of ever new words) it starts again.
_FORMS: dict[str, tuple[str, ...]] = {}
_CONTENT: dict[str, tuple[str, ...]] = {}
_MAX_CACHED = 500_000


def _forms(raw: str) -> tuple[str, ...]:
    t = raw.lower().replace("’", "'")
    if t.endswith("'s") and t not in STOPWORDS:
        t = t[:-2]
    if "-" not in t:
        found: tuple[str, ...] = (t,)
    elif any(part[:1].isupper() for part in raw.split("-")):
        found = tuple(p for p in t.split("-") if p)
    else:
        found = (t.replace("-", ""),)
    if len(_FORMS) >= _MAX_CACHED:
        _FORMS.clear()
    _FORMS[raw] = found
    return found


# British and American spellings meet before stemming: "recognise" and "recognize",
# "defence" and "defense", "harbour" and "harbor", "centre" and "center",
# "analyse" and "analyze", "dialogue" and "dialog". Both sides of every comparison
# go through the same mapping, so a word it changes needlessly matches only itself.
# Each pattern comes with the letters every match of it contains, so that a word without
# them is not searched.
_SPELLINGS = (
    (re.compile(r"^(\w{3,})is(e|ed|es|ing|ation|ations|er|ers)$"), r"\1iz\2", "is"),
    (re.compile(r"^(\w{3,})our(s|ed|ing|ite|ites|able|ably|er|ers)?$"), r"\1or\2", "our"),
    (re.compile(r"^(\w{2,})ys(e|ed|es|ing)$"), r"\1yz\2", "ys"),
    (re.compile(r"^(def|off|lic|pret)enc(e|es)$"), r"\1ens\2", "enc"),
    (re.compile(r"^(\w{3,})tre(s|d)?$"), r"\1ter\2", "tre"),
    (re.compile(r"^(\w{3,})ogue(s)?$"), r"\1og\2", "ogue"),
)


def american(word: str) -> str:
    """One spelling for words that British and American English spell apart."""
    for pattern, replacement, marker in _SPELLINGS:
        if marker in word:
            word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer.stem(american(word)))


def is_common(word: str) -> bool:
    """A stopword or a number: no content of its own."""
    return word in STOPWORDS or word.isdigit()


def content_stems(sentence_words: Sequence[str]) -> tuple[str, ...]:
    return tuple(stem(w) for w in sentence_words if not is_common(w))


def stems(text: str) -> tuple[str, ...]:
    """Stems of the content words, in order: what similarity and themes compare
    (content_stems(words(text)), a token at a time from the caches)."""
    return _by_token(text, _CONTENT, _content_of)


def _content_of(raw: str) -> tuple[str, ...]:
    forms = _FORMS.get(raw) or _forms(raw)
    found = tuple(stem(w) for w in forms if not is_common(w))
    if len(_CONTENT) >= _MAX_CACHED:
        _CONTENT.clear()
    _CONTENT[raw] = found
    return found


# A diplomat's rank written before a name is a form of address: "Ambassador Sadiq
# expressed condolences" is about condolences, not about who has an ambassador.
TITLE_BEFORE_NAME = re.compile(
    r"\b(?:Ambassador|Envoy|Consul(?:[- ]General)?|Charg[ée] d['’]Affaires)"
    r"(?=\s+(?:(?:Dr|Mr|Ms|Mrs|Gen|Lt)\.?\s+)?[A-Z][a-z])")


# What every TITLE_BEFORE_NAME match starts with.
_RANKS = ("Ambassador", "Envoy", "Consul", "Charg")


def addressed(text: str, sentence_stems: Sequence[str]) -> tuple[str, ...]:
    """A sentence's content stems without the ranks it writes before names (one
    occurrence each): what its topic words are."""
    if not any(map(text.__contains__, _RANKS)):  # no rank: most sentences
        return tuple(sentence_stems)
    titles = [st for m in TITLE_BEFORE_NAME.finditer(text) for st in stems(m.group(0))]
    if not titles:
        return tuple(sentence_stems)
    left = list(sentence_stems)
    for st in titles:
        if st in left:
            left.remove(st)
    return tuple(left)


def concepts(sentence_words: Sequence[str]) -> tuple[str, ...]:
    """A sentence's concepts for ranking: stemmed word bigrams, except two common words.

    "closure of the Torkham crossing" gives "closur of", "the torkham",
    "torkham cross" but not "of the", which says nothing. Single words are
    not concepts: on DUC 2003 they lowered ROUGE-2 recall. Each comes once, in
    sorted order, so that sums over them add up alike in every run.
    """
    stemmed = [stem(w) for w in sentence_words]
    common = [is_common(w) for w in sentence_words]
    # Interned: a large day repeats its bigrams millions of times, and one string each
    # keeps the ranking's memory small.
    pairs = {intern(f"{a} {b}") for (a, b), (x, y) in
             zip(pairwise(stemmed), pairwise(common), strict=True) if not (x and y)}
    return tuple(sorted(pairs))

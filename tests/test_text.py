"""Sentences (Punkt trained offline), word tokens and stems, plus properties on arbitrary input."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktParameters

from briefing import text as text_module
from briefing.clean import clean
from briefing.ingest import decode
from briefing.models import Article, RawDocument
from briefing.text import (
    STOPWORDS,
    sentence_tokenizer,
    split_article,
    stem,
    stems,
    tokens,
)

# Training text of our own: ordinary news prose that never uses the abbreviations
# tested below, so what keeps them whole is the built-in list, not the training.
TRAINING = [
    "The council met on Monday to discuss the new bridge. Members argued for two hours. "
    "The mayor said the vote would be held next week. Residents have waited years for it.",
    "Rain fell across the region for a third day. Roads were closed in several districts. "
    "Officials urged drivers to stay at home. Schools will reopen when the water recedes.",
]
TOKENIZER = sentence_tokenizer(TRAINING, "trained")


def sentences_of(text: str) -> list[str]:
    return list(TOKENIZER.tokenize(text))


def article(body: str, article_id: str = "a1") -> Article:
    return Article(id=article_id, path=f"{article_id}.txt", title=None, outlet=None,
                   author=None, published=None, date_note="", body=body)


# --- sentence splitting without NLTK data ------------------------------------------

def test_trained_mode_never_looks_for_pretrained_data(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden() -> None:
        raise AssertionError("pretrained parameters consulted in trained mode")

    monkeypatch.setattr(text_module, "pretrained_parameters", forbidden)
    tokenizer = sentence_tokenizer(TRAINING, "trained")
    assert list(tokenizer.tokenize("One sentence here. Another one there.")) == [
        "One sentence here.", "Another one there."]


def test_extra_abbreviations_are_honoured() -> None:
    tokenizer = sentence_tokenizer(TRAINING, "trained", extra_abbreviations=["Brgy."])
    assert list(tokenizer.tokenize("They met in Brgy. Santa Cruz on Monday. It rained.")) == [
        "They met in Brgy. Santa Cruz on Monday.", "It rained."]


@pytest.mark.parametrize(("text", "first"), [
    ("The delegation was led by Lt. Gen. Anjum Nadeem, who met officials in Kabul. "
     "He returned on Friday.",
     "The delegation was led by Lt. Gen. Anjum Nadeem, who met officials in Kabul."),
    ("A spokesman for the U.S. embassy said the talks were useful. Others disagreed.",
     "A spokesman for the U.S. embassy said the talks were useful."),
    ("The meeting will start at 5 p.m. on Monday in Islamabad. Reporters were invited.",
     "The meeting will start at 5 p.m. on Monday in Islamabad."),
    ("Dr. Amina Shah and Mr. Khan spoke to reporters. They gave no details.",
     "Dr. Amina Shah and Mr. Khan spoke to reporters."),
])
def test_abbreviations_stay_inside_one_sentence(text: str, first: str) -> None:
    found = sentences_of(text)
    assert len(found) == 2
    assert found[0] == first


@pytest.mark.parametrize(("open_q", "close_q"), [("“", "”"), ('"', '"'), ("‘", "’")])
def test_sentence_ending_inside_quotes_splits_after_the_quote(open_q: str, close_q: str) -> None:
    first = f"The ministry called the matter {open_q}speculation.{close_q}"
    second = "Officials declined to elaborate on Friday."
    assert sentences_of(f"{first} {second}") == [first, second]


def test_question_and_exclamation_marks_end_sentences() -> None:
    assert sentences_of("Will the border reopen? Nobody knows! Traders are waiting.") == [
        "Will the border reopen?", "Nobody knows!", "Traders are waiting."]


# --- split_article ------------------------------------------------------------------------

BODY = (
    "Pakistan’s Foreign Ministry dismissed the reports, calling the matter “speculation.” "
    "A spokesman for the U.S. embassy declined to comment.\n\n"
    "Lt. Gen. Anjum Nadeem will travel to Kabul at 5 p.m. on Monday. "
    "He is expected to meet \"senior officials.\" The visit was announced late.\n\n"
    "Talks continue."
)


def test_split_article_spans_indexes_and_paragraphs() -> None:
    doc = article(BODY)
    found = split_article(doc, TOKENIZER)
    assert [s.text for s in found] == [
        "Pakistan’s Foreign Ministry dismissed the reports, calling the matter “speculation.”",
        "A spokesman for the U.S. embassy declined to comment.",
        "Lt. Gen. Anjum Nadeem will travel to Kabul at 5 p.m. on Monday.",
        'He is expected to meet "senior officials."',
        "The visit was announced late.",
        "Talks continue.",
    ]
    assert [s.index for s in found] == list(range(len(found)))
    assert [s.paragraph for s in found] == [0, 0, 1, 1, 1, 2]
    for sentence in found:
        assert sentence.article == "a1"
        assert doc.body[sentence.start:sentence.end] == sentence.text
        assert sentence.stems == stems(sentence.text)
    assert found[2].words == 13
    # spans are in order and do not overlap
    assert all(a.end <= b.start for a, b in pairwise(found))


def test_a_spaced_ellipsis_stays_inside_its_sentence() -> None:
    """Punkt cuts ". . . ." into pieces of one full stop; a piece with no word is no sentence."""
    body = (". . . Pakistan was 41-5 in the eighth over . . . . (but the) mindset was . . . . "
            "Nabi hit a six.")
    found = split_article(article(body), TOKENIZER)
    assert [s.text for s in found] == ["Pakistan was 41-5 in the eighth over . . . .",
                                       "(but the) mindset was . . . .", "Nabi hit a six."]


def test_split_article_empty_body() -> None:
    assert split_article(article(""), TOKENIZER) == []


# --- tokens and stems ---------------------------------------------------------------

def test_tokens_lowercase_and_keep_hyphen_and_apostrophe_words() -> None:
    assert tokens("Pakistan’s cross-border TALKS, in 2025!") == [
        "pakistan's", "cross-border", "talks", "in", "2025"]
    assert tokens("— … “ ” !") == []


def test_stems_drop_stopwords_numbers_and_possessives() -> None:
    assert stems("The Taliban said that the talks would resume in 2025.") == (
        "taliban", "talk", "resum")
    assert stems("Pakistan’s ministry") == ("pakistan", "ministri")
    for word in ("the", "and", "would", "said", "however"):
        assert word in STOPWORDS
        assert stems(word) == ()


def test_stems_conflate_inflections() -> None:
    assert stem("recognised") == stem("recognise") == stem("recognising")
    assert stems("Russia recognised the Taliban") == stems("Russia recognises Taliban")
    assert stem("talks") == stem("talk")


# --- properties on arbitrary input ----------------------------------------------------------

ODD_CHARACTERS = list("abcXYZ .,;:!?…-–—\n\n\n\t\r“”‘’\"'()[]•*#0123456789é"
                      "\u00a0\u200b\u2028\ufeff")
WORDS = ["The", "minister", "said", "U.S.", "Lt.", "Gen.", "p.m.", "“speculation.”",
         "\"quoted.\"", "(Reuters)", "-", "Share", "Facebook", "By", "Jane", "Doe", "27",
         "October", "2025", "Related", "Articles", "Image", "•", "Key", "Takeaways", ".", "\n",
         "\n\n", "\n\n\n", "comment", "on", "Monday."]

messy_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(ODD_CHARACTERS), max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join),
)


def raw(text: str) -> RawDocument:
    return RawDocument(id="h", path="h.txt", text=text, encoding="utf-8")


@settings(max_examples=100, deadline=None)
@given(messy_text)
def test_clean_never_raises_and_body_is_well_formed(text: str) -> None:
    cleaned = clean(raw(text))
    assert "\n\n\n" not in cleaned.body
    assert cleaned.body == cleaned.body.strip()
    assert all(p == p.strip() and p for p in cleaned.body.split("\n\n") if cleaned.body)
    assert all(r.reason for r in cleaned.removed)


@settings(max_examples=100, deadline=None)
@given(messy_text)
def test_split_of_cleaned_article_is_verbatim_spans(text: str) -> None:
    cleaned = clean(raw(text))
    found = split_article(cleaned, TOKENIZER)
    assert [s.index for s in found] == list(range(len(found)))
    for sentence in found:
        assert any(c.isalnum() for c in sentence.text)
        assert cleaned.body[sentence.start:sentence.end] == sentence.text
        assert sentence.text in cleaned.paragraphs[sentence.paragraph]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_decode_never_raises(data: bytes) -> None:
    decoded = decode(data)
    assert isinstance(decoded.text, str)
    assert decoded.encoding in {"utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"}


def test_trained_parameters_are_cached_by_their_text(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path))
    trainings: list[int] = []
    train = text_module._train

    def counted(texts: Sequence[str]) -> PunktParameters:
        trainings.append(len(texts))
        return train(texts)

    monkeypatch.setattr(text_module, "_train", counted)
    first = text_module.trained_parameters(TRAINING)
    again = text_module.trained_parameters(TRAINING)
    other = text_module.trained_parameters([*TRAINING, "Another text, Inc. and Mr. Smith went."])
    assert len(trainings) == 2  # the same text once, another text again
    assert len(list((tmp_path / "punkt").glob("*.json"))) == 2
    for name in ("abbrev_types", "collocations", "sent_starters", "ortho_context"):
        assert getattr(again, name) == getattr(first, name)
    assert other.abbrev_types != first.abbrev_types or other.ortho_context != first.ortho_context
    paragraph = "Mr. Khan met Gen. Munir in Rawalpindi. They spoke of the U.S. plan."
    assert (list(text_module.tokenizer_from(again).span_tokenize(paragraph))
            == list(text_module.tokenizer_from(first).span_tokenize(paragraph)))


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(blocker))
    cached = text_module.trained_parameters(TRAINING)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", "")
    assert cached.ortho_context == text_module.trained_parameters(TRAINING).ortho_context


# --- ranks written before names ---------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "gone"), [
    ("Ambassador Mohammad Sadiq expressed condolences in Kabul.", ["ambassador"]),
    ("Pakistan's Special Envoy Sadiq met the ambassador of Iran.", ["envoy"]),
    ("Consul General Dr. Khan visited the consulate.", ["consul", "general"]),
])
def test_a_rank_before_a_name_is_not_a_topic_word(sentence: str, gone: list[str]) -> None:
    left = text_module.addressed(sentence, stems(sentence))
    assert sorted(stems(sentence)) == sorted([*left, *gone])


def test_a_rank_not_before_a_name_stays() -> None:
    sentence = "Pakistan will appoint an ambassador once the envoy returns."
    assert text_module.addressed(sentence, stems(sentence)) == stems(sentence)


@given(st.text(max_size=200))
def test_addressed_only_ever_removes_stems(sentence: str) -> None:
    full = list(stems(sentence))
    left = text_module.addressed(sentence, full)
    for st_ in left:
        full.remove(st_)  # each stem left was in the sentence, as often


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_alnum_pattern_is_what_isalnum_says(piece: str) -> None:
    """The wordless-piece check is one compiled search, the same as asking each character."""
    assert (text_module.ALNUM.search(piece) is None) == (not any(c.isalnum() for c in piece))


def test_training_without_nltks_regex_guard_learns_the_same_parameters() -> None:
    """Punkt trained through `_train` (its abbreviation check without NLTK's time limit)
    learns exactly what NLTK's guarded trainer learns from the same text, the seeds and a
    text of the rarer characters where `re` and `regex` disagree (², ½, ①, combining
    accents), and leaves NLTK's own pattern in place."""
    from nltk.tokenize import punkt

    from tests.conftest import ROOT

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts.append("The area is 5 km² and ½ of it is farmland. See note ① below. The café "
                 "reopened. Mr. Khan said so. ②. The cafe\u0301 closed. Ⓐ. Dr. Ali left.")
    guarded = punkt._re_non_punct
    ours = text_module._train(texts)
    assert punkt._re_non_punct is guarded
    trainer = punkt.PunktTrainer(lang_vars=text_module.NewsLanguageVars(),
                                 token_cls=text_module.NewsToken)
    trainer.INCLUDE_ALL_COLLOCS = True
    for t in texts:
        trainer.train(t, finalize=False)
    trainer.finalize_training()
    theirs = trainer.get_params()
    assert ours.abbrev_types == theirs.abbrev_types
    assert ours.collocations == theirs.collocations
    assert ours.sent_starters == theirs.sent_starters
    assert dict(ours.ortho_context) == dict(theirs.ortho_context)


@given(st.text(alphabet=st.sampled_from("isouryencgtrdzeal"), max_size=14))
def test_spellings_meet_as_every_pattern_applied_in_turn_would(word: str) -> None:
    """The markers only skip patterns that cannot match."""
    expected = word
    for pattern, replacement, marker in text_module._SPELLINGS:
        assert marker in pattern.pattern  # the letters every match has
        expected = pattern.sub(replacement, expected)
    assert text_module.american(word) == expected


@given(st.lists(st.sampled_from(["Since", "since", "2021", "1999", "in", "In", "March", "was",
                                 "attacked", "will", "talks", "20215", "x2023", "early-2020",
                                 "during", ".", "!", "next"]), max_size=20))
def test_the_latest_year_mentioned_looks_only_where_a_year_is(tokens: list[str]) -> None:
    import re

    from briefing import dates

    body = " ".join(tokens)
    years: list[int] = []
    for sentence in re.split(r"(?<=[.!?])\s+", body):
        if dates._FUTURE.search(sentence):
            continue
        years += [int(m["year"]) for m in dates._SINCE_YEAR.finditer(sentence)]
        if dates._PAST_TENSE.search(sentence):
            years += [int(m["year"]) for m in dates._IN_YEAR.finditer(sentence)]
    assert dates.latest_year_mentioned(body) == (max(years) if years else None)


@given(messy_text)
def test_stems_are_the_content_stems_of_the_words(text: str) -> None:
    """The token caches give what stemming the words afresh gives."""
    from briefing.text import content_stems, stems, words

    assert stems(text) == content_stems(words(text))
    assert stems(text) == content_stems(words(text))  # and again, from the caches

from __future__ import annotations

import pytest

from benchmarks.rouge155 import Rouge155, porter


@pytest.mark.parametrize(("word", "stem"), [
    ("caresses", "caress"), ("ponies", "poni"), ("relational", "relat"), ("running", "run"),
    ("hopeful", "hope"), ("generalizations", "gener"), ("youth", "youth"),
    # ROUGE-1.5.5's step 4 strips -ment and -ent again after -ement, unlike Porter's paper
    ("agreement", "agreem"), ("settlement", "settlem"),
])
def test_the_porter_stemmer_is_rouge_155s(word: str, stem: str) -> None:
    assert porter(word) == stem


def test_tokens_as_rouge_155_reads_them() -> None:
    rouge = Rouge155(words=6, wordnet={"said": "say", "children": "child"})
    # cut at 6 whitespace words first; "-" splits words and is no token; short words stay
    assert rouge.tokens("He said the well-known children were running.") == [
        "he", "say", "the", "well", "known", "child", "were"]


def test_several_summaries_add_up_their_hits() -> None:
    rouge = Rouge155(words=100, wordnet={})
    # model 1: 2 of its 2 bigrams; model 2: 0 of its 3. -f A gives 2/5, not (1 + 0) / 2.
    assert rouge.recall("the cat sat", ["the cat sat", "dogs barked all night"], 2) == \
        pytest.approx(2 / 5)

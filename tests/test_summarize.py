from __future__ import annotations

from dataclasses import replace

from briefing.summarize import (
    DuplicateFinder,
    build_pool,
    cut_to_words,
    min_shared,
    opening_weight,
    select,
    summarize,
)
from briefing.text import concepts, words
from tests.conftest import build_sentences

A = ("Pakistan closed the Torkham border crossing on Monday after heavy clashes. "
     "The local football team won its match in the afternoon sunshine.")
B = ("Traders said the Torkham border crossing closure stranded hundreds of trucks. "
     "A new bakery opened in the old city to long queues of customers.")
C = ("Officials confirmed the Torkham border crossing would stay closed for a week. "
     "Rain is expected across the northern valleys by the weekend.")


def test_concepts_are_stemmed_bigrams_without_pairs_of_common_words() -> None:
    assert concepts(words("The closure of the Torkham crossings")) == (
        "closur of", "the closur", "the torkham", "torkham cross")


def test_what_counts_as_shared_grows_with_the_day() -> None:
    assert [min_shared(n) for n in (1, 2, 5, 8, 9, 10, 10_000)] == [1, 2, 2, 2, 3, 3, 3]


def test_shared_content_beats_what_one_article_says() -> None:
    chosen = summarize(build_sentences(A, B, C), words=40)
    assert all("Torkham" in s.text for s in chosen[:2])
    assert not any("bakery" in s.text or "football" in s.text for s in chosen[:2])


def test_picks_are_best_first_and_the_last_may_overflow() -> None:
    sentences = build_sentences(A, B, C)
    chosen = summarize(sentences, words=15)
    assert len(chosen) == 2  # first pick (12 words) leaves 3 words; the second overflows
    assert summarize(sentences, words=15) == chosen  # deterministic


def test_budget_is_respected_without_overflow() -> None:
    pool = build_pool(build_sentences(A, B, C))
    picks = select(pool, range(len(pool.sentences)), budget=25)
    assert sum(pool.sentences[p.index].words for p in picks) <= 25
    assert picks


def test_two_sentences_saying_the_same_thing_are_not_both_chosen() -> None:
    same = "Pakistan closed the Torkham border crossing on Monday after heavy clashes."
    sentences = build_sentences(A, same + " Markets were quiet.", B)
    pool = build_pool(sentences)
    picks = select(pool, range(len(pool.sentences)), budget=200)
    texts = [pool.sentences[p.index].text for p in picks]
    assert texts.count(same) == 1


def test_near_duplicates_of_other_articles_are_found_not_own() -> None:
    lead = "Pakistan closed the Torkham border crossing on Monday after heavy clashes."
    edited = "Pakistan closed the Torkham border crossing on Monday after clashes."
    sentences = build_sentences(lead + " " + lead.replace("Monday", "Sunday"), edited, C)
    pool = build_pool(sentences)
    finder = DuplicateFinder(pool, range(len(pool.sentences)), threshold=0.6)
    found = [pool.sentences[j] for j in finder.duplicates(0)]
    assert [(s.article, s.text) for s in found] == [("b.txt", edited)]


def test_openings_that_lean_on_unseen_context_weigh_less() -> None:
    assert opening_weight("He also said the talks would resume.") < 1.0
    assert opening_weight("Despite these efforts, tension remains.") < 1.0
    assert opening_weight("However, Kabul denied it.") < 1.0
    assert opening_weight("Pakistan closed the crossing.") == 1.0
    assert opening_weight("However, Kabul denied it.") > opening_weight("They denied it.")


def test_cut_to_words() -> None:
    assert cut_to_words(["one two three", "four five six"], 4) == ["one two three", "four"]
    assert cut_to_words(["one two"], 10) == ["one two"]
    assert cut_to_words(["one two"], 0) == []


def test_a_day_of_unrelated_articles_still_gets_a_summary() -> None:
    chosen = summarize(build_sentences(
        "The football team won its match in the afternoon sunshine.",
        "A new bakery opened in the old city to long queues."), words=50)
    assert len(chosen) == 2


def test_only_the_story_s_articles_say_how_much_a_concept_is_worth() -> None:
    """An article about something else neither adds to a concept's worth nor has concepts
    of its own to be chosen for; a copy counts with its article."""
    sentences = build_sentences(A, B, C)
    copy = replace(sentences[4], article="d.txt")  # c.txt's first sentence, from a copy
    every = build_pool(sentences, support=[copy])
    story = build_pool(sentences, support=[copy], about={"a.txt", "b.txt"})
    assert every.worth["torkham border"] == 4
    assert story.worth["torkham border"] == 2
    assert [bool(cs) for cs in story.concepts] == [True, True, True, True, False, False]
    with_copy = build_pool(sentences, support=[copy], about={"a.txt", "b.txt", copy.article})
    assert with_copy.worth["torkham border"] == 3
    # Many articles about something else do not raise the bar of what enough articles say.
    crowd = build_sentences(A, B, *[f"Article {n} is about the weather in the hills."
                                    for n in range(8)])
    assert "torkham border" not in build_pool(crowd).worth
    assert build_pool(crowd, about={"a.txt", "b.txt"}).worth["torkham border"] == 2


def test_copies_add_to_how_widely_a_story_ran_but_are_not_chosen() -> None:
    sentences = build_sentences(A, B)
    copy = build_sentences(A, B, C)[4]  # C's first sentence, as if from a syndicated copy
    alone = build_pool(sentences)
    helped = build_pool(sentences, support=[copy])
    shared = "torkham border"
    assert helped.worth[shared] == alone.worth[shared] + 1
    assert len(helped.sentences) == len(sentences)
    assert copy not in helped.sentences

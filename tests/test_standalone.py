"""Which sentences lean on an earlier one: connectives, pronouns, references, surnames."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.standalone import _CONNECTIVE, CONNECTIVES, dependences
from tests.conftest import build_sentences

LEAD = ("Pakistan's Foreign Office spokesman Shafqat Ali Khan told reporters on Friday that "
        "talks with the delegation from Kabul would continue.")


def reason(second: str) -> str:
    first, then = build_sentences(f"{LEAD} {second}")
    return dependences([first, then])[1].reason


@pytest.mark.parametrize("sentence, why", [
    ("Moreover, both nations have closed the crossings.", "connective 'Moreover'"),
    ("However, none of these countries recognised the Taliban.", "connective 'However'"),
    ("In addition, trade fell by half.", "connective 'In addition'"),
    ("For instance, the delegation included a diplomat.", "connective 'For instance'"),
    ("He said the border would stay closed.", "opens with 'He'"),
    ("They insisted that Kabul must act.", "opens with 'They'"),
    ("This marks a shift in policy.", "opens with 'This'"),
    ("The delegation stressed that progress depends on Kabul.", "'The delegation'"),
    ("The two leaders discussed trade and security.", "'The two leaders'"),
    ("The move drew criticism in Kabul.", "'The move'"),
    ("Khan said the talks were constructive.", "'Khan' alone names Shafqat Ali Khan"),
])
def test_a_sentence_that_leans_on_an_earlier_one_says_why(sentence: str, why: str) -> None:
    assert why in reason(sentence)


@pytest.mark.parametrize("sentence", [
    "Traders at the Torkham crossing said 500 trucks were stranded.",
    "The Torkham crossing reopened on Monday after a week.",
    "The Taliban government rejected the claim on Sunday.",
    "This week, traders said their losses had doubled.",
    "Shafqat Ali Khan said the talks were constructive.",
    "Afghan officials said the delegation would return.",
    "Andrew Smith, a trader, said business had collapsed.",
    "Sofia Khan said the talks were constructive.",
])
def test_a_sentence_that_stands_alone_is_left_alone(sentence: str) -> None:
    assert reason(sentence) == ""


def test_an_articles_first_sentence_always_stands() -> None:
    [first] = build_sentences("However, the talks failed.")
    assert not dependences([first])[0]


@given(st.lists(st.text(alphabet="abcdefghij ABCDEF,.'\"", min_size=1, max_size=40),
                min_size=1, max_size=5))
def test_the_check_never_fails_on_any_text(bodies: list[str]) -> None:
    sentences = build_sentences(*[b if b.strip() else "x" for b in bodies])
    assert len(dependences(sentences)) == len(sentences)


def _connective_by_loop(lead: str) -> str | None:
    """The plain definition the compiled match stands for: the first connective, in
    CONNECTIVES' order, that the lower-cased opening starts with and no letter follows."""
    lower = lead.lower()
    for phrase in CONNECTIVES:
        if lower.startswith(phrase) and not lower[len(phrase):len(phrase) + 1].isalpha():
            return lead[:len(phrase)]
    return None


@given(st.sampled_from(["Also", "also", "However", "In addition", "As a result", "Alsop",
                        "Thenceforth", "Still", "Stillness", "Yet", "In fact", "Infact", ""]),
       st.text(alphabet=st.sampled_from(list("ab ,.-'’é9_Ü")), max_size=8))
def test_connective_match_is_the_loop_over_connectives(opening: str, rest: str) -> None:
    lead = opening + rest
    found = _CONNECTIVE.match(lead)
    assert (found.group() if found else None) == _connective_by_loop(lead)

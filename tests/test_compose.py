from __future__ import annotations

import itertools

import pytest

from briefing.compose import compose
from briefing.config import Settings
from briefing.models import Brief
from briefing.themes import Theming, theme_day
from tests.conftest import DAY, NOW, article, build_sentences

CLASH = ("Pakistani and Afghan forces exchanged heavy fire at the border on Saturday, and "
         "officials said several soldiers were killed in the clashes.")
CLASH_EDITED = ("Pakistani and Afghan forces exchanged heavy fire at the border on Saturday, "
                "and officials said several soldiers were killed in clashes.")
BODIES = [
    CLASH + " Trucks carrying fruit waited at the Torkham crossing as trade stopped. "
    "Negotiators met in Doha for talks on a ceasefire.",
    CLASH_EDITED + " The Torkham crossing stayed closed to trucks and trade for a third day. "
    "Mediators from Qatar said the ceasefire talks would continue.",
    "The city marathon drew thousands of runners. Organisers praised the weather.",
]


def theme(sentences: list, settings: Settings, bodies: tuple[str, ...] = ()) -> Theming:
    bodies = bodies or tuple(BODIES)
    articles = [article(f"{chr(97 + n)}.txt", b) for n, b in enumerate(bodies)]
    return theme_day(articles, sentences, settings.themes, settings.story,
                     settings.summary.theme_threshold)


def brief_of(settings: Settings, *bodies: str) -> Brief:
    sentences = build_sentences(*bodies)
    articles = [article(f"{chr(97 + n)}.txt", b) for n, b in enumerate(bodies)]
    return compose(theme(sentences, settings, bodies), articles, [], settings, DAY, NOW)


def all_items(brief: Brief) -> list:
    return [*brief.key_points, *itertools.chain.from_iterable(s.items for s in brief.sections)]


def test_key_points_head_the_brief_and_no_sentence_appears_twice(settings: Settings) -> None:
    brief = brief_of(settings, *BODIES)
    assert 3 <= len(brief.key_points) <= 5
    texts = [i.text for i in all_items(brief)]
    assert len(texts) == len(set(texts))


def test_near_duplicates_from_two_articles_are_one_item_citing_both(settings: Settings) -> None:
    brief = brief_of(settings, *BODIES)
    clash_items = [i for i in all_items(brief) if "exchanged heavy fire" in i.text]
    assert len(clash_items) == 1
    assert sorted(c.article for c in clash_items[0].sources) == ["a.txt", "b.txt"]


def test_every_theme_has_a_section_even_when_empty(settings: Settings) -> None:
    brief = brief_of(settings, BODIES[2], BODIES[0])
    assert [s.theme for s in brief.sections] != []
    assert {s.theme for s in brief.sections} == {"recognition", "clashes", "talks", "trade"}
    recognition = next(s for s in brief.sections if s.theme == "recognition")
    assert recognition.items == () and recognition.sentences == 0


def test_sections_are_ordered_by_salience(settings: Settings) -> None:
    brief = brief_of(settings, *BODIES)
    saliences = [s.salience for s in brief.sections]
    assert saliences == sorted(saliences, reverse=True)


def test_irrelevant_articles_are_marked_and_never_cited(settings: Settings) -> None:
    brief = brief_of(settings, *BODIES)
    info = {a.id: a for a in brief.articles}
    assert info["c.txt"].relevant is False
    assert info["a.txt"].relevant and info["b.txt"].relevant
    cited = {c.article for i in all_items(brief) for c in i.sources}
    assert "c.txt" not in cited


def test_every_item_quotes_its_first_source_verbatim(settings: Settings) -> None:
    sentences = {(s.article, s.index): s.text for s in build_sentences(*BODIES)}
    for item in all_items(brief_of(settings, *BODIES)):
        assert item.sources
        first = item.sources[0]
        last = first.sentence if first.until is None else first.until
        quoted = [sentences[(first.article, n)] for n in range(first.sentence, last + 1)]
        assert " ".join(quoted) == item.text


LEANING = [
    "Pakistan and Afghanistan reopened the Torkham crossing to trade on Monday after a week. "
    "Moreover, hundreds of trucks carrying fruit crossed the border into Afghanistan by noon. "
    "Traders in Peshawar said exports to Kabul had lost millions during the closure.",
    "Afghan and Pakistani traders welcomed the reopening of the Torkham border crossing. "
    "Customs officials at Torkham said trade would resume at full pace by Wednesday.",
]


def test_a_sentence_that_leans_on_the_one_before_comes_with_it(settings: Settings) -> None:
    from briefing.standalone import dependences

    sentences = build_sentences(*LEANING)
    leaning = {(s.article, s.index) for s, d in zip(sentences, dependences(
        [s for s in sentences if s.article == "a.txt"]) + dependences(
        [s for s in sentences if s.article == "b.txt"]), strict=True) if d}
    assert ("a.txt", 1) in leaning
    brief = brief_of(settings, *LEANING)
    for item in brief.key_points:  # key points stand on their own
        assert (item.sources[0].article, item.sources[0].sentence) not in leaning
    for item in all_items(brief):
        first = item.sources[0]
        if first.until is not None:
            assert item.text.startswith("Pakistan and Afghanistan reopened")
        assert (first.article, first.sentence) not in leaning, item.text


def test_total_word_budget_holds(settings: Settings) -> None:
    from dataclasses import replace

    tight = replace(settings, summary=replace(settings.summary, total_words=60))
    brief = brief_of(tight, *BODIES)
    words = sum(len(i.text.split()) for i in all_items(brief))
    # each theme with news keeps at least its best sentence, so the cap is soft by design
    longest = max(len(i.text.split()) for i in all_items(brief))
    assert words <= 60 + longest * len(brief.sections)
    assert sum(len(s.items) for s in brief.sections) <= len(brief.sections) + 1


def test_key_points_prefer_what_is_new_today(settings: Settings) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from briefing.changes import mark

    today = brief_of(settings, *BODIES)
    clash_point = next(k for k in today.key_points if k.theme == "clashes")
    yesterday = replace(today, date=DAY - timedelta(days=1), key_points=(clash_point,),
                        sections=())
    sentences = build_sentences(*BODIES)
    articles = [article(f"{chr(97 + n)}.txt", b) for n, b in enumerate(BODIES)]
    again = compose(theme(sentences, settings), articles, [], settings, DAY, NOW,
                    earlier=[yesterday])
    marked = mark(again, [yesterday], settings.changes)
    # yesterday's lead gives way to today's news; the day still has as many key points
    assert clash_point.text not in [k.text for k in marked.key_points]
    assert [k.status for k in marked.key_points] == ["new"] * len(today.key_points)


def test_a_day_of_only_continuing_news_still_has_its_minimum_of_key_points(
        settings: Settings) -> None:
    from dataclasses import replace
    from datetime import timedelta

    today = brief_of(settings, *BODIES)
    yesterday = replace(today, date=DAY - timedelta(days=1))  # everything was said yesterday
    sentences = build_sentences(*BODIES)
    articles = [article(f"{chr(97 + n)}.txt", b) for n, b in enumerate(BODIES)]
    again = compose(theme(sentences, settings), articles, [], settings, DAY, NOW,
                    earlier=[yesterday])
    assert len(again.key_points) >= min(settings.summary.min_key_points, len(today.key_points))


@pytest.mark.parametrize("selection, weights", [("exact", "df"), ("greedy", "learned"),
                                                ("exact", "learned")])
def test_every_selection_and_weighting_makes_a_whole_brief(settings: Settings, selection: str,
                                                          weights: str) -> None:
    from dataclasses import replace

    chosen = replace(settings, summary=replace(settings.summary, selection=selection,
                                               concept_weights=weights))
    brief = brief_of(chosen, *BODIES)
    texts = [i.text for i in all_items(brief)]
    assert len(brief.key_points) >= 3 and len(texts) == len(set(texts))
    assert sum(len(t.split()) for t in texts) <= chosen.summary.total_words + 60


def test_only_articles_with_a_themed_sentence_are_read_for_leaning_sentences(
        settings: Settings) -> None:
    # The marathon article is off the story: none of its sentences can become an item,
    # so a large day need not work out which of them lean on the one before.
    from briefing.compose import _dependences

    sentences = build_sentences(*BODIES)
    themed = theme(sentences, settings).sentences
    checked = {themed[members[0]].sentence.article for members, _ in _dependences(themed)}
    assert checked == {"a.txt", "b.txt"}
    assert all(t.theme == "other" for t in themed if t.sentence.article == "c.txt")

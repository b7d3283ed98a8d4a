from __future__ import annotations

import json

import pytest

from briefing import worth
from briefing.summarize import DOCUMENT_FREQUENCY, LEARNED, build_pool, summarize
from briefing.text import concepts, words
from tests.conftest import build_sentences

LEAD = "Pakistan closed the Torkham border crossing on Monday after heavy clashes."
BODIES = (
    LEAD + " Trucks waited in long lines. The football team won its match.",
    "Traders waited. " + LEAD.replace("Monday", "Sunday") + " A bakery opened.",
    "Rain fell. Markets were quiet. Officials said the Torkham border would reopen.",
)


def day() -> worth.Day:
    sentences = build_sentences(*BODIES)
    return worth.concept_stats(sentences, [concepts(words(s.text)) for s in sentences])


def test_statistics_say_how_widely_and_how_early_a_concept_is_said() -> None:
    found = day()
    border = found.concepts["torkham border"]
    assert (found.articles, border.df, border.count, border.first) == (3, 3, 3, 0)
    assert (border.leads, border.early) == (1, 3)  # lead of a; second of b; third of c
    assert border.inverse_first == pytest.approx(1 + 1 / 2 + 1 / 3)
    assert found.concepts["bakeri open"].df == 1
    assert found.words["torkham"] == 3


def test_the_shipped_model_prefers_what_many_articles_lead_with() -> None:
    found = day()
    chance = worth.learned(found, worth.Model(**{**worth.shipped().__dict__, "min_worth": 0.0}))
    assert all(0.0 < p < 1.0 for p in chance.values())
    assert chance["torkham border"] > chance["bakeri open"]
    assert len(worth.features("torkham border", found)) == len(worth.FEATURES)


def test_weights_trained_on_other_features_are_refused() -> None:
    data = worth.shipped().to_json()
    assert worth.Model.from_json(json.loads(json.dumps(data))) == worth.shipped()
    with pytest.raises(ValueError, match="retrain"):
        worth.Model.from_json({**data, "features": ["df_share"]})


def test_a_pool_can_take_either_weighting() -> None:
    sentences = build_sentences(*BODIES)
    by_df = build_pool(sentences, weights=DOCUMENT_FREQUENCY)
    learned = build_pool(sentences, weights=LEARNED)
    assert by_df.worth["torkham border"] == 3.0
    assert 0.0 < learned.worth["torkham border"] < 1.0
    assert "Torkham" in summarize(sentences, 20, weights=LEARNED)[0].text
    with pytest.raises(ValueError, match="unknown concept weights"):
        build_pool(sentences, weights="tfidf")

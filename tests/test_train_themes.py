"""The theme-weight trainer (benchmarks/train_themes.py) on evidence whose answer is known."""

from __future__ import annotations

import random

import pytest

from benchmarks import train_themes
from briefing import themes

KEYS = ["clashes", "trade"]


def evidence(own: dict[str, float], eligible: tuple[str, ...] = tuple(KEYS)) -> themes.Evidence:
    def vector(k: str) -> tuple[float, ...]:
        values = dict.fromkeys(themes.THEME_FEATURES, 0.0)
        values["own"] = own[k]
        return tuple(values.values())

    against = dict.fromkeys(themes.AGAINST_FEATURES, 0.0)
    against["bias"] = 1.0
    return themes.Evidence(0, own, {k: vector(k) for k in KEYS}, tuple(against.values()),
                           eligible)


def labelled(n: int, seed: int = 0) -> list[train_themes.Example]:
    """A sentence is about the theme whose own score is highest, when it reaches 2; else other."""
    rng = random.Random(seed)
    found = []
    for i in range(n):
        own = {k: rng.choice([0.0, 0.0, 1.0, 3.0, 5.0]) for k in KEYS}
        best = max(KEYS, key=lambda k: own[k])
        label = best if own[best] >= 2 and own["clashes"] != own["trade"] else "other"
        found.append(train_themes.Example(f"{i}.txt", label, evidence(own)))
    return found


def test_the_fitted_weights_learn_the_rule_and_put_the_bias_at_the_threshold() -> None:
    found = [e for e in labelled(400) if e.label == "other" or e.evidence.own[e.label] > 0]
    w = train_themes.weights(train_themes.fit(found, KEYS), 2.5)
    assert w.against[0] == pytest.approx(2.5, abs=1e-3)
    test = [e for e in labelled(200, seed=1) if e.label == "other"
            or e.evidence.own[e.label] > 0]
    pairs = train_themes.predict(w, test, KEYS, 2.5)
    assert sum(gold == said for gold, said in pairs) / len(pairs) >= 0.9


def test_an_ineligible_theme_is_never_predicted() -> None:
    found = labelled(300)
    w = train_themes.weights(train_themes.fit(found, KEYS), 2.5)
    only_trade = [train_themes.Example("x.txt", "other",
                                       evidence({"clashes": 5.0, "trade": 0.0}, ("trade",)))]
    assert train_themes.predict(w, only_trade, KEYS, 2.5) == [("other", "other")]


def test_labels_that_make_nearly_everything_a_theme_are_refused() -> None:
    found = [train_themes.Example(f"{i}.txt", "clashes", evidence({"clashes": 0.0, "trade": 0.0}))
             for i in range(50)]
    with pytest.raises(SystemExit, match="bias"):
        train_themes.weights(train_themes.fit(found, KEYS), 2.5)

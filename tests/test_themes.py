from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import ConfigError, Theme, parse_settings
from briefing.models import OTHER
from briefing.themes import assign, compile_theme, compile_themes
from tests.conftest import ROOT, build_sentences

TRADE = Theme("trade", "Trade", "", {"truck": 2, "border crossing": 3, "trade": 1})
CLASHES = Theme("clashes", "Clashes", "", {"clash": 3, "exchange of fire": 3})


def test_terms_match_on_stems_and_phrases_on_stem_sequences() -> None:
    lexicon = compile_theme(TRADE)
    [s] = build_sentences("Trucks queued at the border crossings while traders waited.")
    # truck(s) 2 + border crossing(s) 3; "traders" is not "trade" after stemming
    assert lexicon.score(s.stems) == 5.0


def test_phrase_words_out_of_order_do_not_match() -> None:
    lexicon = compile_theme(CLASHES)
    [s] = build_sentences("The fire destroyed a market where goods were exchanged.")
    assert lexicon.score(s.stems) == 0.0


def test_a_term_counts_once_per_sentence() -> None:
    lexicon = compile_theme(CLASHES)
    [s] = build_sentences("Clashes, clashes and more clashes were reported on the frontier.")
    assert lexicon.score(s.stems) == 3.0


def test_best_theme_above_threshold_else_other() -> None:
    lexicons = compile_themes([TRADE, CLASHES])
    a, b = build_sentences(
        "Heavy clashes and an exchange of fire closed the border crossing.\n\n"
        "The weather in the capital was pleasant on Sunday afternoon."
    )
    themed = assign(a, lexicons, threshold=1.0)
    assert themed.scores == {"trade": 3.0, "clashes": 6.0}
    assert themed.theme == "clashes"
    assert assign(b, lexicons, threshold=1.0).theme == OTHER
    assert assign(a, lexicons, threshold=10.0).theme == OTHER


def test_ties_go_to_the_theme_listed_first() -> None:
    [s] = build_sentences("A clash near the border crossing was reported.")
    assert assign(s, compile_themes([TRADE, CLASHES]), 1.0).theme == "trade"
    assert assign(s, compile_themes([CLASHES, TRADE]), 1.0).theme == "clashes"


def test_a_term_of_only_common_words_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no content words"):
        compile_theme(Theme("t", "T", "", {"the": 1}))


def test_a_theme_is_added_by_editing_the_config_only(tmp_path: Path) -> None:
    text = (ROOT / "briefing.toml").read_text(encoding="utf-8")
    text += '\n[[themes]]\nkey = "refugees"\nlabel = "Refugees"\n[themes.terms]\nrefugee = 3\n'
    import tomllib

    settings = parse_settings(tomllib.loads(text), tmp_path)
    [s] = build_sentences("Thousands of Afghan refugees were deported from Pakistan on Monday.")
    themed = assign(s, compile_themes(settings.themes), settings.summary.theme_threshold)
    assert themed.theme == "refugees"
    assert set(themed.scores) == {"recognition", "clashes", "talks", "trade", "refugees"}

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import ConfigError, load_settings, parse_settings
from tests.conftest import ROOT

THEME = """
[[themes]]
key = "trade"
label = "Trade"
[themes.terms]
trade = 2
"border crossing" = 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_config_has_the_four_default_themes() -> None:
    settings = load_settings(ROOT / "briefing.toml")
    assert [t.key for t in settings.themes] == ["recognition", "clashes", "talks", "trade"]
    assert all(t.terms and t.label and t.description for t in settings.themes)
    assert settings.input_dir == ROOT / "seeds"
    assert settings.formats == ("html", "pdf", "json")


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[paths]\ninput = "in"\ntemplates = "t"\n' + THEME))
    assert settings.input_dir == tmp_path / "in"
    assert settings.templates_dir == tmp_path / "t"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("titel = 'x'\n" + THEME, "'titel' is not a known setting"),
        ("[summary]\ntotal_wrds = 3\n" + THEME, "'summary.total_wrds' is not a known setting"),
        ("[summary]\ntotal_words = 'many'\n" + THEME, "'summary.total_words' must be a whole"),
        ("[summary]\ntotal_words = -5\n" + THEME, "must be greater than 0"),
        ("[summary]\nredundancy = 1.5\n" + THEME, "'summary.redundancy' must be between"),
        ("[output]\nformats = ['docx']\n" + THEME, "'output.formats' must list some of"),
        ("[text]\npunkt = 'maybe'\n" + THEME, "'text.punkt' must be one of"),
        ("title = 'x'\n", "no themes defined"),
        (THEME + THEME, "repeats theme 'trade'"),
        ('[[themes]]\nkey = "other"\n[themes.terms]\nx = 1\n', "other than 'other'"),
        ('[[themes]]\nkey = "t"\n', "'themes[1].terms' must list at least one term"),
        ('[[themes]]\nkey = "t"\n[themes.terms]\nx = 0\n', "must be a positive number"),
        ('[[themes]]\nkey = "t"\ncolour = 1\n[themes.terms]\nx = 1\n', "'themes[1].colour'"),
        ("[summary]\nkey_points = 2\nmin_key_points = 3\n" + THEME, "exceeds key_points"),
        ("title = \n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        load_settings(write(tmp_path, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml")


def test_integers_are_accepted_where_numbers_are_asked_for(tmp_path: Path) -> None:
    settings = parse_settings({"summary": {"theme_threshold": 2},
                               "themes": [{"key": "t", "terms": {"x": 1}}]}, tmp_path)
    assert settings.summary.theme_threshold == 2.0
    assert settings.themes[0].terms == {"x": 1.0}
    assert settings.themes[0].label == "T"

from __future__ import annotations

import json
import math
import re
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.config import ConfigError, Settings, load_settings, parse_settings
from briefing.schema import declared
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


# --- numbers: any value TOML can hold is a valid setting or an error naming the key ---------

def is_number(hint: Any) -> bool:
    """int, float, `int | None` and tables of numbers (theme terms)."""
    return any(a in (int, float) for a in (get_args(hint) or (hint,)))


NUMERIC_KEYS = [k.name for k in declared(Settings) if is_number(k.hint)]
A_THEME = {"key": "t", "terms": {"x": 1}}
ANY_NUMBER = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),  # TOML's integers
    st.integers(),  # and what a Python caller may pass
    st.floats(),  # nan, inf, -inf, -0.0 and subnormals included
    st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 1e308, -1e308, 5e-324, 2**63 - 1,
                     -(2**63), 10**9, 10**400, 10**5000]),
    st.booleans(),
)


def document(key: str, value: Any) -> tuple[dict[str, Any], str]:
    """A configuration that sets `key` to `value`, and the name an error must give."""
    if key.startswith("themes."):
        attribute = key.removeprefix("themes.")
        theme = {**A_THEME, attribute: {"x": value} if attribute == "terms" else value}
        return {"themes": [theme]}, f"themes[1].{attribute}" + ".x" * (attribute == "terms")
    raw: dict[str, Any] = {"themes": [A_THEME]}
    *tables, name = key.split(".")
    where = raw
    for part in tables:
        where = where.setdefault(part, {})
    where[name] = value
    return raw, key


def all_numbers_finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value) and not (value == 0 and math.copysign(1, value) < 0)
    if isinstance(value, dict):
        return all(all_numbers_finite(v) for v in value.values())
    if isinstance(value, tuple):
        return all(all_numbers_finite(v) for v in value)
    if is_dataclass(value):
        return all(all_numbers_finite(getattr(value, f.name)) for f in fields(value))
    return True


def test_the_schema_declares_the_numbers_of_every_table() -> None:
    assert len(NUMERIC_KEYS) > 30
    assert {"ingest.workers", "email.smtp.port", "schedule.window_hours", "themes.words",
            "themes.terms", "changes.chart_days"} <= set(NUMERIC_KEYS)


@pytest.mark.parametrize("key", NUMERIC_KEYS)
@settings(max_examples=40, deadline=None)
@given(value=ANY_NUMBER)
def test_any_number_is_a_setting_or_an_error_naming_the_key(key: str, value: Any) -> None:
    raw, name = document(key, value)
    try:
        parsed = parse_settings(raw, Path("/base"), name="test.toml")
    except ConfigError as exc:
        assert str(exc).startswith("test.toml: '") and f"'{name}'" in str(exc), str(exc)
        assert len(str(exc)) < 300 and "\n" not in str(exc)
    else:
        assert all_numbers_finite(parsed)  # no nan, no inf, no -0.0


def test_the_edges_of_the_trouble() -> None:
    """The values that slipped through, or crashed a run later, before keys had ranges."""
    for key, value in [("email.smtp.timeout_seconds", math.inf), ("schedule.window_hours", 1e308),
                       ("email.smtp.port", 2**63 - 1), ("email.smtp.retries", 2**63 - 1),
                       ("ingest.workers", 10**9), ("themes.terms", math.nan),
                       ("ingest.max_file_mb", 1e308), ("fetch.per_host_seconds", -math.inf)]:
        raw, name = document(key, value)
        with pytest.raises(ConfigError, match=re.escape(f"'{name}'")):
            parse_settings(raw, Path("/base"))
    raw, _ = document("schedule.window_hours", -0.0)
    assert math.copysign(1, parse_settings(raw, Path("/base")).schedule.window_hours) == 1


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("key", ["title", "summary.total_words", "text.abbreviations",
                                 "output.formats", "email.to", "themes.terms", "themes.key"])
def test_a_deeply_nested_value_is_an_error_naming_the_key(key: str) -> None:
    raw, name = document(key, nested(5000))
    with pytest.raises(ConfigError, match=re.escape(f"'{name.removesuffix('.x')}")):
        parse_settings(raw, Path("/base"))


def test_a_deeply_nested_file_is_a_config_error(tmp_path: Path) -> None:
    text = "title = " + "[" * 5000 + "]" * 5000 + "\n" + THEME
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_settings(write(tmp_path, text))


# --- the README's configuration table is the schema's -----------------------------------------

def readme_rows() -> dict[str, str | None]:
    """Each key of README.md's configuration table, with its default as the table writes it.

    A row of several keys gives one default for all of them or one for each, in order.
    """
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n#", 1)[0]
    rows: dict[str, str | None] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            keys, defaults = line.split(" | ")[:2]
            names = re.findall(r"`([^`]+)`", keys)
            values = re.findall(r"`([^`]*)`", defaults)
            for number, name in enumerate(names):
                rows[name] = (values[0] if len(values) == 1 else values[number]
                              if len(values) == len(names) else None)
    return rows


def as_toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(as_toml(v) for v in value) + "]"
    if value is None or isinstance(value, str | Path):
        return json.dumps(str(value or ""), ensure_ascii=False)  # None: an empty string
    return str(value)


def test_every_declared_key_is_in_the_readme_table_and_no_other() -> None:
    documented = set(readme_rows())
    keys = {k.name for k in declared(Settings)}
    assert sorted(keys - documented) == [], "declared but not in README.md's table"
    assert sorted(documented - keys) == [], "in README.md's table but not declared"


def test_the_readme_table_gives_the_defaults_of_the_code() -> None:
    """A key a file leaves out takes the code's default: the README must say that one."""
    rows = readme_rows()
    for key in declared(Settings):
        if "[" in key.name or key.name.split(".")[0] in ("themes", "sources"):
            continue  # arrays of tables: their defaults depend on other keys
        written = rows[key.name]
        assert written is not None, f"{key.name}: README.md gives no default of its own"
        code = as_toml(key.default)
        start, shortened, _ = written.partition("…")  # "…" shortens a long default
        assert code.startswith(start) if shortened else code == written, key.name


def test_the_repository_config_names_its_story_and_the_code_default_is_generic() -> None:
    assert Settings().title == "Daily brief"
    assert load_settings(ROOT / "briefing.toml").title == "Pakistan–Afghanistan daily brief"

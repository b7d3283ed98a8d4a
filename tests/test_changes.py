"""What changed since the previous briefs, and the chart of reporting volume."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from briefing import changes
from briefing.briefs import BriefStore
from briefing.chart import volume_svg
from briefing.cli import cli
from briefing.config import ChangeSettings
from briefing.models import Brief, Citation, DayVolume, Item, Section
from tests.conftest import SEEDS

THEMES = [("clashes", "Clashes"), ("talks", "Talks")]


def brief(day: date, clashes: list[str], talks: list[str] = ()) -> Brief:  # type: ignore[assignment]
    def items(texts: list[str], theme: str) -> tuple[Item, ...]:
        return tuple(Item(t, 0.5, (Citation("a.txt", n),), theme) for n, t in enumerate(texts))

    return Brief(title="T", date=day, generated_at=datetime(day.year, day.month, day.day, 7),
                 key_points=items(clashes[:1], "clashes"),
                 sections=(Section("clashes", "Clashes", "", items(clashes, "clashes"), 0.6,
                                   len(clashes) * 3),
                           Section("talks", "Talks", "", items(list(talks), "talks"), 0.4,
                                   len(talks) * 2)),
                 articles=(), skipped=(), sentences_considered=0)


OLD = "Heavy exchanges of fire were reported at the Torkham border crossing on Saturday night."
NEW = "Delegations met in Doha for a second round of talks on a lasting ceasefire."
DAY = date(2025, 10, 28)


def test_items_earlier_briefs_carried_are_continuing() -> None:
    today = brief(DAY, [OLD.replace("Saturday", "Sunday"), NEW])
    marked = changes.mark(today, [brief(DAY - timedelta(days=1), [OLD])], ChangeSettings())
    assert [i.status for i in marked.sections[0].items] == ["continuing", "new"]
    assert marked.key_points[0].status == "continuing"
    assert marked.compared_with == DAY - timedelta(days=1)


def test_the_drop_rule_leaves_continuing_items_out() -> None:
    today = brief(DAY, [OLD, NEW])
    marked = changes.mark(today, [brief(DAY - timedelta(days=2), [OLD])],
                          ChangeSettings(repeats="drop"))
    assert [i.text for i in marked.sections[0].items] == [NEW]


def test_keep_and_lookback() -> None:
    today = brief(DAY, [OLD])
    assert changes.mark(today, [brief(DAY - timedelta(days=1), [OLD])],
                        ChangeSettings(repeats="keep")).sections[0].items[0].status is None
    old = changes.mark(today, [brief(DAY - timedelta(days=5), [OLD])],
                       ChangeSettings(lookback_days=3))
    assert old.sections[0].items[0].status is None and old.compared_with is None


def test_volumes_cover_the_last_days_with_gaps() -> None:
    history = [brief(DAY - timedelta(days=1), [OLD], [NEW]), brief(DAY - timedelta(days=3), [OLD])]
    series = changes.volumes(brief(DAY, [OLD, NEW]), history, 5)
    assert [v.day for v in series] == [DAY - timedelta(days=n) for n in (4, 3, 2, 1, 0)]
    assert [v.has_brief for v in series] == [False, True, False, True, True]
    assert series[-1].counts == {"clashes": 6, "talks": 0}
    assert series[-2].counts == {"clashes": 3, "talks": 2}


def test_the_chart_is_stable_inline_svg_with_a_name() -> None:
    series = (DayVolume(DAY - timedelta(days=1), {"clashes": 4, "talks": 1}, True),
              DayVolume(DAY, {"clashes": 6, "talks": 3}, True))
    svg = volume_svg(series, THEMES)
    assert svg is not None and svg.startswith("<svg role=\"img\" aria-label=\"Sentences per theme")
    assert "<?xml" not in svg and "<metadata>" not in svg and "14 in all" in svg
    assert svg == volume_svg(series, THEMES)  # byte-identical: no random ids, no dates
    assert volume_svg(series[:1], THEMES) is None  # one day is not a history


def test_damaged_earlier_briefs_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "2025-10-27").mkdir()
    (tmp_path / "2025-10-27" / "brief.json").write_text("{not json")
    assert BriefStore(tmp_path).previous(DAY, 3) == []


def run_days(tmp_path: Path) -> Path:
    days = {"2025-10-26": ["001_d6679de3fa4b726c.txt", "003_15483e7a24de36bb.txt"],
            "2025-10-27": ["001_d6679de3fa4b726c.txt", "002_80c53c837bdb71b6.txt",
                           "003_15483e7a24de36bb.txt"],
            "2025-10-28": sorted(p.name for p in SEEDS.iterdir())}
    for day, names in days.items():
        folder = tmp_path / f"in-{day}"
        folder.mkdir(parents=True)
        for name in names:
            shutil.copy(SEEDS / name, folder)
        result = CliRunner().invoke(cli, ["run", "--input", str(folder), "--output",
                                          str(tmp_path / "out"), "--date", day,
                                          "--now", f"{day}T07:00:00+05:00"])
        assert result.exit_code == 0, result.stderr
    return tmp_path / "out" / "2025-10-28"


def test_three_days_of_briefs_show_what_is_new(tmp_path: Path) -> None:
    day = run_days(tmp_path)
    data = json.loads((day / "brief.json").read_text())
    assert data["compared_with"] == "2025-10-27"
    statuses = [i["status"] for s in data["sections"] for i in s["items"]]
    assert "new" in statuses and "continuing" in statuses
    assert [v["brief"] for v in data["volume"]][-3:] == [True, True, True]
    html = (day / "brief.html").read_text()
    assert html.count("New since yesterday") == len(data["sections"])
    assert "Continuing" in html and '<svg role="img"' in html
    text = " ".join(p.extract_text() for p in PdfReader(day / "brief.pdf").pages)
    assert "Reporting over the last 14 days" in text and "New since yesterday" in text.replace(
        "NEW SINCE YESTERDAY", "New since yesterday")


def test_a_brief_with_changes_is_still_byte_identical_on_a_second_run(tmp_path: Path) -> None:
    first = (run_days(tmp_path / "a") / "brief.html").read_bytes()
    second = (run_days(tmp_path / "b") / "brief.html").read_bytes()
    assert first == second


@pytest.mark.parametrize("rule", ["mark", "drop", "keep"])
def test_the_rule_is_a_setting(rule: str, tmp_path: Path, workdir: Path) -> None:
    text = (workdir / "briefing.toml").read_text()
    (workdir / "briefing.toml").write_text(text.replace('repeats = "mark"', f'repeats = "{rule}"'))
    data = json.loads((run_days(tmp_path) / "brief.json").read_text())
    statuses = {i["status"] for s in data["sections"] for i in s["items"]}
    expected = {"mark": {"new", "continuing"}, "drop": {"new"}, "keep": {None}}[rule]
    assert statuses == expected
    assert replace(ChangeSettings(), repeats=rule).repeats == rule

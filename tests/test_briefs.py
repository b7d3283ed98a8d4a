"""The brief store: the only module that knows OUTPUT/DAY/brief.*."""

from __future__ import annotations

import errno
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest

from briefing import briefs
from briefing.briefs import BriefStore, brief_from_dict, to_json
from briefing.config import Settings
from briefing.errors import NoBrief
from briefing.models import Brief
from tests.conftest import DAY, ROOT, write_brief

# What spells out the output folder's layout: a brief file's name, or a path built
# below the output folder.
LAYOUT = re.compile(r"""brief\.(?:html|pdf|json|eml)\b(?!\.j2)|output_dir\s*/|["']\.\{?day""")


def test_no_module_but_the_store_knows_the_output_layout() -> None:
    offenders = []
    for path in sorted((ROOT / "briefing").rglob("*.py")):
        if path.name == "briefs.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LAYOUT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_layout_check_would_catch_a_module_that_builds_the_path() -> None:
    assert LAYOUT.search('path = folder / "brief.json"')
    assert LAYOUT.search("settings.output_dir / day.isoformat()")
    assert not LAYOUT.search('filename=f"brief-{day.isoformat()}.pdf"')  # a download's name


def test_a_brief_goes_in_and_comes_back(seeds_brief: tuple[Settings, Brief],
                                        tmp_path: Path) -> None:
    settings, brief = seeds_brief
    store = BriefStore(tmp_path)
    write_brief(brief, settings, ["html", "json"], tmp_path)
    assert store.days() == [DAY]
    assert store.has(DAY, "html", "json") and not store.has(DAY, "pdf")
    assert to_json(store.read(DAY)) == to_json(brief)
    assert store.read(DAY) is store.read(DAY)  # parsed once per version


def test_days_are_newest_first_and_ignore_other_folders(seeds_brief: tuple[Settings, Brief],
                                                        tmp_path: Path) -> None:
    from dataclasses import replace

    settings, brief = seeds_brief
    for day in (date(2025, 10, 26), date(2025, 10, 28), date(2025, 10, 27)):
        write_brief(replace(brief, date=day), settings, ["json"], tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "2025-13-40").mkdir()
    (tmp_path / "2025-10-25").mkdir()  # no brief.json in it
    assert BriefStore(tmp_path).days() == [date(2025, 10, 28), date(2025, 10, 27),
                                           date(2025, 10, 26)]


def test_a_missing_or_damaged_brief_is_a_clear_error(tmp_path: Path) -> None:
    store = BriefStore(tmp_path)
    with pytest.raises(NoBrief, match="no brief for 2025-10-28"):
        store.read(DAY)
    (tmp_path / "2025-10-28").mkdir()
    (tmp_path / "2025-10-28" / "brief.json").write_text('{"title": 1}')
    with pytest.raises(NoBrief, match="cannot be read"):
        store.read(DAY)
    assert store.previous(date(2025, 10, 29), 3) == []  # skipped, with a warning


def test_a_failed_write_leaves_the_previous_set_whole(seeds_brief: tuple[Settings, Brief],
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, brief = seeds_brief
    store = BriefStore(tmp_path)
    store.write(DAY, {"html": "old html", "json": to_json(brief)})
    real = briefs._stage
    calls = []

    def full_disk(folder: Path, data: bytes | str) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(folder, data)

    monkeypatch.setattr(briefs, "_stage", full_disk)
    with pytest.raises(OSError, match="No space"):
        store.write(DAY, {"html": "new html", "json": "{}"})
    folder = tmp_path / DAY.isoformat()
    assert (folder / "brief.html").read_text() == "old html"
    assert json.loads((folder / "brief.json").read_text())["title"] == brief.title
    assert sorted(os.listdir(folder)) == ["brief.html", "brief.json"]  # no temporary left


def test_briefs_written_before_outlet_was_named_outlet_still_read(
        seeds_brief: tuple[Settings, Brief]) -> None:
    _, brief = seeds_brief
    data = json.loads(to_json(brief))
    for article in data["articles"]:
        article["source"] = article.pop("outlet")
        del article["published_at"]
    del data["origin"], data["first_day"]
    again = brief_from_dict(data)
    assert [a.outlet for a in again.articles] == [a.outlet for a in brief.articles]

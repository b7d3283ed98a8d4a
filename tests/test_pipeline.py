from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from briefing import pipeline
from briefing.config import Settings
from tests.conftest import SEEDS


def test_parallel_reading_gives_the_serial_result(settings: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    serial = pipeline.read(SEEDS, settings)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    parallel = pipeline.read(SEEDS, replace(settings, workers=2))
    assert parallel == serial
    assert [s.stems for s in parallel.sentences] == [s.stems for s in serial.sentences]


def test_files_with_nothing_left_after_cleaning_are_skipped(settings: Settings,
                                                            tmp_path: Path) -> None:
    (tmp_path / "menu.txt").write_text("Home\nNews\nShare Facebook Twitter\nSearch\n")
    (tmp_path / "real.txt").write_text("Pakistan closed the Torkham crossing on Monday, "
                                       "officials said, as talks stalled in Doha.\n")
    reading = pipeline.read(tmp_path, settings)
    assert [a.id for a in reading.articles] == ["real.txt"]
    assert [(s.file, s.reason) for s in reading.skipped] == [
        ("menu.txt", "no article sentences after removing page boilerplate")]

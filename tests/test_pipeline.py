from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from briefing import pipeline, text
from briefing.config import Settings
from tests.conftest import SEEDS


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_reading_gives_the_serial_result(settings: Settings, workers: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Punkt learns from the first article alone, so the workers split the other four.
    monkeypatch.setattr(text, "TRAINING_CHARS", 1_000)
    serial = pipeline.read(SEEDS, settings)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    parallel = pipeline.read(SEEDS, replace(settings, workers=workers))
    assert parallel == serial
    assert [s.stems for s in parallel.sentences] == [s.stems for s in serial.sentences]
    assert [a.removed for a in parallel.articles] == [a.removed for a in serial.articles]


def _three_folders(tmp_path: Path) -> list[Path]:
    """Three folders of one seed each."""
    folders = []
    for n, seed in enumerate(sorted(SEEDS.iterdir())[:3]):
        folder = tmp_path / f"set{n}"
        folder.mkdir()
        (folder / seed.name).write_bytes(seed.read_bytes())
        folders.append(folder)
    return folders


def test_folders_read_together_are_read_as_each_alone(settings: Settings, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folders = _three_folders(tmp_path)
    alone = [pipeline.read(f, settings) for f in folders]
    monkeypatch.setattr(pipeline, "PARALLEL_FOLDERS_FROM", 2)
    assert pipeline.read_folders(folders, replace(settings, workers=2)) == alone


def test_a_fork_server_started_early_serves_the_pools_that_follow(settings: Settings,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    from multiprocessing import forkserver

    from briefing import workers

    folders = _three_folders(tmp_path)
    alone = pipeline.summaries(folders, settings, 60)
    workers.warm()
    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None
    monkeypatch.setattr(pipeline, "PARALLEL_FOLDERS_FROM", 2)
    assert pipeline.summaries(folders, replace(settings, workers=2), 60) == alone
    assert forkserver._forkserver._forkserver_pid == server  # type: ignore[attr-defined]


def test_files_with_nothing_left_after_cleaning_are_skipped(settings: Settings,
                                                            tmp_path: Path) -> None:
    (tmp_path / "menu.txt").write_text("Home\nNews\nShare Facebook Twitter\nSearch\n")
    (tmp_path / "real.txt").write_text("Pakistan closed the Torkham crossing on Monday, "
                                       "officials said, as talks stalled in Doha.\n")
    reading = pipeline.read(tmp_path, settings)
    assert [a.id for a in reading.articles] == ["real.txt"]
    assert [(s.file, s.reason) for s in reading.skipped] == [
        ("menu.txt", "no article sentences after removing page boilerplate")]


def test_workers_start_from_a_fork_server_not_a_fork(settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork of a process with threads (the scheduler, the web server) can inherit a held lock."""
    import multiprocessing

    asked: list[str | None] = []
    get_context = multiprocessing.get_context

    def recording(method: str | None = None) -> multiprocessing.context.BaseContext:
        asked.append(method)
        return get_context(method)

    monkeypatch.setattr(multiprocessing, "get_context", recording)
    monkeypatch.setattr(text, "TRAINING_CHARS", 1_000)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    pipeline.read(SEEDS, replace(settings, workers=2))
    assert asked and "fork" not in asked

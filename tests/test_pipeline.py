from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from briefing import pipeline, text
from briefing import workers as worker_processes
from briefing.config import Settings
from tests.conftest import ROOT, SEEDS


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_reading_gives_the_serial_result(settings: Settings, workers: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Punkt learns from the first article alone, so the workers split the other four.
    monkeypatch.setattr(text, "TRAINING_CHARS", 1_000)
    serial = pipeline.read(SEEDS, settings)
    monkeypatch.setattr(worker_processes, "PARALLEL_FROM", 2)
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
    monkeypatch.setattr(worker_processes, "PARALLEL_FOLDERS_FROM", 2)
    assert pipeline.read_folders(folders, replace(settings, workers=2)) == alone


def test_a_fork_server_started_early_serves_the_pools_that_follow(settings: Settings,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    from multiprocessing import forkserver

    folders = _three_folders(tmp_path)
    # In a fresh process: warm starts the server (in this one, another test may have).
    started = subprocess.run(
        [sys.executable, "-c", "from multiprocessing import forkserver as f; "
         "from briefing import workers; was = f._forkserver._forkserver_pid; workers.warm(); "
         "print(was, f._forkserver._forkserver_pid is not None)"],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=60)
    assert started.stdout.split() == ["None", "True"]
    alone = pipeline.summaries(folders, settings, 60)
    worker_processes.warm()
    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None
    monkeypatch.setattr(worker_processes, "PARALLEL_FOLDERS_FROM", 2)
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
    monkeypatch.setattr(worker_processes, "PARALLEL_FROM", 2)
    pipeline.read(SEEDS, replace(settings, workers=2))
    assert asked and "fork" not in asked

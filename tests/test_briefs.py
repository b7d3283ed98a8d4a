"""The brief store: the only module that knows OUTPUT/DAY/brief.*."""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterator
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


def visible(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if not n.startswith("."))


def generations(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(briefs.GENERATION))


def test_a_failed_write_leaves_the_previous_set_whole(seeds_brief: tuple[Settings, Brief],
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, brief = seeds_brief
    store = BriefStore(tmp_path)
    store.write(DAY, {"html": "old html", "json": to_json(brief)})
    real = briefs._write_file
    calls = []

    def full_disk(path: Path, data: bytes | str) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(briefs, "_write_file", full_disk)
    with pytest.raises(OSError, match="No space"):
        store.write(DAY, {"html": "new html", "json": "{}"})
    folder = tmp_path / DAY.isoformat()
    assert (folder / "brief.html").read_text() == "old html"
    assert json.loads((folder / "brief.json").read_text())["title"] == brief.title
    assert visible(folder) == ["brief.html", "brief.json"]
    assert len(generations(folder)) == 1  # the failed one is gone, nothing half-written
    assert not [n for n in os.listdir(folder) if n.endswith(".tmp")]


class Watch:
    """os, except that every rename checks what a reader sees just before and after it."""

    def __init__(self, check: object) -> None:
        self.check = check
        self.renames = 0

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    def replace(self, source: object, target: object) -> None:
        self.check()  # type: ignore[operator]
        os.replace(source, target)  # type: ignore[arg-type]
        self.renames += 1
        self.check()  # type: ignore[operator]


def one_set(store: BriefStore, folder: Path, sets: list[str]) -> None:
    """HTML, JSON and PDF all come from one set, whether read by path or through the store."""
    by_path = [(folder / f"brief.{k}").read_text() for k in ("html", "json", "pdf")]
    with store.snapshot(DAY) as stored:
        by_store = [stored.read_bytes(k).decode() for k in ("html", "json", "pdf")]
    for seen in (by_path, by_store):
        marks = {text.split(":")[0] for text in seen}
        assert len(marks) == 1 and marks <= set(sets), seen


def test_readers_never_see_a_mix_between_the_renames(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = BriefStore(tmp_path)
    folder = tmp_path / DAY.isoformat()
    store.write(DAY, {k: f"old:{k}" for k in ("html", "json", "pdf")})
    watch = Watch(lambda: one_set(store, folder, ["old", "new"]))
    monkeypatch.setattr(briefs, "os", watch)
    store.write(DAY, {k: f"new:{k}" for k in ("html", "json", "pdf")})
    assert watch.renames >= 1
    one_set(store, folder, ["new"])


def test_a_day_written_before_generations_is_adopted_without_a_mix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / DAY.isoformat()
    folder.mkdir()
    for kind in ("html", "json", "pdf", "eml"):  # as earlier versions left it: plain files
        (folder / f"brief.{kind}").write_text(f"old:{kind}")
    store = BriefStore(tmp_path)
    watch = Watch(lambda: one_set(store, folder, ["old", "new"]))
    monkeypatch.setattr(briefs, "os", watch)
    store.write(DAY, {k: f"new:{k}" for k in ("html", "json", "pdf")})
    monkeypatch.undo()
    one_set(store, folder, ["new"])
    assert (folder / "brief.eml").read_text() == "old:eml"  # a kind not written is kept
    assert visible(folder) == ["brief.eml", "brief.html", "brief.json", "brief.pdf"]
    assert all((folder / name).is_symlink() for name in visible(folder))


def test_readers_and_a_writer_at_once_see_whole_sets(tmp_path: Path) -> None:
    import threading

    store = BriefStore(tmp_path)
    folder = tmp_path / DAY.isoformat()
    store.write(DAY, {k: f"0:{k}" for k in ("html", "json", "pdf")})
    done = threading.Event()
    seen: list[str] = []
    failures: list[BaseException] = []

    def read() -> None:
        while not done.is_set():
            try:
                with store.snapshot(DAY) as stored:
                    texts = [stored.read_bytes(k).decode() for k in ("html", "json", "pdf")]
                assert len({t.split(":")[0] for t in texts}) == 1, texts
                seen.append(texts[0])
                assert (folder / "brief.json").read_text().split(":")[1] == "json"
            except BaseException as exc:  # reported below
                failures.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for n in range(1, 40):
        with store.lock(DAY):
            store.write(DAY, {k: f"{n}:{k}" for k in ("html", "json", "pdf")})
    done.set()
    for reader in readers:
        reader.join()
    assert failures == [] and len(seen) > 10
    assert len(generations(folder)) == 2  # the current set and the one before it


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB tmpfs, when this test may mount one (as root, where mounting works)."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_the_previous_set_whole(small_disk: Path) -> None:
    store = BriefStore(small_disk)
    old = {"html": "old:html", "json": json.dumps({"old": True}), "pdf": "old:pdf"}
    store.write(DAY, old)
    folder = small_disk / DAY.isoformat()
    big = os.urandom(400 * 1024)  # more than the disk holds

    with pytest.raises(OSError) as caught:
        store.write(DAY, {"html": "new:html", "json": "{}", "pdf": big})

    assert caught.value.errno == errno.ENOSPC
    for kind, text in old.items():
        assert (folder / f"brief.{kind}").read_text() == text
    assert len(generations(folder)) == 1
    # the disk is usable again: the failed set took nothing with it
    store.write(DAY, {"html": "new:html", "json": "{}", "pdf": "new:pdf"})
    assert (folder / "brief.pdf").read_text() == "new:pdf"


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

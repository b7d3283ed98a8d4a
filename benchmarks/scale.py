"""Speed and memory of the themed pipeline at 100 to 30,000 articles.

Articles are built from real documents (the DUC 2003 sets when given, and
the seeds), resampled so that no two are copies: each mixes a share of the
paragraphs of two to four documents (about one document's length in all), in
a shuffled order under a headline of its own, so syndication has nothing to
merge and the whole day is measured.
Each size runs in a fresh process (`python benchmarks/scale.py N FOLDER`),
whose process tree (the main process and its workers) is sampled for the peak
of their memory together (benchmarks/processes.py). The code measured is the
one on that process's PYTHONPATH, so an older checkout can be measured beside
this one in the same run.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    articles: int
    seconds: float  # the pipeline, from reading the folder to brief.json
    peak_mb: float  # the main process alone (its ru_maxrss)
    sentences: int
    all_peak_mb: float = 0.0  # every process together, sampled (benchmarks/processes.py)

    @property
    def ms_per_article(self) -> float:
        return 1000 * self.seconds / self.articles


def sources(duc: Path | None) -> list[list[str]]:
    """Paragraph lists of the real documents to resample from."""
    from briefing.ingest import read_folder

    folders = [ROOT / "seeds"]
    if duc is not None:
        folders += sorted(p for p in (duc / "docs.without.headlines").iterdir() if p.is_dir())
    out = []
    for folder in folders:
        documents, _ = read_folder(folder, 10_000_000)
        out += [[p for p in d.text.split("\n\n") if len(p.split()) >= 8] for d in documents]
    return [paragraphs for paragraphs in out if len(paragraphs) >= 2]


def build(folder: Path, count: int, pool: list[list[str]], seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        # Paragraphs of two to four different documents: articles that share text
        # without being copies of one another (which syndication would merge).
        documents = rng.sample(pool, k=rng.randint(2, 4))  # about one document long in all
        parts = [rng.sample(doc, k=max(1, len(doc) // len(documents))) for doc in documents]
        keep = [p for part in parts for p in part]
        rng.shuffle(keep)
        headline = f"Report {n}: {' '.join(keep[0].split()[:6]).rstrip('.,;:')}"
        (folder / f"{n:05d}.txt").write_text(headline + "\n\n" + "\n\n".join(keep) + "\n",
                                             encoding="utf-8")


def measure_one(count: int, folder: Path) -> Run:
    """Run the themed pipeline to brief.json in this process (called in a child)."""
    from dataclasses import replace

    import briefing
    from briefing import daily, text
    from briefing.briefs import BriefStore
    from briefing.config import load_settings
    from briefing.source import FolderSource

    text.pretrained_parameters = lambda: None  # as on a fresh machine
    # The configuration of the checkout being measured: an older one knows only its own keys.
    settings = load_settings(Path(briefing.__file__).resolve().parent.parent / "briefing.toml")
    day = date(2025, 10, 28)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:  # as `briefing run --input FOLDER` does
        settings = replace(settings, output_dir=Path(out))
        daily.produce(settings, day, datetime.now().astimezone(), ["json"], FolderSource(folder))
        brief = BriefStore(Path(out)).read(day)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Run(count, seconds, peak_kb / 1024, brief.sentences_considered)


def measure(count: int, pool: list[list[str]], workdir: Path, code: Path = ROOT) -> Run:
    """The themed pipeline over `count` resampled articles, with the briefing found in `code`."""
    from benchmarks import processes

    folder = workdir / str(count)
    if not folder.is_dir():
        build(folder, count, pool)
    measured = processes.run([sys.executable, str(Path(__file__).resolve()), str(count),
                              str(folder)], cwd=code, env=with_code(code))
    data = json.loads(measured.stdout.strip().splitlines()[-1])
    return Run(**{**data, "all_peak_mb": measured.peak_mb})


def with_code(code: Path) -> dict[str, str]:
    """The environment of a child process that imports briefing from `code`."""
    path = [str(code), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def pdf_seconds() -> tuple[float, int]:
    """Time to render the seeds' brief to PDF (the typical brief), best of three."""
    from briefing import text
    from briefing.config import load_settings
    from briefing.pipeline import make_brief
    from briefing.render import render_html, render_pdf

    text.pretrained_parameters = lambda: None
    settings = load_settings(ROOT / "briefing.toml")
    brief = make_brief(ROOT / "seeds", settings, date(2025, 10, 28), datetime.now().astimezone())
    html = render_html(brief, settings)
    times = []
    size = 0
    for _ in range(3):
        started = time.perf_counter()
        size = len(render_pdf(html, settings))
        times.append(time.perf_counter() - started)
    return min(times), size


def table(runs: list[Run], before: list[Run] | None = None) -> str:
    """One row per size; with `before` (the same sizes, older code), its figures in brackets."""
    lines = ["| articles | sentences | wall time | time per article "
             "| peak memory, all processes (PSS) | peak memory, main process (RSS) |",
             "|---:|---:|---:|---:|---:|---:|"]
    old = {r.articles: r for r in before or ()}
    for r in runs:
        b = old.get(r.articles)
        cells = [f"{r.articles:,}", f"{r.sentences:,}",
                 beside(f"{r.seconds:.1f} s", f"{b.seconds:.1f} s" if b else None),
                 beside(f"{r.ms_per_article:.1f} ms", f"{b.ms_per_article:.1f} ms" if b else None),
                 beside(f"{r.all_peak_mb:,.0f} MB", f"{b.all_peak_mb:,.0f} MB" if b else None),
                 beside(f"{r.peak_mb:,.0f} MB", f"{b.peak_mb:,.0f} MB" if b else None)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def beside(now: str, before: str | None) -> str:
    """A figure with the previous code's in brackets, when measured."""
    return f"{now} ({before})" if before else now


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.ERROR)
    sys.path[:] = [p for p in sys.path if Path(p).resolve() != Path(__file__).resolve().parent]
    run = measure_one(int(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps(run.__dict__))

"""Whole commands, timed as a user runs them: `briefing --help`, `briefing run` on the
seeds, and `briefing summarize` over every DUC 2003 set in one process.

Each command runs in a fresh process with the briefing found in `code` (this
checkout, or an older one measured beside it), best of a few runs because
other work on the machine only ever adds time.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import processes
from benchmarks.scale import ROOT, with_code

NOW = "2025-10-28T08:00:00+05:00"  # fixed, as a reproducible run would be


@dataclass(frozen=True)
class Timing:
    seconds: float  # best of the runs
    peak_mb: float  # all processes together, in the best run


def best(command: Sequence[str], code: Path, repeat: int, cache: str = "") -> Timing:
    """Best of `repeat` runs; Punkt's cache of trained parameters in `cache` ("": none)."""
    runs = [processes.run([sys.executable, "-m", "briefing", *command], cwd=code,
                          env={**with_code(code), "BRIEFING_CACHE_DIR": cache})
            for _ in range(repeat)]
    fastest = min(runs, key=lambda m: m.seconds)
    return Timing(fastest.seconds, fastest.peak_mb)


def help_time(code: Path = ROOT, repeat: int = 5) -> Timing:
    return best(["--help"], code, repeat)


def run_time(code: Path = ROOT, repeat: int = 3) -> Timing:
    """`briefing run` on the seeds, writing HTML, PDF and JSON."""
    with tempfile.TemporaryDirectory() as out:
        return best(["run", "--input", str(ROOT / "seeds"), "--output", out,
                     "--date", "2025-10-28", "--now", NOW, "--format", "html,pdf,json"],
                    code, repeat)


def summarize_time(folders: Sequence[Path], code: Path = ROOT, repeat: int = 3,
                   warm: bool = False) -> Timing:
    """`briefing summarize` over the folders in one process, 100 words each.

    Cold: nothing cached, Punkt trained for every folder. Warm: run once before,
    so the trained parameters come from the cache.
    """
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        command = ["summarize", *map(str, folders), "--words", "100", "--out", out]
        if warm:
            best(command, code, 1, cache)
        return best(command, code, repeat, cache if warm else "")


def beside_s(now: Timing, before: Timing | None) -> str:
    return f"{now.seconds:.2f} s" + (f" ({before.seconds:.2f} s before)" if before else "")


def table(baseline: Path | None) -> str:
    """`--help` and `run` on the seeds, now and (with a baseline) before."""
    rows = [("`briefing --help`", help_time), ("`briefing run` on the seeds (HTML, PDF, JSON)",
                                                run_time)]
    lines = ["| command | wall time | peak memory |" if baseline is None else
             "| command | wall time | before | peak memory | before |",
             "|---|---:|---:|" if baseline is None else "|---|---:|---:|---:|---:|"]
    for label, timed in rows:
        now = timed(ROOT)
        cells = [label, f"{now.seconds:.2f} s"]
        if baseline is not None:
            then = timed(baseline)
            cells += [f"{then.seconds:.2f} s", f"{now.peak_mb:,.0f} MB", f"{then.peak_mb:,.0f} MB"]
        else:
            cells.append(f"{now.peak_mb:,.0f} MB")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

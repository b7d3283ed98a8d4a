"""Wall time and peak memory of a command and every process it starts.

`ru_maxrss` of a process and of its children are two peaks that need not have
happened at once, and the children's is only the largest child's. Here the
process tree is sampled from /proc while the command runs: at each sample the
proportional set sizes (PSS: a page shared by n processes counts 1/n in each)
of the command and all its descendants are added up, and the largest sum is
the peak of all processes together. Without /proc (not Linux) only wall time
is measured.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
INTERVAL = 0.02  # seconds between samples


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float  # all processes together (0 when it cannot be measured)
    stdout: str


def run(command: Sequence[str], *, cwd: Path | None = None,
        env: Mapping[str, str] | None = None) -> Measured:
    """Run `command` to its end; its wall time and the peak memory of its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env else None,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_kb(child.pid))
            done.wait(INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, list(command), out, err)
    return Measured(seconds, peak[0] / 1024, out)


def tree_kb(root: int) -> int:
    """PSS in kB of `root` and all its descendants now (0 without /proc)."""
    if not PROC.is_dir():
        return 0
    parents: dict[int, int] = {}
    for entry in os.scandir(PROC):
        if entry.name.isdigit():
            try:
                stat = (PROC / entry.name / "stat").read_text()
            except OSError:
                continue
            # The command name (in parentheses) may hold spaces; the parent follows it.
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(_pss_kb(pid) for pid in tree)


def _pss_kb(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:  # no smaps_rollup (old kernels): resident set size
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0

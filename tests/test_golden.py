from __future__ import annotations

from tests.golden import GOLDEN, current


def test_seeds_brief_matches_the_golden_file() -> None:
    """A change to cleaning, splitting, themes or selection shows here; `make golden` accepts it."""
    assert current() == GOLDEN.read_text(encoding="utf-8"), (
        "brief.json of the seeds changed: review it, then run `make golden`")

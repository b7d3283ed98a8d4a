"""The golden brief.json of the seeds. Regenerate after an intended change: `make golden`.

Then read the diff (git diff tests/data/seeds-brief.json) as a reviewer would:
every changed line is a changed sentence, theme or citation in the brief.
"""

from __future__ import annotations

from pathlib import Path

from briefing import text
from briefing.briefs import to_json
from briefing.config import load_settings
from briefing.pipeline import make_brief
from tests.conftest import DAY, NOW, ROOT, SEEDS

GOLDEN = Path(__file__).resolve().parent / "data" / "seeds-brief.json"


def current() -> str:
    """The seeds' brief.json as the code makes it now, without NLTK data (as on CI)."""
    saved = text.pretrained_parameters
    text.pretrained_parameters = lambda: None  # type: ignore[assignment]
    try:
        return to_json(make_brief(SEEDS, load_settings(ROOT / "briefing.toml"), DAY, NOW))
    finally:
        text.pretrained_parameters = saved  # type: ignore[assignment]


if __name__ == "__main__":
    GOLDEN.write_text(current(), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")

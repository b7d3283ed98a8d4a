"""The chart of reporting volume per theme over the last days, as inline SVG.

matplotlib draws it; the SVG is made byte-stable (fixed hash salt, no date
metadata) so two runs give identical HTML, and stripped to a bare <svg>
element that sits in the page and the PDF without any request.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence

from briefing.models import DayVolume

_DRAWING = threading.Lock()
PALETTE = ("#8a1c1c", "#1f5a8a", "#3d7a3d", "#b8860b", "#6b4c9a", "#5f6368")


def volume_svg(volume: Sequence[DayVolume], themes: Sequence[tuple[str, str]]) -> str | None:
    """Stacked bars of sentences per theme per day; None with fewer than two days of briefs."""
    if sum(1 for v in volume if v.has_brief) < 2:
        return None
    import matplotlib
    from matplotlib.figure import Figure

    # No pyplot: its global figure registry is not safe across the web server's
    # threads. rc_context changes global settings, so one chart is drawn at a time.
    with _DRAWING, matplotlib.rc_context({"svg.hashsalt": "briefing", "svg.fonttype": "none",
                                          "font.family": "sans-serif", "font.size": 8}):
        figure = Figure(figsize=(6.6, 2.2), dpi=100)
        axes = figure.subplots()
        days = [f"{v.day:%d %b}" for v in volume]
        bottom = [0] * len(volume)
        for n, (key, label) in enumerate(themes):
            heights = [v.counts.get(key, 0) for v in volume]
            axes.bar(days, heights, bottom=bottom, label=label, width=0.7,
                     color=PALETTE[n % len(PALETTE)])
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        axes.set_ylabel("sentences")
        axes.spines[["top", "right"]].set_visible(False)
        step = max(1, -(-len(days) // 7))  # at most seven date labels, today always one
        last = len(days) - 1
        axes.set_xticks(range(len(days)), [d if (last - n) % step == 0 else ""
                                           for n, d in enumerate(days)])
        axes.tick_params(axis="x", labelsize=7, length=0)
        figure.legend(loc="upper center", ncols=len(themes), frameon=False, fontsize=7,
                      handlelength=1.0, columnspacing=1.2)
        figure.tight_layout(rect=(0, 0, 1, 0.88))
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    total = sum(sum(v.counts.values()) for v in volume)
    label = (f"Sentences per theme per day, {volume[0].day:%d %B} to {volume[-1].day:%d %B %Y}; "
             f"{total} in all")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)

"""`briefing init`: a commented starter configuration for a new story.

The text is valid exactly as written (a test loads it and makes a brief with it);
every key left out takes its default (README.md, "Configuration").
"""

from __future__ import annotations

from pathlib import Path

from briefing.errors import Exists

NAME = "briefing.toml"

STARTER = '''\
# briefing.toml: a starter configuration for a new story, written by `briefing init`.
#
# Edit the title, the story's sides and the themes, replace the example feed with your
# own, then run `briefing run`. Every key is described in README.md ("Configuration");
# keys left out take their defaults. Relative paths are taken from this file's folder.

title = "India–China daily brief"

[paths]
input = "articles"     # article files read when there are no [[sources]], or with --input
output = "output"      # briefs go to output/YYYY-MM-DD/

[schedule]
cron = "0 7 * * *"     # when `briefing schedule` makes the brief (min hour day month weekday)
timezone = "UTC"       # the zone the crontab is read in, e.g. "Asia/Kolkata"
state = "state"        # the article archive, run history and job store (keep out of git)

[email]
enabled = false        # true: the scheduled run mails the brief (set from, to and [email.smtp])

# The story: an article is about it when enough of its sentences name its sides together.
[story]
label = "India–China relations"
bridges = ["Line of Actual Control", "LAC", "Galwan"]   # names that speak of both sides

[[story.sides]]
name = "India"
terms = ["India", "Indian", "New Delhi", "Delhi", "Ladakh", "Arunachal Pradesh"]

[[story.sides]]
name = "China"
terms = ["China", "Chinese", "Beijing", "PLA", "Tibet", "Xinjiang"]

# Where articles come from: feeds (and folders) that `briefing fetch` stores in the archive.
# Replace this example with a real feed, or add more [[sources]] tables.
[[sources]]
name = "example"
feed = "https://example.org/news/feed.xml"

# Themes: each becomes a section. A term of one word matches its other forms ("patrol"
# matches "patrols"); a term of several words is a phrase. Weights: 3 is a sure sign.
[[themes]]
key = "border"
label = "Border and security"
description = "Patrols, stand-offs, clashes and military talks along the border."
[themes.terms]
border = 2
patrol = 3
troops = 2
clash = 3
"disengagement" = 3
"military talks" = 2

[[themes]]
key = "trade"
label = "Trade and investment"
description = "Tariffs, investment rules, supply chains and flights."
[themes.terms]
trade = 3
tariff = 3
investment = 3
export = 2
import = 2
"supply chain" = 2
'''


def write_starter(folder: Path) -> Path:
    """Write FOLDER/briefing.toml; an existing file is never replaced (Exists)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NAME
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(STARTER)
    except FileExistsError:
        raise Exists(f"{path} already exists; init never replaces a configuration "
                     "(edit it, or choose another folder)") from None
    return path

"""Find an article's publication date and say why it was chosen.

Web pages carry several dates that need not agree: a page-header clock, a
"Published on" stamp, a wire identifier with the date in it, HTML metadata.
Each is a *candidate* with a weight; the text itself can contradict a
candidate (a page dated 2024 that reports events "since August 2025" cannot be
right). The best-supported date wins; when the best candidates disagree and
nothing breaks the tie, the article is left undated and the note says why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")
MIN_YEAR, MAX_YEAR = 1990, 2100

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_PATTERNS = [
    re.compile(r"\b" + _YEAR + r"-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})"
               r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)"),
    re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I),
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b", re.I),
]
# What may stand around a date on a line that is nothing but a date stamp.
_STAMP_FILLER = re.compile(
    r"\b(?:" + "|".join(WEEKDAYS) + r"|updated|published|posted|last|modified|on|at|date|"
    r"time|gmt|utc|pkt|pst|ist|est|edt|am|pm|a\.m|p\.m|hrs)\b\.?"
    r"|\d{1,2}[:.]\d{2}(?::\d{2})?|[+-]\d{2}:?\d{2}|[|,/:\-–—()]",
    re.I,
)
_STAMP_CUE = re.compile(r"\b(?:updated|published|posted|modified)\b", re.I)
# A stamp glued to the front of a paragraph: "date 2024-03-18 Pakistan said…",
# "Updated: Sat, 19 Apr 2025 10:54 PKT Pakistan said…". A date in words needs a
# cue before it ("October 12, 2025 marked…" is prose); a bare ISO date never starts prose.
_LEAD_CUE = re.compile(
    r"(?P<cue>(?:(?:last|first)\s+)?(?:date[d]?|updated|published|posted|modified)"
    r"(?:\s+(?:on|at))?\s*:?\s*)?"
    r"(?:(?:" + "|".join(WEEKDAYS) + r")\.?,?\s+)?",
    re.I,
)
_DATE_START = re.compile(r"\d|" + _MONTH.replace("(?P<month>", "(?:"), re.I)
_LEAD_TAIL = re.compile(
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:gmt|utc|pkt|pst|ist|est|edt|[+-]\d{2}:?\d{2}))?)?\s*[|:\-–—]*\s+"
    r"(?=(?-i:[A-Z“\"‘'(]))",
    re.I,
)
# A year the text speaks of as past: "since 2021" always; "in August 2021" only
# in a sentence told in the past tense and with no word of the future in it.
_SINCE_YEAR = re.compile(r"\bsince\s+(?:(?:early|late|mid)[- ])?(?:[A-Z][a-z]+\s+)?"
                         r"(?P<year>(?:19|20)\d{2})\b")
_IN_YEAR = re.compile(
    r"\b(?:in|during)\s+(?:(?:early|late|mid)[- ])?"
    r"(?:(?:" + "|".join(k for k in MONTHS if len(k) > 3) + r")\s+)?(?P<year>(?:19|20)\d{2})\b",
    re.I,
)
_A_YEAR = re.compile(r"(?:19|20)\d{2}\b")  # what _SINCE_YEAR and _IN_YEAR end with
_PAST_TENSE = re.compile(r"\b(?:was|were|had|did|took|began|came|\w{3,}ed)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|would|shall|plans?|planned|expected|scheduled|due|until|by|"
                     r"next|upcoming|aims?|target|goal|forecast|projected)\b", re.I)


@dataclass(frozen=True)
class DateCandidate:
    value: date
    kind: str  # "metadata", "stamp", "date line", "identifier"
    evidence: str
    weight: float


WEIGHTS = {"metadata": 2.0, "stamp": 2.0, "date line": 1.0, "identifier": 1.0}


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[date, re.Match[str]]]:
    """Every full date (day, month, year) written in `text`, in order."""
    found: list[tuple[date, re.Match[str]]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            month = int(parts["mnum"]) if parts.get("mnum") else MONTHS[parts["month"].lower()]
            value = _make_date(int(parts["year"]), month, int(parts["day"]))
            if value is not None:
                found.append((value, match))
    found.sort(key=lambda pair: pair[1].start())
    return found


def parse_date(text: str) -> date | None:
    """The first full date in `text` (used for metadata values such as '2025-10-27')."""
    found = find_dates(text)
    return found[0][0] if found else None


def date_stamp(line: str, page_words: Collection[str] = ()) -> DateCandidate | None:
    """A candidate if `line` is only a date stamp ('Tuesday, 02 January 2024 12:17 GMT').

    Words of `page_words` and small numbers may stand beside the date too, as in a
    masthead ("TODAY'S PAPER | November 12, 2025 | EPAPER") or "3 min read Updated …".
    """
    if len(line) > 80:  # before looking for dates: most lines are prose, and long
        return None
    found = find_dates(line)
    if len(found) != 1:
        return None
    value, match = found[0]
    rest = _STAMP_FILLER.sub(" ", line[: match.start()] + " " + line[match.end():])
    if page_words:
        if any(w.lower() not in page_words and not (w.isdigit() and len(w) <= 3)
               for w in re.findall(r"[\w’'-]+", rest)):
            return None
    elif rest.strip():
        return None
    kind = "stamp" if _STAMP_CUE.search(line) else "date line"
    return DateCandidate(value, kind, line.strip(), WEIGHTS[kind])


def leading_stamp(text: str) -> tuple[DateCandidate, int] | None:
    """A date stamp glued to the front of a paragraph, and where the paragraph proper starts.

    'date 2024-03-18 Pakistan said…' gives 2024-03-18 and the offset of 'Pakistan'.
    """
    cue = _LEAD_CUE.match(text)
    # Every date begins with a digit or a month's name: a paragraph that starts with
    # neither after its cue (most prose) has no stamp there, and is not searched.
    if cue is None or not _DATE_START.match(text, cue.end()):
        return None
    found = find_dates(text[:120])
    if not found or found[0][1].start() != cue.end():
        return None
    value, match = found[0]
    iso = match.group(0)[:1].isdigit() and "-" in match.group(0)
    if not (cue["cue"] or iso):
        return None
    tail = _LEAD_TAIL.match(text, match.end())
    if tail is None:
        return None
    evidence = text[: tail.end()].strip()
    kind = "stamp" if _STAMP_CUE.search(evidence) else "date line"
    return DateCandidate(value, kind, evidence, WEIGHTS[kind]), tail.end()


def identifier_date(token: str) -> DateCandidate | None:
    """A date embedded in a wire or CMS identifier, e.g. 'MENAFN27102025…' → 2025-10-27.

    Only runs of eight or more digits are read, as DDMMYYYY or YYYYMMDD, and only
    when exactly one reading is a real date in range: ambiguity gives nothing.
    """
    for run in re.findall(r"\d{8,}", token):
        head = run[:8]
        readings = {
            d for d in (
                _make_date(int(head[4:8]), int(head[2:4]), int(head[0:2])),
                _make_date(int(head[0:4]), int(head[4:6]), int(head[6:8])),
            ) if d is not None
        }
        if len(readings) == 1:
            shown = token if len(token) <= 24 else token[:20] + "…"
            return DateCandidate(readings.pop(), "identifier", shown, WEIGHTS["identifier"])
    return None


def latest_year_mentioned(body: str) -> int | None:
    """The latest year the body speaks of as past ('since August 2021', 'in 2024')."""
    years: list[int] = []
    if not _A_YEAR.search(body):  # both patterns below need a year
        return None
    for sentence in re.split(r"(?<=[.!?])\s+", body):
        if not _A_YEAR.search(sentence) or _FUTURE.search(sentence):
            continue
        years += [int(m["year"]) for m in _SINCE_YEAR.finditer(sentence)]
        if _PAST_TENSE.search(sentence):
            years += [int(m["year"]) for m in _IN_YEAR.finditer(sentence)]
    return max(years) if years else None


def resolve(candidates: list[DateCandidate], body: str) -> tuple[date | None, str]:
    """Choose the publication date among candidates and explain the choice."""
    if not candidates:
        return None, "no publication date stated"
    latest = latest_year_mentioned(body)
    ruled_out = [c for c in candidates if latest is not None and c.value.year < latest]
    alive = [c for c in candidates if c not in ruled_out]
    notes = [f"{_describe(c)} ruled out: the text speaks of {latest} as past"
             for c in ruled_out]
    if not alive:
        return None, "; ".join(notes) + "; left undated"

    support: dict[date, float] = defaultdict(float)
    for c in alive:
        support[c.value] += c.weight
    ranked = sorted(support.items(), key=lambda kv: (-kv[1], kv[0]))
    best, best_weight = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == best_weight:
        tied = [c for c in alive if support[c.value] == best_weight]
        conflict = ", ".join(_describe(c) for c in tied)
        notes.append(f"conflicting dates of equal support ({conflict}); left undated")
        return None, "; ".join(notes)
    chosen = [c for c in alive if c.value == best]
    note = "from " + ", ".join(_describe(c) for c in chosen)
    others = [c for c in alive if c.value != best]
    if others:
        note += "; outweighs " + ", ".join(_describe(c) for c in others)
    return best, "; ".join([note, *notes])


def _describe(c: DateCandidate) -> str:
    return f"{c.kind} '{c.evidence}' ({c.value.isoformat()})"

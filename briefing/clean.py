"""Turn a RawDocument into an Article: its own prose, title, outlet, author and date.

Web text arrives wrapped in page furniture: share rows, "Related Articles",
comment prompts, legal disclaimers, bylines, date stamps, image placeholders,
the headline printed three times, the lead paragraph twice. The rules here are
general, by the shape of a line (does it end like a sentence? is every word
page vocabulary?), by known boilerplate phrases and by repetition; none names a
particular site. Everything dropped is kept as a Removal with its reason so a
rule that over-reaches can be seen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from briefing import dates
from briefing.dates import DateCandidate
from briefing.models import Article, RawDocument, Removal

# Words that make up share rows, navigation and page chrome. A short line made
# only of these is not article text.
PAGE_WORDS = frozenset("""
share shares facebook twitter x whatsapp email e-mail mail print telegram linkedin reddit
pinterest tumblr copy link comments comment post a related articles article posts stories story
back to top button search menu home news updated update new author image advertisement ad ads
sponsored subscribe subscription login log in sign up register read more next previous prev
tags tag categories category skip content main navigation toggle close open follow us latest
trending popular video videos photo photos gallery listen audio min mins minute minutes loading
the and of for you may also like recommended page view all see click here show hide continue
reading back-to-top author-image newsletter rss feed feeds cookie cookies accept on by at
tweet tweets pin messenger viber flipboard sms youtube instagram tiktok whatsapp linkedin
""".split())

# Prompts and promotion. These phrases mean it wherever they stand…
PROMO_ANYWHERE = re.compile(
    r"\b(?:leave|post|add|write|view|show|load)\s+(?:a\s+|your\s+|all\s+)?(?:comments?|reply)\b"
    r"|\bin the comments\b|\bfacebook comments\b|\bsubscribe to (?:our|the)\b"
    r"|\bsign up (?:for|to) (?:our|the)\b|\bfollow us\b|\bclick here\b"
    r"|\bdownload (?:the|our) app\b|\bjoin our\b",
    re.I,
)
# …these only as the opening words of a line ("Share this article", "Read more: …"),
# since "farmers share this concern" is news.
PROMO_START = re.compile(
    r"^(?:share this|(?:read|see) also|also read|read more|(?:watch|listen)\s*:)", re.I)
# Legal boilerplate: one unmistakable phrase, backed by a second legal word or in a
# line too short to be news. A report on a copyright lawsuit has only the weak words.
LEGAL_STRONG = re.compile(
    r"\bdisclaimer\b|\bwithout warranty\b|\ball rights reserved\b|©"
    r"|\bterms of (?:use|service)\b|\bprivacy policy\b|\bcookie policy\b"
    r"|\bviews expressed\b|\bno responsibility\b",
    re.I,
)
LEGAL_WEAK = re.compile(
    r"\bcopyright\b|\bliabilit(?:y|ies)\b|\bresponsibility\b|\bwarrant(?:y|ies)\b"
    r"|\breproduc(?:e|ed|tion)\b|\bpermission\b",
    re.I,
)
# A line after which the rest of the page is not the article.
TAIL_MARKER = re.compile(
    r"^(?:related(?: articles| posts| stories| news)?|you (?:may|might) also like"
    r"|more (?:stories|from|on this)|recommended(?: for you)?|read more|comments?"
    r"|(?:leave|post) a (?:comment|reply)|facebook comments|most (?:read|popular))\W*$",
    re.I,
)
# A heading that introduces the article's own recap ("Key Takeaways"); the
# list under it repeats the article in fragments.
RECAP_HEADING = re.compile(
    r"^(?:key (?:takeaways|points|facts)|takeaways|highlights|in brief|at a glance|summary"
    r"|tl;?dr|the gist|quick read)\W*$",
    re.I,
)
IMAGE_PLACEHOLDER = re.compile(
    r"^(?:\[?(?:image|photo|picture|img|graphic|file photo|author-image|thumbnail)\]?"
    r"|\(?(?:photo|image|picture)(?: credit)?\s*[:/].{0,60}\)?)\W*$",
    re.I,
)
BYLINE = re.compile(r"^(?:By|BY|by)\s+(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*$")
AUTHOR_CUE = re.compile(r"\b(?:author|writer|reporter|correspondent|byline|written)\b", re.I)
# "(MENAFN- Khaama Press) Pakistan urged…", "(Reuters) -", "ISLAMABAD, Oct 27 (AP) —"
CREDIT_PREFIX = re.compile(
    r"^(?:[A-Z][A-Z .'’-]{2,40}(?:,\s*[A-Z][a-z]{2,9}\.?\s+\d{1,2})?\s*)?"
    r"\((?:[A-Z][A-Za-z]{1,12}\s*-\s*)?(?P<source>[A-Z][^()]{1,60})\)\s*(?:[-–—:]+\s*)?"
    r"(?=[A-Z“\"‘'])"
)
DATELINE = re.compile(r"^(?P<place>[A-Z]{3,}(?:[ -][A-Z]{3,})*)(?:,\s*[A-Z][a-z]+)?\s*[:–—-]\s+"
                      r"(?=[A-Z])")
BULLET = re.compile(r"^(?:[•●▪·◦‣*–-]|\d{1,2}[.)])\s+")
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
IDENTIFIER = re.compile(r"^(?=[^\s]*\d)[A-Za-z0-9_-]{12,}$")
WORD = re.compile(r"[\w’'-]+")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# A unit of at least this many words is prose even without a final period.
PROSE_WORDS = 20
# A body paragraph starts the article proper; what comes before is its header.
BODY_WORDS = 8
# Bylines are looked for only this close to the top of the page.
HEADER_UNITS = 15


@dataclass
class _Unit:
    text: str
    key: str
    words: int
    ends_sentence: bool


@dataclass
class _Findings:
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    dates: list[DateCandidate] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)


def normalize(text: str) -> str:
    """Unicode NFC, one kind of newline, no invisible characters, single spaces in lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    text = re.sub(r"[^\S\n]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def line_key(text: str) -> str:
    """What two lines must share to be the same line: their words, case aside."""
    return " ".join(w.lower() for w in WORD.findall(text))


def _units(text: str) -> list[_Unit]:
    """Paragraph-sized units. Hard-wrapped lines are joined back into paragraphs."""
    units: list[_Unit] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line]
        merged: list[str] = []
        for line in lines:
            if merged and _continues(merged[-1], line):
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        for line in merged:
            units.append(_Unit(line, line_key(line), len(line.split()),
                               bool(SENTENCE_END.search(line))))
    return units


def _continues(previous: str, line: str) -> bool:
    """Is `line` the wrapped continuation of `previous` rather than a new paragraph?"""
    if SENTENCE_END.search(previous) or BULLET.match(line):
        return False
    if line[:1].islower():
        return True
    # A long line cut mid-sentence reads like prose; a headline is in title case.
    words = previous.split()
    return (len(previous) >= 60 and len(words) >= PROSE_WORDS // 2
            and not previous.endswith(":") and not _title_case(words))


def _title_case(words: list[str]) -> bool:
    long_words = [w for w in words if len(w) > 3]
    capitals = sum(1 for w in long_words if w[:1].isupper())
    return bool(long_words) and capitals / len(long_words) >= 0.6


def _page_words_only(text: str) -> bool:
    """Is the line made only of page vocabulary ("ShareFacebook Twitter WhatsApp")?"""
    words = WORD.findall(text)
    return bool(words) and all(_page_word(w) for w in words)


def _page_word(word: str) -> bool:
    # Run-together buttons ("ShareFacebook") are split at case changes, but
    # brand names ("WhatsApp", "LinkedIn") are words of their own.
    return word.lower() in PAGE_WORDS or all(
        part.lower() in PAGE_WORDS for part in CAMEL.split(word) if part)


def _is_prose(unit: _Unit) -> bool:
    return unit.ends_sentence or unit.words >= PROSE_WORDS


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and w.replace("-", "").replace(".", "")
                                        .replace("'", "").isalpha() for w in words)


def _headline(unit: _Unit) -> bool:
    return 4 <= unit.words <= 30 and not unit.ends_sentence and not _page_words_only(unit.text)


def clean(document: RawDocument) -> Article:
    """Strip page furniture from one document and detect its title, outlet, author and date."""
    found = _Findings(title=(document.meta_title or "").strip() or None,
                      outlet=(document.meta_outlet or "").strip() or None,
                      author=(document.meta_author or "").strip() or None)
    if document.meta_date and (meta := dates.parse_date(document.meta_date)):
        found.dates.append(DateCandidate(meta, "metadata", document.meta_date,
                                         dates.WEIGHTS["metadata"]))
    units = _units(normalize(document.text))
    kept = _classify(units, found)
    body = "\n\n".join(kept)
    published, note = dates.resolve(found.dates, body)
    return Article(
        id=document.id, path=document.path, title=found.title, outlet=found.outlet,
        author=found.author, published=published, date_note=note, body=body,
        removed=tuple(found.removed), modified=document.modified,
        published_at=_instant_of(document.published_at, published),
    )


def _instant_of(moment: datetime | None, published: date | None) -> datetime | None:
    """The stated publication instant, kept when it agrees with the day the text gives."""
    if moment is None or published is None:
        return None
    return moment if moment.date() == published else None


def _classify(units: list[_Unit], found: _Findings) -> list[str]:
    """Decide unit by unit what is article prose; record everything else."""
    kept: list[str] = []
    seen: dict[str, int] = {}
    recent: list[set[str]] = []
    in_body = False
    in_tail = False
    in_recap = False
    title_key = line_key(found.title) if found.title else None

    def drop(unit: _Unit, reason: str) -> None:
        found.removed.append(Removal(unit.text, reason))

    for number, unit in enumerate(units):
        text = unit.text
        if not unit.key:
            drop(unit, "no words")
            continue
        if in_tail:
            _harvest_tail(unit, found)
            drop(unit, "after an end-of-article marker")
            continue
        if (stamp := dates.date_stamp(text)) is not None:
            found.dates.append(stamp)
            drop(unit, "date stamp")
            continue
        if IDENTIFIER.match(text):
            if (embedded := dates.identifier_date(text)) is not None:
                found.dates.append(embedded)
            drop(unit, "identifier")
            continue
        if in_recap and (BULLET.match(text) or not _is_prose(unit)):
            drop(unit, "recap list (repeats the article)")
            continue
        in_recap = False
        if RECAP_HEADING.match(text):
            in_recap = True
            drop(unit, "recap heading")
            continue
        if in_body and TAIL_MARKER.match(text):
            in_tail = True
            drop(unit, "end-of-article marker")
            continue
        strong = len(LEGAL_STRONG.findall(text))
        if strong and (strong + len(LEGAL_WEAK.findall(text)) >= 2 or unit.words <= 6):
            drop(unit, "legal disclaimer")
            continue
        if ((PROMO_ANYWHERE.search(text) and unit.words <= 15)
                or (PROMO_START.match(text) and (unit.words <= 15 or not unit.ends_sentence))
                or _page_words_only(text)):
            drop(unit, "share, navigation or comment prompt")
            continue
        if IMAGE_PLACEHOLDER.match(text):
            drop(unit, "image placeholder or caption")
            continue
        if (byline := BYLINE.match(text)) and not unit.ends_sentence:
            found.author = found.author or byline["name"]
            drop(unit, "byline")
            continue
        if title_key and unit.key == title_key:
            drop(unit, "repeated headline")
            continue
        if unit.key in seen:
            drop(unit, "repeated paragraph")
            continue
        tokens = set(unit.key.split())
        if unit.words >= BODY_WORDS and any(_overlap(tokens, other) >= 0.9 for other in recent):
            drop(unit, "repeated paragraph (near-identical)")
            continue
        if not _is_prose(unit):
            if number < HEADER_UNITS and _looks_like_name(text) and _near_author_cue(units, number):
                found.author = found.author or text
                drop(unit, "byline")
            elif not in_body and found.title is None and _headline(unit):
                found.title = text
                title_key = unit.key
                drop(unit, "headline (kept as the title)")
            elif found.outlet and unit.key == line_key(found.outlet):
                drop(unit, "outlet name")
            else:
                drop(unit, "heading or label, not a sentence")
            continue

        text = _strip_prefixes(text, found)
        seen[unit.key] = number
        recent = [*recent[-19:], tokens]
        kept.append(text)
        if unit.words >= BODY_WORDS:
            in_body = True
    return kept


def _strip_prefixes(text: str, found: _Findings) -> str:
    """Remove list bullets, wire credits and datelines from the start of a paragraph."""
    if bullet := BULLET.match(text):
        text = text[bullet.end():]
    if credit := CREDIT_PREFIX.match(text):
        source = credit["source"].strip()
        if len(source.split()) <= 6:
            found.outlet = found.outlet or source
            found.removed.append(Removal(credit.group(0).strip(), "wire credit"))
            text = text[credit.end():]
    elif dateline := DATELINE.match(text):
        found.removed.append(Removal(dateline.group(0).strip(), "dateline"))
        text = text[dateline.end():]
    return text


def _harvest_tail(unit: _Unit, found: _Findings) -> None:
    """The page's tail is not article text, but it may still date the article."""
    if (stamp := dates.date_stamp(unit.text)) is not None:
        found.dates.append(stamp)
    elif IDENTIFIER.match(unit.text) and (embedded := dates.identifier_date(unit.text)):
        found.dates.append(embedded)


def _near_author_cue(units: list[_Unit], number: int) -> bool:
    neighbours = units[max(0, number - 1): number + 2]
    return any(AUTHOR_CUE.search(u.text) or BYLINE.match(u.text) for u in neighbours
               if u is not units[number])


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0

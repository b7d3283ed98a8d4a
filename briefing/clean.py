"""Turn a RawDocument into an Article: its own prose, title, outlet, author and date.

Web text arrives wrapped in page furniture: share rows, "Related Articles",
comment prompts, legal disclaimers, bylines, date stamps, image placeholders,
photo captions and their credits, wire tails, the headline printed three times,
the lead paragraph twice. The rules here are general, by the shape of a line
(does it end like a sentence? is every word page vocabulary? does it end with a
credit?), by families of boilerplate phrases and by repetition; none names a
particular site. Furniture glued to the front or end of a paragraph (a dateline,
a date stamp, a wire tail) is cut off, so what is kept is still a verbatim piece
of the page. Everything dropped is kept as a Removal with its reason so a rule
that over-reaches can be seen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from briefing import dates
from briefing.dates import DateCandidate
from briefing.models import Article, RawDocument, Removal

# Words that make up share rows, navigation, section labels, app prompts and
# e-paper mastheads. A short line made only of these is not article text.
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
watch now short url links app apps download install store play google qr code scan
epaper e-paper paper today's edition archive archives reply replies replying
world national international business opinion editorial sport sports entertainment
politics feature features featured recent breaking live headlines
""".split())

# Prompts and promotion. These phrases mean it wherever they stand…
PROMO_ANYWHERE = re.compile(
    r"\b(?:leave|post|add|write|view|show|load)\s+(?:a\s+|your\s+|all\s+)?(?:comments?|reply)\b"
    r"|\bin the comments\b|\bfacebook comments\b|\bsubscribe to our\b|^\W*subscribe to the\b"
    r"|\bsign up (?:for|to) (?:our|the)\b|\bfollow us\b|\bclick here\b"
    r"|\bdownload (?:the|our) app\b|\bjoin our\b"
    r"|\byour email (?:address )?will not be published\b|\brequired fields are marked\b"
    r"|\b(?:open|read|continue|view)(?: it)? in (?:the |our )?app\b"
    r"|\b(?:download|get|install)\b.{0,25}\b(?:app ?store|google play|play store)\b"
    r"|\bto your inbox\b|\b(?:turn on|enable|allow)(?: push)? notifications\b"
    r"|\benter your (?:comment|name|e-?mail)\b"
    # A login form's lines: "Lost your password?", "Forgot your password?", "Remember me".
    r"|\b(?:lost|forgot(?:ten)?|reset) your password\b|^\W*remember me\W*$"
    r"|\b(?:submit|send) (?:it|them|yours|your (?:story|tip|idea)s?) (?:here|to us)\b",
    re.I,
)
# An author's note: "…is the editor of X. You may follow him at Twitter @name".
FOLLOW_AUTHOR = re.compile(
    r"\b(?:follow|reach) (?:him|her|them|me|us) (?:on|at|via) (?:twitter|x|facebook|instagram"
    r"|linkedin|threads|bluesky)\b", re.I)
# An outlet's invitation to follow it, at the start of a line: "Follow Daryo's official
# Instagram and Twitter pages…", "Stay Connected, Stay Informed - Follow News Alert on
# WhatsApp…".
FOLLOW_OUTLET = re.compile(
    r"^(?:[^.!?]{0,40}?[-–—:|]\s*)?(?:follow|join)\b.{0,60}?\b(?:whatsapp|instagram|twitter"
    r"|facebook|telegram|youtube|linkedin|threads|tiktok|google news|x)\b", re.I)
# An outlet's line about itself: "Get all the latest news from Bharat and beyond, with a
# focus on top national events and trending stories."
NEWS_PROMO = re.compile(
    r"^(?:get|find|read|catch|stay (?:up to date|updated) with)\s+(?:all\s+)?(?:the\s+)?"
    r"latest\s+(?:news|updates|headlines|stories)\b", re.I)
# A sentence that says the story is still being written: "This is a breaking news story.",
# "Please follow for updates.", "This story is developing; check back for updates." Only a
# whole sentence counts: truckers "told to check back for updates" are news.
_STILL_WRITTEN = (r"this (?:is an? (?:breaking|developing)(?: news)? stor\w*"
                  r"|(?:story|article|report) is (?:developing|being updated))")
_FOR_UPDATES = (r"(?:please )?(?:check back|follow|stay tuned|refresh)(?: (?:us|this page|here))?"
                r" for (?:more |further |the latest )?updates")
DEVELOPING = re.compile(rf"(?:{_STILL_WRITTEN}(?:[;,:]\s*{_FOR_UPDATES})?|{_FOR_UPDATES})\W*",
                        re.I)
# A short line that ends with the outlet's subscribe button: "- Sputnik India, 1920,
# 22.12.2023 Subscribe".
SUBSCRIBE_END = re.compile(r"\bsubscribe\W*$", re.I)
SUBSCRIBE_WORDS = 8
# A photo's credit before its caption, glued to it: "© AP Photo / Muhammad HasibSecurity
# officials guard a blocked road…". It ends where the caption's first word begins.
CREDIT_FIRST = re.compile(
    r"^©\s*(?:[A-Za-z][\w.&'’-]*\s*){1,4}/\s*(?:[A-Z][\w'’-]*\.?\s?){1,3}?"
    r"(?=[A-Z][a-z]+\s)")
CREDIT_FIRST_REASON = "photo caption (its credit first)"
CAPTION_AGAIN_TAIL = 8  # words a repeated caption may carry after it ("- Agency, date")
# An embedded post's credit (and its tags and picture link) after its text: "…
# #OICInPakistan pic.twitter.com/cMqZ9XkSux — OIC (@OIC_OCI) December 19, 2021".
POST_CREDIT = re.compile(
    r"(?:^|(?<=\s))(?:(?:#\w{1,30}|pic\.twitter\.com/\S{1,30}|https?://t\.co/\S{1,30})\s{0,3}){0,4}"
    r"[-–—]{1,3}\s{0,3}[^()\n]{1,60}\(@\w{1,30}\)\s{0,3}(?:[A-Z][a-z]{2,8}\.?\s\d{1,2},\s?\d{4})?\s*$")
# …these only as the opening words of a line ("Share this article", "Read more: …"),
# since "farmers share this concern" is news.
PROMO_START = re.compile(
    r"^(?:share this|(?:read|see) also|also read|read more|(?:watch|listen)\s*:)", re.I)
# An advertisement or a player that did not load, and the page's "continues below".
MEDIA_NOTICE = re.compile(
    r"\b(?:advertisement|ad|video|player|media|image|embed)s?\b.{0,30}?"
    r"\b(?:not|failed to|could not|couldn't|cannot|can't|unable to)\s+(?:be\s+)?"
    r"(?:load|loaded|play|played|display|displayed)\b"
    r"|\b(?:article|story|content|page) continues (?:below|after)\b"
    r"|\bscroll (?:down )?to continue\b"
    # A text-to-speech player's notices: "This is read by an automated voice."
    r"|\bread (?:aloud )?by an? (?:automated|artificial|ai|computer(?:-generated)?|synthetic)"
    r" voice\b|\breport any issues or inconsistencies\b",
    re.I,
)
# Legal boilerplate: one unmistakable phrase, backed by a second legal word or in a
# line too short to be news. A report on a copyright lawsuit has only the weak words.
LEGAL_STRONG = re.compile(
    r"\bdisclaimer\b|\bwithout warranty\b|\ball rights reserved\b|©"
    r"|\bterms of (?:use|service)\b|\bprivacy policy\b|\bcookie policy\b"
    r"|\bviews expressed\b|\bno responsibility\b",
    re.I,
)
# Words one of which every LEGAL_STRONG match contains: a line without any is not scanned.
LEGAL_HINTS = ("disclaimer", "warranty", "rights reserved", "©", "terms of", "policy",
               "views expressed", "responsibility")
LEGAL_WEAK = re.compile(
    r"\bcopyright\b|\bliabilit(?:y|ies)\b|\bresponsibility\b|\bwarrant(?:y|ies)\b"
    r"|\breproduc(?:e|ed|tion)\b|\bpermission\b",
    re.I,
)
# The publisher's note on how a copy reached the page ("This story has not been
# edited by our staff and is auto-generated from a syndicated feed"). It counts
# only in a short note that speaks of the item itself or stands in parentheses:
# news may well say a ministry was "not responsible for the content" of a video.
EDITORIAL_NOTE = re.compile(
    r"\b(?:has|have|had) not been edited\b|\bauto-?generated from\b"
    r"|\b(?:from|via) (?:an? |the )?(?:syndicated|agency|wire|news) (?:agency )?feed\b"
    r"|\bonly the headline\b|\badded by (?:the |a )?user\b"
    r"|\b(?:is |was )?sourced from\b.{0,60}\bfor informational purposes\b"
    r"|\bnot responsible for (?:the |its )?content\b|\buser-(?:generated|submitted)\b",
    re.I,
)
NOTE_START = re.compile(
    r"^(?:\(|only\b|(?:this|the) (?:story|article|report|news|content|post|copy)\b)", re.I)
# A line after which the rest of the page is not the article. ("Read more" is not
# one: pages print it between paragraphs, above a link to another story.)
TAIL_MARKER = re.compile(
    r"^(?:related(?: articles| posts| stories| news)?|you (?:may|might) also like"
    r"|more (?:stories|from|on this)|recommended(?: for you)?|comments?"
    r"|(?:leave|post) a (?:comment|reply)|facebook comments|most (?:read|popular)"
    r"|(?:join|be part of) the (?:conversation|discussion|debate))\W*$",
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
# A photo credit ending a caption: "(AP Photo/A. Name)", "(HT Photo)", "(Photo: Agency)",
# "— AFP/File", ".(Twitter)", "PHOTO: AGENCY NAME", "Credit: AP Photo/A. Name".
PHOTO_CREDIT = re.compile(
    r"(?:^|(?<=[.!?\"”’)\s]))\s*(?:"
    r"\((?=[^()]*\b(?:photos?|pic|picture|image|file|archive|screengrab|screenshot|handout"
    r"|courtesy|credit)\b)[^()]{1,60}\)"
    r"|\((?:twitter|x|facebook|instagram|social media|supplied)\)"
    r"|(?:[-–—]+\s*)?[A-Z][\w.&'’ -]{0,30}/\s*(?:file|files|photo|photos)"
    r"|/\s*(?-i:[A-Z]{2,8})\s+(?:archive|file|photo)"
    # An agency in capitals and its photographer or source: "REUTERS/A. Name",
    # "(AFP/PAKISTAN FOREIGN MINISTRY OFFICE)".
    r"|(?-i:\([A-Z]{2,12}\s*/\s*[A-Z][^()]{1,58}\)"
    r"|[A-Z]{2,12}\s*/\s*(?:[A-Z]\.\s*)*[A-Z][\w'’-]+(?:\s+(?:[A-Z]\.\s*)*[A-Z][\w'’-]+){0,5})"
    r")\s*$"
    # A labelled credit opens its own line or follows a sentence, and names, not tells:
    # "…single image: a convoy at night." is prose.
    r"|(?:^|(?<=[.!?\"”’)]))\s*(?:photo|picture|image|credit)s?(?: credit)?\s*:\s*"
    r"[^:()!?]{0,48}[^:()!?.\s]\s*$",
    re.I,
)
# An editorial note in brackets after the paragraph's last sentence.
EDITORIAL_NOTE_END = re.compile(r"(?<=[.!?\"”’])\s*\([^()]{10,300}\)\s*$")
# A credit that names the photographer, after the caption's last sentence or on a line of
# its own: "Photo by AFP via Getty Images.", "— Image courtesy of the ministry".
CREDIT_BY = re.compile(
    r"(?:^|(?<=[.!?\"”’)]))\s*(?:[-–—]+\s*)?(?:photo|image|picture)s?\s+(?:by|courtesy(?:\s+of)?)"
    r"\s+[^.!?()\s][^.!?()]{0,60}\.?\s*$", re.I)
# A caption that announces itself: "File photo of…", "Photo: …", "FILE - …".
CAPTION_START = re.compile(
    r"^(?:\(?(?i:file|archive|representational|representative)\s+(?i:photo|image|picture|pic)s?"
    r"\)?|(?i:photo|picture|image|pic)s?(?:\s+(?i:credit))?\s*[:|]|FILE\s*[-–—:])")
# Where a person stands in the picture: "Qureshi (Right) at a meeting with…", "(L)",
# "(2nd R)", "(centre)".
PICTURE_POSITION = re.compile(
    r"\((?:(?:\d(?:st|nd|rd|th)|second|third|fourth)\s+(?:from\s+)?)?"
    r"(?:left|right|centre|center|front|back|[LRC])\)", re.I)
# A wire credit or end mark after the last sentence: "(ANI)", "(end)", "- Ends",
# "— Agencies", "—APP", ". AFP", "(With inputs from agencies)".
WIRE_TAIL = re.compile(
    r"(?:^|(?<=[.!?\"”’)]))\s*(?:"
    r"\(\s*(?:(?i:ends?|(?:with\s+)?(?:inputs?\s+from\s+)?agenc(?:y|ies)(?:\s+inputs?)?)"
    r"|[A-Z]{2,8}(?:\s*[/,]\s*[A-Z][A-Za-z]{1,12})?|[A-Z][a-z]{2,12})\s*\)"
    r"|[-–—]+\s*(?:(?i:ends?|agencies)|[A-Z]{2,8}|[A-Z][a-z]{2,12})"
    r"\s*[-–—]*"
    r"|(?<=[.!?])\s+[A-Z]{2,8}"
    r")\s*$"
)
# A finite verb or attribution: what a caption ("Soldiers patrol a road on Sunday")
# lacks and a news sentence ("Soldiers patrolled…", "…, officials said") has.
FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|shall|should|can|could|may|might"
    r"|must|do|does|did|said|says|say|told|tells|added|according|went|came|took|gave|made"
    r"|met|held|left|sent|began|fell|rose|hit|shut|led|spoke|fought|won|lost|struck)\b"
    # A past tense is in lower case: "Moeed", "Javed" and "Hameed" are names.
    r"|\b(?-i:[a-z])\w{2,}ed\b",
    re.I,
)
# Agency photo captions end with the day the picture was taken, after a weekday (AP:
# "…in northern Afghanistan Saturday, May 11, 2024.") or right after the place (Reuters:
# "…in Torkham, Pakistan February 21, 2023."); prose says "on February 21".
CAPTION_DATE_END = re.compile(
    r"(?:,\s*(?i:" + "|".join(w for w in dates.WEEKDAYS if len(w) > 4) + r"),|\b[A-Z][a-z]+,?)"
    r"\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s*\d{4}\.?$")
# A caption printed twice in a row (the picture's alt text, then its caption) carries its
# credit after its last sentence: "… Head of Mission to Kabul. — Twitter/@PakinAfg",
# "… on Wednesday. — Jalil Abbas Jilani X", "… said the premier. APP".
CREDIT_AFTER_SENTENCE = re.compile(r"[.!?][\"”’)]*\s+(?:[-–—]+\s*)?(?:\S+\s+){0,5}\S+$")
# A UI label glued to the paragraph it introduces: "Article content The Taliban…".
GLUED_LABEL = re.compile(
    r"^(?:(?:article|story|post|main|page)\s+(?:content|body|text)"
    r"|(?:article|story|content) continues(?: below)?|continue reading(?: below)?"
    r"|advertisement|sponsored(?: content)?"
    # A copyright mark glued to a caption or a lead: "© Reuters. A man shows…"
    r"|©\s*(?:\d{4}\s+)?[\w&'’-]+(?:\s+[\w&'’-]+){0,3}\s*[.:|])\s*[:|.-]?\s+"
    r"(?=(?-i:[A-Z“\"‘']))",
    re.I,
)
# Breadcrumbs before a headline: "Home / World News / The headline".
BREADCRUMB = re.compile(r"^(?:[^/>»|]{1,25}\s+[/>»|]\s+)+(?=\S)")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
BYLINE = re.compile(
    r"^(?:By|BY|by):?\s+(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*$")
AUTHOR_CUE = re.compile(r"\b(?:author|writer|reporter|correspondent|byline|written)\b", re.I)
# A label:value line with the page's publication facts: "Published By: … Published On: …".
STAMP_LABEL = re.compile(
    r"^(?:(?:last|first)\s+)?(?:published|updated|posted|modified)\b(?:\s+(?:by|on|at))?\s*:",
    re.I)

# Datelines and wire credits at the front of a paragraph: "ISLAMABAD, Oct 12 (Reuters) -",
# "KABUL (AP) —", "(MENAFN- Outlet)", "NEW DELHI, March 18 –", "PESHAWAR/KABUL —",
# "KHYBER -UNS:", "Kabul/Islamabad, Oct 12 (UNI)", "Kabul, Jan 6:". A place in mixed
# case with neither date nor credit ("Peshawar:", "Islamabad (Pakistan):") counts only
# on the lead: further down, "Khan: We will never…" is a speaker, not a place.
_MONTH = "(?i:" + "|".join(sorted(dates.MONTHS, key=len, reverse=True)) + r")\.?"
_PLACE_CAPS = r"[A-Z][A-Z.'’-]+(?:(?:\s*/\s*|\s)[A-Z][A-Z.'’-]+)*"
_PLACE_MIXED = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?:\s*/\s*[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})*"
DATELINE = re.compile(
    r"^(?:(?P<caps>" + _PLACE_CAPS + r")(?![a-z])|(?P<mixed>" + _PLACE_MIXED + r"))?"
    r"(?P<when>,\s*(?:(?i:" + "|".join(dates.WEEKDAYS) + r")\.?,?\s*)?"
    r"(?:" + _MONTH + r"\s+\d{1,2}|\d{1,2}\s+" + _MONTH + r")(?:,?\s*\d{4})?)?"
    r"(?:\s*\((?:[A-Z][A-Za-z]{1,12}\s*-\s*)?(?P<source>[A-Z][^()]{1,60})\))?"
    r"(?:\s*[-–—]\s*(?P<wire>[A-Z]{2,6})(?=\s*:))?"
    r"(?:\.?\s*/(?P<slashed>[A-Z][A-Za-z-]{1,11})/\.?)?"
    r"(?P<sep>\s*:\s*|\s*[-–—]+\s+|\s+)"
    r"(?=[A-Z“\"‘'])"
)
# AFP's caption: the picture, where and when it was taken ("…, on January 27, 2019."),
# then " - " and a sentence or two of background from the story it illustrated.
# What every AFP_CAPTION match holds: the full stop after the date, and the dash.
AFP_HINT = re.compile(r"\.\s+-\s")
# AFP dates its picture with "on" and the year ("… in Logar province on July 24, 2024."),
# which prose seldom writes; it is read as a caption's date only in a paragraph that ends
# with the picture's credit (_agency_caption).
AGENCY_DATE_END = re.compile(r"\bon " + _MONTH + r"\s+\d{1,2},\s*\d{4}\.$")
AFP_CAPTION = re.compile(r"^[^\n]{20,400}?\bon " + _MONTH
                         + r"\s+\d{1,2},\s*\d{4}\.\s+-\s+[A-Z]")
DESK = re.compile(r"\b(?:desk|staff|reporter|correspondent|bureau|monitoring|report)\b", re.I)
# A line that is one short question, not quoted: an explainer's sub-heading ("What is the
# new ruling?"), a question headline, or a rating widget ("How informative is this news?").
QUESTION_HEADING = re.compile(
    r"^(?:What|Why|How|When|Where|Who|Which|Will|Would|Can|Could|Should|Is|Are|Was|Were|Does|Do|"
    r"Did|Has|Have)\b[^\"“”‘’?!.]*(?:[.’][^\"“”?!.\s][^\"“”?!.]*)*\?$")
QUESTION_WORDS = 16
BULLET = re.compile(r"^(?:[•●▪·◦‣*–-]|\d{1,2}[.)])\s+")
# PHOTO_CREDIT and WIRE_TAIL matches are at most this long (their parts are bounded).
TAIL_REACH = 300
TEASER_END = re.compile(r"\s*(?:\.{3}|…)\s*$")
# A line that ends a sentence (_ends_sentence reads it from the end; a property test holds
# it to this pattern).
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
# Where one sentence ends and the next begins, not after an initial ("S. Name").
SENTENCE_BREAK = re.compile(r"(?<!\b[A-Z])[.!?][\"'”’)\]]*\s+(?=[A-Z“\"‘'])")
IDENTIFIER = re.compile(r"^(?=[^\s]*\d)[A-Za-z0-9_-]{12,}$")
WORD = re.compile(r"[\w’'-]+")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Words every English sentence of some length has one of; a line without any, in
# another script or language, is the page's, not the article's.
ENGLISH = frozenset("""
the a an of to in on at by for with from and or but is are was were be been has have had
will would it its this that as not he she they we i you said
""".split())

# A unit of at least this many words is prose even without a final period.
PROSE_WORDS = 20
# A body paragraph starts the article proper; what comes before is its header.
BODY_WORDS = 8
# Bylines are looked for only this close to the top of the page.
HEADER_UNITS = 15
# A caption is at most this long; a one-sentence caption may run to CAPTION_SENTENCE.
CAPTION_WORDS = 40
CAPTION_SENTENCE = 70
# A standfirst without its period still reads as a sentence when this long, and is
# looked for only among the first few paragraphs kept.
STANDFIRST_WORDS = 12
STANDFIRST_DECKS = 2
# A line is hard-wrapped when the next line's first word would not have fitted on it:
# its length and that word's reach at least this share of the block's longest line.
WRAP_SHARE = 0.85
# A teaser is given in full within this many paragraphs below it.
TEASER_REACH = 4
# An agency caption (dated picture, background, credit) runs to this many sentences.
AGENCY_CAPTION_SENTENCES = 3
# A caption's credit may sit this many lines below it (name, slash, agency).
CREDIT_REACH = 3
# A caption restated by the paragraph under it opens with the same words and shares
# most of its words with it.
RESTATED_OPENING = 3
RESTATED_SHARE = 0.7


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


_SPACES = re.compile(r"[^\S\n]{2,}|[^\S\n ]")


def normalize(text: str) -> str:
    """Unicode NFC, one kind of newline, no invisible characters, single spaces in lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    # Every run of spaces but newlines becomes one space; a single space is one already,
    # and is not replaced (most of a page's spaces).
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def line_key(text: str) -> str:
    """What two lines must share to be the same line: their words, case aside."""
    return " ".join(WORD.findall(text)).lower()  # lowered once: the same, letter by letter


def _unit(text: str) -> _Unit:
    return _Unit(text, line_key(text), len(text.split()), _ends_sentence(text))


_CLOSERS = "\"'”’»)]"


def _ends_sentence(text: str) -> bool:
    """SENTENCE_END's search, read from the end: a stop, then closing marks only."""
    if text.endswith("\n"):  # where "$" also matches
        text = text[:-1]
    return text.rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…")


def _units(text: str) -> list[_Unit]:
    """Paragraph-sized units. Hard-wrapped lines are joined back into paragraphs."""
    units: list[_Unit] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line]
        width = max((len(line) for line in lines), default=0)
        merged: list[str] = []
        for previous, line in zip([None, *lines], lines, strict=False):
            if merged and previous and _continues(merged[-1], previous, line, width):
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        units += [_unit(line) for line in merged]
    return units


def _continues(merged: str, previous: str, line: str, width: int) -> bool:
    """Is `line` the wrapped continuation of the paragraph `merged` (last line `previous`)?"""
    if _ends_sentence(merged) or BULLET.match(line) or _ends_with_credit(merged):
        return False
    if line[:1].islower():
        return True
    # A long line cut mid-sentence reads like prose; a headline is in title case, and
    # a line broken well short of the block's width was broken by the page, not by wrapping.
    words = merged.split()
    reach = len(previous) + 1 + len(line.split()[0])
    return (len(merged) >= 60 and len(words) >= PROSE_WORDS // 2
            and not merged.endswith(":") and not _title_case(words)
            and reach >= WRAP_SHARE * width)


def _ends_with_credit(text: str) -> bool:
    return bool(_at_end(PHOTO_CREDIT, text) or _at_end(WIRE_TAIL, text))


def _at_end(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """A search for a pattern that ends the text (a credit, a wire tail, an ellipsis), over its last
    TAIL_REACH characters only: every such match is shorter, and a long paragraph is not
    scanned from its first character. A text whose last character no match can end with
    (most prose ends with a full stop) is not scanned at all."""
    can_end = _CAN_END.get(pattern)
    last = text[-1:]
    if last.isspace():
        last = text.rstrip()[-1:]
    if can_end is not None and not (last and can_end(last)):
        return None
    start = max(0, len(text) - TAIL_REACH)
    while start and text[start - 1].isspace():  # a run of spaces is taken whole, so what
        start -= 1  # comes before it (a full stop, the start) is seen as before
    needs = _NEEDS.get(pattern)
    if needs is not None and not any(mark in text[start:] for mark in needs):
        return None
    return pattern.search(text, start)


# The last character (before trailing spaces) a match of an end-pattern can have. A photo
# credit ends with a bracket, a name or a label's text, never with ".", "!", "?", ":" or
# "("; a wire tail ends with a bracket, a letter or a dash. (The property test
# test_credits_are_found_at_the_end_as_a_whole_search_finds_them holds them to the search.)
_CAN_END: dict[re.Pattern[str], Callable[[str], bool]] = {
    PHOTO_CREDIT: lambda last: last not in ".!?:(",
    WIRE_TAIL: lambda last: last.isalpha() or last in ")-–—",
}
# Marks every match of an end-pattern holds, one of them at least: a photo credit is in
# brackets, names an agency and its photographer with a slash, or is labelled ("Photo: …").
_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {PHOTO_CREDIT: (")", "/", ":")}


def _title_case(words: list[str]) -> bool:
    long_words = [w for w in words if len(w) > 3]
    capitals = sum(1 for w in long_words if w[:1].isupper())
    return bool(long_words) and capitals / len(long_words) >= 0.6


def _page_words_only(text: str) -> bool:
    """Is the line made only of page vocabulary ("ShareFacebook Twitter", "Short Url https://…")?

    Numbers may stand beside page words ("3 min read"), not alone.
    """
    lower = text.lower()
    if "http" in lower or "www." in lower:
        text = URL.sub(" ", text)
    named = False
    for match in WORD.finditer(text):  # a line of prose stops at its first real word
        word = match.group()
        if word.isdigit():
            continue
        if not _page_word(word):
            return False
        named = True
    return named


@lru_cache(maxsize=100_000)
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


def _standfirst(unit: _Unit) -> bool:
    """A line under the headline written as a sentence, only without its final period.

    Headlines drop articles and auxiliaries ("Pakistan, Afghanistan in contact over
    visits, says spokesperson"); a standfirst keeps them ("The border has been closed…").
    """
    words = unit.text.split()
    return (unit.words >= STANDFIRST_WORDS and not _title_case(words)
            and (words[0].lower() in ("the", "a", "an")
                 or bool(re.search(r"\b(?:is|are|was|were|has|have|had|will|would)\b",
                                   unit.text, re.I))))


def _foreign(text: str) -> bool:
    """A line in another language: no common English word, several non-ASCII words."""
    if text.isascii():  # no non-ASCII word at all (a check of one flag, not of the text)
        return False
    words = WORD.findall(text)
    return (len(words) >= 5 and not any(w.lower() in ENGLISH for w in words)
            and sum(not w.isascii() for w in words) >= 2)


def _caption_like(text: str) -> bool:
    """Does the sentence read as a photo caption: no finite verb, or an agency photo's date?"""
    return not FINITE.search(text) or bool(CAPTION_DATE_END.search(text))


def _agency_caption(body: str) -> bool:
    """An agency's caption before its credit: a picture dated as agencies date them, then
    a sentence or two of background ("People are seen near their damaged homes … Saturday,
    May 11, 2024. Flash floods … killed dozens of people on Friday, a Taliban official
    said. (AP Photo/…)")."""
    if _sentences(body) > AGENCY_CAPTION_SENTENCES:
        return False
    first = body[:_first_sentence_end(body)].rstrip()
    return bool(CAPTION_DATE_END.search(first) or AGENCY_DATE_END.search(first))


def _first_sentence_end(text: str) -> int:
    found = re.search(r"[.!?][\"”’)]*\s+(?=[A-Z“\"‘'(])", text)
    return found.end() if found else len(text)


def _sentences(text: str) -> int:
    return 1 + len(SENTENCE_BREAK.findall(text))


def _short_caption(text: str, words: int | None = None) -> bool:
    """A caption's length: few words, or one sentence of some more (`words`, when the
    caller has counted them)."""
    words = len(text.split()) if words is None else words
    return words <= CAPTION_WORDS or (words <= CAPTION_SENTENCE and _sentences(text) == 1)


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

    captions: set[str] = set()  # a caption dropped once is dropped wherever it comes again
    credited: set[str] = set()  # a caption under its credit, which may come again with a tail

    def drop(unit: _Unit, reason: str) -> None:
        found.removed.append(Removal(unit.text, reason))
        if reason.startswith("photo caption"):
            captions.add(unit.key)
        if reason == CREDIT_FIRST_REASON and (credit := CREDIT_FIRST.match(unit.text)):
            credited.add(line_key(unit.text[credit.end():]))  # the caption alone, again

    for number, unit in enumerate(units):
        if not unit.key:
            drop(unit, "no words")
            continue
        if in_tail:
            _harvest_tail(unit, found)
            drop(unit, "after an end-of-article marker")
            continue
        if (stamp := dates.date_stamp(unit.text, PAGE_WORDS)) is not None:
            found.dates.append(stamp)
            drop(unit, "date stamp")
            continue
        if (peeled := _peel_front(unit.text, found)) != unit.text:
            unit = _unit(peeled)
        text = unit.text
        if not unit.key:
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
        if reason := _furniture(unit, found):
            drop(unit, reason)
            continue
        below = units[number + 1:number + 1 + CREDIT_REACH]
        if _caption_above_credit(unit, below):
            drop(unit, "photo caption (above its credit)")
            continue
        if _caption_restated(unit, below[:1]):
            drop(unit, "photo caption (the text below restates it)")
            continue
        if found.title and _caption_twice(unit, units[number].key, below[:1]):
            drop(unit, "photo caption (printed twice, with its credit)")
            continue
        if _teaser(unit, units[number + 1:number + 1 + TEASER_REACH]):
            drop(unit, "teaser (the paragraph follows in full)")
            continue
        if (trimmed := _trim_end(text, found)) != text:
            unit = _unit(trimmed)
        text = unit.text
        if not unit.key:
            continue
        if (byline := BYLINE.match(text)) and not unit.ends_sentence:
            found.author = found.author or byline["name"]
            drop(unit, "byline")
            continue
        if found.title and _repeats_title(unit, found.title, found.outlet):
            drop(unit, "repeated headline")
            continue
        if unit.key in seen:
            drop(unit, "repeated paragraph")
            continue
        # A caption dropped once goes wherever it comes again, its credit trimmed or not.
        if unit.key in captions or units[number].key in captions \
                or _caption_again(unit.key, credited):
            drop(unit, "photo caption (again)")
            continue
        if unit.words <= QUESTION_WORDS and QUESTION_HEADING.match(text):
            if not in_body and found.title is None:
                found.title = text
                drop(unit, "headline (kept as the title)")
            else:
                drop(unit, "sub-heading (a question)")
            continue
        tokens = set(unit.key.split())
        if unit.words >= BODY_WORDS and _near_any(tokens, recent):
            drop(unit, "repeated paragraph (near-identical)")
            continue
        if not _is_prose(unit) and (reason := _header_line(units, number, found, in_body,
                                                           len(kept))):
            drop(unit, reason)
            continue

        text = _strip_prefixes(text, found, lead=not kept)
        seen[unit.key] = number
        recent = [*recent[-19:], tokens]
        kept.append(text)
        if unit.words >= BODY_WORDS:
            in_body = True
    return kept


def _header_line(units: list[_Unit], number: int, found: _Findings, in_body: bool,
                 kept: int) -> str | None:
    """Why a line that is not a sentence is dropped (a byline, the headline, a label),
    or None for a standfirst, which is prose that only lacks its period."""
    unit = units[number]
    if number < HEADER_UNITS and _looks_like_name(unit.text) and _near_author_cue(units, number):
        found.author = found.author or unit.text
        return "byline"
    if not in_body and found.title is None and _headline(unit):
        found.title = _headline_text(unit.text)
        return "headline (kept as the title)"
    # A standfirst (and a second deck) sits under the headline; further down, an
    # unfinished line is a sub-heading or an excerpt cut short.
    # A bulleted line there is one of the story's highlights, in fragments.
    if (kept < STANDFIRST_DECKS and found.title is not None and _standfirst(unit)
            and not BULLET.match(unit.text)):
        return None
    if found.outlet and unit.key == line_key(found.outlet):
        return "outlet name"
    return "heading or label, not a sentence"


def _caption_above_credit(unit: _Unit, below: Sequence[_Unit]) -> bool:
    """A short sentence that reads as a caption, with a photo credit line right under it
    (perhaps after the photographer's name and a lone slash: "Joseph Prezioso", "/",
    "AFP/Getty Images"), or the same caption again with its credit ("… situation. (AP
    Archive)")."""
    if not (unit.ends_sentence and _short_caption(unit.text, unit.words)) or not below:
        return False
    following = below[0].text
    if following.startswith(unit.text) and following != unit.text:
        return bool(PHOTO_CREDIT.match(following[len(unit.text):]))
    # Whether a credit comes first (the cheaper test), then whether this reads as a caption.
    for line in below:
        if PHOTO_CREDIT.match(line.text):
            return _caption_like(unit.text)
        if not (_looks_like_name(line.text) or not line.key):
            return False
    return False


def _caption_restated(unit: _Unit, below: Sequence[_Unit]) -> bool:
    """A one-sentence caption that the paragraph right under it restates at more length:
    "People gather beside a burnt truck…" above "People gather beside a truck burned by
    Afghan forces shelling in Chaman, a town in…". The paragraph keeps every fact."""
    if not below or not unit.ends_sentence or unit.words > CAPTION_WORDS \
            or _sentences(unit.text) != 1:
        return False
    mine, theirs = unit.key.split(), below[0].key.split()
    if len(theirs) <= len(mine) or mine[:RESTATED_OPENING] != theirs[:RESTATED_OPENING]:
        return False
    return len(set(mine) & set(theirs)) >= RESTATED_SHARE * len(set(mine))


def _caption_twice(unit: _Unit, raw_key: str, below: Sequence[_Unit]) -> bool:
    """A short caption printed twice in a row, the picture's alt text and then its caption,
    with its credit after its last sentence (CREDIT_AFTER_SENTENCE). Prose repeated is
    dropped once, as a repeated paragraph; this is dropped both times."""
    return (bool(below) and below[0].key == raw_key and not unit.ends_sentence
            and _short_caption(unit.text) and bool(CREDIT_AFTER_SENTENCE.search(unit.text)))


def _teaser(unit: _Unit, later: Sequence[_Unit]) -> bool:
    """A paragraph cut short with an ellipsis that a paragraph just below gives in full."""
    stripped = unit.text.rstrip()  # TEASER_END matches just where it ends with an ellipsis
    if not (stripped.endswith("...") or stripped.endswith("…")):
        return False
    cut = line_key(TEASER_END.sub("", unit.text))
    return len(cut.split()) >= BODY_WORDS and any(
        u.key.startswith(cut) and u.words > len(cut.split()) for u in later)


def _furniture(unit: _Unit, found: _Findings) -> str | None:
    """Why a whole line is page furniture by what it says, or None."""
    text = unit.text
    lower = text.lower()
    strong = len(LEGAL_STRONG.findall(text)) if any(map(lower.__contains__, LEGAL_HINTS)) \
        else 0
    if strong and (strong + len(LEGAL_WEAK.findall(text)) >= 2 or unit.words <= 6):
        return "legal disclaimer"
    # Cheap tests first: most lines are long prose, which no short-line pattern needs to scan.
    if unit.words <= CAPTION_WORDS and NOTE_START.match(text) and EDITORIAL_NOTE.search(text):
        return "editorial note"
    if unit.words <= CAPTION_WORDS and FOLLOW_AUTHOR.search(text):
        return "author's note" if unit.words > 15 else "share, navigation or comment prompt"
    if unit.words <= CAPTION_WORDS and FOLLOW_OUTLET.match(text):
        return "share, navigation or comment prompt"
    if unit.words <= CAPTION_WORDS and NEWS_PROMO.match(text):
        return "share, navigation or comment prompt"
    if unit.words <= SUBSCRIBE_WORDS and not unit.ends_sentence and SUBSCRIBE_END.search(text):
        return "share, navigation or comment prompt"
    if unit.words <= 20 and _developing(text):
        return "breaking-news notice"
    if (text.startswith("©") and (credit := CREDIT_FIRST.match(text))
            and _short_caption(text[credit.end():])):
        return CREDIT_FIRST_REASON
    if ((unit.words <= 15 and PROMO_ANYWHERE.search(text))
            or (PROMO_START.match(text) and (unit.words <= 15 or not unit.ends_sentence))
            or _page_words_only(text)):
        return "share, navigation or comment prompt"
    if unit.words <= 20 and MEDIA_NOTICE.search(text):
        return "advertisement or player notice"
    if IMAGE_PLACEHOLDER.match(text) or PHOTO_CREDIT.match(text):
        return "image placeholder or photo credit"
    if CAPTION_START.match(text) and _short_caption(text):
        return "photo caption"
    if AFP_HINT.search(text) and AFP_CAPTION.match(text):
        return "photo caption (an agency's: the picture's date, then background)"
    if (unit.words <= CAPTION_WORDS and PICTURE_POSITION.search(text)
            and _caption_like(PICTURE_POSITION.sub("", text))):  # "(left)" is no verb
        return "photo caption"
    if STAMP_LABEL.match(text) and unit.words <= 25 and dates.find_dates(text):
        found.dates += [DateCandidate(value, "stamp", text, dates.WEIGHTS["stamp"])
                        for value, _ in dates.find_dates(text)[:1]]
        return "date stamp"
    if _foreign(text):
        return "not in the article's language"
    return None


def _peel_front(text: str, found: _Findings) -> str:
    """Cut date stamps and UI labels glued to the front of a paragraph."""
    while True:
        if (lead := dates.leading_stamp(text)) is not None:
            candidate, end = lead
            found.dates.append(candidate)
            found.removed.append(Removal(candidate.evidence, "date stamp"))
            text = text[end:]
        elif label := GLUED_LABEL.match(text):
            found.removed.append(Removal(label.group(0).strip(), "page label"))
            text = text[label.end():]
        elif (first := _first_break(text, NOTICE_WORDS)) \
                and _media_notice(text[:first.start() + 1]):
            found.removed.append(Removal(text[:first.end()].strip(),
                                         "advertisement or player notice"))
            text = text[first.end():]
        else:
            return text


def _developing(text: str) -> bool:
    """Is every sentence of the text a breaking-news notice (DEVELOPING)?"""
    stripped = text.strip()
    # Every notice opens with one of these words; a line in ASCII that opens otherwise is
    # none, and is not split. (Other text is, as "İ" and "ſ" are "i" and "s" to the pattern.)
    opening = stripped[:_NOTICE_REACH].lower().split(" ", 1)[0]
    if stripped.isascii() and opening not in _NOTICE_OPENINGS:
        return False
    sentences = [part for part in SENTENCE_BREAK.split(stripped) if part.strip()]
    return bool(sentences) and all(DEVELOPING.fullmatch(part.strip()) for part in sentences)


_NOTICE_OPENINGS = frozenset(("this", "please", "check", "follow", "stay", "refresh"))
_NOTICE_REACH = max(map(len, _NOTICE_OPENINGS)) + 1  # the longest opening and its space


NOTICE_WORDS = 20  # an advertisement's or a player's notice is no longer


def _media_notice(sentence: str) -> bool:
    return len(sentence.split()) <= NOTICE_WORDS and bool(MEDIA_NOTICE.search(sentence))


_STOP = re.compile(r"[.!?]")


def _first_break(text: str, words: int) -> re.Match[str] | None:
    """SENTENCE_BREAK's first match when the sentence before it has at most `words` words,
    else None: only the opening words are read. (A match starts at its stop, so the first
    stop where it matches is where the search would find it.)"""
    parts = text.split(maxsplit=words)
    reach = len(text) - len(parts[words]) if len(parts) > words else len(text)
    for stop in _STOP.finditer(text, 0, reach):
        if found := SENTENCE_BREAK.match(text, stop.start()):
            return found
    return None


def _trim_end(text: str, found: _Findings) -> str:
    """Cut photo captions, wire tails and editorial notes off the end of a paragraph.

    A short paragraph that ends with a photo credit is all caption; a long one
    loses its credit, and its last sentence when that reads as a caption. A wire
    credit after the last sentence is cut, unless what it follows is a caption.
    """
    def cut(at: int, reason: str) -> str:
        found.removed.append(Removal(text[at:].strip(), reason))
        return text[:at].rstrip()

    while True:
        if credit := _at_end(PHOTO_CREDIT, text) or _credit_by(text):
            body = text[:credit.start()].rstrip()
            if not body or _short_caption(body) or _agency_caption(body):
                return cut(0, "photo caption" if body else "photo credit")
            last = _last_sentence(body)
            if _caption_like(body[last:]):
                text = cut(last, "photo caption")
            else:
                text = cut(credit.start(), "photo credit")
        elif tail := _at_end(WIRE_TAIL, text):
            body = text[:tail.start()].rstrip()
            if body and _sentences(body) == 1 and _short_caption(body) and _caption_like(body):
                return cut(0, "photo caption")
            text = cut(tail.start(), "wire credit")
        elif "(@" in text and (post := _at_end(POST_CREDIT, text)):
            text = cut(post.start(), "embedded post's credit")
        elif (text.rstrip().endswith(")")
              and (note := EDITORIAL_NOTE_END.search(text))
              and EDITORIAL_NOTE.search(note.group(0))):
            text = cut(note.start(), "editorial note")
        elif notice := _last_sentence_notice(text):
            text = cut(*notice)
        else:
            return text


def _credit_by(text: str) -> re.Match[str] | None:
    """CREDIT_BY's search, only in a text that has one of the words every match has. (A
    text that is not ASCII is searched whole: "İmage" is "image" to a search that ignores
    case, but not once lowered.)"""
    if text.isascii() and not any(map(text.lower().__contains__, _CREDIT_WORDS)):
        return None
    return CREDIT_BY.search(text)


_CREDIT_WORDS = ("photo", "image", "picture")  # what every CREDIT_BY match names


def _last_sentence_notice(text: str) -> tuple[int, str] | None:
    """Where a last sentence that is an advertisement, player or breaking-news notice
    begins, and which it is (a paragraph of one sentence is not cut here)."""
    start = _last_sentence(text)
    if not start:
        return None
    if _media_notice(text[start:]):
        return start, "advertisement or player notice"
    if _developing(text[start:]):
        return start, "breaking-news notice"
    return None


def _last_sentence(text: str) -> int:
    """Where the paragraph's last sentence begins (0 when it has only one)."""
    # Read from the end: the last stop where SENTENCE_BREAK matches is its last match (a
    # match holds one stop, at its start, so none hides another).
    end = len(text)
    while (at := max(text.rfind(".", 0, end), text.rfind("!", 0, end),
                     text.rfind("?", 0, end))) >= 0:
        if found := SENTENCE_BREAK.match(text, at):
            return found.end()
        end = at
    return 0


def _headline_text(text: str) -> str:
    """The headline without the breadcrumb trail before it ("Home / World / …"), or one
    glued to its first word ("HomeWorldTomatoes at PKR 700 a kilo")."""
    crumbs = BREADCRUMB.match(text)
    if crumbs:
        return text[crumbs.end():]
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    parts = CAMEL.split(first)
    if len(parts) > 1 and all(part.lower() in PAGE_WORDS for part in parts[:-1]):
        return text[text.index(first) + len(first) - len(parts[-1]):]
    return text


@lru_cache(maxsize=64)
def _title_key(title: str) -> tuple[str, int]:
    """A headline's (or an outlet's) line key and its number of words: every line of its
    page is compared with it."""
    return line_key(title), len(title.split())


def _repeats_title(unit: _Unit, title: str, outlet: str | None) -> bool:
    """Is the line the headline again, perhaps with the outlet or a section label beside it?"""
    title_key, title_words = _title_key(title)
    if unit.key == title_key:
        return True
    if outlet:
        outlet_key = _title_key(outlet)[0]
        if unit.key in (f"{title_key} {outlet_key}", f"{outlet_key} {title_key}"):
            return True
    extra = unit.words - title_words
    return (len(title_key.split()) >= 5 and 0 < extra <= 4 and not unit.ends_sentence
            and (unit.key.startswith(title_key + " ") or unit.key.endswith(" " + title_key)))


def _strip_prefixes(text: str, found: _Findings, lead: bool) -> str:
    """Remove list bullets, wire credits and datelines from the start of a paragraph."""
    if bullet := BULLET.match(text):
        text = text[bullet.end():]
    if (dateline := DATELINE.match(text)) and _is_dateline(dateline, lead):
        source = "" if _place_qualifier(dateline) else (
            dateline["source"] or dateline["wire"] or dateline["slashed"] or "").strip()
        if source and not DESK.search(source):
            found.outlet = found.outlet or source
        reason = "wire credit" if source else "dateline"
        found.removed.append(Removal(dateline.group(0).strip(), reason))
        text = text[dateline.end():]
    return text


def _is_dateline(match: re.Match[str], lead: bool) -> bool:
    """Does the matched front of a paragraph hold a place, a credit or both, and stand apart?"""
    source = match["source"]
    if source and len(source.split()) > 6:
        return False
    # Text following with no colon or dash needs a date or a bare credit before it:
    # "ISPR (Inter-Services Public Relations) Director…" is prose.
    spaced = not match["sep"].strip()
    if spaced and (match["caps"] or match["mixed"]) and not match["when"]:
        return False
    if match["mixed"]:
        # "Kabul, Jan 6:" anywhere; "Peshawar:" or "Kabul (AP) —" only on the lead.
        return bool(match["when"]) or lead
    return bool(source or match["wire"] or match["slashed"] or match["caps"])


def _place_qualifier(match: re.Match[str]) -> bool:
    """'Islamabad (Pakistan):' names a country, not an outlet."""
    source = match["source"] or ""
    return ":" in match["sep"] and bool(re.fullmatch(r"[A-Z][a-z]+", source))


def _harvest_tail(unit: _Unit, found: _Findings) -> None:
    """The page's tail is not article text, but it may still date the article."""
    if (stamp := dates.date_stamp(unit.text)) is not None:
        found.dates.append(stamp)
    elif IDENTIFIER.match(unit.text) and (embedded := dates.identifier_date(unit.text)):
        found.dates.append(embedded)


def _caption_again(key: str, captions: set[str]) -> bool:
    """Does a paragraph repeat a caption dropped with its credit first, with at most
    CAPTION_AGAIN_TAIL words after it that name, not tell (a source, a date, a button; no
    verb)? A lead that restates the caption tells more ("…, officials said")."""
    return any(key.startswith(c + " ") and key.count(" ") - c.count(" ") <= CAPTION_AGAIN_TAIL
               and not FINITE.search(key[len(c):]) for c in captions)


def _near_author_cue(units: list[_Unit], number: int) -> bool:
    neighbours = units[max(0, number - 1): number + 2]
    return any(AUTHOR_CUE.search(u.text) or BYLINE.match(u.text) for u in neighbours
               if u is not units[number])


NEAR_IDENTICAL = 0.9  # share of their words two paragraphs have in common (Jaccard)


def _near_any(tokens: set[str], recent: Sequence[set[str]]) -> bool:
    """Does `tokens` share NEAR_IDENTICAL of its words (the Jaccard _overlap) with one of
    `recent`? Sets whose sizes differ more cannot (the overlap is at most the smaller size
    over the larger), and are not compared; a page's every paragraph is compared with the
    twenty before it, so the tests are written out."""
    n = len(tokens)
    for other in recent:
        m = len(other)
        small, large = (n, m) if n <= m else (m, n)
        if not small or small / large < NEAR_IDENTICAL:
            continue
        shared = len(tokens & other)
        if shared / (n + m - shared) >= NEAR_IDENTICAL:
            return True
    return False


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0

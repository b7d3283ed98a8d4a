"""Frozen records passed from one stage to the next.

Data flows one way: ingest → clean → text → themes → summarize → render. Each
stage takes the previous stage's records and returns new ones; nothing is
mutated after construction, so any stage can be tested on hand-made input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from sys import intern

Day = date  # for annotations inside classes that have a field called `date`


@dataclass(frozen=True)
class Skipped:
    """An input file that could not be used, and why (shown in the brief)."""

    file: str
    reason: str


@dataclass(frozen=True)
class RawDocument:
    """What a reader found in one file, before any cleaning.

    `meta_*` fields come from structured metadata (HTML `<meta>` tags) and are
    only hints: cleaning weighs them against what the text itself says.
    """

    id: str
    path: str
    text: str
    encoding: str
    modified: datetime | None = None
    meta_title: str | None = None
    meta_date: str | None = None
    meta_outlet: str | None = None
    meta_author: str | None = None
    published_at: datetime | None = None  # a publication instant the feed or page states


@dataclass(frozen=True, slots=True)
class Removal:
    """One stretch of text that cleaning dropped, kept for inspection."""

    text: str
    reason: str


@dataclass(frozen=True)
class Copy:
    """Another outlet's copy of an article (a syndicated wire story): cited with it."""

    id: str
    outlet: str | None
    title: str | None


@dataclass(frozen=True)
class Article:
    """A cleaned article: the body holds only the article's own prose."""

    id: str
    path: str
    title: str | None
    outlet: str | None
    author: str | None
    published: date | None  # the day, in the outlet's own reckoning
    date_note: str
    body: str
    removed: tuple[Removal, ...] = ()
    modified: datetime | None = None  # when the file changed, or the page was fetched
    copies: tuple[Copy, ...] = ()
    published_at: datetime | None = None  # the instant, when the feed or page gives a time

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence, addressed by its article and its position in it.

    `text == article.body[start:end]` always holds: a sentence is a verbatim
    slice of its cleaned article, never a rewrite.
    """

    article: str
    index: int
    text: str
    start: int
    end: int
    paragraph: int
    stems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_arrived, (self.article, self.index, self.text, self.start, self.end,
                           self.paragraph, self.stems))


def _arrived(article: str, index: int, text: str, start: int, end: int, paragraph: int,
             stems: tuple[str, ...]) -> Sentence:
    """A sentence unpickled from a worker, its stems sharing one string each with the rest
    of the day's sentences, as they did where they were made."""
    return Sentence(article, index, text, start, end, paragraph, tuple(map(intern, stems)))


@dataclass(frozen=True, slots=True)
class Why:
    """Why a sentence got its theme: the evidence for that theme (or the best one)."""

    best: str = ""  # the theme with the most evidence, even when it stays below the threshold
    terms: tuple[str, ...] = ()  # the theme's terms found in the sentence itself
    context: float = 0.0  # what its neighbours, its article's headline and themes added
    learned: float = 0.0  # what the model learnt from the day's text added
    total: float = 0.0  # own + context + learned - against, compared with summary.theme_threshold
    story: str = ""  # whether the sentence is about the story, and why
    place: str = "on"  # "on" the story, "outside" it (one side and the world), or "off" it
    own: float = 0.0  # what its own terms added (the weighted `terms`)
    against: float = 0.0  # the evidence that it is about no theme, the threshold aside


@dataclass(frozen=True, slots=True)
class ThemedSentence:
    """A sentence with its score for every theme and the theme it belongs to.

    `scores` are the sentence's own terms' weights per theme; `why` says what
    else counted (context, the learned model, the story) for the chosen theme.
    """

    sentence: Sentence
    scores: dict[str, float]
    theme: str  # a theme key, or OTHER
    why: Why = field(default_factory=Why)


OTHER = "other"


@dataclass(frozen=True)
class Citation:
    """Where an item's text comes from: article id and sentence index.

    `until`, when set, is a later sentence of the same article: the item quotes
    the sentences from `sentence` through `until` (a sentence that leans on the
    one before it comes with it).
    """

    article: str
    sentence: int
    until: int | None = None


@dataclass(frozen=True)
class Item:
    """One line of the brief: a verbatim sentence and every article that says it."""

    text: str
    score: float
    sources: tuple[Citation, ...]
    theme: str
    status: str | None = None  # "new" or "continuing" once compared with earlier briefs


@dataclass(frozen=True)
class Section:
    theme: str
    label: str
    description: str
    items: tuple[Item, ...]
    salience: float
    sentences: int  # sentences of the day that belong to this theme
    # of them, those already in the brief above (key points, earlier sections) or their
    # near-duplicates: when every one is, an empty section says so; when some are not, they
    # could not be quoted on their own
    quoted_above: int = 0


@dataclass(frozen=True)
class ArticleInfo:
    """What the brief says about each article it read."""

    id: str
    title: str | None
    outlet: str | None
    published: date | None
    date_note: str
    relevant: bool
    sentences: int
    copies: tuple[Copy, ...] = ()
    published_at: datetime | None = None
    relevance: str = ""  # why the article is (or is not) about the story


@dataclass(frozen=True)
class DayVolume:
    """How much of a day's reporting fell under each theme (sentences per theme)."""

    day: date
    counts: dict[str, int]
    has_brief: bool


@dataclass(frozen=True)
class Origin:
    """Where a brief's articles came from, so it can be made again from the same place.

    `kind` is "folder" (every article file in `location`) or "archive" (the
    article archive at `location`, the articles of the window since..until).
    """

    kind: str
    location: str
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Brief:
    title: str
    date: date
    generated_at: datetime
    key_points: tuple[Item, ...]
    sections: tuple[Section, ...]
    articles: tuple[ArticleInfo, ...]
    skipped: tuple[Skipped, ...]
    sentences_considered: int
    window: str = ""  # which articles the brief covers, when not all of the folder
    outside_window: int = 0  # articles left out because they are older than the window
    compared_with: Day | None = None  # the latest earlier brief items were compared with
    volume: tuple[DayVolume, ...] = ()  # reporting per theme over the last days, for the chart
    origin: Origin | None = None  # where the articles came from (None: not recorded)
    first_day: Day | None = None  # a report over several days starts here; None: one day

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item of the brief: key points first, then each section's in order."""
        return (*self.key_points, *(i for s in self.sections for i in s.items))

    @property
    def relevant_articles(self) -> tuple[ArticleInfo, ...]:
        return tuple(a for a in self.articles if a.relevant)

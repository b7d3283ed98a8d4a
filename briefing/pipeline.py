"""The one place that chains the stages: a folder of files becomes a Brief.

ingest → clean → text → themes → compose. Each function here returns plain
records, so the CLI, the scheduler and the web app share one path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from briefing import ingest
from briefing.clean import clean
from briefing.compose import compose
from briefing.config import Settings
from briefing.models import Article, Brief, Sentence, Skipped, ThemedSentence
from briefing.text import sentence_tokenizer, split_article
from briefing.themes import compile_themes, theme_sentences

log = logging.getLogger(__name__)


class NoUsableArticles(Exception):
    """Nothing in the input could be used; the message lists why."""


@dataclass(frozen=True)
class Reading:
    """The day's input after cleaning and splitting: what every later stage reads."""

    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    skipped: tuple[Skipped, ...]


def read(folder: Path, settings: Settings) -> Reading:
    """Ingest, clean and split a folder. Files with no usable text become skips."""
    documents, skipped = ingest.read_folder(folder, int(settings.max_file_mb * 1_000_000))
    cleaned = [clean(d) for d in documents]
    tokenizer = sentence_tokenizer([a.body for a in cleaned if a.body], settings.punkt,
                                   settings.abbreviations)
    articles: list[Article] = []
    sentences: list[Sentence] = []
    for article in cleaned:
        split = split_article(article, tokenizer) if article.body else []
        if not split:
            reason = "no article sentences after removing page boilerplate"
            log.warning("skipped %s: %s", article.id, reason)
            skipped.append(Skipped(article.id, reason))
            continue
        articles.append(article)
        sentences.extend(split)
    log.info("read %d articles, %d sentences; skipped %d files",
             len(articles), len(sentences), len(skipped))
    return Reading(tuple(articles), tuple(sentences), tuple(skipped))


def require_articles(reading: Reading, folder: Path) -> None:
    if reading.articles:
        return
    if not reading.skipped:
        raise NoUsableArticles(f"no article files in {folder} (looked for "
                               f"{' '.join(sorted(ingest.READERS))})")
    reasons = "; ".join(f"{s.file}: {s.reason}" for s in reading.skipped[:5])
    more = f" (and {len(reading.skipped) - 5} more)" if len(reading.skipped) > 5 else ""
    raise NoUsableArticles(f"no usable article in {folder}: {reasons}{more}")


def theme(sentences: Sequence[Sentence], settings: Settings) -> list[ThemedSentence]:
    return theme_sentences(sentences, compile_themes(settings.themes),
                           settings.summary.theme_threshold)


def make_brief(folder: Path, settings: Settings, day: date, now: datetime) -> Brief:
    """Read `folder` and compose the day's brief; raises NoUsableArticles when nothing is usable."""
    reading = read(folder, settings)
    require_articles(reading, folder)
    themed = theme(reading.sentences, settings)
    brief = compose(themed, reading.articles, reading.skipped, settings, day, now)
    log.info("composed %d key points and %d items in %d sections",
             len(brief.key_points), sum(len(s.items) for s in brief.sections),
             len(brief.sections))
    return brief

"""Does each item of a brief read on its own, and does it belong to its section?

Two counts per brief, both with a target of zero:

- items that open with a connective, a pronoun or a reference whose antecedent
  the item does not carry ("Moreover, …", "The delegation stressed…", "Khan said…"),
  judged by briefing/standalone.py over the item's article;
- items off their section's theme: the hand label of the quoted sentence is not
  the item's theme (on the seeds' labels and the development set's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from benchmarks.align import PredictedSentence, align
from benchmarks.devset import read_split
from benchmarks.themes import seed_themes
from briefing import pipeline
from briefing.config import Settings
from briefing.models import Brief, Citation, Item, Sentence
from briefing.source import FolderSource
from briefing.standalone import dependences
from briefing.text import words
from scripts.devset_check import key

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Readability:
    name: str
    items: int
    leaning: tuple[str, ...]  # the items that do not stand alone, with the reason
    off_theme: tuple[str, ...]  # the items whose sentence's label is another theme
    pages: int | None = None  # of the PDF, when one was rendered


def quoted(citation: Citation) -> int:
    """The index of the sentence an item is about (the last of a quoted span)."""
    return getattr(citation, "until", None) or citation.sentence


def judge(name: str, brief: Brief, sentences: Sequence[Sentence],
          labels: Mapping[tuple[str, int], str], pages: int | None = None) -> Readability:
    by_article: dict[str, list[Sentence]] = defaultdict(list)
    for s in sentences:
        by_article[s.article].append(s)
    reasons = {(a, s.index): d.reason for a, group in by_article.items()
               for s, d in zip(group, dependences(group), strict=True)}
    leaning, off = [], []
    for item in brief.items:
        first = item.sources[0]
        if reason := reasons.get((first.article, first.sentence), ""):
            leaning.append(f"{_short(item)} ({reason})")
        label = labels.get((first.article, quoted(first)))
        if label is not None and label != item.theme:
            off.append(f"{_short(item)} (labelled {label}, shown under {item.theme})")
    return Readability(name, len(brief.items), tuple(leaning), tuple(off), pages)


def _short(item: Item) -> str:
    text = " ".join(item.text.split())
    return text if len(text) <= 70 else text[:67] + "…"


def seeds(settings: Settings, now: datetime) -> Readability:
    reading = FolderSource(ROOT / "seeds").read(settings).reading
    brief = pipeline.brief_of(reading, settings, now.date(), now)
    gold = seed_themes()
    labels = {(s.article, s.index): gold[(s.article, s.text)] for s in reading.sentences
              if (s.article, s.text) in gold}
    return judge("seeds", brief, reading.sentences, labels, _pages(brief, settings))


def devset(folder: Path, settings: Settings, split: str, partial: bool = False) -> Readability:
    articles, brief = read_split(folder, split, settings, partial=partial)
    labels: dict[tuple[str, int], str] = {}
    sentences: list[Sentence] = []
    for a in articles:
        result = align(a.gold, [PredictedSentence(key(t.sentence.text),
                                                  tuple(words(t.sentence.text)))
                                for t in a.themed])
        for t, main in zip(a.themed, result.main_gold, strict=True):
            sentences.append(t.sentence)
            if main is not None:
                labels[(t.sentence.article, t.sentence.index)] = a.labels[main].label
    return judge(f"development set, {split} half", brief, sentences, labels)


def _pages(brief: Brief, settings: Settings) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    from briefing.render import render_html, render_pdf

    return len(PdfReader(BytesIO(render_pdf(render_html(brief, settings), settings))).pages)


def table(reports: Sequence[Readability], verbose: bool = False) -> str:
    lines = ["### Items that stand alone and belong to their section", "",
             "| brief | items | open with a connective or an unresolved reference "
             "| off their section's theme | PDF pages |", "|---|---:|---:|---:|---:|"]
    for r in reports:
        lines.append(f"| {r.name} | {r.items} | {len(r.leaning)} | {len(r.off_theme)} | "
                     f"{r.pages if r.pages is not None else '—'} |")
    if verbose:
        for r in reports:
            for text in (*r.leaning, *r.off_theme):
                lines.append(f"- {r.name}: {text}")
    return "\n".join(lines) + "\n"

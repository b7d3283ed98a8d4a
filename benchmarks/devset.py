"""Theme accuracy, article relevance and boilerplate on the Pakistan–Afghanistan development set.

    python -m benchmarks.devset LOCAL_FOLDER [--split dev|test|all] [--partial] [-v]

The labels are committed (benchmarks/data/devset/); the article text is not,
so this reads a local copy (a folder of NNN.txt files, checked first with
scripts/devset_check.py's functions). The split's articles are read through the
project's own source layer, as `briefing run --input` reads a day's folder,
themed, and composed into a brief, whose article list says which articles are
relevant. Predicted sentences are matched to the labelled ones by
benchmarks/align.py. Tune on `dev`; `test` is reported once, at the end.

Pages change and the stored copies they were rebuilt from come and go, so a copy
may lack some articles. `--partial` measures the articles it has and says which
it left out; compare figures only between runs on the same copy.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from benchmarks.align import EXACT, FUZZY, UNMATCHED, GoldSentence, PredictedSentence, align
from benchmarks.themes import ClassScores, class_scores, class_table
from briefing import pipeline, text
from briefing.config import Settings, load_settings
from briefing.models import OTHER, Brief, ThemedSentence
from briefing.source import LEARN_ARTICLES, FolderSource
from briefing.themes import Example
from scripts.devset_check import (
    DATA,
    FURNITURE,
    ArticleRow,
    Label,
    check,
    key,
    locate,
    read_articles,
    read_labels,
    summary,
    words,
)

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ("dev", "test", "all")
EXAMPLES = 20  # boilerplate lines listed in verbose mode
HOW_TO_GET = """The development set's text is not in this repository (third-party articles);
benchmarks/data/devset/README.md says how to make a local copy (a folder of NNN.txt files).
Check it with: python3 scripts/devset_check.py /path/to/copy
and run: make bench DEVSET=/path/to/copy"""


@dataclass(frozen=True)
class Line:
    """A predicted sentence that is not article prose, for the verbose listing."""

    article: str
    text: str


@dataclass(frozen=True)
class Outlet:
    id: str
    outlet: str


@dataclass(frozen=True)
class DevsetReport:
    split: str
    articles: int
    distractors: int
    themes: ClassScores  # over the gold theme and "other" sentences
    predicted: int  # sentences the pipeline made from the split's articles
    exact: int
    fuzzy: int
    unmatched: int
    gold: int  # gold theme and "other" sentences
    dropped: int  # of them, matched by no predicted sentence (scored as "other")
    dropped_themed: int  # of those, gold theme sentences: recall lost to cleaning
    not_located: int  # labelled sentences whose words the local copy lacks
    boilerplate: tuple[Line, ...]  # predicted sentences matching no prose
    relevance_precision: float
    relevance_recall: float
    false_relevant: tuple[Outlet, ...]  # distractors the brief counts as relevant
    missed: tuple[Outlet, ...]  # relevant articles the brief counts as not relevant
    left_out: tuple[str, ...] = ()  # the split's articles missing from a partial copy


@dataclass(frozen=True)
class LabelledArticle:
    """One article of the split: its labels, their words, and what the pipeline made of it."""

    row: ArticleRow
    labels: Sequence[Label]
    gold: Sequence[GoldSentence]  # the labels' keys and words, in the same order
    themed: Sequence[ThemedSentence]  # the pipeline's sentences of this article


def read_split(folder: Path, split: str, settings: Settings, data: Path = DATA,
               partial: bool = False, background: Sequence[Example] = ()
               ) -> tuple[list[LabelledArticle], Brief]:
    """The split's articles read, themed and composed as the pipeline does, beside their
    labels; `background` is what earlier days teach the themes (`archive_of`)."""
    rows, labels, reading = read_day(folder, split, settings, data, partial)
    # Syndicated copies' sentences are themed too: they are the copy's text, cited with
    # its lead, and a copy is as relevant as its lead.
    themed = pipeline.theme(with_copies(reading), settings, background).sentences
    brief = pipeline.brief_of(reading, settings, datetime.now().date(),
                              datetime.now().astimezone(), background=background)
    return labelled(folder, rows, labels, themed), brief


def read_day(folder: Path, split: str, settings: Settings, data: Path, partial: bool = False
             ) -> tuple[list[ArticleRow], list[Label], pipeline.Reading]:
    """The split's rows and labels and its articles read as a day. With `partial`, the rows
    whose file the copy lacks are left out (`left_out` names them); the articles it has
    must still hold their labelled sentences."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    rows = [r for r in read_articles(data) if split in ("all", r.split)]
    if not rows:
        raise SystemExit(f"the development set has no {split!r} articles: a fresh test part "
                         "joins it before it is measured (see benchmarks/data/devset/README.md)")
    if partial:
        rows = [r for r in rows if (folder / r.file).is_file()]
    labels = [label for label in read_labels(data) if label.article in {r.file for r in rows}]
    copy = check(folder, rows, labels)
    if not rows or not copy.ok:
        raise SystemExit(f"{folder} is not a usable copy of the development set:\n"
                         f"{summary(copy)}\n{HOW_TO_GET}")
    with tempfile.TemporaryDirectory() as tmp:
        for r in rows:  # only the split's files, as a day's input folder
            shutil.copyfile(folder / r.file, Path(tmp) / r.file)
        reading = FolderSource(Path(tmp)).read(settings).reading
    return rows, labels, reading


def with_copies(reading: pipeline.Reading) -> pipeline.Reading:
    return replace(reading, sentences=(*reading.sentences, *reading.support))


def labelled(folder: Path, rows: Sequence[ArticleRow], labels: Sequence[Label],
              themed: Sequence[ThemedSentence]) -> list[LabelledArticle]:
    out = []
    for r in rows:
        mine = [label for label in labels if label.article == r.file]
        text_words = words((folder / r.file).read_text(encoding="utf-8", errors="replace"))
        spans = [locate(text_words, label) for label in mine]
        gold = [GoldSentence(label.key, None if span is None
                             else tuple(text_words[span[0]:span[1]]))
                for label, span in zip(mine, spans, strict=True)]
        out.append(LabelledArticle(r, mine, gold,
                                   [t for t in themed if t.sentence.article == r.file]))
    return out


def small_days(folder: Path, settings: Settings, split: str = "dev",
               data: Path = DATA, partial: bool = False) -> tuple[DevsetReport, DevsetReport]:
    """Every article as a day of its own: themed from its own text only, then with the
    split's other articles standing in for the archive's earlier days (their sure
    sentences teach the model, as `summary.learn_days` does). A small day is where the
    day's own text is too thin to learn from."""
    rows, labels, reading = read_day(folder, split, settings, data, partial)
    days = {a.id: day_of(reading, a.id) for a in reading.articles}
    taught = {i: pipeline.learned_from(with_copies(day), settings) for i, day in days.items()}
    alone: list[ThemedSentence] = []
    helped: list[ThemedSentence] = []
    for i, day in days.items():
        background = [e for other, found in taught.items() if other != i for e in found]
        alone += pipeline.theme(with_copies(day), settings).sentences
        helped += pipeline.theme(with_copies(day), settings, background).sentences
    keys = [t.key for t in settings.themes]
    return (score(split, labelled(folder, rows, labels, alone), {}, keys),
            score(split, labelled(folder, rows, labels, helped), {}, keys))


def day_of(reading: pipeline.Reading, article: str) -> pipeline.Reading:
    return pipeline.only(reading, lambda a: a.id == article)


def small_days_table(alone: DevsetReport, helped: DevsetReport) -> str:
    lines = ["| theme | F1, the day's text only | F1, with the other articles as earlier days |",
             "|---|---:|---:|"]
    for a, h in zip(alone.themes.classes, helped.themes.classes, strict=True):
        lines.append(f"| {a.label} | {a.f1:.2f} | {h.f1:.2f} |")
    lines.append(f"| **macro-F1, themes + other** | **{alone.themes.macro_f1_all:.2f}** | "
                 f"**{helped.themes.macro_f1_all:.2f}** |")
    lines.append(f"| macro-F1, themes only | {alone.themes.macro_f1_themes:.2f} | "
                 f"{helped.themes.macro_f1_themes:.2f} |")
    return "\n".join(lines)


def relevance_of(brief: Brief) -> dict[str, bool]:
    """Each article's relevance in the brief, copies with their lead's."""
    out = {a.id: a.relevant for a in brief.articles}
    out.update({c.id: a.relevant for a in brief.articles for c in a.copies})
    return out


def archive_of(folder: Path, settings: Settings, data: Path = DATA, partial: bool = False
               ) -> tuple[Example, ...]:
    """The dev split's articles as the archive's earlier days: what their sure sentences
    teach the themes, as a scheduled brief learns from the days before it (at most
    source.LEARN_ARTICLES articles, the latest ids). No label is used."""
    _, _, reading = read_day(folder, "dev", settings, data, partial)
    latest = {a.id for a in sorted(reading.articles, key=lambda a: a.id)[-LEARN_ARTICLES:]}
    return pipeline.learned_from(with_copies(pipeline.only(reading, lambda a: a.id in latest)),
                                 settings)


def evaluate(folder: Path, settings: Settings, split: str = "dev",
             data: Path = DATA, partial: bool = False, archive: bool = False) -> DevsetReport:
    """The split measured as one day; with `archive` (the test split only), the dev split's
    articles stand for the earlier days in the archive (`archive_of`)."""
    if archive and split != "test":
        raise SystemExit("--archive measures the test split, with the dev split as its "
                         "earlier days; the dev split cannot be its own archive")
    background = archive_of(folder, settings, data, partial) if archive else ()
    articles, brief = read_split(folder, split, settings, data, partial, background)
    report = score(split, articles, relevance_of(brief), [t.key for t in settings.themes])
    return replace(report, left_out=left_out(folder, split, data))


def left_out(folder: Path, split: str, data: Path = DATA) -> tuple[str, ...]:
    """The split's articles that the copy lacks (measured without them only with --partial)."""
    return tuple(r.id for r in read_articles(data) if split in ("all", r.split)
                 and not (folder / r.file).is_file())


def score(split: str, articles: Sequence[LabelledArticle], relevance: dict[str, bool],
          themes: Sequence[str]) -> DevsetReport:
    """Compare what the pipeline made of each article (`relevance` by file) with its labels."""
    pairs: list[tuple[str, str]] = []
    kinds: list[str] = []
    boilerplate: list[Line] = []
    dropped = dropped_themed = not_located = 0
    for a in articles:
        result = align(a.gold, [PredictedSentence(key(t.sentence.text),
                                                  tuple(words(t.sentence.text)))
                                for t in a.themed])
        not_located += sum(g.words is None for g in a.gold)
        for label, match in zip(a.labels, result.gold_match, strict=True):
            if label.label == FURNITURE:
                continue
            if match is None:
                dropped += 1
                dropped_themed += label.label != OTHER
            pairs.append((label.label, OTHER if match is None else a.themed[match].theme))
        for t, kind, main in zip(a.themed, result.kind, result.main_gold, strict=True):
            kinds.append(kind)
            if main is None or a.labels[main].label == FURNITURE:
                boilerplate.append(Line(a.row.file, t.sentence.text))
    flags = [(a.row, relevance.get(a.row.file, False)) for a in articles]
    tp = sum(row.relevant and said for row, said in flags)
    said_relevant = sum(said for _, said in flags)
    relevant = sum(row.relevant for row, _ in flags)
    return DevsetReport(
        split=split,
        articles=len(articles),
        distractors=sum(not a.row.relevant for a in articles),
        themes=class_scores(pairs, [*themes, OTHER]),
        predicted=len(kinds),
        exact=kinds.count(EXACT),
        fuzzy=kinds.count(FUZZY),
        unmatched=kinds.count(UNMATCHED),
        gold=len(pairs),
        dropped=dropped,
        dropped_themed=dropped_themed,
        not_located=not_located,
        boilerplate=tuple(boilerplate),
        relevance_precision=tp / said_relevant if said_relevant else 0.0,
        relevance_recall=tp / relevant if relevant else 0.0,
        false_relevant=tuple(Outlet(row.id, row.outlet) for row, said in flags
                             if said and not row.relevant),
        missed=tuple(Outlet(row.id, row.outlet) for row, said in flags
                     if row.relevant and not said),
    )


def _outlets(found: Sequence[Outlet]) -> str:
    return ", ".join(f"{o.id} ({o.outlet})" for o in found) or "none"


def table(report: DevsetReport, verbose: bool = False) -> str:
    lines = class_table(report.themes)
    lines += [
        "",
        f"Sentences: {report.predicted} predicted; {report.exact} match a labelled sentence "
        f"exactly, {report.fuzzy} by word overlap, {report.unmatched} not at all. "
        f"{report.dropped} of the {report.gold} labelled theme and other sentences have no "
        f"match (scored as other; {report.dropped_themed} of them themed)"
        + (f"; {report.not_located} labelled sentences are not in the local copy"
           if report.not_located else "") + ".",
        "",
        f"Boilerplate that reaches `briefing sentences`: {len(report.boilerplate)} sentences "
        f"(matching no labelled sentence, or page furniture).",
        "",
        f"Article relevance ({report.articles} articles, {report.distractors} distractors): "
        f"precision {report.relevance_precision:.2f}, recall {report.relevance_recall:.2f}. "
        f"Distractors marked relevant: {_outlets(report.false_relevant)}. "
        f"Relevant articles marked not relevant: {_outlets(report.missed)}.",
    ]
    if report.left_out:
        lines += ["", f"Partial copy: {len(report.left_out)} of the split's articles are not in "
                  f"the local copy and were left out ({', '.join(report.left_out)})."]
    if verbose and report.boilerplate:
        lines += ["", "Boilerplate examples:", ""]
        lines += [f"- {b.article}: {b.text[:60]}" for b in report.boilerplate[:EXAMPLES]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the local copy: a folder of NNN.txt files")
    parser.add_argument("--split", choices=SPLITS, default="dev",
                        help="dev (default); test only once, at the end")
    parser.add_argument("--partial", action="store_true",
                        help="measure the articles the copy has, leaving out those it lacks")
    parser.add_argument("--archive", action="store_true",
                        help="with --split test: the dev split's articles as the earlier days "
                             "in the archive, which teach the themes (no labels used)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list boilerplate lines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    text.pretrained_parameters = lambda: None  # as on a fresh machine, as in make bench
    settings = load_settings(ROOT / "briefing.toml")
    report = evaluate(args.folder, settings, args.split, partial=args.partial,
                      archive=args.archive)
    print(f"### Development set, {report.split} split"
          + (", with the dev split as the archive's earlier days" if args.archive else "")
          + "\n")
    print(table(report, args.verbose))
    print(f"\n### Each article as a day of its own, {report.split} split\n")
    print(small_days_table(*small_days(args.folder, settings, args.split,
                                       partial=args.partial)))


if __name__ == "__main__":
    main()

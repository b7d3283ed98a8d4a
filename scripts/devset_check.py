"""Check a local copy of the Pakistan–Afghanistan development set against the committed keys.

    python3 scripts/devset_check.py LOCAL_FOLDER [--data benchmarks/data/devset] [-v]

The repository keeps only each article's URL and labels, and each labelled
sentence's key (the sha1 of its words) and first five tokens; the article text
is third-party material and stays outside it. A local copy is a folder of
NNN.txt files. This finds every labelled sentence in its article's text as a
contiguous run of words and exits 1 when a file is missing or fewer than 95%
of the keys are found. Standard library only, so it runs without the project.
The benchmark (benchmarks/devset.py) reads the labels through these functions.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "devset"
THEMES = ("recognition", "clashes", "talks", "trade")
OTHER = "other"
FURNITURE = "furniture"
LABELS = (*THEMES, OTHER, FURNITURE)
ENOUGH = 0.95  # share of keys a usable copy must contain
MAX_WORDS = 500  # no labelled sentence is longer (the longest has 90 words)


def words(text: str) -> list[str]:
    """A sentence's words as its key sees them: lower-cased runs of word characters."""
    return re.findall(r"\w+", text.lower())


def key(text: str) -> str:
    return hashlib.sha1(" ".join(words(text)).encode()).hexdigest()


@dataclass(frozen=True)
class ArticleRow:
    id: str  # "001"; its file is 001.txt
    url: str
    outlet: str
    relevant: bool
    reason: str  # why a distractor is not about Pakistan–Afghanistan relations
    split: str  # "dev" or "test"

    @property
    def file(self) -> str:
        return f"{self.id}.txt"


@dataclass(frozen=True)
class Label:
    article: str  # file name, "001.txt"
    index: int  # position among the sentences `briefing sentences` made when labelling
    key: str
    first: str  # first five whitespace tokens
    label: str
    note: str


def read_articles(data: Path = DATA) -> list[ArticleRow]:
    with (data / "articles.tsv").open(encoding="utf-8", newline="") as f:
        return [ArticleRow(r["id"], r["url"], r["outlet"], r["relevant"] == "yes", r["reason"],
                           r["split"]) for r in csv.DictReader(f, delimiter="\t")]


def read_labels(data: Path = DATA) -> list[Label]:
    rows = [json.loads(line) for line in
            (data / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [Label(r["article"], r["index"], r["key"], r["first"], r["label"], r["note"])
            for r in rows]


def locate(text_words: Sequence[str], label: Label) -> tuple[int, int] | None:
    """Where the labelled sentence's words run in `text_words`: (start, end), or None.

    Only the key and the first words are known, so every place the first words
    occur is tried, growing the run a word at a time until its hash is the key.
    """
    head = words(label.first)
    n = len(head)
    if not head:
        return (0, 0) if label.key == key("") else None
    for start in range(len(text_words) - n + 1):
        if list(text_words[start:start + n]) != head:
            continue
        digest = hashlib.sha1(" ".join(head).encode())
        if digest.hexdigest() == label.key:
            return start, start + n
        for end in range(start + n, min(len(text_words), start + MAX_WORDS)):
            digest.update(b" " + text_words[end].encode())
            if digest.copy().hexdigest() == label.key:
                return start, end + 1
    return None


@dataclass(frozen=True)
class ArticleCheck:
    file: str
    present: bool
    labels: int
    found: int


@dataclass(frozen=True)
class CopyCheck:
    articles: tuple[ArticleCheck, ...]

    @property
    def missing(self) -> list[str]:
        return [a.file for a in self.articles if not a.present]

    @property
    def labels(self) -> int:
        return sum(a.labels for a in self.articles)

    @property
    def found(self) -> int:
        return sum(a.found for a in self.articles)

    @property
    def share_found(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    @property
    def ok(self) -> bool:
        return not self.missing and self.share_found >= ENOUGH


def check(folder: Path, articles: Sequence[ArticleRow], labels: Sequence[Label]) -> CopyCheck:
    by_file: dict[str, list[Label]] = {}
    for label in labels:
        by_file.setdefault(label.article, []).append(label)
    results = []
    for row in articles:
        path = folder / row.file
        mine = by_file.get(row.file, [])
        if not path.is_file():
            results.append(ArticleCheck(row.file, False, len(mine), 0))
            continue
        text_words = words(path.read_text(encoding="utf-8", errors="replace"))
        found = sum(locate(text_words, label) is not None for label in mine)
        results.append(ArticleCheck(row.file, True, len(mine), found))
    return CopyCheck(tuple(results))


def summary(result: CopyCheck, verbose: bool = False) -> str:
    lines = [f"articles: {len(result.articles)}, missing files: {len(result.missing)}"]
    if result.missing:
        lines.append("missing: " + " ".join(result.missing))
    lines.append(f"labelled sentences found: {result.found} of {result.labels} "
                 f"({result.share_found:.1%}; {ENOUGH:.0%} needed)")
    for a in result.articles:
        if a.present and (verbose or a.found < a.labels):
            lines.append(f"  {a.file}: {a.found} of {a.labels}")
    lines.append("ok" if result.ok else "NOT a usable copy")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the local copy: a folder of NNN.txt files")
    parser.add_argument("--data", type=Path, default=DATA, help="the committed labels")
    parser.add_argument("-v", "--verbose", action="store_true", help="every article's count")
    args = parser.parse_args(argv)
    result = check(args.folder, read_articles(args.data), read_labels(args.data))
    print(summary(result, args.verbose))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

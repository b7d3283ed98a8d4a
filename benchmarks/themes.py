"""Theme accuracy and sentence boundaries against the hand-labelled seeds.

The reference is tests/data/seed-labels.jsonl: every sentence of seeds/ as a
person split and labelled it. A predicted sentence counts as a correct
boundary when its text equals a gold sentence of the same article; a gold
sentence that was not found exactly counts as a theme error too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing import pipeline
from briefing.config import Settings
from briefing.models import OTHER
from briefing.source import FolderSource

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "seed-labels.jsonl"


@dataclass(frozen=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ThemeReport:
    classes: list[ClassScore]
    macro_f1_all: float  # over the themes and "other"
    macro_f1_themes: float  # over the themes only
    accuracy: float
    boundary_precision: float
    boundary_recall: float

    @property
    def boundary_f1(self) -> float:
        p, r = self.boundary_precision, self.boundary_recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def seed_themes(labels: Path = LABELS) -> dict[tuple[str, str], str]:
    """Each labelled seed sentence's theme, by (article, text)."""
    return {(g["article"], g["text"]): g["theme"] for g in map(
        json.loads, labels.read_text(encoding="utf-8").splitlines()) if g}


def evaluate(settings: Settings, seeds: Path = ROOT / "seeds",
             labels: Path = LABELS) -> ThemeReport:
    gold = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line]
    reading = FolderSource(seeds).read(settings).reading
    themed = pipeline.theme(reading, settings).sentences
    predicted = {(t.sentence.article, t.sentence.text): t.theme for t in themed}
    gold_keys = {(g["article"], g["text"]) for g in gold}

    matched = len(gold_keys & set(predicted))
    boundary_p = matched / len(predicted) if predicted else 0.0
    boundary_r = matched / len(gold_keys) if gold_keys else 0.0

    pairs = [(g["theme"], predicted.get((g["article"], g["text"]), "(not split)")) for g in gold]
    scores = class_scores(pairs, [t.key for t in settings.themes] + [OTHER])
    return ThemeReport(
        classes=scores.classes,
        macro_f1_all=scores.macro_f1_all,
        macro_f1_themes=scores.macro_f1_themes,
        accuracy=scores.accuracy,
        boundary_precision=boundary_p,
        boundary_recall=boundary_r,
    )


@dataclass(frozen=True)
class ClassScores:
    classes: list[ClassScore]
    macro_f1_all: float  # over the classes with gold sentences, themes and "other"
    macro_f1_themes: float  # over the themes with gold sentences
    accuracy: float


def class_scores(pairs: Sequence[tuple[str, str]], keys: Sequence[str]) -> ClassScores:
    """Per-class precision, recall and F1 of (truth, guess) pairs, and their macro averages."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for truth, guess in pairs:
        if truth == guess:
            tp[truth] += 1
        else:
            fn[truth] += 1
            fp[guess] += 1
    classes = []
    for key in keys:
        p = tp[key] / (tp[key] + fp[key]) if tp[key] + fp[key] else 0.0
        r = tp[key] / (tp[key] + fn[key]) if tp[key] + fn[key] else 0.0
        classes.append(ClassScore(key, p, r, _f1(p, r), tp[key] + fn[key]))
    present = [c for c in classes if c.support]
    themes_only = [c for c in present if c.label != OTHER]
    return ClassScores(
        classes=classes,
        macro_f1_all=sum(c.f1 for c in present) / len(present) if present else 0.0,
        macro_f1_themes=(sum(c.f1 for c in themes_only) / len(themes_only)
                         if themes_only else 0.0),
        accuracy=sum(tp.values()) / len(pairs) if pairs else 0.0,
    )


def class_table(scores: ClassScores | ThemeReport) -> list[str]:
    """The per-theme table of a report, ending with its macro-F1 and accuracy rows."""
    lines = ["| theme | precision | recall | F1 | sentences |", "|---|---:|---:|---:|---:|"]
    for c in scores.classes:
        lines.append(f"| {c.label} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} "
                     f"| {c.support} |")
    lines.append(f"| **macro-F1, themes + other** | | | **{scores.macro_f1_all:.2f}** | |")
    lines.append(f"| **macro-F1, themes only** | | | **{scores.macro_f1_themes:.2f}** | |")
    lines.append(f"| accuracy | | | {scores.accuracy:.2f} | |")
    return lines


def table(report: ThemeReport) -> str:
    lines = class_table(report)
    lines.append("")
    lines.append(f"Sentence boundaries: precision {report.boundary_precision:.3f}, "
                 f"recall {report.boundary_recall:.3f}, F1 {report.boundary_f1:.3f}.")
    return "\n".join(lines)

"""Learn what a concept is worth from human summaries: `make weights DUC=… TAC=…`.

    python -m benchmarks.train_weights --duc /tmp/duc2003 [--tac "/tmp/TAC 2011 …"]
                                       [--out briefing/data/concept_weights.json]

Every document set with 100-word human summaries in the DUC 2003 folder
(task 2, d100–d129; tasks 3 and 4, d30xxx and d31xxx) and, with --tac, the ten
English topics of the TAC 2011 MultiLing pilot (250-word summaries) is read as
`briefing summarize` reads a folder. Each concept of a set is an example: its
features (briefing.worth.FEATURES) and, as the target, the share of the set's
human summaries that say it. A logistic regression with a little L2 penalty,
fitted with SciPy, gives the weights that ship in
briefing/data/concept_weights.json. The DUC 2004 sets are never read: they are
kept for an independent measurement.

The benchmark (benchmarks/duc.py) never scores weights on the sets they were
trained on: it trains one model per fold of DUC 2003 task 2 (see
`cross_validated`).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from briefing import text, worth
from briefing.config import Settings, load_settings
from briefing.models import Sentence
from briefing.source import FolderSource
from briefing.summarize import build_pool

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "briefing" / "data" / "concept_weights.json"
# Concepts less likely than this to be in a summary are left out of the selection problem.
MIN_WORTH = 0.1
L2 = 0.01  # penalty on the (standardised) weights, per example set
FOLDS = 5


@dataclass(frozen=True)
class Topic:
    """A document set as `briefing summarize` reads it, with its human summaries."""

    name: str
    sentences: tuple[Sentence, ...]
    support: tuple[Sentence, ...]
    summaries: tuple[str, ...]


def duc_folders(duc: Path) -> list[tuple[str, Path, tuple[str, ...]]]:
    """Every DUC 2003 set with 100-word human summaries: (name, folder, summaries)."""
    docs = duc / "docs.without.headlines"
    models = duc / "detagged.duc2003.abstracts" / "models"
    out = []
    for folder in sorted(docs.iterdir()) if docs.is_dir() else []:
        match = re.fullmatch(r"d(\d+)[a-z]", folder.name)
        if not match:
            continue
        refs = sorted(models.glob(f"D{match[1]}.M.100.*"))
        summaries = tuple(" ".join(r.read_text(encoding="latin-1").split()) for r in refs)
        if summaries:
            out.append((folder.name, folder, summaries))
    return out


def read_topic(name: str, folder: Path, summaries: tuple[str, ...], settings: Settings) -> Topic:
    reading = FolderSource(folder).read(settings).reading
    return Topic(name, reading.sentences, reading.support, summaries)


def duc_topics(duc: Path, settings: Settings) -> list[Topic]:
    return [read_topic(*found, settings) for found in duc_folders(duc)]


def tac_topics(tac: Path, settings: Settings) -> list[Topic]:
    """The English topics of the TAC 2011 MultiLing pilot (M000–M009, ten texts each)."""
    sources = tac / "SourceTexts"
    models = tac / "Model Summaries" / "English"
    topics = []
    for number in range(10):
        texts = sorted(sources.glob(f"M00{number}?.english"))
        refs = sorted(models.glob(f"M00{number}.*"))
        if not texts or not refs:
            continue
        summaries = tuple(" ".join(r.read_text(encoding="utf-8").split()) for r in refs)
        with tempfile.TemporaryDirectory() as tmp:
            for t in texts:  # the readers go by suffix
                (Path(tmp) / f"{t.stem}.txt").write_bytes(t.read_bytes())
            topics.append(read_topic(f"tac-M00{number}", Path(tmp), summaries, settings))
    return topics


def examples(topic: Topic) -> tuple[list[list[float]], list[float]]:
    """Features and targets (share of the human summaries that say it) of every concept."""
    pool = build_pool(topic.sentences, weights="df")
    support = [(s, text.concepts(text.words(s.text))) for s in topic.support]
    day = worth.concept_stats(pool.sentences, pool.concepts, support)
    said = [text.concepts(text.words(summary)) for summary in topic.summaries]
    xs, ys = [], []
    for c in day.concepts:
        xs.append(worth.features(c, day))
        ys.append(sum(c in s for s in said) / len(said))
    return xs, ys


def fit(sets: Sequence[tuple[list[list[float]], list[float]]], l2: float = L2,
        min_worth: float = MIN_WORTH) -> worth.Model:
    """Logistic regression on soft targets; each set weighs the same, whatever its size."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.asarray([row for xs, _ in sets for row in xs], dtype=float)
    y = np.asarray([v for _, ys in sets for v in ys], dtype=float)
    weight = np.concatenate([np.full(len(ys), 1.0 / len(ys)) for _, ys in sets])
    weight /= weight.sum()
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        logits = z @ theta[1:] + theta[0]
        p = 1.0 / (1.0 + np.exp(-logits))
        eps = 1e-12
        value = -np.sum(weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        residual = weight * (p - y)
        grad = np.concatenate([[residual.sum()], z.T @ residual])
        penalty = l2 / len(sets)
        value += 0.5 * penalty * float(theta[1:] @ theta[1:])
        grad[1:] += penalty * theta[1:]
        return float(value), grad

    theta = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return worth.Model(tuple(round(float(v), 6) for v in means),
                       tuple(round(float(v), 6) for v in scales),
                       tuple(round(float(v), 6) for v in theta[1:]), round(float(theta[0]), 6),
                       min_worth)


def cross_validated(task2: Sequence[Topic], others: Sequence[Topic], folds: int = FOLDS
                    ) -> dict[str, worth.Model]:
    """For each task-2 set, a model trained without the sets of its fold.

    Fold k holds every folds-th set (d100, d105, … for the first), so each fold
    mixes the clusters of DUC's topic letters.
    """
    data = {t.name: examples(t) for t in task2}
    rest = [examples(t) for t in others]
    out: dict[str, worth.Model] = {}
    for k in range(folds):
        held = {t.name for n, t in enumerate(task2) if n % folds == k}
        model = fit([data[name] for name in data if name not in held] + rest)
        out.update(dict.fromkeys(held, model))
    return out


def split(topics: Sequence[Topic], names: set[str]) -> tuple[list[Topic], list[Topic]]:
    """The topics named (the benchmark's), in order, and the others."""
    return [t for t in topics if t.name in names], [t for t in topics if t.name not in names]


def settings_for_training() -> Settings:
    """As the benchmark reads DUC: every document, copies included."""
    settings = load_settings(ROOT / "briefing.toml")
    return replace(settings, syndication=replace(settings.syndication, enabled=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duc", type=Path, required=True, help="the duc2003/ folder")
    parser.add_argument("--tac", type=Path, default=None,
                        help="the TAC 2011 MultiLing Pilot Dataset folder (English is used)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    text.pretrained_parameters = lambda: None  # as on a fresh machine
    settings = settings_for_training()
    topics = duc_topics(args.duc, settings)
    if not topics:
        raise SystemExit(f"no DUC 2003 document sets with human summaries in {args.duc}")
    if args.tac:
        topics += tac_topics(args.tac, settings)
    model = fit([examples(t) for t in topics])
    data = {"trained_on": f"{len(topics)} document sets: "
                          + ", ".join(sorted({_family(t.name) for t in topics})),
            **model.to_json()}
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(topics)} document sets")
    for name, w in zip(worth.FEATURES, model.weights, strict=True):
        print(f"  {name:12} {w:+.3f}")


def _family(name: str) -> str:
    if name.startswith("tac-"):
        return "TAC 2011 MultiLing pilot (English)"
    if name.startswith("d30"):
        return "DUC 2003 task 3"
    if name.startswith("d31"):
        return "DUC 2003 task 4"
    return "DUC 2003 task 2"


if __name__ == "__main__":
    main()

"""How far two labellings of the same development sentences agree.

`benchmarks/data/devset/labels-second.jsonl` holds a second, blind labelling of
some of the set's sentences (the fourth test part, ids 301–362), made by another
labeller from the sentences' text and the guidelines only. Each of its lines is
matched to `labels.jsonl` by article, index and key. What this prints is how
consistently the guidelines can be applied, the ceiling a tool can be measured
against: per class, the second labelling's precision, recall and F1 taken against
the first; macro-F1 over the themes and `other` (furniture counts as `other`, as a
tool that keeps a furniture line calls it); raw agreement and Cohen's kappa over
all six labels.

    python -m benchmarks.agreement
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.themes import class_scores, class_table
from scripts.devset_check import DATA, FURNITURE, OTHER, THEMES, read_labels

SECOND = DATA / "labels-second.jsonl"


def pairs_of(second: Path = SECOND, data: Path = DATA) -> list[tuple[str, str]]:
    """(first label, second label) for every sentence the second labelling covers."""
    first = {(label.article, label.index): label for label in read_labels(data)}
    out = []
    for line in second.read_text(encoding="utf-8").splitlines():
        if not line:
            continue
        row = json.loads(line)
        label = first.get((row["article"], row["index"]))
        if label is None or label.key != row["key"]:
            raise SystemExit(f"{second}: {row['article']} sentence {row['index']} is not in "
                             f"{data / 'labels.jsonl'} with the same key")
        out.append((label.label, row["label"]))
    return out


def kappa(pairs: Sequence[tuple[str, str]]) -> float:
    """Cohen's kappa: agreement beyond what each labeller's label shares give by chance."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[k] * second[k] for k in first) / (n * n)
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--second", type=Path, default=SECOND)
    args = parser.parse_args(argv)
    pairs = pairs_of(args.second)
    # As the tool is scored: the first labelling's furniture is left out, and a furniture
    # line the second labelling kept among the prose counts as `other`.
    prose = [(a, OTHER if b == FURNITURE else b) for a, b in pairs if a != FURNITURE]
    scores = class_scores(prose, (*THEMES, OTHER))
    agreed = sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0
    print(f"### Two labellings of {len(pairs)} sentences\n")
    print("\n".join(class_table(scores)))
    print(f"\nRaw agreement over all six labels: {agreed:.3f}; Cohen's kappa {kappa(pairs):.3f}.")


if __name__ == "__main__":
    main()

"""Syndicated copies: the same wire story on several sites becomes one article.

Each article body becomes the set of its word shingles (runs of k words); a
MinHash signature (rensa's, in Rust) estimates the Jaccard similarity of two
such sets, and locality-sensitive hashing finds the candidate pairs without
comparing every article with every other: two articles are candidates when
their signatures agree on both values of one band of two. The bands are fixed
(datasketch's parameter search, by numerical integration with SciPy, picks
bands of two for a candidate Jaccard of 0.2 at 32 to 128 permutations, and
every band is used here), so nothing is computed for them at run time. Pairs
whose estimated containment (the share of the shorter text found in the
longer) reaches the threshold are grouped; the
group's fullest text stands for it, and the others are kept as its copies,
so the brief cites the story once and lists every outlet that ran it.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from rensa import RMinHash

SEED = 1  # fixed, so the same articles always group the same way
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str, k: int) -> set[bytes]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {" ".join(words[i:i + k]).encode() for i in range(len(words) - k + 1)}


# Pairs proposed by LSH are then judged by containment, so a copy cut to a third of the
# story is still found. Bands of ROWS values: a pair whose Jaccard is J becomes a
# candidate with probability 1 - (1 - J^2)^(num_perm / 2), 0.93 at J = 0.2 with 128.
ROWS = 2
# Below this many shingles a text is too short to call anything a copy of it.
MIN_SHINGLES = 20


@dataclass(frozen=True)
class Sketch:
    """An article's MinHash and the number of shingles it summarizes."""

    minhash: RMinHash
    size: int

    def bands(self) -> list[bytes]:
        """The signature cut into bands of ROWS values (a leftover value is not used)."""
        raw = array("I", self.minhash.digest()).tobytes()
        width = ROWS * 4
        return [raw[at:at + width] for at in range(0, len(raw) - width + 1, width)]


def signature(text: str, k: int, num_perm: int) -> Sketch | None:
    """The sketch of a text's shingles; None for a text too short to judge."""
    found = shingles(text, k)
    if len(found) < MIN_SHINGLES:
        return None
    minhash = RMinHash(num_perm, SEED)
    minhash.update(list(found))
    return Sketch(minhash, len(found))


def similarity(a: Sketch, b: Sketch) -> float:
    """Estimated containment: the share of the shorter text's shingles found in the other.

    From the Jaccard estimate J and the set sizes: |A ∩ B| = J (|A| + |B|) / (1 + J).
    A copy trimmed to half still scores near 1, where its Jaccard would be near 0.5.
    """
    jaccard = float(a.minhash.jaccard(b.minhash))
    shared = jaccard * (a.size + b.size) / (1 + jaccard)
    return min(1.0, shared / min(a.size, b.size))


def group(signatures: Sequence[Sketch | None], threshold: float,
          num_perm: int) -> list[list[int]]:
    """Indexes of near-duplicate articles, in groups of two or more, in input order.

    `num_perm` is the signatures' own; it is kept for the callers' sake.
    """
    buckets: dict[tuple[int, bytes], list[int]] = {}
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, sig in enumerate(signatures):
        if sig is None:
            continue
        candidates: set[int] = set()
        for band, key in enumerate(sig.bands()):
            earlier = buckets.setdefault((band, key), [])
            candidates.update(earlier)
            earlier.append(i)
        for j in sorted(candidates):
            other = signatures[j]
            if other is not None and similarity(sig, other) >= threshold:
                parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        members.setdefault(root(i), []).append(i)
    return sorted((m for m in members.values() if len(m) > 1), key=lambda m: m[0])

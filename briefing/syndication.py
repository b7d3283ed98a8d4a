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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

SEED = 1  # fixed, so the same articles always group the same way
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str, k: int) -> set[bytes]:
    # Lowered before or after finding the words, ASCII is the same ("İ" is not: lowered,
    # it becomes two characters, one of them no letter); each word is encoded once.
    found = _WORD.findall(text.lower()) if text.isascii() \
        else [w.lower() for w in _WORD.findall(text)]
    words = [w.encode() for w in found]
    return {b" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


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

    Every pair of signatures that agree on a band is a candidate; a day of
    articles that share paragraphs has hundreds of thousands, so they are
    compared all at once, as arrays, not one by one. The groups are the
    connected parts of the pairs whose containment reaches the threshold.
    `num_perm` is the signatures' own; it is kept for the callers' sake.
    """
    present = [i for i, sig in enumerate(signatures) if sig is not None]
    sketches = [sig for sig in signatures if sig is not None]
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(sketches) > 1:
        digests = np.array([s.minhash.digest() for s in sketches], dtype=np.uint32)
        sizes = np.array([s.size for s in sketches], dtype=np.float64)
        for a, b in _similar(_candidates(digests), digests, sizes, threshold):
            parent[root(present[b])] = root(present[a])
    members: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        members.setdefault(root(i), []).append(i)
    return sorted((m for m in members.values() if len(m) > 1), key=lambda m: m[0])


def _candidates(digests: np.ndarray) -> np.ndarray:
    """Pairs of rows (first < second, each pair once) that agree on all ROWS values of a band."""
    rows = len(digests)
    found = []
    for band in range(digests.shape[1] // ROWS):
        columns = digests[:, band * ROWS:(band + 1) * ROWS].astype(np.uint64)
        keys = columns[:, 0]
        for column in range(1, ROWS):
            keys = (keys << np.uint64(32)) | columns[:, column]
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        # Rows with equal keys stand together in `order`; each pairs with the ones after it
        # in its run: at distance d, every position with at least d more in its run.
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        lengths = np.diff(np.r_[starts, rows])
        run = np.repeat(np.arange(len(starts)), lengths)
        after = lengths[run] - (np.arange(rows) - starts[run]) - 1  # how many follow in the run
        by_after = np.argsort(-after, kind="stable")
        counts = np.cumsum(np.bincount(after)[::-1])[::-1]  # counts[d]: positions with >= d after
        for distance in range(1, len(counts)):
            here = by_after[:counts[distance]]
            first, second = order[here], order[here + distance]
            found.append(np.minimum(first, second).astype(np.int64) * rows
                         + np.maximum(first, second))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // rows, codes % rows], axis=1)


def _similar(pairs: np.ndarray, digests: np.ndarray, sizes: np.ndarray, threshold: float,
             block: int = 100_000) -> list[tuple[int, int]]:
    """The candidate pairs whose estimated containment reaches the threshold (see similarity)."""
    out: list[tuple[int, int]] = []
    for at in range(0, len(pairs), block):
        a, b = pairs[at:at + block, 0], pairs[at:at + block, 1]
        jaccard = (digests[a] == digests[b]).sum(axis=1) / digests.shape[1]
        shared = jaccard * (sizes[a] + sizes[b]) / (1 + jaccard)
        containment = np.minimum(1.0, shared / np.minimum(sizes[a], sizes[b]))
        keep = containment >= threshold
        out += zip(a[keep].tolist(), b[keep].tolist(), strict=True)
    return out

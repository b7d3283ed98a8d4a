"""Syndicated copies: the same wire story on several sites becomes one article.

Each article body becomes the set of its word shingles (runs of k words); a
MinHash signature estimates the Jaccard similarity of two such sets, and
locality-sensitive hashing finds the candidate pairs without comparing every
article with every other. Pairs whose estimated containment (the share of the
shorter text found in the longer) reaches the threshold are grouped; the
group's fullest text stands for it, and the others are kept as its copies,
so the brief cites the story once and lists every outlet that ran it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

SEED = 1  # fixed, so the same articles always group the same way
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str, k: int) -> set[bytes]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {" ".join(words[i:i + k]).encode() for i in range(len(words) - k + 1)}


# Pairs proposed by LSH at this (low) Jaccard are then judged by containment, so a
# copy cut to a third of the story is still found.
CANDIDATE_JACCARD = 0.2
# Below this many shingles a text is too short to call anything a copy of it.
MIN_SHINGLES = 20


@dataclass(frozen=True)
class Sketch:
    """An article's MinHash and the number of shingles it summarizes."""

    minhash: MinHash
    size: int


def signature(text: str, k: int, num_perm: int) -> Sketch | None:
    """The sketch of a text's shingles; None for a text too short to judge."""
    found = shingles(text, k)
    if len(found) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=num_perm, seed=SEED)
    minhash.update_batch(list(found))
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
    """Indexes of near-duplicate articles, in groups of two or more, in input order."""
    lsh = MinHashLSH(threshold=min(threshold, CANDIDATE_JACCARD), num_perm=num_perm)
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, sig in enumerate(signatures):
        if sig is None:
            continue
        for key in lsh.query(sig.minhash):
            j = int(key)
            other = signatures[j]
            if other is not None and similarity(sig, other) >= threshold:
                parent[root(i)] = root(j)
        lsh.insert(str(i), sig.minhash)
    members: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        members.setdefault(root(i), []).append(i)
    return sorted((m for m in members.values() if len(m) > 1), key=lambda m: m[0])

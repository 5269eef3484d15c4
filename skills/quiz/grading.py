"""Grading: choice by letter, number or text; numbers in the formats people type; free text by
meaning (embedding similarity to the reference) plus the key terms the answer must mention."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from skills.quiz.bank import Question
from skills.text import normalise

MAX_ANSWER_CHARS = 1000
# Free-text thresholds (cosine similarity of all-MiniLM-L6-v2 embeddings), chosen on the
# examples in tests/skills/test_quiz_grading.py: paraphrases of the reference score 0.6-0.9,
# related but wrong answers 0.3-0.5, unrelated text below 0.2.
FULL_SIMILARITY = 0.6
SURE_SIMILARITY = 0.8  # close enough to count without every key term
PARTIAL_SIMILARITY = 0.4

_NUMBER = re.compile(
    r"[-+]?(?:\d{1,3}(?:[,\u202f ]\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?|[-+]?\.\d+", re.I
)

Similarity = Callable[[str, str], float]


@dataclass(frozen=True)
class Grade:
    credit: float  # 1.0 full, 0.5 partial, 0.0 none
    reason: str  # one line, shown to the student
    expected: str  # the right answer, for the results screen


def parse_number(text: str) -> float | None:
    """The first number in `text`: '100', '100 steps', '1e2', '1,000', '4.17%', '-0.5'."""
    match = _NUMBER.search(normalise(text))
    if not match:
        return None
    try:
        return float(re.sub(r"[,\u202f ]", "", match[0]))
    except ValueError:
        return None


def _format(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def chosen_index(question: Question, answer: str) -> int | None:
    """Which choice an answer picks: a letter, a 1-based number or the choice's text."""
    text = normalise(answer).strip().rstrip(".)").lower()
    letters = "abcde"[: len(question.choices)]
    if len(text) == 1 and text in letters:
        return letters.index(text)
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        return int(text) - 1
    by_text = [i for i, c in enumerate(question.choices) if normalise(c).lower() == text]
    return by_text[0] if by_text else None


def grade_choice(question: Question, answer: str) -> Grade:
    expected_index = int(question.answer)
    letters = "abcde"[: len(question.choices)]
    expected = f"{letters[expected_index].upper()}) {question.choices[expected_index]}"
    chosen = chosen_index(question, answer)
    if chosen is None:
        return Grade(
            0.0,
            f"Answer with a letter ({', '.join(letters.upper())}) or the choice's text.",
            expected,
        )
    if chosen == expected_index:
        return Grade(1.0, "Correct.", expected)
    return Grade(0.0, f"The answer is {expected}.", expected)


def grade_numeric(question: Question, answer: str, key: float | None = None) -> Grade:
    target = float(question.answer if key is None else key)
    unit = f" {question.unit}" if question.unit else ""
    expected = f"{_format(target)}{unit}"
    value = parse_number(answer)
    if value is None:
        return Grade(0.0, f"No number found in your answer; the answer is {expected}.", expected)
    # A share asked "in %" may be typed as a fraction (0.0417 for 4.17%).
    candidates = [value, value * 100] if question.unit == "%" and abs(value) < 1 else [value]
    tolerance = max(question.tolerance, 1e-9 * max(1.0, abs(target)))
    if any(abs(v - target) <= tolerance for v in candidates):
        return Grade(1.0, f"Correct: {expected}.", expected)
    return Grade(0.0, f"You said {_format(value)}; the answer is {expected}.", expected)


def _mentions(answer: str, group: tuple[str, ...]) -> bool:
    text = f" {normalise(answer).lower()} "
    return any(term.lower() in text for term in group)


def grade_free(question: Question, answer: str, similarity: Similarity) -> Grade:
    expected = question.reference
    text = normalise(answer)[:MAX_ANSWER_CHARS]
    if not text:
        return Grade(0.0, "Empty answer.", expected)
    score = similarity(text, question.reference)
    missing = [g[0] for g in question.key_terms if not _mentions(text, g)]
    covered = 1.0 - len(missing) / len(question.key_terms) if question.key_terms else 1.0
    said = f"meaning match {score:.2f}"
    if (score >= FULL_SIMILARITY and not missing) or score >= SURE_SIMILARITY:
        return Grade(1.0, f"Full credit: {said}, key ideas present.", expected)
    # Every key term present earns partial credit even when terse wording ("lr too big") sits
    # far from the reference in embedding space.
    if (score >= PARTIAL_SIMILARITY and covered >= 0.5) or (question.key_terms and not missing):
        gap = f"; missing: {', '.join(missing)}" if missing else "; say a bit more"
        return Grade(0.5, f"Partial credit: {said}{gap}.", expected)
    hint = f" It should mention: {', '.join(missing)}." if missing else ""
    return Grade(0.0, f"No credit: {said}.{hint}", expected)


def expected_answer(question: Question, live_key: float | None = None) -> str:
    """The right answer as the grader states it ("B) ...", "100 steps", the reference)."""
    if question.kind == "choice":
        i = int(question.answer)
        return f"{'ABCDE'[i]}) {question.choices[i]}"
    if question.kind in ("numeric", "live"):
        value = live_key if question.kind == "live" else question.answer
        if value is None:
            raise ValueError(f"live question {question.id} needs its key computed first")
        unit = f" {question.unit}" if question.unit else ""
        return f"{_format(float(value))}{unit}"
    return question.reference


def grade(
    question: Question, answer: str, *, similarity: Similarity, live_key: float | None = None
) -> Grade:
    if question.kind == "choice":
        return grade_choice(question, answer)
    if question.kind == "numeric":
        return grade_numeric(question, answer)
    if question.kind == "live":
        if live_key is None:
            raise ValueError(f"live question {question.id} needs its key computed first")
        return grade_numeric(question, answer, key=live_key)
    return grade_free(question, answer, similarity)

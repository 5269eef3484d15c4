"""Grading: choice by letter, number or text; numbers in the formats people type; free text by
meaning (embedding similarity to the reference) plus the key terms the answer must mention."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from skills.quiz.bank import Question
from skills.text import NUMBER_SCALES, NUMBER_TENS, NUMBER_UNITS, normalise

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
    reason: str  # one sentence for the student, shown once the question has closed
    expected: str  # the right answer, for the results screen
    # False when the text cannot be read as an answer to this question (no choice matched, no
    # number found): it is not an attempt, and the student may answer again.
    counted: bool = True


_UNITS, _TENS, _SCALES = NUMBER_UNITS, NUMBER_TENS, NUMBER_SCALES
_WORD = re.compile(r"[a-z]+")


def _number_words(text: str) -> float | None:
    """ "four", "twenty-four", "one hundred and twelve", "a thousand" -> the number."""
    total, current, found = 0, 0, False
    for word in _WORD.findall(text.lower().replace("-", " ")):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES and (found or word != "hundred" or current):
            scale = _SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        elif word in ("and", "a") and found:
            continue
        elif found:
            break  # the number ended
        else:
            continue
        found = True
    return float(total + current) if found else None


def parse_number(text: str) -> float | None:
    """The first number in `text`: '100', '100 steps', '1e2', '1,000', '4.17%', '-0.5',
    '≈4', 'four', 'twenty-four tokens'."""
    clean = normalise(text).replace("≈", " ").replace("~", " ")
    match = _NUMBER.search(clean)
    if not match:
        return _number_words(clean)
    try:
        return float(re.sub(r"[,\u202f ]", "", match[0]))
    except ValueError:
        return None


def _format(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


_LETTER = re.compile(r"^(?:(?:option|answer|choice)\s*:?\s*)?\(?([a-e])\)?[.):]?$", re.I)


def chosen_index(question: Question, answer: str) -> int | None:
    """Which choice the student meant: a letter ("b", "(B)", "option b"), its number, its text,
    or a paraphrase that overlaps one choice's words clearly more than the others'."""
    text = normalise(answer).strip().rstrip(".!").strip()
    lowered = text.lower()
    letters = "abcde"[: len(question.choices)]
    letter = _LETTER.match(lowered)
    if letter and letter[1] in letters:
        return letters.index(letter[1])
    if lowered.isdigit() and 1 <= int(lowered) <= len(question.choices):
        return int(lowered) - 1
    choices = [normalise(c).lower() for c in question.choices]
    if lowered in choices:
        return choices.index(lowered)
    words = set(_WORD.findall(lowered))
    if not words:
        return None
    overlaps = []
    for choice in choices:
        theirs = set(_WORD.findall(choice))
        overlaps.append(len(words & theirs) / len(words | theirs) if theirs else 0.0)
    best = max(range(len(overlaps)), key=overlaps.__getitem__)
    runner_up = max((o for i, o in enumerate(overlaps) if i != best), default=0.0)
    if overlaps[best] >= 0.5 and overlaps[best] - runner_up >= 0.2:
        return best
    return None


def grade_choice(question: Question, answer: str) -> Grade:
    expected_index = int(question.answer)
    letters = "ABCDE"[: len(question.choices)]
    expected = f"{letters[expected_index]}) {question.choices[expected_index]}"
    chosen = chosen_index(question, answer)
    if chosen is None:
        return Grade(
            0.0,
            f"That is not one of the choices; answer with a letter ({', '.join(letters)}).",
            expected,
            counted=False,
        )
    if chosen == expected_index:
        return Grade(1.0, f"Correct: {expected}.", expected)
    return Grade(0.0, f"You chose {letters[chosen]}; the answer is {expected}.", expected)


def grade_numeric(question: Question, answer: str, key: float | None = None) -> Grade:
    target = float(question.answer if key is None else key)
    unit = f" {question.unit}" if question.unit else ""
    expected = f"{_format(target)}{unit}"
    # A question ("maybe the second one?") is not a number, even if a number word is in it.
    asking = answer.strip().endswith("?") and not re.search(r"\d", answer)
    value = None if asking else parse_number(answer)
    if value is None:
        reason = "No number found in your answer; answer with a number"
        return Grade(0.0, reason + (f" (in {question.unit})." if unit else "."), expected, False)
    # A share asked "in %" may be typed as a fraction (0.0417 for 4.17%).
    candidates = [value, value * 100] if question.unit == "%" and abs(value) < 1 else [value]
    tolerance = max(question.tolerance, 1e-9 * max(1.0, abs(target)))
    if any(abs(v - target) <= tolerance for v in candidates):
        return Grade(1.0, f"Correct: {expected}.", expected)
    return Grade(0.0, f"You said {_format(value)}; the answer is {expected}.", expected)


def _mentions(answer: str, group: tuple[str, ...]) -> bool:
    text = f" {normalise(answer).lower()} "
    return any(term.lower() in text for term in group)


def _shown(term: str, reference: str) -> str:
    """A key term as a word: bank terms can be stems ("classif"), which read badly."""
    for word in re.findall(r"[A-Za-z][\w-]*", reference):
        if word.lower().startswith(term.lower()):
            return word
    return term


def grade_free(question: Question, answer: str, similarity: Similarity) -> Grade:
    expected = question.reference
    text = normalise(answer)[:MAX_ANSWER_CHARS]
    if not text:
        return Grade(0.0, "Empty answer.", expected, counted=False)
    score = similarity(text, question.reference)
    missing = [_shown(g[0], expected) for g in question.key_terms if not _mentions(text, g)]
    covered = 1.0 - len(missing) / len(question.key_terms) if question.key_terms else 1.0
    if (score >= FULL_SIMILARITY and not missing) or score >= SURE_SIMILARITY:
        return Grade(1.0, "Full credit: your answer says what the model answer says.", expected)
    # Every key term present earns partial credit even when terse wording ("lr too big") sits
    # far from the reference in embedding space.
    if (score >= PARTIAL_SIMILARITY and covered >= 0.5) or (question.key_terms and not missing):
        gap = (
            f"it does not mention {_listed(missing)}"
            if missing
            else "it needs a little more detail"
        )
        return Grade(0.5, f"Partial credit: you are on the right track, but {gap}.", expected)
    hint = f" A full answer mentions {_listed(missing)}." if missing else ""
    return Grade(0.0, f"No credit: your answer is far from the model answer.{hint}", expected)


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


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

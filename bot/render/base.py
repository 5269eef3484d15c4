"""What several features' texts share: score bars, counts with their noun, aligned tables, and
a quiz question's choices (quizzes and reviews alike)."""

from __future__ import annotations

from skills.quiz.bank import Question

BAR_WIDTH = 20


def bar(score: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, score)) * width)
    return "█" * filled + "·" * (width - filled)


def table_lines(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Rows in aligned columns under their headers and a rule of dashes, one string a line
    (for a monospace font: a terminal, a code block)."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def counted(n: int, noun: str, plural: str = "") -> str:
    """ "1 question", "2 questions": a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def question_body(q: Question) -> list[str]:
    """A question's choices and how to answer it (quizzes and reviews alike)."""
    if q.kind == "choice":
        lines = [f"  {'ABCDE'[i]}) {choice}" for i, choice in enumerate(q.choices)]
        return [*lines, "Answer with a letter."]
    if q.kind in ("numeric", "live"):
        return ["Answer with a number." + (f" (unit: {q.unit})" if q.unit else "")]
    return ["Answer in a sentence."]

"""Import of Moodle GIFT quizzes (the common plain-text format), so instructors can reuse banks.

Supported: multiple choice (`{=right ~wrong ~wrong}`), true/false (`{T}`, `{FALSE}`), numeric
(`{#100}`, `{#100:5}`, `{#90..110}`), and short answer (`{=answer =other}`), which becomes a
free-text question graded by meaning against the first answer. Titles (`::title::`), comments
(`//`) and `$CATEGORY` lines are understood; feedback (`#...`) inside choices is dropped.
"""

from __future__ import annotations

import re
from typing import Any

from skills.errors import TutorError

_TITLE = re.compile(r"^::(.*?)::")
_SPECIAL = re.compile(r"\\([~=#{}:])")


class GiftError(TutorError):
    """A GIFT file that cannot be imported; the message names the question."""


def _unescape(text: str) -> str:
    return _SPECIAL.sub(r"\1", text).strip()


def _blocks(text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("//", "$CATEGORY"))]
    return [b.strip() for b in re.split(r"\n\s*\n", "\n".join(lines)) if b.strip()]


def _split_answers(body: str) -> list[tuple[str, str]]:
    """[('=', 'text'), ('~', 'text'), ...] from the inside of {...}, honouring escapes."""
    parts = re.split(r"(?<!\\)([=~])", body)
    out = []
    for marker, value in zip(parts[1::2], parts[2::2], strict=True):
        value = re.split(r"(?<!\\)#", value)[0]  # drop feedback
        out.append((marker, _unescape(value)))
    return out


def parse_gift(
    text: str, *, concepts: list[str], team: int | None, prefix: str
) -> list[dict[str, Any]]:
    """Raw question dicts (the same shape as the TOML banks) from GIFT text."""
    questions = []
    for n, block in enumerate(_blocks(text), start=1):
        title_match = _TITLE.match(block)
        body = block[title_match.end() :] if title_match else block
        match = re.search(r"(?<!\\)\{(.*?)(?<!\\)\}", body, re.DOTALL)
        if not match:
            raise GiftError(f"question {n}: no {{...}} answer block")
        prompt = _unescape((body[: match.start()] + " " + body[match.end() :]).replace("\n", " "))
        prompt = re.sub(r"^\[(html|markdown|plain|moodle)\]", "", prompt).strip()
        inner = match[1].strip()
        base = {"id": f"{prefix}-{n}", "prompt": prompt, "concepts": concepts, "team": team}
        questions.append({**base, **_answer_fields(inner, n)})
    if not questions:
        raise GiftError("no questions found")
    return questions


def _answer_fields(inner: str, n: int) -> dict[str, Any]:
    if inner.upper() in ("T", "TRUE", "F", "FALSE"):
        return {
            "kind": "choice",
            "choices": ["True", "False"],
            "answer": 0 if inner.upper()[0] == "T" else 1,
        }
    if inner.startswith("#"):
        return _numeric(inner[1:].strip(), n)
    answers = _split_answers(inner)
    if not answers:
        raise GiftError(f"question {n}: empty answer block")
    if any(m == "~" for m, _ in answers):
        right = [i for i, (m, _) in enumerate(answers) if m == "="]
        if len(right) != 1:
            raise GiftError(f"question {n}: a multiple-choice question needs exactly one =answer")
        return {"kind": "choice", "choices": [v for _, v in answers], "answer": right[0]}
    return {"kind": "free", "reference": answers[0][1], "key_terms": [[v for _, v in answers]]}


def _numeric(spec: str, n: int) -> dict[str, Any]:
    spec = re.split(r"(?<!\\)#", spec)[0].lstrip("=").strip()
    try:
        if ".." in spec:
            low, high = (float(x) for x in spec.split(".."))
            return {"kind": "numeric", "answer": (low + high) / 2, "tolerance": (high - low) / 2}
        value, _, tolerance = spec.partition(":")
        return {"kind": "numeric", "answer": float(value), "tolerance": float(tolerance or 0)}
    except ValueError as exc:
        raise GiftError(f"question {n}: cannot read the numeric answer {spec!r}") from exc

"""Question banks: TOML files in knowledge/quizzes/, one per team, validated as a whole."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUIZ_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "quizzes"
KINDS = ("choice", "numeric", "free", "live")
LIVE_KINDS = ("token_count",)
MAX_PROMPT = 500


@dataclass(frozen=True)
class Question:
    id: str
    team: int | None
    kind: str  # one of KINDS
    concepts: tuple[str, ...]
    prompt: str
    choices: tuple[str, ...] = ()
    answer: Any = None  # choice index (choice) or number (numeric)
    tolerance: float = 0.0
    unit: str = ""
    reference: str = ""  # model answer (free)
    key_terms: tuple[tuple[str, ...], ...] = ()  # groups of alternatives (free)
    live: str = ""  # what to compute at quiz time (live)
    tokenizer: str = ""
    text: str = ""
    explanation: str = ""
    source: str = ""  # "course" for the course's own questions
    origin: str = field(default="", compare=False)  # the bank file

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "kind": self.kind,
            "concepts": list(self.concepts),
            "prompt": self.prompt,
        }


class BankError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("broken question banks:\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


MAX_ID_CHARS = 64
QUESTION_ID = re.compile(rf"[A-Za-z0-9_.-]{{1,{MAX_ID_CHARS}}}")


def _problems(q: dict[str, Any], where: str, concept_ids: set[str] | None) -> list[str]:
    out: list[str] = []
    kind = q.get("kind")
    if not isinstance(q.get("id"), str) or not q["id"]:
        out.append(f"{where}: id is missing")
    elif not QUESTION_ID.fullmatch(q["id"]):  # it goes into Discord buttons' 100-character ids
        out.append(f"{where}: id must be 1-{MAX_ID_CHARS} letters, digits, '-', '_' or '.'")
    if kind not in KINDS:
        out.append(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    prompt = q.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        out.append(f"{where}: prompt is missing")
    elif len(prompt) > MAX_PROMPT:
        out.append(f"{where}: prompt is longer than {MAX_PROMPT} characters")
    concepts = q.get("concepts")
    if not isinstance(concepts, list) or not concepts:
        out.append(f"{where}: concepts must list at least one concept id")
    elif concept_ids is not None:
        out += [f"{where}: unknown concept {c!r}" for c in concepts if c not in concept_ids]
    if kind == "choice":
        choices = q.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            out.append(f"{where}: a choice question needs at least 2 choices")
        elif not isinstance(q.get("answer"), int) or not 0 <= q["answer"] < len(choices):
            out.append(f"{where}: answer must be the index (0-based) of one of the choices")
        elif len(choices) > 5:
            out.append(f"{where}: at most 5 choices (Discord shows one button each)")
    elif kind == "numeric":
        if not isinstance(q.get("answer"), int | float) or isinstance(q.get("answer"), bool):
            out.append(f"{where}: a numeric question needs a numeric answer")
        if not isinstance(q.get("tolerance", 0), int | float) or q.get("tolerance", 0) < 0:
            out.append(f"{where}: tolerance must be a number >= 0")
    elif kind == "free":
        if not isinstance(q.get("reference"), str) or not q["reference"].strip():
            out.append(f"{where}: a free-text question needs a reference answer")
        groups = q.get("key_terms", [])
        if not isinstance(groups, list) or not all(
            isinstance(g, list) and g and all(isinstance(t, str) and t for t in g) for g in groups
        ):
            out.append(f"{where}: key_terms must be a list of non-empty lists of strings")
    elif kind == "live":
        if q.get("live") not in LIVE_KINDS:
            out.append(f"{where}: live must be one of {LIVE_KINDS}")
        if not q.get("tokenizer") or not q.get("text"):
            out.append(f"{where}: a live question needs tokenizer and text")
    return out


def parse_question(raw: dict[str, Any], team: int | None, origin: str) -> Question:
    return Question(
        id=raw["id"],
        team=raw.get("team", team),
        kind=raw["kind"],
        concepts=tuple(raw["concepts"]),
        prompt=raw["prompt"].strip(),
        choices=tuple(raw.get("choices", ())),
        answer=raw.get("answer"),
        tolerance=float(raw.get("tolerance", 0)),
        unit=raw.get("unit", ""),
        reference=raw.get("reference", ""),
        key_terms=tuple(tuple(g) for g in raw.get("key_terms", ())),
        live=raw.get("live", ""),
        tokenizer=raw.get("tokenizer", ""),
        text=raw.get("text", ""),
        explanation=raw.get("explanation", ""),
        source=raw.get("source", ""),
        origin=origin,
    )


def check_bank_data(
    data: dict[str, Any], origin: str, concept_ids: set[str] | None
) -> tuple[list[Question], list[str]]:
    team = data.get("team")
    problems: list[str] = []
    if team is not None and team not in range(1, 6):
        problems.append(f"{origin}: team must be 1-5, got {team!r}")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        return [], [*problems, f"{origin}: no [[questions]] found"]
    questions = []
    for n, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, dict):
            problems.append(
                f"{origin} question {n}: expected a [[questions]] table, got {raw!r:.40}"
            )
            continue
        where = f"{origin} question {n} ({raw.get('id', '?')})"
        found = _problems(raw, where, concept_ids)
        problems += found
        if not found:
            questions.append(parse_question(raw, team, origin))
    return questions, problems


def check_banks(
    directory: Path = QUIZ_DIR, concept_ids: set[str] | None = None
) -> tuple[list[Question], list[str]]:
    """Every question in every bank, and every problem found (all files, all questions)."""
    questions: list[Question] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{path.name}: not valid TOML ({exc})")
            continue
        found, bank_problems = check_bank_data(data, path.name, concept_ids)
        questions += found
        problems += bank_problems
    seen: dict[str, str] = {}
    for q in questions:
        if q.id in seen:
            problems.append(f"{q.origin}: question id {q.id!r} is also used in {seen[q.id]}")
        seen.setdefault(q.id, q.origin)
    return questions, problems


def load_banks(directory: Path = QUIZ_DIR, concept_ids: set[str] | None = None) -> list[Question]:
    questions, problems = check_banks(directory, concept_ids)
    if problems:
        raise BankError(problems)
    return questions

"""The quiz question bank: the built-in banks plus what instructors imported, and the two
model-backed helpers grading needs (free-text similarity, live keys)."""

from __future__ import annotations

import logging
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app.context import Actor
from bot.app.resources import Resources
from bot.errors import TutorError
from bot.store import bank as bank_rows
from skills.course import Team, team_or_none
from skills.quiz.bank import Question, check_bank_data, load_banks
from skills.quiz.gift import parse_gift
from skills.tokenization import tokenize

log = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_BATCH = 128  # answers embedded in one model call


class _Pending:
    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: Any = None
        self.error: BaseException | None = None


class BatchEncoder:
    """Texts from concurrent callers embedded together: when 30 students answer in the same
    second, their answers go through the model as one batch instead of 30 one-by-one calls.

    The first caller leads: it waits `window` seconds for the burst to gather, encodes what has
    arrived, and keeps going until nobody is waiting; the others wait for their vector."""

    def __init__(self, encode: Callable[[list[str]], Any], window: float = 0.02) -> None:
        self._encode = encode
        self._window = window
        self._queue: list[_Pending] = []
        self._leading = False
        self._done = threading.Condition()

    def embed(self, text: str) -> Any:
        item = _Pending(text)
        with self._done:
            self._queue.append(item)
            lead = not self._leading
            self._leading = True
        if lead:
            time.sleep(self._window)
            self._drain()
        with self._done:
            while item.vector is None and item.error is None:
                self._done.wait()
        if item.error is not None:
            raise item.error
        return item.vector

    def _drain(self) -> None:
        while True:
            with self._done:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                if not batch:
                    self._leading = False
                    return
            try:
                vectors = self._encode([p.text for p in batch])
                for pending, vector in zip(batch, vectors, strict=True):
                    pending.vector = vector
            except BaseException as exc:  # every waiter hears of it
                for pending in batch:
                    pending.error = exc
            with self._done:
                self._done.notify_all()


class QuestionBank:
    def __init__(self, res: Resources) -> None:
        self.res = res
        self._built_in: list[Question] | None = None
        self._references: dict[str, Any] = {}  # reference answer -> its embedding
        self._answers = BatchEncoder(self._encode)

    def questions(self, team: Team | None = None) -> list[Question]:
        """The built-in banks (read once) plus imported questions; one team's, or all."""
        number = team_or_none(team)
        concept_ids = {c.id for c in self.res.cards}
        if self._built_in is None:
            self._built_in = load_banks(concept_ids=concept_ids)
        raw = self.res.store.run(bank_rows.imported_questions)
        custom: list[Question] = []
        if raw:
            custom, problems = check_bank_data({"questions": raw}, "imported", concept_ids)
            for problem in problems:  # a card removed since the import, say
                log.warning("skipped: %s", problem)
        return [q for q in self._built_in + custom if number is None or q.team == number]

    def import_questions(
        self, actor: Actor, path: Path, *, team: Team | None, concepts: list[str]
    ) -> list[Question]:
        """Add questions from a GIFT (.gift/.txt) or TOML bank file; all or nothing."""
        number = team_or_none(team)
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise TutorError(f"{path.name} is larger than {MAX_IMPORT_BYTES // 2**20} MiB.")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise TutorError(f"Cannot read {path}: {reason}") from exc
        if path.suffix.lower() == ".toml":
            try:
                data: dict[str, Any] = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise TutorError(f"{path.name}: not valid TOML ({exc})") from exc
            data.setdefault("team", number)
        else:
            prefix = f"import-{path.stem}"
            data = {
                "team": number,
                "questions": parse_gift(text, concepts=concepts, team=number, prefix=prefix),
            }
        questions, problems = check_bank_data(data, path.name, {c.id for c in self.res.cards})
        if problems:
            raise TutorError("Nothing imported:\n" + "\n".join(problems))
        # Each question keeps its team: the file's `team` (or --team) is not stored with it.
        pairs = [
            (q.id, {**raw, "team": q.team} if q.team is not None else raw)
            for q, raw in zip(questions, data["questions"], strict=True)
        ]
        self.res.store.write(bank_rows.save_questions, pairs, actor.user)
        return questions

    def similarity(self, answer: str, reference: str) -> float:
        """Cosine similarity for free-text grading. The reference is the same for every
        student answering a question, so its embedding is computed once and kept."""
        return float(self._answers.embed(answer) @ self._reference_vector(reference))

    def _encode(self, texts: list[str]) -> Any:
        return self.res.encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    def _reference_vector(self, text: str) -> Any:
        if text not in self._references:
            self._references[text] = self._encode([text])[0]
        return self._references[text]

    def live_key(self, question: Question) -> float:
        """The answer to a live question, computed by the real tokenizer now."""
        return float(len(self._pieces(question)))

    def live_explanation(self, question: Question) -> str:
        """Why the live key is what it is: the real tokenizer's pieces, and why they may differ
        from a handout's hand-drawn split (that difference is the lesson)."""
        pieces = self._pieces(question)
        return (
            f"The real {question.tokenizer} tokenizer splits {question.text!r} into "
            f"{' '.join(pieces)} ({len(pieces)} pieces). A handout draws a split by hand to show "
            "the idea; a real tokenizer's pieces come from the vocabulary it learned from data, "
            "so its count can differ from the illustration."
        )

    def _pieces(self, question: Question) -> list[str]:
        result = tokenize(self.res.tokenizers, question.tokenizer, question.text)
        return [t for t, span in zip(result.tokens, result.spans, strict=True) if span]

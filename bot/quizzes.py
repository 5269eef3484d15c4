"""Quiz sessions in channels: the engine's rules plus timers, storage and events.

Every accepted answer is written to SQLite before the user is told it counted, so a crash or
restart loses nothing that was acknowledged. Sessions left "running" by a crash are marked
"interrupted" at the next start, and their answers stay on the leaderboard.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.quiz_records import (
    all_answers,
    end_session,
    insert_answer,
    insert_session,
    mark_interrupted,
    session_rows,
    set_index,
)
from bot.store import Store, utc_now
from skills.quiz.bank import Question
from skills.quiz.grading import MAX_ANSWER_CHARS, Grade, Similarity, grade
from skills.quiz.session import (
    QuizSession,
    RecordedAnswer,
    ScoringRules,
    Standing,
    SubmitResult,
    team_standings,
    user_standings,
)
from skills.text import clean_user_text

log = logging.getLogger(__name__)

MAX_QUESTIONS = 20
SECONDS_RANGE = (5, 600)
LiveKey = Callable[[Question], float]


class QuizError(ValueError):
    """A quiz command that cannot be carried out; the message says why."""


# --- events sent to frontends ---------------------------------------------------------------


@dataclass(frozen=True)
class QuestionOpened:
    channel: str
    session_id: int
    number: int  # 1-based
    total: int
    question: Question
    seconds: float


@dataclass(frozen=True)
class QuestionClosed:
    channel: str
    session_id: int
    number: int
    question: Question
    expected: str
    answers: list[RecordedAnswer]
    skipped: bool = False


@dataclass(frozen=True)
class ConceptResult:
    concept: str
    mean_credit: float
    answers: int


@dataclass(frozen=True)
class QuizEnded:
    channel: str
    session_id: int
    status: str
    users: list[Standing]
    teams: list[Standing]
    missed: list[ConceptResult]  # weakest concepts first


QuizEvent = QuestionOpened | QuestionClosed | QuizEnded
Listener = Callable[[QuizEvent], None]


@dataclass
class _Running:
    id: int
    session: QuizSession
    live_keys: dict[int, float] = field(default_factory=dict)


class QuizManager:
    def __init__(
        self,
        store: Store,
        questions: Callable[[], list[Question]],
        similarity: Similarity,
        live_key: LiveKey,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._questions = questions
        self._similarity = similarity
        self._live_key = live_key
        self._clock = clock
        self._running: dict[str, _Running] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()

    # --- listeners and the timer thread --------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, events: list[QuizEvent]) -> None:
        for event in events:
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:  # a broken frontend must not stop the quiz
                    log.exception("quiz listener failed")

    # --- commands -------------------------------------------------------------------------

    def start(
        self,
        channel: str,
        *,
        team: int | None,
        count: int = 5,
        seconds: float = 30,
        started_by: str = "",
        expected_users: frozenset[str] = frozenset(),
        rules: ScoringRules | None = None,
        seed: int | None = None,
    ) -> QuestionOpened:
        if not 1 <= count <= MAX_QUESTIONS:
            raise QuizError(f"A quiz has 1 to {MAX_QUESTIONS} questions.")
        if not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
            raise QuizError(f"Give each question {SECONDS_RANGE[0]} to {SECONDS_RANGE[1]} seconds.")
        pool = [q for q in self._questions() if team is None or q.team == team]
        if not pool:
            raise QuizError(f"There are no questions for team{team}.")
        random.Random(seed).shuffle(pool)
        chosen = pool[:count]
        rules = rules or ScoringRules()
        with self._lock:
            if channel in self._running:
                raise QuizError("A quiz is already running in this channel; stop it first.")
            session = QuizSession(channel, team, chosen, seconds, rules, expected_users)
            session_id = self.store.run(insert_session, session, started_by, utc_now())
            running = _Running(session_id, session)
            self._running[channel] = running
            opened = self._open_next(running)
        assert isinstance(opened, QuestionOpened)
        self._emit([opened])
        return opened

    def answer(self, channel: str, user: str, text: str) -> SubmitResult:
        text = clean_user_text(text, MAX_ANSWER_CHARS).text
        if not text:
            return SubmitResult(False, "Type an answer first; empty answers are not counted.")
        with self._lock:
            running = self._running.get(channel)
            if running is None or running.session.current is None:
                return SubmitResult(False, "No quiz question is open in this channel.")
            index, question = running.session.index, running.session.current
            live = running.live_keys.get(index)
        # Grading (an embedding for free text) runs outside the lock, so many users can be
        # graded at once; the lock is only held to check and record.
        graded = grade(question, text, similarity=self._similarity, live_key=live)
        with self._lock:
            if running.session.index != index or self._running.get(channel) is not running:
                return SubmitResult(
                    False, "Time is up for this question; your answer was not counted."
                )
            result = running.session.submit(user, text, graded, self._clock())
            if result.accepted and result.answer:
                try:
                    self.store.run(insert_answer, running.id, question, result.answer)
                except sqlite3.IntegrityError:  # the database saw this user already
                    return SubmitResult(
                        False, "You already answered this question; only your first answer counts."
                    )
        # When everyone expected has answered, the next tick closes the question, so the
        # answerer sees their acknowledgement before the results.
        return result

    def tick(self) -> None:
        events: list[QuizEvent] = []
        now = self._clock()
        with self._lock:
            for running in list(self._running.values()):
                if running.session.should_close(now):
                    events += self._advance(running)
        self._emit(events)

    def skip(self, channel: str) -> None:
        with self._lock:
            running = self._require(channel)
            question, number = running.session.current, running.session.index + 1
            running.session.skip()
            events: list[QuizEvent] = []
            if question is not None:
                events.append(
                    QuestionClosed(channel, running.id, number, question, "", [], skipped=True)
                )
            events += self._open_or_finish(running)
        self._emit(events)

    def stop(self, channel: str) -> QuizEnded:
        with self._lock:
            running = self._require(channel)
            running.session.stop()
            ended = self._finish(running, "stopped")
        self._emit([ended])
        return ended

    def is_running(self, channel: str) -> bool:
        with self._lock:
            return channel in self._running

    def current(self, channel: str) -> QuestionOpened | None:
        with self._lock:
            running = self._running.get(channel)
            if running is None or running.session.current is None:
                return None
            s = running.session
            left = max(0.0, s.deadline - self._clock())
            return QuestionOpened(
                channel, running.id, s.index + 1, len(s.questions), s.questions[s.index], left
            )

    # --- state changes (called with the lock held) ---------------------------------------

    def _require(self, channel: str) -> _Running:
        running = self._running.get(channel)
        if running is None:
            raise QuizError("No quiz is running in this channel.")
        return running

    def _advance(self, running: _Running) -> list[QuizEvent]:
        s = running.session
        question, number = s.current, s.index + 1
        answers = s.close_current()
        events: list[QuizEvent] = []
        if question is not None:
            expected = _expected(question, running.live_keys.get(s.index))
            events.append(
                QuestionClosed(s.channel, running.id, number, question, expected, answers)
            )
        return events + self._open_or_finish(running)

    def _open_or_finish(self, running: _Running) -> list[QuizEvent]:
        opened = self._open_next(running)
        return [opened] if opened else [self._finish(running, "finished")]

    def _open_next(self, running: _Running) -> QuizEvent | None:
        s = running.session
        question = s.open_next(self._clock())
        if question is None:
            return None
        if question.kind == "live":
            running.live_keys[s.index] = self._live_key(question)
        self.store.run(set_index, running.id, s.index)
        return QuestionOpened(
            s.channel, running.id, s.index + 1, len(s.questions), question, s.seconds_per_question
        )

    def _finish(self, running: _Running, status: str) -> QuizEnded:
        self._running.pop(running.session.channel, None)
        self.store.run(end_session, running.id, status)
        return self.results(running.id)

    # --- results, leaderboards, recovery -------------------------------------------------

    def results(self, session_id: int) -> QuizEnded:
        session, rows = self.store.run(session_rows, session_id)
        if session is None:
            raise QuizError(f"No quiz #{session_id}.")
        answers = [_row_to_answer(r) for r in rows]
        team_of = {r["user"]: r["team"] for r in rows if r["team"] is not None}
        users = user_standings(answers)
        return QuizEnded(
            session["channel"],
            session_id,
            session["status"],
            users,
            team_standings(users, team_of),
            _concept_results(rows),
        )

    def leaderboard(self) -> tuple[list[Standing], list[Standing]]:
        """Class-wide standings over every stored answer, and team averages."""
        rows, members = self.store.run(all_answers)
        users = user_standings([_row_to_answer(r) for r in rows])
        return users, team_standings(users, members)

    def recover_interrupted(self) -> list[dict[str, Any]]:
        """Mark sessions a crash left running as interrupted; returns what was recovered."""
        return self.store.run(mark_interrupted, utc_now())


def _expected(question: Question, live_key: float | None) -> str:
    if question.kind == "choice":
        i = int(question.answer)
        return f"{'ABCDE'[i]}) {question.choices[i]}"
    if question.kind in ("numeric", "live"):
        value = live_key if question.kind == "live" else question.answer
        unit = f" {question.unit}" if question.unit else ""
        return f"{value:g}{unit}"
    return question.reference


def _concept_results(rows: list[dict[str, Any]]) -> list[ConceptResult]:
    credit: dict[str, list[float]] = {}
    for r in rows:
        for concept in json.loads(r["concepts"] or "[]"):
            credit.setdefault(concept, []).append(r["credit"])
    results = [ConceptResult(c, sum(v) / len(v), len(v)) for c, v in credit.items()]
    return sorted(results, key=lambda r: (r.mean_credit, r.concept))


def _row_to_answer(r: dict[str, Any]) -> RecordedAnswer:
    return RecordedAnswer(
        r["user"],
        r["question_index"],
        r["answer"] or "",
        Grade(r["credit"], r["reason"] or "", ""),
        r["points"],
        r["answered_at"] or 0.0,
    )

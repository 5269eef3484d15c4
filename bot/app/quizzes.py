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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.app.bank import QuestionBank
from bot.app.context import Actor
from bot.app.events import Listeners
from bot.app.resources import Resources
from bot.app.results import Leaderboard
from bot.errors import QuizError
from bot.store import classes as class_rows
from bot.store import quizzes as rows
from bot.store import utc_now
from bot.store.enums import QuizStatus
from skills.quiz.bank import Question
from skills.quiz.grading import MAX_ANSWER_CHARS, Grade, grade
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


# --- events sent to frontends ---------------------------------------------------------------


@dataclass(frozen=True)
class QuestionOpened:
    server: str
    channel: str
    session_id: int
    number: int  # 1-based
    total: int
    question: Question
    seconds: float


@dataclass(frozen=True)
class QuestionClosed:
    server: str
    channel: str
    session_id: int
    number: int
    question: Question
    expected: str
    answers: list[RecordedAnswer]
    skipped: bool = False
    names: dict[str, str] = field(default_factory=dict)  # user id -> display name


@dataclass(frozen=True)
class ConceptResult:
    concept: str
    mean_credit: float
    answers: int


@dataclass(frozen=True)
class QuizEnded:
    server: str
    channel: str
    session_id: int
    status: QuizStatus
    users: list[Standing]  # by display name
    teams: list[Standing]
    missed: list[ConceptResult]  # weakest concepts first


QuizEvent = QuestionOpened | QuestionClosed | QuizEnded
Listener = Callable[[QuizEvent], None]


Key = tuple[str, str]  # (server, channel)


@dataclass
class _Running:
    id: int
    server: str
    session: QuizSession
    live_keys: dict[int, float] = field(default_factory=dict)


class QuizManager:
    def __init__(self, res: Resources, bank: QuestionBank) -> None:
        self.res = res
        self.store = res.store
        self.bank = bank
        self._clock = res.clock
        self._running: dict[Key, _Running] = {}
        self._events: Listeners[QuizEvent] = Listeners("quiz")
        self._lock = threading.RLock()

    # --- listeners and the timer thread --------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._events.subscribe(listener)

    # --- commands -------------------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        *,
        team: int | None,
        count: int = 5,
        seconds: float = 30,
        players: frozenset[str] = frozenset(),
        rules: ScoringRules | None = None,
        seed: int | None = None,
    ) -> QuestionOpened:
        """Open a quiz in the actor's channel. With `players`, a question closes as soon as
        every one of them has answered."""
        if not 1 <= count <= MAX_QUESTIONS:
            raise QuizError(f"A quiz has 1 to {MAX_QUESTIONS} questions.")
        if not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
            raise QuizError(f"Give each question {SECONDS_RANGE[0]} to {SECONDS_RANGE[1]} seconds.")
        pool = self.bank.questions(team)
        if not pool:
            raise QuizError(f"There are no questions for team{team}.")
        random.Random(seed).shuffle(pool)
        chosen = pool[:count]
        rules = rules or ScoringRules()
        key = (actor.server, actor.channel)
        with self._lock:
            if key in self._running:
                raise QuizError("A quiz is already running in this channel; stop it first.")
            session = QuizSession(actor.channel, team, chosen, seconds, rules, players)
            session_id = self.store.run(
                rows.insert_session, actor.server, session, actor.user, utc_now()
            )
            running = _Running(session_id, actor.server, session)
            self._running[key] = running
            opened = self._open_next(running)
        assert isinstance(opened, QuestionOpened)
        self._events.emit([opened])
        return opened

    def answer(self, actor: Actor, text: str) -> SubmitResult:
        text = clean_user_text(text, MAX_ANSWER_CHARS).text
        if not text:
            return SubmitResult(False, "Type an answer first; empty answers are not counted.")
        key = (actor.server, actor.channel)
        with self._lock:
            running = self._running.get(key)
            if running is None or running.session.current is None:
                return SubmitResult(False, "No quiz question is open in this channel.")
            index, question = running.session.index, running.session.current
            live = running.live_keys.get(index)
        self.res.remember(actor)
        # Grading (an embedding for free text) runs outside the lock, so many users can be
        # graded at once; the lock is only held to check and record.
        graded = grade(question, text, similarity=self.bank.similarity, live_key=live)
        with self._lock:
            if running.session.index != index or self._running.get(key) is not running:
                return SubmitResult(
                    False, "Time is up for this question; your answer was not counted."
                )
            result = running.session.submit(actor.user, text, graded, self._clock())
            if result.accepted and result.answer:
                try:
                    self.store.run(
                        rows.insert_answer, running.server, running.id, question, result.answer
                    )
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
        self._events.emit(events)

    def skip(self, actor: Actor) -> None:
        with self._lock:
            running = self._require(actor)
            question, number = running.session.current, running.session.index + 1
            running.session.skip()
            events: list[QuizEvent] = []
            if question is not None:
                events.append(
                    QuestionClosed(
                        running.server, actor.channel, running.id, number, question, "", [], True
                    )
                )
            events += self._open_or_finish(running)
        self._events.emit(events)

    def stop(self, actor: Actor) -> QuizEnded:
        with self._lock:
            running = self._require(actor)
            running.session.stop()
            ended = self._finish(running, QuizStatus.STOPPED)
        self._events.emit([ended])
        return ended

    def is_running(self, server: str, channel: str) -> bool:
        with self._lock:
            return (server, channel) in self._running

    def current(self, server: str, channel: str) -> QuestionOpened | None:
        with self._lock:
            running = self._running.get((server, channel))
            if running is None or running.session.current is None:
                return None
            s = running.session
            left = max(0.0, s.deadline - self._clock())
            return QuestionOpened(
                server,
                channel,
                running.id,
                s.index + 1,
                len(s.questions),
                s.questions[s.index],
                left,
            )

    # --- state changes (called with the lock held) ---------------------------------------

    def _require(self, actor: Actor) -> _Running:
        running = self._running.get((actor.server, actor.channel))
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
            names = self.res.names([a.user for a in answers])
            events.append(
                QuestionClosed(
                    running.server,
                    s.channel,
                    running.id,
                    number,
                    question,
                    expected,
                    answers,
                    names=names,
                )
            )
        return events + self._open_or_finish(running)

    def _open_or_finish(self, running: _Running) -> list[QuizEvent]:
        opened = self._open_next(running)
        return [opened] if opened else [self._finish(running, QuizStatus.FINISHED)]

    def _open_next(self, running: _Running) -> QuizEvent | None:
        s = running.session
        question = s.open_next(self._clock())
        if question is None:
            return None
        if question.kind == "live":
            running.live_keys[s.index] = self.bank.live_key(question)
        self.store.run(rows.set_index, running.id, s.index)
        return QuestionOpened(
            running.server,
            s.channel,
            running.id,
            s.index + 1,
            len(s.questions),
            question,
            s.seconds_per_question,
        )

    def _finish(self, running: _Running, status: QuizStatus) -> QuizEnded:
        self._running.pop((running.server, running.session.channel), None)
        self.store.run(rows.end_session, running.id, status)
        return self.results(running.id)

    # --- results, leaderboards, recovery -------------------------------------------------

    def results(self, session_id: int) -> QuizEnded:
        session, answer_rows = self.store.run(rows.session_rows, session_id)
        if session is None:
            raise QuizError(f"No quiz #{session_id}.")
        team_of = {r["user"]: r["team"] for r in answer_rows if r["team"] is not None}
        board = self._standings([_row_to_answer(r) for r in answer_rows], team_of)
        return QuizEnded(
            session["server"],
            session["channel"],
            session_id,
            QuizStatus(session["status"]),
            board.users,
            board.teams,
            _concept_results(answer_rows),
        )

    def leaderboard(self, server: str) -> Leaderboard:
        """Class-wide standings over every stored answer in this server, and team averages."""
        answer_rows = self.store.run(rows.server_answers, server)
        members = self.store.run(class_rows.members, server)
        return self._standings([_row_to_answer(r) for r in answer_rows], members)

    def _standings(self, answers: list[RecordedAnswer], team_of: dict[str, int]) -> Leaderboard:
        users = user_standings(answers)  # keyed by user id until here
        teams = team_standings(users, team_of)
        names = self.res.names([u.name for u in users])
        named = [Standing(names[u.name], u.points, u.correct, u.answered) for u in users]
        return Leaderboard(named, teams)

    def recover_interrupted(self) -> list[dict[str, Any]]:
        """Mark sessions a crash left running as interrupted; returns what was recovered."""
        return self.store.run(rows.mark_interrupted, utc_now())


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

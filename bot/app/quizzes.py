"""Quiz sessions in channels: the engine's rules plus timers, storage and events.

Every accepted answer is written to SQLite before the user is told it counted, so a crash or
restart loses nothing that was acknowledged.

Time accommodations (`tutor teams accommodate`, `/admin accommodate`): a student with a time
multiplier may answer until the question's seconds x their multiplier; everyone else until
the question's seconds. The key is never shown before an accommodated player has had their
time: the question stays open (no results, no key) while one of them may still answer, and
closes as soon as they have. Who counts as playing: the `players` given, else the members of
the team whose channel this is, else every team member of the class; and anyone who has
answered in this quiz. This costs the class time only while an accommodated student has not
answered yet, and the question's announcement says when results come (never who has extra
time). Letting the class's results come at the normal time would have shown the key to
someone still answering; holding every question to the longest time for everyone would have
given everyone the accommodation. Sessions left "running" by a crash are marked
"interrupted" at the next start, and their answers stay on the leaderboard.
"""

from __future__ import annotations

import json
import logging
import random
import re
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
from bot.store import AlreadyAnswered, DatabaseUnavailable, number_of, utc_now
from bot.store import classes as class_rows
from bot.store import quizzes as rows
from bot.store.enums import QuizStatus
from skills.course import Team, parse_team
from skills.quiz.bank import Question
from skills.quiz.grading import MAX_ANSWER_CHARS, Grade, grade
from skills.quiz.session import (
    QuizSession,
    RecordedAnswer,
    ScoringRules,
    Standing,
    Status,
    SubmitResult,
    team_standings,
    user_standings,
)
from skills.smalltalk import small_talk_reply
from skills.text import clean_user_text

log = logging.getLogger(__name__)

MAX_QUESTIONS = 20
SECONDS_RANGE = (5, 600)


# --- events sent to frontends ---------------------------------------------------------------


@dataclass(frozen=True)
class QuestionOpened:
    server: str
    channel: str
    session_id: int  # the database's key
    number: int  # the question's, 1-based
    total: int
    question: Question
    seconds: float  # the class's time to answer
    open_for: float = 0.0  # the longest it stays open, for players with extra time (0: seconds)
    quiz_number: int = 0  # what the class calls the quiz: its own quizzes count from 1

    @property
    def extended(self) -> bool:
        """Some players have extra time: results may come after `seconds`, by `open_for`."""
        return self.open_for > self.seconds


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
    everyone_answered: bool = False  # closed early: every expected player had answered
    live_detail: str = ""  # for live questions: what the real tokenizer produced, and why


@dataclass(frozen=True)
class ConceptResult:
    concept: str
    mean_credit: float
    answers: int


@dataclass(frozen=True)
class InterruptedQuiz:
    """A quiz a crash or restart cut short, as recovery found it (answers so far are kept)."""

    id: int
    number: int  # what its class calls it
    server: str
    channel: str
    team: int | None
    question: int  # the question it was on (0: none had opened)
    questions: int
    answers_kept: int
    post: str | None  # where a frontend posted the open question (`note_posted`)


@dataclass(frozen=True)
class QuizEnded:
    server: str
    channel: str
    session_id: int  # the database's key
    quiz_number: int  # what the class calls it
    status: QuizStatus
    users: list[Standing]  # by display name
    teams: list[Standing]
    missed: list[ConceptResult]  # weakest concepts first


@dataclass(frozen=True)
class OwnResult:
    """One student's result of one quiz: shown to them alone (the class sees only who did
    well)."""

    quiz_number: int  # what the class calls the quiz
    points: int
    correct: int
    answered: int
    rank: int | None  # among those with a right answer; None without one
    of: int  # how many took part
    missed: list[str]  # concepts of the questions not fully right, by id


QuizEvent = QuestionOpened | QuestionClosed | QuizEnded
Listener = Callable[[QuizEvent], None]


Key = tuple[str, str]  # (server, channel)


# How long a question that has run out of time waits for answers that arrived in time but are
# still being graded or stored, before it closes anyway.
GRADING_GRACE_SECONDS = 15.0
SAVE_FAILED = (
    "Your answer could not be saved (the database is busy or full), so it was not counted; "
    "please send it again."
)


@dataclass
class _Running:
    id: int
    number: int  # the quiz's number in its class
    server: str
    session: QuizSession
    live_keys: dict[int, float] = field(default_factory=dict)
    in_flight: dict[int, int] = field(default_factory=dict)  # question index -> answers grading
    opens_at: float | None = None  # when the next question opens (after the gap)


class Arrival:
    """An answer a frontend has received and not yet handed to `QuizManager.answer`: when
    it came, and a hold on its question. Under a burst the answer waits for a worker
    thread, maybe seconds; meanwhile its question must not close (up to the grading grace)
    and the wait must not make it late. `release` is idempotent: the frontend calls it in a
    `finally` in case the answer never reaches `answer` (a failed defer)."""

    def __init__(self, at: float, release: Callable[[], None]) -> None:
        self.at = at
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


# How long after a question closes a short line in its channel is taken as a late answer.
LATE_ANSWER_SECONDS = 20.0
_QUESTION_START = re.compile(
    r"^\s*(is|are|was|does|do|did|can|could|should|would|will|what|why|how|when|where|which|"
    r"who|isn'?t|so)\b",
    re.IGNORECASE,
)


def looks_like_a_question(text: str) -> bool:
    """A line that asks something ("is it 3?"), not an answer that ends unsure ("B?")."""
    text = text.strip()
    return text.endswith("?") and (bool(_QUESTION_START.match(text)) or len(text.split()) >= 4)


_GUESS = re.compile(
    r"(is|was|could|would|will)\s+(it|that|the\s+answer)\s+(be\s+)?[\w.,-]{1,12}\s*\?+", re.I
)


def looks_like_a_guess(text: str) -> bool:
    """A student checking their answer to the open question: "is it 3?", "was it B?"."""
    return bool(_GUESS.fullmatch(text.strip()))


def looks_like_a_late_answer(text: str) -> bool:
    """A short line that is not a question: "B", "four", "0.5", "attention mask"."""
    text = text.strip()
    return bool(text) and not text.endswith("?") and len(text.split()) <= 3


class QuizManager:
    def __init__(
        self,
        res: Resources,
        bank: QuestionBank,
        ask: Callable[[Actor, str], object] | None = None,
    ) -> None:
        self.res = res
        self._ask = ask  # answers a student's question typed while a question is open
        self.store = res.store
        self.bank = bank
        self._clock = res.clock
        self.gap_seconds = res.settings.quiz_gap_seconds
        self._running: dict[Key, _Running] = {}
        self._events: Listeners[QuizEvent] = Listeners("quiz")
        self._lock = threading.RLock()
        # Answers received but not yet in `answer` (see Arrival), per channel. Their own lock,
        # never held across anything slow: frontends take it on their event loop.
        self._arriving: dict[Key, int] = {}
        self._arriving_lock = threading.Lock()
        # The last question closed in each channel and when: a line typed just after it (or
        # after the quiz ended) is a late answer, not a question for the bot.
        self._closed: dict[Key, tuple[int, float]] = {}

    # --- listeners and the timer thread --------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._events.subscribe(listener)

    # --- commands -------------------------------------------------------------------------

    def start(
        self,
        actor: Actor,
        *,
        team: Team | None,
        count: int = 5,
        seconds: float = 30,
        players: frozenset[str] = frozenset(),
        rules: ScoringRules | None = None,
        seed: int | None = None,
        questions: list[Question] | None = None,
        announce: bool = True,
    ) -> QuestionOpened:
        """Open a quiz in the actor's channel. With `players`, a question closes as soon as
        every one of them has answered. With `announce=False` the caller announces the first
        question itself (`announce`), after its own messages."""
        if not 1 <= count <= MAX_QUESTIONS:
            raise QuizError(f"A quiz has 1 to {MAX_QUESTIONS} questions.")
        if not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
            raise QuizError(f"Give each question {SECONDS_RANGE[0]} to {SECONDS_RANGE[1]} seconds.")
        number_of_team = None if team is None else parse_team(team)  # "" is no team
        if questions:  # a planned quiz (the jigsaw's closing quiz): these, in this order
            chosen = questions[:MAX_QUESTIONS]
        else:
            pool = self.bank.questions(number_of_team)
            if not pool:
                raise QuizError(f"There are no questions for team{number_of_team}.")
            random.Random(seed).shuffle(pool)
            chosen = pool[:count]
        rules = rules or ScoringRules()
        key = (actor.server, actor.channel)
        with self._lock:
            if key in self._running:
                raise QuizError("A quiz is already running in this channel; stop it first.")
            session = QuizSession(actor.channel, number_of_team, chosen, seconds, rules, players)
            owner = self.res.lease.hold()
            session_id = self.store.write(
                rows.insert_session, actor.server, session, actor.user, utc_now(), owner
            )
            number = self.store.run(number_of, "quiz_sessions", session_id)
            running = _Running(session_id, number, actor.server, session)
            self._running[key] = running
            opened = self._open_next(running)
        assert isinstance(opened, QuestionOpened)
        if announce:
            self.announce(opened)
        return opened

    def announce(self, opened: QuestionOpened) -> None:
        self._events.emit([opened])

    def arrive(self, actor: Actor) -> Arrival:
        """Call at the event (the click, the form, the line), before any wait: the answer
        counts as arrived now, and its channel's question waits for it (see Arrival)."""
        key = (actor.server, actor.channel)
        with self._arriving_lock:
            self._arriving[key] = self._arriving.get(key, 0) + 1

        def release() -> None:
            with self._arriving_lock:
                left = self._arriving.get(key, 0) - 1
                if left > 0:
                    self._arriving[key] = left
                else:
                    self._arriving.pop(key, None)

        return Arrival(self._clock(), release)

    def _still_arriving(self, key: Key) -> int:
        with self._arriving_lock:
            return self._arriving.get(key, 0)

    def answer(
        self,
        actor: Actor,
        text: str,
        question: tuple[int, int] | None = None,
        arrival: Arrival | None = None,
    ) -> SubmitResult:
        """Grade and record an answer. It is judged by its arrival: accepted if it arrived
        before its question's deadline (the student's own, with a time accommodation),
        however long grading takes, and never graded against
        another question. `question` is (quiz id, question number) when the frontend knows
        which question the answer was given for (a button, a form); a plain line answers the
        question open when it arrives. It is acknowledged only once it is stored.

        `arrival` is what the frontend took at the event (`arrive`): the answer is judged
        by that time, not by when a worker thread got to it."""
        try:
            return self._answer(actor, text, question, arrival)
        finally:
            if arrival is not None:
                arrival.release()

    def _answer(
        self,
        actor: Actor,
        text: str,
        question: tuple[int, int] | None,
        arrival: Arrival | None,
    ) -> SubmitResult:
        now = self._clock()
        arrived = now if arrival is None else min(arrival.at, now)
        text = clean_user_text(text, MAX_ANSWER_CHARS).text
        if not text:
            return SubmitResult(False, "Type an answer first; empty answers are not counted.")
        key = (actor.server, actor.channel)
        with self._lock:
            running = self._running.get(key)
        if running is None and question is not None:  # that quiz has ended (read unlocked)
            return SubmitResult(False, self._ended_reply(*question))
        with self._lock:
            running = self._running.get(key)
            if running is None:
                return SubmitResult(False, "No quiz question is open in this channel.")
            s = running.session
            if s.current is None and question is None:
                return SubmitResult(
                    False,
                    f"Question {s.index + 1} has closed, so your answer was not counted; "
                    "wait for the next one.",
                )
            if question is not None and (
                question != (running.id, s.index + 1) or s.current is None
            ):
                return SubmitResult(False, _closed(question[1]))
            refused = s.refusal(actor.user, arrived)
            if refused and looks_like_a_guess(text) and s.has_answered(actor.user):
                # "is it 3?" after answering: about this question, whose answer comes at close
                return SubmitResult(
                    False,
                    f"You already answered question {s.index + 1}; only your first answer "
                    "counts, and the answer is shown when the question closes.",
                )
            if refused and self._ask and looks_like_a_question(text):
                # A question to the bot typed while a question is open; not a second answer
                return SubmitResult(
                    False,
                    f"(This was not taken as an answer to question {s.index + 1}.) Your "
                    "question, answered:",
                    reply=self._ask(actor.in_channel(f"{actor.channel} (quiz)"), text),
                )
            if refused:
                return SubmitResult(False, refused)
            index, asked = s.index, s.questions[s.index]
            live = running.live_keys.get(index)
            running.in_flight[index] = running.in_flight.get(index, 0) + 1
        try:
            return self._grade_and_record(running, actor, asked, index, text, live, arrived)
        finally:
            with self._lock:
                running.in_flight[index] -= 1

    def _grade_and_record(
        self,
        running: _Running,
        actor: Actor,
        question: Question,
        index: int,
        text: str,
        live: float | None,
        arrived: float,
    ) -> SubmitResult:
        self.res.remember(actor)
        # Grading (an embedding for free text) runs outside the lock, so a burst of answers is
        # graded together (bank.similarity batches them).
        graded = grade(question, text, similarity=self.bank.similarity, live_key=live)
        if not graded.counted:  # not an attempt: the student may answer again
            if text.rstrip().endswith("?") and question.kind != "free" and self._ask:
                return SubmitResult(
                    False,
                    "That looks like a question, so it was not taken as your answer "
                    "(you can still answer). Here is what I know:",
                    reply=self._ask(actor.in_channel(f"{actor.channel} (quiz)"), text),
                )
            return SubmitResult(False, f"{graded.reason} Nothing was recorded; try again.")
        with self._lock:
            refused = running.session.refusal(actor.user, arrived)  # a double click raced us
            if refused:
                return SubmitResult(False, refused)
            answer = running.session.scored(actor.user, text, graded, arrived)
        try:
            self.store.write(rows.insert_answer, running.server, running.id, question, answer)
        except AlreadyAnswered:  # the database saw this user already
            return SubmitResult(
                False, "You already answered this question; only your first answer counts."
            )
        except DatabaseUnavailable:
            log.exception("could not store an answer to quiz #%d", running.id)
            return SubmitResult(False, SAVE_FAILED)
        with self._lock:
            running.session.record(answer)
        # While the question is open the acknowledgement says only what was recorded: later
        # answerers must not learn the key from it. Everyone sees the key when it closes.
        shown = text if len(text) <= 60 else text[:59] + "…"
        return SubmitResult(True, f"your answer “{shown}”.", answer)

    def tick(self) -> None:
        events: list[QuizEvent] = []
        now = self._clock()
        with self._lock:
            for running in list(self._running.values()):
                try:
                    events += self._step(running, now)
                except DatabaseUnavailable:  # nothing moved; the next tick tries again
                    log.warning("quiz #%d waits for the database", running.id, exc_info=True)
        self._events.emit(events)

    def _step(self, running: _Running, now: float) -> list[QuizEvent]:
        s = running.session
        if s.status == Status.OPEN:
            grading = running.in_flight.get(s.index, 0) + self._still_arriving(
                (running.server, s.channel)
            )
            overdue = now >= s.closes_at + GRADING_GRACE_SECONDS
            if s.should_close(now) and (not grading or overdue):
                return self._advance(running)
            return []
        if s.status in (Status.FINISHED, Status.STOPPED):  # a finish the database missed
            return [self._finish(running, QuizStatus(s.status.value))]
        if running.opens_at is not None and now >= running.opens_at:
            return self._open_or_finish(running)
        return []

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
        """End the quiz now; the open question still closes with its answer and results.
        With no quiz running here, end the one a restart interrupted (its answers stand)."""
        if not self.is_running(actor.server, actor.channel):
            row = self.store.run(rows.interrupted_in, actor.server, actor.channel)
            if row is not None:
                self.store.write(rows.end_session, row["id"], QuizStatus.STOPPED)
                ended = self.results(row["id"])
                self._events.emit([ended])
                return ended
        with self._lock:
            running = self._require(actor)
            events = self._close_open_question(running)
            running.session.stop()
            ended = self._finish(running, QuizStatus.STOPPED)
        self._events.emit([*events, ended])
        return ended

    def is_running(self, server: str, channel: str) -> bool:
        with self._lock:
            return (server, channel) in self._running

    def just_closed(self, server: str, channel: str) -> int | None:
        """The number of the question that closed in this channel in the last
        LATE_ANSWER_SECONDS, while no other question is open; else None."""
        with self._lock:
            running = self._running.get((server, channel))
            if running is not None and running.session.current is not None:
                return None
            closed = self._closed.get((server, channel))
        if closed is None or self._clock() - closed[1] > LATE_ANSWER_SECONDS:
            return None
        return closed[0]

    def late_answer(self, actor: Actor, text: str) -> str | None:
        """What to tell someone whose short line ("B", "four") came just after the question
        closed in their channel, or None when the line is something else (a question, small
        talk, or no question closed lately)."""
        number = self.just_closed(actor.server, actor.channel)
        if number is None or not looks_like_a_late_answer(text) or small_talk_reply(text):
            return None
        return f"Question {number} has closed; your answer was not counted."

    def current(self, server: str, channel: str) -> QuestionOpened | None:
        with self._lock:
            running = self._running.get((server, channel))
            if running is None or running.session.current is None:
                return None
            s = running.session
            now = self._clock()
            return QuestionOpened(
                server,
                channel,
                running.id,
                s.index + 1,
                len(s.questions),
                s.questions[s.index],
                max(0.0, s.deadline - now),
                max(0.0, s.closes_at - now),
                running.number,
            )

    def longest_accommodation(
        self, server: str, channel: str, players: frozenset[str] = frozenset()
    ) -> float:
        """The largest time multiplier among those who would play a quiz here (1.0: none), so
        a planned quiz can fit its time."""
        multipliers, audience = self.store.run(_time_context, server, channel, players)
        return max([1.0, *(m for user, m in multipliers.items() if user in audience)])

    # --- state changes (called with the lock held) ---------------------------------------

    def _require(self, actor: Actor) -> _Running:
        running = self._running.get((actor.server, actor.channel))
        if running is None:
            raise QuizError("No quiz is running in this channel.")
        return running

    def _advance(self, running: _Running) -> list[QuizEvent]:
        """Close the open question; the next opens after a short gap, so an answer typed for
        this question is never taken for the next one."""
        events = self._close_open_question(running)
        running.opens_at = self._clock() + self.gap_seconds
        if self.gap_seconds <= 0:
            events += self._open_or_finish(running)
        return events

    def _close_open_question(self, running: _Running) -> list[QuizEvent]:
        s = running.session
        question, number = s.current, s.index + 1
        if question is not None:
            self._closed[(running.server, s.channel)] = (number, self._clock())
        early = s.everyone_answered()
        answers = s.close_current()
        events: list[QuizEvent] = []
        if question is not None:
            expected = _expected(question, running.live_keys.get(s.index))
            names = self.res.names([a.user for a in answers])
            detail = self.bank.live_explanation(question) if question.kind == "live" else ""
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
                    everyone_answered=early,
                    live_detail=detail,
                )
            )
        return events

    def _open_or_finish(self, running: _Running) -> list[QuizEvent]:
        opened = self._open_next(running)
        return [opened] if opened else [self._finish(running, QuizStatus.FINISHED)]

    def _open_next(self, running: _Running) -> QuizEvent | None:
        """Open the next question once the database has it (a failed write changes nothing)."""
        s = running.session
        index = s.index + 1
        if index >= len(s.questions):
            s.open_next(self._clock())  # finishes the session
            return None
        question = s.questions[index]
        if question.kind == "live" and index not in running.live_keys:
            running.live_keys[index] = self.bank.live_key(question)
        # Accommodations and teams are read afresh for every question: an instructor may set
        # one, or a late student join a team, while the quiz runs.
        s.time_multipliers, s.audience = self.store.run(
            _time_context, running.server, s.channel, s.expected_users
        )
        self.store.write(rows.set_index, running.id, index)
        s.open_next(self._clock())
        running.opens_at = None
        return QuestionOpened(
            running.server,
            s.channel,
            running.id,
            index + 1,
            len(s.questions),
            question,
            s.seconds_per_question,
            s.closes_at - s.opened_at,
            running.number,
        )

    def _finish(self, running: _Running, status: QuizStatus) -> QuizEnded:
        self.store.write(rows.end_session, running.id, status)
        self._running.pop((running.server, running.session.channel), None)
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
            session["number"],
            QuizStatus(session["status"]),
            board.users,
            board.teams,
            _concept_results(answer_rows),
        )

    def own_result(self, actor: Actor, session_id: int) -> OwnResult:
        """The actor's own result of a quiz of their class."""
        session, answer_rows = self.store.run(rows.session_rows, session_id)
        if session is None or session["server"] != actor.server:
            raise QuizError("No such quiz in this class.")
        standings = user_standings([_row_to_answer(r) for r in answer_rows])
        mine = next((s for s in standings if s.name == actor.user), None)
        if mine is None:
            return OwnResult(session["number"], 0, 0, 0, None, len(standings), [])
        ranked = [s.name for s in standings if s.correct > 0]
        rank = ranked.index(actor.user) + 1 if actor.user in ranked else None
        missed = [
            c
            for r in answer_rows
            if r["user"] == actor.user and r["credit"] < 1.0
            for c in json.loads(r["concepts"] or "[]")
        ]
        return OwnResult(
            session["number"],
            mine.points,
            mine.correct,
            mine.answered,
            rank,
            len(standings),
            list(dict.fromkeys(missed)),
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

    def resume(self, actor: Actor) -> QuestionOpened:
        """Continue the quiz a restart interrupted in this channel, from the question it was
        on (with a fresh timer); answers already stored still count, once."""
        key = (actor.server, actor.channel)
        row = self.store.run(rows.interrupted_in, actor.server, actor.channel)
        if row is None:
            raise QuizError("No interrupted quiz to resume in this channel.")
        by_id = {q.id: q for q in self.bank.questions()}
        asked = [by_id[q] for q in json.loads(row["question_ids"]) if q in by_id]
        index = max(0, row["current_index"])
        if index >= len(asked):
            raise QuizError(f"Quiz #{row['number']} had no questions left to ask.")
        _, answer_rows = self.store.run(rows.session_rows, row["id"])
        with self._lock:
            if key in self._running:
                raise QuizError("A quiz is already running in this channel; stop it first.")
            session = QuizSession(
                actor.channel,
                row["team"],
                asked,
                row["seconds_per_question"],
                ScoringRules(**json.loads(row["rules"] or "{}")),
            )
            for answer in map(_row_to_answer, answer_rows):
                session.record(answer)
            session.index = index - 1
            session.status = Status.BETWEEN
            running = _Running(row["id"], row["number"], actor.server, session)
            self.store.write(rows.reopen_session, row["id"], self.res.lease.hold())
            self._running[key] = running
            opened = self._open_next(running)
        assert isinstance(opened, QuestionOpened)
        self.announce(opened)
        return opened

    def note_posted(self, session_id: int, post: str) -> None:
        """Remember where a frontend posted the quiz's open question (its own reference), so
        that after a restart it can find that post again (`recover_interrupted` returns it)."""
        self.store.write(rows.note_post, session_id, post)

    def _ended_reply(self, session_id: int, number: int) -> str:
        if self.store.run(rows.status_of, session_id) == QuizStatus.INTERRUPTED.value:
            quiz = self.store.run(number_of, "quiz_sessions", session_id)
            return (
                f"Quiz #{quiz} was interrupted by a restart, so this answer was not "
                "counted; answers given before it are kept."
            )
        return _closed(number)

    def recover_interrupted(self) -> list[InterruptedQuiz]:
        """Mark sessions whose process died as interrupted (never another live process's);
        returns what was recovered."""
        lost = self.store.write(rows.mark_interrupted, utc_now(), self.res.lease.alive())
        return [InterruptedQuiz(**row) for row in lost]


def _time_context(
    db: Any, server: str, channel: str, players: frozenset[str]
) -> tuple[dict[str, float], frozenset[str]]:
    """The class's time multipliers, and who is expected to play in this channel: `players`,
    else the team whose channel it is, else every team member of the class."""
    multipliers = class_rows.accommodations(db, server)
    if players:
        return multipliers, players
    members = class_rows.members(db, server)
    channels = class_rows.team_channels(db, server)
    team = next((t for t, ch in channels.items() if ch == channel), None)
    return multipliers, frozenset(u for u, t in members.items() if team in (None, t))


def _closed(number: int) -> str:
    return f"Question {number} has closed; your answer was not counted."


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

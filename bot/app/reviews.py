"""Spaced review of what each student missed in the class quizzes.

The service listens to the quiz manager: when a question closes, every graded answer moves
that student's FSRS card for the question (a miss makes one; see skills/review.py). Students
then review the questions due today one at a time, graded by the quiz's own grader, and read
the concept's card after a miss. Reminders are opt-in and go out at most once per local day
(the date is stored, so a restart changes nothing); the frontends deliver them.

Everything here belongs to one student in one class (server): nothing is shared.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bot.app.bank import QuestionBank
from bot.app.context import Actor
from bot.app.quizzes import QuestionClosed, QuestionOpened, QuizEnded, QuizEvent
from bot.app.resources import Resources
from bot.errors import ReviewClosed, ReviewError, UsageError
from bot.store import reviews as rows
from knowledge.cards import Card
from skills.anki import AnkiNote, write_deck
from skills.course import Team, team_or_none
from skills.errors import Hint
from skills.quiz.bank import Question
from skills.quiz.grading import MAX_ANSWER_CHARS, Grade, expected_answer, grade
from skills.review import (
    Result,
    ReviewCard,
    asked_card,
    horizon,
    is_miss,
    local_date,
    rating_for,
    reminder_allowed,
    review,
)
from skills.text import clean_user_text

log = logging.getLogger(__name__)

RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQuestion:
    """A due question, served to one student."""

    question: Question
    due_today: int  # due today, this one included
    misses: int  # how often the student missed it so far

    def to_json(self) -> dict[str, Any]:
        q = self.question
        data: dict[str, Any] = {
            "question_id": q.id,
            "kind": q.kind,
            "prompt": q.prompt,
            "concepts": list(q.concepts),
            "due_today": self.due_today,
            "misses": self.misses,
        }
        if q.choices:
            data["choices"] = list(q.choices)
        if q.unit:
            data["unit"] = q.unit
        return data


def _card_json(card: Card) -> dict[str, Any]:
    return {
        "concept": card.id,
        "title": card.title,
        "explanation": card.explanation,
        "key_points": list(card.key_points),
        "common_mistakes": list(card.common_mistakes),
    }


@dataclass(frozen=True)
class ReviewOutcome:
    """One graded review answer: the verdict, when the question comes back, the concept's card
    after a miss, and the next due question (already served), if any."""

    question: Question
    answer: str
    grade: Grade
    rating: str  # again, hard, good, easy
    next_due: str  # local date (ISO) the question comes back
    card: Card | None  # the concept's card to read, after a miss
    next: ReviewQuestion | None

    @property
    def result(self) -> Result:
        return Result.of(self.grade.credit)

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question.id,
            "answer": self.answer,
            "result": self.result.name.lower(),
            "credit": self.grade.credit,
            "reason": self.grade.reason,
            "expected": self.grade.expected,
            "rating": self.rating,
            "next_due": self.next_due,
            "card": _card_json(self.card) if self.card else None,
            "next": self.next.to_json() if self.next else None,
        }


@dataclass(frozen=True)
class DueItem:
    question_id: str
    prompt: str
    concepts: list[str]  # titles
    due: str  # local date (ISO)
    misses: int


@dataclass(frozen=True)
class ReviewStatus:
    """What is due today and in the rest of the week, in the class's time zone."""

    today: str
    timezone: str
    due_today: list[DueItem]
    due_this_week: list[DueItem]  # after today, within the coming week
    later: int
    cards: int
    next_due: str | None  # the first day with something due
    reminders: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reminder:
    """A student who opted in has questions due today; the frontend tells them privately."""

    server: str
    user: str
    name: str
    due_today: int


@dataclass(frozen=True)
class ExportResult:
    path: Path
    notes: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "notes": self.notes}


ReminderListener = Callable[[Reminder], None]


@dataclass
class _Subscription:
    listener: ReminderListener
    servers: Callable[[str], bool]


@dataclass(frozen=True)
class _Serving:
    question_id: str
    served_at: float


# --- the service -------------------------------------------------------------------------------


class ReviewService:
    def __init__(self, res: Resources, bank: QuestionBank) -> None:
        self.res = res
        self.bank = bank
        self._opened: dict[tuple[str, str, int, int], float] = {}  # question -> opened at
        self._serving: dict[tuple[str, str], _Serving] = {}  # (server, user) -> served
        self._reminders: list[_Subscription] = []
        self._next_check = 0.0
        self._lock = threading.Lock()

    @property
    def _tz(self) -> str:
        return self.res.settings.class_timezone

    # --- from the quiz ----------------------------------------------------------------------

    def on_quiz_event(self, event: QuizEvent) -> None:
        """Subscribed to the quiz manager (Tutor wiring): graded answers move the cards."""
        if isinstance(event, QuestionOpened):
            key = (event.server, event.channel, event.session_id, event.number)
            with self._lock:
                self._opened[key] = self.res.clock()
        elif isinstance(event, QuestionClosed):
            key = (event.server, event.channel, event.session_id, event.number)
            with self._lock:
                opened = self._opened.pop(key, None)
            for answer in event.answers:
                seconds = answer.answered_at - opened if opened is not None else None
                self._record(
                    event.server,
                    answer.user,
                    event.question,
                    answer.grade.credit,
                    seconds,
                    answer.answered_at,
                    "quiz",
                )
        elif isinstance(event, QuizEnded):
            with self._lock:
                for key in [k for k in self._opened if k[2] == event.session_id]:
                    del self._opened[key]

    def _record(
        self,
        server: str,
        user: str,
        question: Question,
        credit: float,
        seconds: float | None,
        at: float,
        origin: str,
        *,
        due_before: float | None = None,
    ) -> ReviewCard | None:
        rating = rating_for(credit, seconds, question.kind)

        def change(card: ReviewCard | None) -> ReviewCard | None:
            if due_before is not None and (card is None or card.due >= due_before):
                return None  # a review answer counts once, and only while the card is due
            return review(card, question.id, rating, at, tz=self._tz, seconds=seconds)

        apply = partial(
            rows.apply_review, origin=origin, credit=credit, seconds=seconds, reviewed_at=at
        )
        return self.res.store.run(apply, server, user, question.id, change)

    # --- reviewing --------------------------------------------------------------------------

    def next(self, actor: Actor) -> ReviewQuestion | None:
        """Serve the student's first question due today (None when nothing is due)."""
        self.res.remember(actor)
        now = self.res.clock()
        due = self._due_today(actor, now)
        key = (actor.server, actor.user)
        with self._lock:
            if not due:
                self._serving.pop(key, None)
                return None
            card, question = due[0]
            self._serving[key] = _Serving(question.id, now)
        return ReviewQuestion(question, len(due), card.misses)

    def serving(self, actor: Actor) -> str | None:
        """The id of the question served to this student and not answered yet, if any."""
        with self._lock:
            served = self._serving.get((actor.server, actor.user))
        return served.question_id if served else None

    def stop(self, actor: Actor) -> bool:
        with self._lock:
            return self._serving.pop((actor.server, actor.user), None) is not None

    def answer(self, actor: Actor, text: str, question_id: str | None = None) -> ReviewOutcome:
        """Grade an answer to a due question (the one served, unless `question_id` says which)
        exactly as the quiz grades it, reschedule the card and serve the next question."""
        text = clean_user_text(text, MAX_ANSWER_CHARS).text
        if not text:
            raise ReviewError("Type an answer first; empty answers are not counted.")
        self.res.remember(actor)
        with self._lock:
            served = self._serving.get((actor.server, actor.user))
        question_id = question_id or (served.question_id if served else None)
        if question_id is None:
            raise ReviewError("No review question is open. Start with /review to get one.")
        question = self._questions().get(question_id)
        if question is None:
            raise ReviewClosed(f"There is no question {question_id!r} in the bank any more.")
        live = self.bank.live_key(question) if question.kind == "live" else None
        graded = grade(question, text, similarity=self.bank.similarity, live_key=live)
        if not graded.counted:  # "30522" to a choice, "B" to a number: as in a quiz, not a miss
            raise ReviewError(f"{graded.reason} Nothing was recorded; try again.")
        now = self.res.clock()
        seconds = now - served.served_at if served and served.question_id == question_id else None
        end_of_today = horizon(now, self._tz).end_of_today
        card = self._record(
            actor.server,
            actor.user,
            question,
            graded.credit,
            seconds,
            now,
            "review",
            due_before=end_of_today,
        )
        if card is None:
            self.stop(actor)
            raise ReviewClosed("That question is not due for review (already answered today?).")
        concept = self.res.card(question.concepts[0]) if is_miss(graded.credit) else None
        return ReviewOutcome(
            question,
            text,
            graded,
            RATING_NAMES.get(card.last_rating or 0, "?"),
            local_date(card.due, self._tz),
            concept,
            self.next(actor),
        )

    def _due_today(self, actor: Actor, now: float) -> list[tuple[ReviewCard, Question]]:
        end = horizon(now, self._tz).end_of_today
        due = self.res.store.run(rows.cards, actor.server, actor.user, end)
        questions = self._questions()
        # A question removed from the bank since (an imported file replaced) is left out.
        return [(c, questions[c.question_id]) for c in due if c.question_id in questions]

    def _questions(self) -> dict[str, Question]:
        return {q.id: q for q in self.bank.questions()}

    # --- what is due, asking for questions ----------------------------------------------------

    def status(self, actor: Actor) -> ReviewStatus:
        self.res.remember(actor)
        now = self.res.clock()
        span = horizon(now, self._tz)
        questions, titles = self._questions(), self.res.titles
        today: list[DueItem] = []
        week: list[DueItem] = []
        later = 0
        cards = self.res.store.run(rows.cards, actor.server, actor.user)
        known = [c for c in cards if c.question_id in questions]
        for card in known:
            q = questions[card.question_id]
            item = DueItem(
                q.id,
                q.prompt,
                [titles.get(c, c) for c in q.concepts],
                local_date(card.due, self._tz),
                card.misses,
            )
            if card.due < span.end_of_today:
                today.append(item)
            elif card.due < span.end_of_week:
                week.append(item)
            else:
                later += 1
        reminders = self.res.store.run(rows.reminders_on, actor.server, actor.user)
        next_due = local_date(known[0].due, self._tz) if known else None
        return ReviewStatus(
            span.today, self._tz, today, week, later, len(known), next_due, reminders
        )

    def add(
        self, actor: Actor, question_ids: list[str], team: Team | None = None
    ) -> list[Question]:
        """Schedule questions the student never missed (all of a team's, or by id), due now.
        Questions that already have a card keep their schedule."""
        number = team_or_none(team)
        questions = self._questions()
        unknown = [q for q in question_ids if q not in questions]
        if unknown:
            raise UsageError(
                f"No question {', '.join(map(repr, unknown))} in the bank.", hint=Hint.QUESTION_IDS
            )
        chosen = [questions[q] for q in question_ids]
        if number is not None:
            chosen += [q for q in questions.values() if q.team == number and q not in chosen]
        if not chosen:
            raise UsageError("Say which questions to add: their ids, or a team.")
        self.res.remember(actor)
        now = self.res.clock()
        cards = [asked_card(q.id, now) for q in chosen]
        added = set(self.res.store.run(rows.add_cards, actor.server, actor.user, cards))
        return [q for q in chosen if q.id in added]

    def classes_of(self, user: str) -> list[str]:
        """The servers where this person has review cards (for a command sent in a DM)."""
        return self.res.store.run(rows.servers_of, user)

    # --- reminders --------------------------------------------------------------------------

    def set_reminders(self, actor: Actor, on: bool) -> bool:
        self.res.remember(actor)
        self.res.store.run(rows.set_reminders, actor.server, actor.user, on)
        return on

    def subscribe_reminders(
        self, listener: ReminderListener, servers: Callable[[str], bool] = lambda s: True
    ) -> None:
        """A frontend that can reach students privately delivers reminders for `servers`."""
        with self._lock:
            self._reminders.append(_Subscription(listener, servers))

    def tick(self) -> None:
        """Called by the timer thread; looks for reminders every few minutes (a setting)."""
        now = self.res.clock()
        with self._lock:
            if now < self._next_check:
                return
            self._next_check = now + self.res.settings.review_reminder_check_seconds
        self.send_reminders()

    def send_reminders(self) -> list[Reminder]:
        """Remind everyone who opted in and has questions due today, at most once a day, not
        before the reminder hour; only for servers a subscribed frontend can deliver to. A
        reminder is recorded before it is handed over, so none goes out twice."""
        with self._lock:
            subscriptions = list(self._reminders)
        now = self.res.clock()
        if not subscriptions or not reminder_allowed(
            now, self._tz, self.res.settings.review_remind_hour, None
        ):
            return []
        span = horizon(now, self._tz)
        candidates = self.res.store.run(rows.reminder_candidates, span.end_of_today, span.today)
        names = self.res.names([user for _, user, _ in candidates])
        sent = []
        for server, user, count in candidates:
            takers = [s for s in subscriptions if s.servers(server)]
            if not takers or not self.res.store.run(rows.claim_reminder, server, user, span.today):
                continue
            reminder = Reminder(server, user, names[user], count)
            for subscription in takers[:1]:  # one frontend delivers each reminder
                try:
                    subscription.listener(reminder)
                except Exception:  # a broken frontend must not stop the others' reminders
                    log.exception("review reminder listener failed")
            sent.append(reminder)
        return sent

    # --- Anki --------------------------------------------------------------------------------

    def export(self, actor: Actor, path: Path) -> ExportResult:
        """The student's missed questions as an Anki deck (.apkg) at `path`."""
        if path.suffix.lower() != ".apkg":
            raise UsageError(f"{path.name}: an Anki deck file must end in .apkg.")
        self.res.remember(actor)
        questions = self._questions()
        cards = self.res.store.run(rows.cards, actor.server, actor.user)
        missed = [
            (c, questions[c.question_id]) for c in cards if c.misses and c.question_id in questions
        ]
        if not missed:
            raise ReviewError("You have no missed quiz questions to export yet.")
        notes = [self._note(card, q) for card, q in missed]
        now = self.res.clock()
        try:
            count = write_deck(
                f"{actor.server}/{actor.user}",
                f"Tutorbot: missed quiz questions ({actor.name})",
                notes,
                path,
                now,
            )
        except OSError as exc:
            raise ReviewError(f"Cannot write {path}: {exc.strerror or exc}") from exc
        return ExportResult(path, count)

    def _note(self, card: ReviewCard, q: Question) -> AnkiNote:
        front = q.prompt
        if q.choices:
            front += "\n" + "\n".join(f"{'ABCDE'[i]}) {c}" for i, c in enumerate(q.choices))
        live = self.bank.live_key(q) if q.kind == "live" else None
        concept = self.res.card(q.concepts[0])
        about = ""
        if concept:
            about = concept.title + "\n" + "\n".join(f"• {p}" for p in concept.key_points)
        times = "once" if card.misses == 1 else f"{card.misses} times"
        return AnkiNote(
            key=q.id,
            question=front,
            answer=expected_answer(q, live),
            concept=about,
            why=q.explanation,
            source=f"Class quiz question {q.id}, missed {times}.",
            tags=("tutorbot", *(f"concept::{c}" for c in q.concepts)),
        )
